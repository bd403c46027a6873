"""The toolkit every domain's /api/v1 shares: one validation layer, its OpenAPI document, errors.

Every operation is declared once, with `operation(...)`: pydantic models for its query string,
its JSON body and each answer. spectree validates requests and responses against them and
generates the OpenAPI 3.1 document served at /api/v1/openapi.json, so the contract clients read
is the one the server enforces. Refusals keep the SPEC's shape,
{"error": {"code", "message", "fields"}}: a bad query string is a 400, a bad body a 422, each
naming the fields in the reader's language.

Text members are cleaned by core/text.py as they are validated (`Line`, `Text`); dates are ISO
8601 in UTC ending in "Z"; pages are `page` and `per_page`; bodies over a route's limit are a 413
before they are read.
"""
from datetime import UTC, date, datetime
from functools import wraps
from typing import Annotated

from flask import Blueprint, current_app, request
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    Strict,
    StringConstraints,
    ValidationError,
    WrapValidator,
)
from pydantic_core import PydanticCustomError
from spectree import Response, SecurityScheme, SpecTree
from spectree.models import SecureType, SecuritySchemeData

from core.text import clean_line, clean_text, has_lone_surrogate
from errors import DomainError, Invalid, json_error
from extensions import db

MAX_PER_PAGE = 100
MAX_PAGE = 10_000
# What every operation may answer besides its success: the SPEC's error shape, documented so
# that clients (and schemathesis) know them.
ERROR_STATUSES = (400, 401, 403, 404, 409, 413, 422, 429)


def _cleaned(clean):
    def validate(value):
        return clean(value)  # UnstorableText is a ValueError: pydantic reports it on the field
    return AfterValidator(validate)


Whole = Annotated[int, Strict()]  # a JSON number without a fraction; "1" is refused

MAX_RECORD_ID = 2**31 - 1  # PostgreSQL's INTEGER; SQLite's is larger
# An id as a JSON body names another record: a whole number in the database's integer range.
RecordId = Annotated[int, Field(strict=True, ge=1, le=MAX_RECORD_ID)]
FIRST_DAY, LAST_DAY = date(1970, 1, 1), date(2100, 12, 31)


def _calendar_day(value, parse):
    if not isinstance(value, str):
        raise PydanticCustomError("date_type", "a date as text")
    try:
        day = parse(value)
    except ValidationError:
        raise PydanticCustomError("date_parsing", "not a date") from None
    if not FIRST_DAY <= day <= LAST_DAY:
        raise ValueError(_l("Give a date between %(first)s and %(last)s.",
                            first=FIRST_DAY.isoformat(), last=LAST_DAY.isoformat()))
    return day


# A date as a JSON body gives it: ISO 8601 text within FIRST_DAY..LAST_DAY. A number (pydantic
# would read it as seconds since 1970) or a slip like 0001-01-01 is refused.
Day = Annotated[date, WrapValidator(_calendar_day)]

# A one-line text member (title, name, slug, tag) and a multi-line one (Markdown, a message).
Line = Annotated[str, StringConstraints(max_length=500), _cleaned(clean_line)]
Text = Annotated[str, StringConstraints(max_length=1_000_000), _cleaned(clean_text)]


def line(max_length, **field):
    """A one-line member of at most `max_length` characters."""
    return Annotated[str, StringConstraints(max_length=max_length), _cleaned(clean_line), Field(**field)]


class Schema(BaseModel):
    """A request body: unknown members are refused, so a misspelt one is never silently lost."""

    model_config = ConfigDict(extra="forbid")


class Answer(BaseModel):
    """A response body; members may be added in later versions of the API."""

    model_config = ConfigDict(extra="allow")


class ErrorDetail(BaseModel):
    code: str
    message: str
    fields: dict[str, str]


class ErrorBody(BaseModel):
    """The SPEC's error: {"error": {"code", "message", "fields"}}."""

    error: ErrorDetail


