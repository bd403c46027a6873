"""What every question page needs: loading with a permission check, labels, the size limit."""
from flask import current_app, render_template
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from accounts.permissions import can, require
from core.clock import utcnow
from errors import NotFound
from mentoring.questions import services as questions
from mentoring.questions.models import BODY_MAX_CHARS
from mentoring.questions.views import question_pages
from security import body_limit

# Room for 50,000 characters of Thai or Persian even when the browser percent-encodes every
# byte, with the other fields; larger posts are refused before they are parsed.
MAX_FORM_BYTES = 1024 * 1024
QUESTIONS_PER_PAGE = 20

STATUS_LABELS = {"open": _l("Open"), "answered": _l("Answered"), "closed": _l("Closed")}
SHOW_LABELS = {"all": _l("All questions"), "open": _l("Open"), "unanswered": _l("Unanswered"),
               "answered": _l("Answered"), "closed": _l("Closed")}
ROUTING_LABELS = {"title": _l("expert title holder"), "performer": _l("top performer"),
                  "lead": _l("team lead")}


def limit_post_size(view):
    """Refuse a POST over MAX_FORM_BYTES, before it is parsed, with a message that says what the
    limit is."""
    return body_limit(lambda _config: MAX_FORM_BYTES, too_large=lambda: _l(
        "That is too much text: a question or an answer may have at most %(n)d characters.",
        n=BODY_MAX_CHARS))(view)


def expert_limit():
    """How many experts a new question is routed to (setting ASK_EXPERT_LIMIT, default 3)."""
    return current_app.config.get("ASK_EXPERT_LIMIT", questions.DEFAULT_EXPERT_LIMIT)


def load_question(question_id, action="question.view"):
    """The question, after checking that the current user may do `action` on it."""
    question = questions.get_question_or_404(question_id)
    if question.deleted and not can(current_user, "question.view", question):
        raise NotFound(_l("This question was deleted."))
    require(current_user, "question.view", question)
    if action != "question.view":
        require(current_user, action, question)
    return question


def load_answer(answer_id):
    """The answer (of a question the current user may see), or NotFound."""
    answer = questions.get_answer_or_404(answer_id)
    require(current_user, "question.view", answer.question)
    return answer


def render_questions_page(template, **context):
    """Render a question template with the labels and the permission check it uses."""
    return render_template(template, can=can, question_status_labels=STATUS_LABELS,
                           routing_labels=ROUTING_LABELS, now=utcnow(), **context)


HOME_QUESTIONS = 5


def page_sections(_sender, page):
    """page_sections_asked receiver: "My questions" on the home page, after the drafts."""
    return [(16, "questions/_home.html")] if page == "home" else None


@question_pages.app_context_processor
def _home_questions():
    """What templates/questions/_home.html shows: the open questions the current user asked,
    one more than it lists (so it knows whether "see all" has more)."""
    return {"home_questions": lambda: questions.open_questions_of(current_user, HOME_QUESTIONS + 1),
            "home_questions_size": HOME_QUESTIONS}
