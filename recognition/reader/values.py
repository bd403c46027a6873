"""Cell side of the resolution reader: reading one cell as a duration, flag, timestamp or score."""
import math
import re
from datetime import UTC, datetime
from urllib.parse import urlsplit

from flask_babel import lazy_gettext as _l

from core.text import has_control_characters, isolate

MAX_HANDLE_SECONDS = 24 * 60 * 60
# Longest ticket id, agent username or category name accepted; longer is a broken export.
MAX_TEXT_LENGTH = 200
CHANNELS = ("phone", "chat", "email", "other")
_CHANNEL_ALIASES = {channel: channel for channel in CHANNELS} | {"e-mail": "email"}

# Whitespace plus the invisible characters spreadsheets and RTL editors leave around values:
# BOM, zero-width space/joiners, word joiner, and bidirectional marks, embeddings and isolates.
TRIM_CHARS = (
    " \t\r\n\x0b\x0c\x85\u00a0\u1680\u2028\u2029\u202f\u205f\u3000"
    + "".join(chr(code) for code in range(0x2000, 0x200B))
    + "\ufeff\u200b\u200c\u200d\u2060\u200e\u200f\u061c"
    + "".join(chr(code) for code in range(0x202A, 0x202F))
    + "".join(chr(code) for code in range(0x2066, 0x206A))
)

_DIGIT_TABLE = {
    **{0x06F0 + digit: str(digit) for digit in range(10)},  # Persian (extended Arabic-Indic)
    **{0x0660 + digit: str(digit) for digit in range(10)},  # Arabic-Indic
    0x066B: ".",  # Arabic decimal separator
    0x066C: None,  # Arabic thousands separator
}

_TRUE = frozenset({"1", "true", "yes", "y", "بله", "بلی", "نعم"})
_FALSE = frozenset({"0", "false", "no", "n", "خیر", "لا"})

_WHOLE_NUMBER = re.compile(r"[0-9]+(?:\.0*)?")
_FRACTION = re.compile(r"[0-9]*\.[0-9]+")
_MINUTES_SECONDS = re.compile(r"([0-9]+):([0-5][0-9])")
_HOURS_MINUTES_SECONDS = re.compile(r"([0-9]+):([0-5][0-9]):([0-5][0-9])")
_NOT_A_NUMBER = frozenset({"nan", "inf", "+inf", "-inf", "infinity", "-infinity", "+infinity"})
_DATE_ONLY_MAX_LENGTH = 10  # "2026-03-31"; anything longer carries a time
# Articles named in one cell: more is a column mix-up, not the contact's articles.
MAX_ARTICLES_PER_CONTACT = 20
MAX_ARTICLE_ID = 2**31 - 1  # PostgreSQL's INTEGER
_ARTICLE_SEPARATORS = re.compile(r"[;,\s]+")
# An article's page (/kb/12/slug) or its API address (/api/v1/articles/12), on any host.
_ARTICLE_PATH = re.compile(r"(?:^|/)(?:kb|articles)/([0-9]+)(?:/|$)")


