"""The notifications questions send (their events are signals in core/signals.py)."""
from flask_babel import lazy_gettext as _l

from accounts.notifications import register_kind

register_kind("question_in_category",
              _l("%(actor)s asks you, as an expert of %(category)s: “%(title)s”"), delivery="email")
register_kind("answer_posted", _l("%(actor)s answered your question “%(title)s”."), delivery="email")
register_kind("answer_accepted", _l("%(actor)s accepted your answer to “%(title)s”."))
register_kind("answer_promoted",
              _l("%(actor)s turned your answer to “%(title)s” into an article draft: finish "
                 "it and submit it for review."))

