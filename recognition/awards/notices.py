"""The notifications recognition sends, and the links they open (built outside requests too)."""
from flask import current_app
from flask_babel import lazy_gettext as _l

from accounts.notifications import register_kind

register_kind("title_awarded", _l("%(actor)s awarded you the title “%(title)s”."))
register_kind("title_revoked", _l("%(actor)s revoked your title “%(title)s”: %(reason)s"))
register_kind("title_expiring", _l("Your title “%(title)s” expires on %(date)s."))
register_kind("title_expiring_lead",
              _l("%(holder)s's title “%(title)s” expires on %(date)s: renew it or let it end."))
register_kind("badge_awarded", _l("You earned the badge “%(badge)s”."))
register_kind("badge_awarded_by", _l("%(actor)s gave you the badge “%(badge)s”: %(reason)s"))
register_kind("kudos_received", _l("%(actor)s thanked you: %(message)s"))


def path_for(endpoint, **values):
    """The path of a page, also from the CLI and demo loader, where url_for has no request."""
    return current_app.url_map.bind("").build(endpoint, values)


def profile_path(user):
    return path_for("accounts.profile", username=user.username)
