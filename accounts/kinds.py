"""The kinds of notification the domains declare, and the sentence each is shown with.

A kind has a translatable message with %(name)s parameters, filled in when it is shown (in the
reader's language, from the parameters stored with the notification), and the delivery people
get unless they choose another (accounts/mail/preferences.py): in the app only, an e-mail at
once, or the daily digest.

A parameter is stored as text, but three kinds of value are shown in the reader's words rather
than the sender's: a category (its name in the reader's language), a date (the reader's calendar
and digits) and a built-in text such as a default badge's name (`Msgid`, translated when shown).
For those, `stored_params` keeps a second entry "name@how" that `shown_params` reads.
"""
from dataclasses import dataclass
from datetime import date

from flask_babel import get_locale, gettext
from markupsafe import Markup, escape

from core.categories import Category
from core.locale_format import format_date
from extensions import db

DELIVERIES = ("app", "email", "digest")


@dataclass(frozen=True)
class Kind:
    name: str
    message: object  # a lazy gettext string
    delivery: str


_kinds = {}


def register_kind(kind, message, delivery="app"):
    """Declare a notification kind; `message` is a lazy gettext string with %(name)s params,
    `delivery` what its recipients get unless they chose otherwise ("app", "email", "digest")."""
    if delivery not in DELIVERIES:
        raise ValueError("unknown delivery %r" % delivery)
    _kinds[kind] = Kind(kind, message, delivery)


def check_kind(kind):
    if kind not in _kinds:
        raise ValueError("unregistered notification kind %r" % kind)


def registered_kinds():
    """Every kind, in the order the domains declared them."""
    return list(_kinds.values())


def get_kind(kind):
    return _kinds.get(kind)


def default_delivery(kind):
    known = _kinds.get(kind)
    return known.delivery if known is not None else "app"


class Msgid(str):
    """A built-in English text (a default badge's name) stored as is and translated when shown."""


def stored_params(params):
    """The notification's parameters as stored: text, with "name@how" beside each value that is
    shown in the reader's words (a category, a date, a Msgid)."""
    stored = {}
    for key, value in params.items():
        if isinstance(value, Category):
            stored[key], stored[key + "@category"] = value.name, str(value.id)
        elif isinstance(value, date):
            day = value.date() if hasattr(value, "date") else value
            stored[key], stored[key + "@date"] = day.isoformat(), day.isoformat()
        elif isinstance(value, Msgid):
            stored[key], stored[key + "@msgid"] = str(value), "1"
        else:
            stored[key] = str(value)
    return stored


def shown_params(params):
    """The stored parameters in the reader's language, calendar and digits."""
    shown = {key: value for key, value in (params or {}).items() if "@" not in key}
    for key, value in (params or {}).items():
        name, _at, how = key.partition("@")
        if how == "category" and value.isdigit():
            category = db.session.get(Category, int(value))
            if category is not None:
                shown[name] = category.display_name(get_locale())
        elif how == "date":
            try:
                shown[name] = format_date(date.fromisoformat(value), "medium")
            except ValueError:
                pass
        elif how == "msgid" and name in shown:
            shown[name] = gettext(shown[name])
    return shown


class _Blanks(dict):
    def __missing__(self, key):
        return "…"


def kind_label(kind):
    """The kind's sentence with "…" for each parameter, in the current language (a settings row)."""
    known = _kinds.get(kind)
    if known is None:
        return kind
    try:
        return str(known.message) % _Blanks()
    except (TypeError, ValueError):
        return str(known.message)


def notification_text(notification):
    """The notification's sentence in the current language."""
    known = _kinds.get(notification.kind)
    if known is None:
        return notification.kind
    try:
        return str(known.message) % shown_params(notification.params)
    except (KeyError, TypeError, ValueError):
        return str(known.message)


def notification_html(notification):
    """The sentence as HTML, each parameter (a title, a name: what people typed) in a <bdi>, so
    that a right-to-left title does not reorder the sentence around it."""
    known = _kinds.get(notification.kind)
    if known is None:
        return escape(notification.kind)
    isolated = {key: Markup("<bdi>%s</bdi>") % value
                for key, value in shown_params(notification.params).items()}
    try:
        return escape(str(known.message)) % isolated
    except (KeyError, TypeError, ValueError):
        return escape(str(known.message))
