"""How a request is tied to a user: session cookie for pages, bearer token for the API."""
from flask import flash, redirect, request, session, url_for
from flask_babel import lazy_gettext as _l

from accounts.services import note_token_use, token_use_is_stale, user_for_session, user_for_token
from core.clock import utcnow
from errors import is_api_request, json_error
from extensions import login_manager
from security import bearer_token

login_manager.login_view = "accounts.login"
login_manager.login_message = _l("Please sign in to see that page.")
# Sessions are checked against the database on every request (LoginSession); Flask-Login's
# IP/user-agent fingerprinting would only add false logouts on mobile networks.
login_manager.session_protection = None


@login_manager.user_loader
def load_user(user_id):
    """The user of the session cookie, unless the request brings a bearer token instead."""
    if bearer_token():
        return None
    return user_for_session(user_id, session.get("sid"))


@login_manager.request_loader
def load_user_from_token(_request):
    """Bearer tokens authenticate /api/ requests only."""
    token = bearer_token()
    if not token or not is_api_request():
        return None
    now = utcnow()
    user, api_token = user_for_token(token, now)
    if api_token is not None and token_use_is_stale(api_token, now):
        note_token_use(api_token.id, now)  # buffered (at most once a minute per token is written)
    return user


@login_manager.unauthorized_handler
def unauthorized():
    if is_api_request():
        return json_error(401, _l("Authentication required: send a valid bearer token."))
    flash(str(login_manager.login_message), "info")
    return redirect(url_for("accounts.login", next=request.full_path.rstrip("?")))
