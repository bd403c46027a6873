"""Hooks other domains attach to (recognition badges), and the notifications the kb sends."""
from flask_babel import lazy_gettext as _l

from accounts.notifications import register_kind

# fn(article), called when an article becomes published (before the request commits).
on_article_published = []
# fn(article), called when someone confirms an article right: verifying or publishing it
# (article.verifier is who did; before the request commits).
on_article_verified = []
# fn(feedback), called when a reader records or changes "Did this solve it?".
on_feedback = []

register_kind("review_requested",
              _l("%(actor)s asks for a review of “%(title)s” in %(category)s."))
register_kind("article_sent_back",
              _l("%(actor)s sent “%(title)s” back to you: %(comment)s"))
register_kind("article_published", _l("%(actor)s published your article “%(title)s”."))
register_kind("article_flagged", _l("%(actor)s flagged “%(title)s” as outdated or wrong: %(reason)s"))


def fire(hooks, subject):
    """Call every hook of a list with `subject`, in registration order."""
    for hook in list(hooks):
        hook(subject)
