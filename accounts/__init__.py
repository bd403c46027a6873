"""Accounts: users, teams, roles, sign-in, API tokens and notifications."""


def init_app(app):
    """Routes, sign-in hooks and commands of accounts."""
    from accounts import auth  # the login manager's loaders
    from accounts.api import accounts_api
    from accounts.cli import api_token, create_user, init_db
    from accounts.views import accounts

    app.register_blueprint(accounts)
    app.after_request(auth.record_token_use)
    app.register_blueprint(accounts_api)
    for command in (init_db, create_user, api_token):
        app.cli.add_command(command)
