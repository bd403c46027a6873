"""The hooks other domains attach to (search sync) and the notifications questions send."""
from flask_babel import lazy_gettext as _l

from accounts.notifications import register_kind

# fn(question), called after a question is asked, edited, answered, voted on, accepted,
# closed, reopened, promoted or deleted (before the request commits). The search sync uses it.
on_question_changed = []

register_kind("question_in_category",
              _l("%(actor)s asks you, as an expert of %(category)s: “%(title)s”"))
register_kind("answer_posted", _l("%(actor)s answered your question “%(title)s”."))
register_kind("answer_accepted", _l("%(actor)s accepted your answer to “%(title)s”."))
register_kind("answer_promoted",
              _l("%(actor)s turned your answer to “%(title)s” into an article draft: finish "
                 "it and submit it for review."))


def question_changed(question):
    """Tell every on_question_changed hook, in registration order, that `question` changed."""
    for hook in list(on_question_changed):
        hook(question)
