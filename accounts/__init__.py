"""Accounts: users, teams, roles, sign-in, API tokens and notifications."""


def init_app(app):
    """Routes, sign-in hooks and commands of accounts, and the sink of API token uses."""
    from accounts import auth  # noqa: F401  (the login manager's loaders)
    from accounts.api import accounts_api
    from accounts.cli import api_token, create_user, init_db, set_sign_in_source_command
    from accounts.external import views as _external_views  # noqa: F401  (its routes)
    from accounts.following import api as _following_api  # noqa: F401  (its operations, before the blueprint)
    from accounts.following import views as _following_views  # noqa: F401  (pages, before the blueprint)
    from accounts.mail import sending, views  # noqa: F401  (e-mail jobs and pages, before the blueprint)
    from accounts.services import API_TOKEN_USES, write_token_uses
    from accounts.views import accounts
    from accounts.webhooks import delivery  # noqa: F401  (its jobs)
    from accounts.webhooks import views as webhook_views  # noqa: F401  (pages, before the blueprint)
    from accounts.webhooks.events import connect_receivers
    from core.read_buffer import LATEST, register_sink

    app.register_blueprint(accounts)
    app.register_blueprint(accounts_api)
    for command in (init_db, create_user, api_token, set_sign_in_source_command):
        app.cli.add_command(command)
    register_sink(app, API_TOKEN_USES, write_token_uses, combine=LATEST)
    connect_receivers()