class InvalidValue(ValueError):
    """A cell cannot be read as its column's value; `message` is the user-facing reason."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message


def clean_cell(raw):
    """Strip whitespace, BOMs, zero-width and bidi marks from both ends of a cell."""
    return raw.strip(TRIM_CHARS)


def to_ascii_digits(text):
    """Rewrite Persian and Arabic-Indic digits (and Arabic separators) as ASCII."""
    return text if text.isascii() else text.translate(_DIGIT_TABLE)


def parse_text(text):
    """Accept an identifier or name as written, refusing absurdly long ones and control characters."""
    if len(text) > MAX_TEXT_LENGTH:
        raise InvalidValue(_l("Longer than %(limit)d characters.", limit=MAX_TEXT_LENGTH))
    # isprintable() is the fast test; it is also False for harmless marks such as Persian's ZWNJ.
    if not text.isprintable() and has_control_characters(text):
        raise InvalidValue(_l("Contains a control character (such as NUL), which cannot be stored."))
    return text


def parse_handle_seconds(text):
    """Read whole seconds, mm:ss or hh:mm:ss as an integer number of seconds (at most 24 h)."""
    text = to_ascii_digits(text)
    if text.isascii() and text.isdigit():
        seconds = int(text)
    elif _WHOLE_NUMBER.fullmatch(text):
        seconds = int(text.split(".")[0])
    elif match := _MINUTES_SECONDS.fullmatch(text):
        seconds = int(match[1]) * 60 + int(match[2])
    elif match := _HOURS_MINUTES_SECONDS.fullmatch(text):
        seconds = int(match[1]) * 3600 + int(match[2]) * 60 + int(match[3])
    else:
        raise InvalidValue(_explain_bad_duration(text))
    if seconds > MAX_HANDLE_SECONDS:
        raise InvalidValue(_l(
            "Handle time of %(seconds)d seconds is more than 24 hours: check the unit"
            " (seconds, or mm:ss / hh:mm:ss).", seconds=seconds))
    return seconds


def _explain_bad_duration(text):
    if text.startswith("-") and len(text) > 1:
        return _l("Handle time cannot be negative.")
    if text.casefold() in _NOT_A_NUMBER:
        return _l("Handle time must be a number of seconds, not %(value)s.", value=isolate(text))
    if _FRACTION.fullmatch(text):
        return _l("Handle time must be whole seconds, not a fraction.")
    return _l("Handle time must be whole seconds (e.g. 245) or mm:ss / hh:mm:ss (e.g. 04:05).")


def parse_flag(text):
    """Read 1/0, true/false, yes/no, y/n (any case; also Persian and Arabic yes/no)."""
    folded = to_ascii_digits(text).casefold()
    if folded in _TRUE:
        return True
    if folded in _FALSE:
        return False
    raise InvalidValue(_l("Expected 1/0, true/false, yes/no or y/n."))


def parse_timestamp(text):
    """Read an ISO 8601 date or date-time as an aware UTC datetime (naive values are UTC)."""
    try:
        moment = datetime.fromisoformat(to_ascii_digits(text))
    except ValueError:
        raise InvalidValue(_l(
            "Not an ISO 8601 date or date-time (e.g. 2026-03-31 or 2026-03-31T14:05:00+03:30).")
        ) from None
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def is_date_only(text):
    """Tell whether a timestamp cell held a bare date (no time of day)."""
    return len(text) <= _DATE_ONLY_MAX_LENGTH


def parse_channel(text):
    """Read the contact channel: phone, chat, email or other (any case)."""
    channel = _CHANNEL_ALIASES.get(text.casefold())
    if channel is None:
        raise InvalidValue(_l("Unknown channel: expected one of %(allowed)s.",
                              allowed=", ".join(CHANNELS)))
    return channel


def parse_whole_number(text, low, high, label):
    """Read an integer in low..high; "9.0" counts as 9, fractions and NaN do not."""
    text = to_ascii_digits(text)
    if text.isascii() and text.isdigit():
        number = int(text)
    elif _WHOLE_NUMBER.fullmatch(text.lstrip("+")):
        number = int(text.lstrip("+").split(".")[0])
    else:
        try:
            number = float(text)
        except ValueError:
            number = math.nan
        if not math.isfinite(number) or number != int(number):
            raise InvalidValue(_l("%(label)s must be a whole number from %(low)d to %(high)d.",
                                  label=label, low=low, high=high))
        number = int(number)
    if not low <= number <= high:
        raise InvalidValue(_l("%(label)s must be from %(low)d to %(high)d.",
                              label=label, low=low, high=high))
    return number


def parse_nps(text):
    """Read a likelihood-to-recommend answer, 0 to 10."""
    return parse_whole_number(text, 0, 10, "NPS")


def parse_csat(text):
    """Read a satisfaction answer, 1 to 5."""
    return parse_whole_number(text, 1, 5, "CSAT")


def parse_articles(text):
    """Read article ids or article URLs separated by ";", "," or spaces, as a tuple of ids.

    The ids are not checked here (the reader does not use the database): the import rejects a
    row naming an article that does not exist.
    """
    ids = []
    for token in _ARTICLE_SEPARATORS.split(text):
        if not token:
            continue
        article_id = _article_id(token)
        if article_id is None:
            raise InvalidValue(_l(
                "“%(value)s” is not an article: give article ids (12) or article addresses"
                " (https://…/kb/12/…), separated by ; or , or spaces.", value=isolate(token[:60])))
        if article_id not in ids:
            ids.append(article_id)
    if len(ids) > MAX_ARTICLES_PER_CONTACT:
        raise InvalidValue(_l("At most %(limit)d articles per contact.", limit=MAX_ARTICLES_PER_CONTACT))
    return tuple(ids)


def _article_id(token):
    """The article id a token names (an id or an article URL), or None."""
    digits = to_ascii_digits(token)
    if not (digits.isascii() and digits.isdigit()):
        try:
            match = _ARTICLE_PATH.search(urlsplit(token).path)
        except ValueError:  # e.g. an unbalanced "[" in the host part
            match = None
        if match is None:
            return None
        digits = match[1]
    if len(digits) > len(str(MAX_ARTICLE_ID)):
        return None
    article_id = int(digits)
    return article_id if 1 <= article_id <= MAX_ARTICLE_ID else None
