"""What a request may carry in: ids the database can hold, numbers in range, storable text.

Every id column is a 32-bit integer on PostgreSQL (and SQLite refuses anything past 2**63), so
an id outside 1..2**31-1 names nothing: the `int` URL converter of the whole application
(`IdConverter`) does not match it, which is a 404, and `parse_id` reads ids from query strings
and forms the same way. Page numbers are whole numbers in a range (`page_arg`), never an offset
the database cannot take.

Before any view reads the request, `refuse_unstorable_arguments` answers 400 (an error page,
or the SPEC's JSON error under /api/) for a query string or path value with a NUL or bytes that
are not UTF-8. The application's JSON (`StorableJSONProvider`) refuses a body with a lone
surrogate the same way ("\ud800" is valid JSON, but no character: no database or page can hold
it). Text in forms is cleaned field by field (core.forms); command-line text goes through
`STORABLE_LINE`.
"""
import re
from urllib.parse import unquote_to_bytes

import click
from flask import request
from flask.json.provider import DefaultJSONProvider
from flask_babel import lazy_gettext as _l
from werkzeug.exceptions import NotFound
from werkzeug.routing import IntegerConverter

from core.text import UNSTORABLE_MESSAGE, clean_line, has_lone_surrogate, unstorable_reason
from errors import DomainError

MAX_ID = 2**31 - 1
# Far past any real list, and an offset every database takes (10,000 pages of 100).
MAX_PAGE = 10_000
_WHOLE_NUMBER = re.compile(r"-?[0-9]{1,12}")


class IdConverter(IntegerConverter):
    """Flask's `int` converter for ids a database row can have (1..2**31-1): any other number
    is a 404 at once.

    It matches every run of digits and refuses out-of-range ones itself: a rule that merely did
    not match would let werkzeug answer 405 for a PATCH to /articles/2147483648, as if the id
    were right and the method wrong.
    """

    def to_python(self, value):
        number = super().to_python(value)
        if not 1 <= number <= MAX_ID:
            raise NotFound()
        return number


def parse_id(value):
    """An id from a query string or a form field (text or a number), or None when it is none."""
    text = str(value).strip() if value is not None else ""
    number = int(text) if _WHOLE_NUMBER.fullmatch(text) else 0
    return number if 1 <= number <= MAX_ID else None


def int_arg(name, default, low, high):
    """The query argument `name` as a whole number from `low` to `high`; `default` when absent.

    :raises DomainError: (a 400) for anything else, naming the argument and the range.
    """
    text = request.args.get(name, "").strip()
    if not text:
        return default
    number = int(text) if _WHOLE_NUMBER.fullmatch(text) else None
    if number is None or not low <= number <= high:
        message = _l("%(name)s must be a whole number from %(low)d to %(high)d.",
                     name=name, low=low, high=high)
        raise DomainError(message, {name: message})
    return number


def page_arg():
    """The ?page= of a list page: 1 when absent, else a whole number from 1 to MAX_PAGE."""
    return int_arg("page", 1, 1, MAX_PAGE)


def refuse_unstorable_arguments():
    """Before every request: a 400 for a query string or path value with NUL or bytes that are not
    UTF-8.

    Werkzeug leaves bytes that are not UTF-8 (a lone surrogate sent as %ED%A0%80) percent-encoded
    rather than failing, so they are looked for in the raw query string.
    """
    try:
        unquote_to_bytes(request.query_string).decode("utf-8")
    except UnicodeDecodeError:
        raise DomainError(_l("The address holds characters that are not UTF-8; send it as UTF-8.")) from None
    values = list(request.args.items(multi=True)) + list((request.view_args or {}).items())
    for name, value in values:
        reason = unstorable_reason(name) or (unstorable_reason(value) if isinstance(value, str) else None)
        if reason:
            raise DomainError(reason, {name: reason})


class StorableJSONProvider(DefaultJSONProvider):
    """Flask's JSON, refusing bodies that hold a lone surrogate or nest too deeply to read.

    The check runs as a view reads the body (request.get_json), so a route's size limit is
    applied first. A refusal is a DomainError, which no `silent=True` turns into "not JSON".
    """

    def loads(self, s, **kwargs):
        try:
            value = super().loads(s, **kwargs)
        except RecursionError:
            raise DomainError(_l("The JSON body is nested too deeply.")) from None
        _refuse_lone_surrogates(value)
        return value


def _refuse_lone_surrogates(value):
    """A 400 naming the top-level member of a JSON value that holds a lone surrogate (in a key or
    in text), walked without recursion: the value may nest as deeply as json.loads allows."""
    pending = [(value, None)]
    while pending:
        item, name = pending.pop()
        if isinstance(item, str):
            if has_lone_surrogate(item):
                raise DomainError(UNSTORABLE_MESSAGE, {name or "body": UNSTORABLE_MESSAGE})
        elif isinstance(item, dict):
            for key, member in item.items():
                pending.append((key, name))
                pending.append((member, name or key))
        elif isinstance(item, list):
            pending.extend((member, name) for member in item)


class StorableLine(click.ParamType):
    """A command-line value stored as one line of text (a username, a name, a label).

    A NUL, or bytes that are not UTF-8 (Python hands them over as lone surrogates), is a usage
    error naming the argument, not a traceback from the database; other controls are removed.
    """

    name = "text"

    def convert(self, value, param, ctx):
        if not isinstance(value, str):
            return value
        reason = unstorable_reason(value)
        if reason:
            self.fail(str(reason), param, ctx)
        return clean_line(value)


STORABLE_LINE = StorableLine()