class PageQuery(Schema):
    """`page` and `per_page` of a list."""

    model_config = ConfigDict(extra="ignore")

    page: int = Field(1, ge=1, le=MAX_PAGE)
    per_page: int = Field(20, ge=1, le=MAX_PER_PAGE)


class Page(Answer):
    """One page of a list: its items under the list's own name, and where it is."""

    total: int
    page: int
    per_page: int


_SCHEMA_NAMES = {}


def _schema_name(model):
    """A component's name in the document: the model's own, which must be unique."""
    name = getattr(model, "__name__", str(model))
    if _SCHEMA_NAMES.setdefault(name, model) is not model:
        raise TypeError("two API models are named %s: rename one" % name)
    return name


api_spec = SpecTree(
    "flask", mode="strict", title="Knowhow API", version="1",
    description="Knowledge base, search, questions, recognition and mentoring of Knowhow "
                "(SPEC section 7). Authenticate with `Authorization: Bearer <token>`.",
    validation_error_status=422, validation_error_model=ErrorBody,
    naming_strategy=_schema_name, nested_naming_strategy=lambda _parent, child: child,
    security_schemes=[SecurityScheme(name="bearer", data=SecuritySchemeData(type=SecureType.HTTP, scheme="bearer"))],
    security={"bearer": []},
)

openapi_pages = Blueprint("openapi", __name__, url_prefix="/api/v1")


@openapi_pages.get("/openapi.json")
def openapi_document():
    """The OpenAPI 3.1 document of /api/v1, generated from the operations' schemas."""
    return current_app.json.response(api_spec.spec)


def operation(*, ok=None, status=200, query=None, json=None, form=None, body_required=True, tags=(),
              login=True, answers=None):
    """Declare an /api/v1 operation: its inputs, its answer `ok` with `status`, and its errors.

    The view receives the validated models as the keyword arguments `query`, `json` and `form`
    (a multipart/form-data body; None when the body is not a form at all). With
    `login` (the default) a request without a valid token or session is a 401 before anything
    is read. `answers` adds other success statuses ({201: Model}). Without `body_required`, a
    request with no body at all means the `json` model's defaults.
    """
    responses = {"HTTP_%d" % code: ErrorBody for code in ERROR_STATUSES}
    responses["HTTP_%d" % status] = ok
    for code, model in (answers or {}).items():
        responses["HTTP_%d" % code] = model

    def decorate(view):
        validated = api_spec.validate(
            query=query, json=json, form=form, resp=Response(**responses), tags=list(tags),
            before=_refusal_for(query), security=None if login else {}, operation_id=view.__name__,
        )(_with_models(view, query, json, form))
        if not body_required:
            metadata = api_spec.get_function_metadata(validated)
            documented = metadata.parse_request
            metadata.parse_request = lambda: {**documented(), "required": False}

        @wraps(validated)
        def checked(*args, **kwargs):
            if login and not current_user.is_authenticated:
                return json_error(401, _l("Authentication required: send a valid bearer token."))
            if json is not None and (body_required or request.get_data(cache=True)):
                _check_json_body()
            return validated(*args, **kwargs)
        return checked
    return decorate


def _with_models(view, query, json, form):
    """The view called with the validated models (spectree keeps them on request.context)."""
    @wraps(view)
    def call(*args, **kwargs):
        context = request.context
        for name, model in (("query", query), ("json", json), ("form", form)):
            if model is not None:
                kwargs[name] = getattr(context, name)
        return view(*args, **kwargs)
    call.__annotations__ = {}  # spectree reads models from annotations otherwise
    return call


def _check_json_body():
    """400 unless the body is a JSON object; 400 for text no encoder can store."""
    if not request.is_json:
        raise DomainError(_l("Send a JSON object with Content-Type: application/json."))
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        raise DomainError(_l("Send a JSON object with Content-Type: application/json."))
    if _holds_lone_surrogate(data):
        raise DomainError(_l("The text contains a broken character (a lone surrogate); send it as UTF-8."))


