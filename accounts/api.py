"""The accounts part of /api/v1, and the small helpers every domain's API shares."""
from functools import wraps

from flask import Blueprint, jsonify, request
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from accounts import services
from accounts.permissions import can, require
from accounts.serializers import user_json
from errors import DomainError, Invalid, json_error
from extensions import db

accounts_api = Blueprint("accounts_api", __name__, url_prefix="/api/v1")

MAX_PER_PAGE = 100


def api_login_required(view):
    """401 in the SPEC's JSON shape for requests without a valid token or session."""
    @wraps(view)
    def wrapped(*args, **kwargs):
        if not current_user.is_authenticated:
            return json_error(401, _l("Authentication required: send a valid bearer token."))
        return view(*args, **kwargs)
    return wrapped


def json_body():
    """The request's JSON object, or a 400 explaining what was wrong."""
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        raise DomainError(_l("Send a JSON object with Content-Type: application/json."))
    return data


def page_args(default_per_page=20):
    """(page, per_page) from the query string, validated and bounded."""
    try:
        page = int(request.args.get("page", 1))
        per_page = int(request.args.get("per_page", default_per_page))
    except ValueError:
        raise Invalid("page", _l("page and per_page must be whole numbers.")) from None
    if page < 1 or page > 10_000:
        raise Invalid("page", _l("page must be between 1 and 10000."))
    if per_page < 1 or per_page > MAX_PER_PAGE:
        raise Invalid("per_page", _l("per_page must be between 1 and %(n)d.", n=MAX_PER_PAGE))
    return page, per_page


def string_field(data, name, required=False, default=None):
    """A string member of a JSON body; other types are a 422 naming the field."""
    value = data.get(name, default)
    if value is None:
        if required:
            raise Invalid(name, _l("%(field)s is required.", field=name))
        return default
    if not isinstance(value, str):
        raise Invalid(name, _l("%(field)s must be a string.", field=name))
    return value


@accounts_api.post("/users")
@api_login_required
def create_user():
    """Create a user (admins)."""
    require(current_user, "admin.users")
    data = json_body()
    user = services.create_user(
        string_field(data, "username", required=True),
        role=string_field(data, "role", default="agent"),
        password=string_field(data, "password"),
        display_name=string_field(data, "name", default=""),
        team=string_field(data, "team"),
        locale=string_field(data, "locale", default="en"),
        email=string_field(data, "email"),
    )
    db.session.commit()
    return jsonify(user_json(user, include_stats=True)), 201


@accounts_api.get("/users/<username>")
@api_login_required
def get_user(username):
    """A person's public profile: role, team, titles, badges and (when allowed) stats."""
    user = services.get_user_or_404(username)
    return jsonify(user_json(user, include_stats=can(current_user, "user.view_stats", user)))
