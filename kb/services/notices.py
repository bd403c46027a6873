"""The notifications the knowledge base sends (its events are signals in core/signals.py)."""
from flask_babel import lazy_gettext as _l

from accounts.notifications import register_kind

register_kind("review_requested",
              _l("%(actor)s asks for a review of “%(title)s” in %(category)s."), delivery="digest")
register_kind("article_sent_back",
              _l("%(actor)s sent “%(title)s” back to you: %(comment)s"))
register_kind("article_published", _l("%(actor)s published your article “%(title)s”."))
register_kind("article_flagged", _l("%(actor)s flagged “%(title)s” as outdated or wrong: %(reason)s"))

register_kind("review_due", _l("“%(title)s” in %(category)s was due for review on %(date)s."),
              delivery="digest")