def _holds_lone_surrogate(value):
    if isinstance(value, str):
        return has_lone_surrogate(value)
    if isinstance(value, dict):
        return any(_holds_lone_surrogate(k) or _holds_lone_surrogate(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_holds_lone_surrogate(item) for item in value)
    return False


def _refusal_for(query_model):
    """spectree's `before` hook: a validation failure becomes the SPEC's error, in the reader's
    language: 400 for the query string, 422 for the body."""
    def before(_request, _response, error, _instance, _adapter):
        if error is None:
            return
        fields = {}
        for detail in error.errors():
            fields.setdefault(str(detail["loc"][0]) if detail["loc"] else "body", _explain(detail))
        in_query = query_model is not None and error.title == query_model.__name__
        if in_query:
            raise BadQuery(next(iter(fields.values())), fields)
        raise Invalid(None, fields=fields)
    return before


class BadQuery(DomainError):
    """A query string member that is missing, malformed or out of range: 400, naming it."""

    status = 400
    code = "bad_request"


def _field_name(detail):
    """The member named as the client wrote it (a union's branch names are pydantic's own)."""
    names = [str(part) for part in detail["loc"] if not str(part).endswith("]") and "[" not in str(part)]
    return ".".join(names) or "body"


def _explain(detail):
    """pydantic's error as a sentence of ours, translated; the field is named in it."""
    kind, context, field = detail["type"], detail.get("ctx") or {}, _field_name(detail)
    if kind == "missing":
        return _l("%(field)s is required.", field=field)
    if kind == "extra_forbidden":
        return _l("Unknown field “%(field)s”.", field=field[:40])
    if kind in ("string_type", "string_unicode"):
        return _l("%(field)s must be a string.", field=field)
    if kind in ("int_type", "int_parsing", "int_from_float"):
        return _l("%(field)s must be a whole number.", field=field)
    if kind in ("bool_type", "bool_parsing"):
        return _l("%(field)s must be true or false.", field=field)
    if kind in ("list_type", "tuple_type", "set_type"):
        return _l("%(field)s must be a list.", field=field)
    if kind in ("dict_type", "model_type", "model_attributes_type"):
        return _l("%(field)s must be a JSON object.", field=field)
    if kind == "string_too_long":
        return _l("%(field)s may have at most %(n)d characters.", field=field, n=context.get("max_length", 0))
    if kind == "string_too_short":
        return _l("%(field)s may not be empty.", field=field)
    if kind in ("too_long", "too_short"):
        return _l("%(field)s has too many or too few items.", field=field)
    if kind in ("greater_than_equal", "greater_than"):
        return _l("%(field)s must be at least %(n)s.", field=field, n=context.get("ge", context.get("gt")))
    if kind in ("less_than_equal", "less_than"):
        return _l("%(field)s must be at most %(n)s.", field=field, n=context.get("le", context.get("lt")))
    if kind in ("literal_error", "enum"):
        return _l("%(field)s must be one of: %(choices)s.", field=field, choices=context.get("expected", ""))
    if kind in ("datetime_parsing", "datetime_type", "date_parsing", "date_type", "datetime_from_date_parsing"):
        return _l("%(field)s must be a date in ISO 8601 (2026-05-19).", field=field)
    if kind == "value_error" and "error" in context:
        return str(getattr(context["error"], "message", context["error"]))
    return _l("%(field)s is not valid.", field=field)


def paginated(stmt, key, to_json, page):
    """{key: [items as JSON], "total", "page", "per_page"} of one page of a select statement."""
    result = db.paginate(stmt, page=page.page, per_page=page.per_page, error_out=False)
    return {key: [to_json(item) for item in result.items], "total": result.total,
            "page": page.page, "per_page": page.per_page}


def iso_utc(moment):
    """A datetime as the API writes it: ISO 8601 in UTC with a "Z" (None stays None)."""
    if moment is None:
        return None
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC)
    return moment.replace(tzinfo=None).isoformat() + "Z"


# A moment as the API writes it (iso_utc) and documents it: an ISO 8601 date-time.
Moment = datetime


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
