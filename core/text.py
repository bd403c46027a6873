"""Text as it may enter Knowhow: one cleaning rule for forms, the API, CSV files and the CLI.

Whatever a person typed, pasted or a script sent, what is stored is text every database keeps
and every screen shows as typed:
- NUL and the other C0 control characters are removed (PostgreSQL refuses NUL outright, and none
  of them is visible); tab and newline stay in multi-line text, carriage returns become newlines;
- a lone surrogate (half of a UTF-16 pair, possible only through JSON escapes or a broken
  encoder) is refused: it is no character at all, and no encoder can store it;
- in one-line fields (titles, names, tags) the bidi embedding, override and isolate controls are
  removed, since one of them can turn "gro.knowhow" into "knowhow.org" on screen; right-to-left
  text needs none of them to show correctly;
- a field made only of blanks and invisible characters (zero-width spaces and joiners, the byte
  order mark, soft hyphens) counts as empty. Inside a word the zero-width non-joiner stays: Persian
  writes "می‌روم" with it.
"""
import re

from flask_babel import lazy_gettext as _l

_C0_CONTROLS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_LINE_BREAKS = re.compile("\r\n?|[\n\t\u2028\u2029\x85]")
_BIDI_CONTROLS = re.compile("[\u202a-\u202e\u2066-\u2069]")
_INVISIBLE = "\u200b\u200c\u200d\u2060\ufeff\u00ad\u180e\u200e\u200f\u061c"
_WITHOUT_INVISIBLE = {ord(c): None for c in _INVISIBLE}
_SURROGATE = re.compile("[\ud800-\udfff]")

UNSTORABLE_MESSAGE = _l("The text contains a broken character (a lone surrogate); send it as UTF-8.")


class UnstorableText(ValueError):
    """Text that cannot be stored as sent; its message says why, in the reader's language."""

    def __init__(self, message=UNSTORABLE_MESSAGE):
        super().__init__(str(message))
        self.message = message


def has_lone_surrogate(value):
    """True when `value` holds half of a UTF-16 surrogate pair, which no encoder can store."""
    return bool(_SURROGATE.search(value))


def replace_lone_surrogates(value):
    """`value` with each lone surrogate as U+FFFD: for text kept whatever it holds (a file name,
    a form shown again), where refusing is not an option."""
    return _SURROGATE.sub("\ufffd", value)


def clean_text(value):
    """Multi-line text as stored: controls removed, newlines normalised; None stays None.

    :raises UnstorableText: for a lone surrogate.
    """
    if value is None:
        return None
    if has_lone_surrogate(value):
        raise UnstorableText()
    value = value.replace("\r\n", "\n").replace("\r", "\n")
    value = _C0_CONTROLS.sub("", value)
    return "" if is_blank(value) else value


def clean_line(value):
    """One-line text as stored: `clean_text`, line breaks as spaces, no bidi controls, trimmed.

    :raises UnstorableText: for a lone surrogate.
    """
    if value is None:
        return None
    value = clean_text(value)
    value = _LINE_BREAKS.sub(" ", value)
    value = _BIDI_CONTROLS.sub("", value)
    value = value.strip(" " + _INVISIBLE + "\u00a0\u3000")
    return "" if is_blank(value) else value.strip()


def has_control_characters(value):
    """True when `value` holds NUL or another control character but tab, newline and carriage return."""
    return bool(_C0_CONTROLS.search(value))


def is_blank(value):
    """True when nothing in `value` would be visible: only blanks and invisible characters."""
    return not value or not value.translate(_WITHOUT_INVISIBLE).strip()


def unstorable_reason(value):
    """Why a raw value (a query argument, a CSV cell) cannot be taken as it is, or None.

    NUL and lone surrogates are refused rather than quietly removed where the value is not
    text someone typed into a form (a search query, an id): guessing would hide the mistake.
    """
    if "\x00" in value:
        return _l("The text contains a NUL character, which cannot be stored.")
    if has_lone_surrogate(value):
        return UNSTORABLE_MESSAGE
    return None


def isolate(text):
    """`text` between a first-strong isolate and its pop (U+2068 … U+2069): for a value inside a
    sentence stored or sent as plain text (an import error, a chart label), where no <bdi> can go,
    so that "2026-03-01T10:00:00" keeps its order inside a Persian sentence."""
    return "\u2068%s\u2069" % text

