"""The kinds of notification the domains declare, and the sentence each is shown with.

A kind has a translatable message with %(name)s parameters, filled in when it is shown (in the
reader's language, from the parameters stored with the notification), and the delivery people
get unless they choose another (accounts/mail/preferences.py): in the app only, an e-mail at
once, or the daily digest.
"""
from dataclasses import dataclass

from markupsafe import Markup, escape

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
        return str(known.message) % notification.params
    except (KeyError, TypeError, ValueError):
        return str(known.message)


def notification_html(notification):
    """The sentence as HTML, each parameter (a title, a name: what people typed) in a <bdi>, so
    that a right-to-left title does not reorder the sentence around it."""
    known = _kinds.get(notification.kind)
    if known is None:
        return escape(notification.kind)
    isolated = {key: Markup("<bdi>%s</bdi>") % value for key, value in (notification.params or {}).items()}
    try:
        return escape(str(known.message)) % isolated
    except (KeyError, TypeError, ValueError):
        return escape(str(known.message))
