"""The toolkit every domain's /api/v1 shares: sign-in check, JSON bodies, pages, dates, errors.

One rule each: dates are ISO 8601 in UTC ending in "Z"; pages are `page` and `per_page`;
bodies over a route's limit are a 413 before they are read.
"""
from datetime import UTC
from functools import wraps

from flask import request
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from errors import DomainError, Invalid, json_error
from extensions import db

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


def paginated(stmt, key, to_json, default_per_page=20):
    """{key: [items as JSON], "total", "page", "per_page"} of one page of a select statement."""
    page, per_page = page_args(default_per_page)
    result = db.paginate(stmt, page=page, per_page=per_page, error_out=False)
    return {key: [to_json(item) for item in result.items], "total": result.total,
            "page": page, "per_page": per_page}


def iso_utc(moment):
    """A datetime as the API writes it: ISO 8601 in UTC with a "Z" (None stays None)."""
    if moment is None:
        return None
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC)
    return moment.replace(tzinfo=None).isoformat() + "Z"


class RequestTooLarge(DomainError):
    """A request body over the route's limit: a 413 that says what the limit is."""

    status = 413
    code = "too_large"


def refuse_bodies_over(limit_bytes, message, **params):
    """Answer 413 with `message` % (size= in KB, **params) for bodies over `limit_bytes`.

    Also bounds chunked uploads, which carry no Content-Length.
    """
    request.max_content_length = limit_bytes
    if (request.content_length or 0) > limit_bytes:
        raise RequestTooLarge(message % {"size": request.content_length // 1024, **params})
