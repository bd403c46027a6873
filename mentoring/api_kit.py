"""What mentoring's /api/v1 needs beyond core/api.py (each meant to move there).

- `operation_with_optional_body`: an operation whose JSON body may be left out (accepting an
  answer or a request, declining one: no body means "no options"). `core.api.operation` refuses
  a request without a JSON object.
- `RecordId`: an id as a JSON body names it, a whole number in the database's integer range.
- `Day`: a date as a JSON body gives it, ISO 8601 text within FIRST_DAY..LAST_DAY; a number
  (pydantic would read it as seconds since 1970) or a typing slip like 0001-01-01 is refused.
"""
from datetime import date
from functools import wraps
from typing import Annotated

from flask import request
from flask_babel import lazy_gettext as _l
from pydantic import Field, ValidationError, WrapValidator
from pydantic_core import PydanticCustomError

from core.api import api_spec, operation

FIRST_DAY, LAST_DAY = date(1970, 1, 1), date(2100, 12, 31)
MAX_RECORD_ID = 2**31 - 1  # PostgreSQL's INTEGER; SQLite's is larger

RecordId = Annotated[int, Field(strict=True, ge=1, le=MAX_RECORD_ID)]


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


Day = Annotated[date, WrapValidator(_calendar_day)]


def operation_with_optional_body(*, json, **declared):
    """`operation(json=json, **declared)`; a request with no body calls the view with `json()`."""
    def decorate(view):
        with_body = operation(json=json, **declared)(view)
        # Documented as it is: a body the client may leave out.
        metadata = api_spec.get_function_metadata(with_body)
        request_body = metadata.parse_request
        metadata.parse_request = lambda: {**request_body(), "required": False}

        @wraps(view)
        def with_defaults(*args, **kwargs):
            return view(*args, json=json(), **kwargs)
        without_body = operation(**declared)(with_defaults)

        @wraps(with_body)  # the document shows with_body's declaration, body included
        def dispatch(*args, **kwargs):
            if request.get_data(cache=True):
                return with_body(*args, **kwargs)
            return without_body(*args, **kwargs)
        return dispatch
    return decorate
