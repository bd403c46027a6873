"""Which UI language a request is shown in."""
from flask import current_app, has_request_context, request, session
from flask_login import current_user


def select_locale():
    """The signed-in user's language, else the one picked on the login page, else the browser's."""
    languages = current_app.config["LANGUAGES"]
    if not has_request_context():  # CLI commands and background work speak the default
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    if current_user and current_user.is_authenticated and current_user.locale in languages:
        return current_user.locale
    chosen = session.get("locale")
    if chosen in languages:
        return chosen
    return request.accept_languages.best_match(list(languages)) or "en"
