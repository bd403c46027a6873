"""Writing pages: asking (with similar questions listed first), rewording a question, editing an answer."""
from flask import flash, redirect, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required

from accounts.permissions import require
from config import LANGUAGES
from core.categories import category_choices
from core.views import committing
from errors import Invalid, show_on_form
from extensions import db
from mentoring.questions import services as questions
from mentoring.questions.forms import AnswerForm, QuestionForm
from mentoring.questions.models import BODY_MAX_CHARS
from mentoring.questions.views import question_pages
from mentoring.questions.views.context import (
    expert_limit,
    limit_post_size,
    load_answer,
    load_question,
    render_questions_page,
)

SIMILAR_SHOWN = 5


def _render_ask(form, similar=None):
    return render_questions_page("questions/ask.html", form=form, similar=similar,
                                 body_limit=BODY_MAX_CHARS)


@question_pages.route("/questions/ask", methods=["GET", "POST"])
@login_required
@limit_post_size
def ask_question():
    """Ask a question; it goes to the category's experts, best ranked first."""
    require(current_user, "question.ask")
    form = QuestionForm()
    form.category.choices = category_choices(blank=_("Choose a category"))
    if request.method == "GET":
        form.title.data = request.args.get("title", "")[:200]
        form.category.data = request.args.get("category", "")
        locale = str(get_locale() or "en")
        form.lang.data = locale if locale in LANGUAGES else "en"
    if not form.validate_on_submit():
        return _render_ask(form)
    if form.check.data:
        return _render_ask(form, questions.similar_content(current_user, form.title.data or "",
                                                           SIMILAR_SHOWN))
    try:
        asked = questions.ask_question(current_user, form.title.data, form.body.data,
                                       form.category.data, tags=form.tags.data or "",
                                       lang=form.lang.data, expert_limit=expert_limit())
    except Invalid as error:
        db.session.rollback()
        show_on_form(form, error)
        return _render_ask(form)
    experts = ", ".join(routing.expert.name for routing in asked.routings)
    db.session.commit()
    if experts:
        flash(_("Your question is posted. We asked %(names)s to answer it.", names=experts),
              "success")
    else:
        flash(_("Your question is posted. No expert of this category could be asked yet: it "
                "waits in the unanswered queue."), "warning")
    return redirect(url_for("questions.question", question_id=asked.id))


@question_pages.route("/questions/<int:question_id>/edit", methods=["GET", "POST"])
@login_required
@limit_post_size
def edit_question(question_id):
    """The asker rewords their question; every save is kept in its history."""
    found = load_question(question_id, "question.edit")
    form = QuestionForm()
    form.category.choices = category_choices()
    if request.method == "GET":
        form.title.data, form.body.data = found.title, found.body
        form.category.data, form.lang.data = found.category.slug, found.lang
        form.tags.data = ", ".join(found.tag_names)
    if form.validate_on_submit():
        with committing(form, refusals=(Invalid,)) as change:
            questions.edit_question(found, current_user, title=form.title.data,
                                    body=form.body.data, category=form.category.data,
                                    tags=form.tags.data or "", lang=form.lang.data)
        if change.ok:
            flash(_("Your question is saved."), "success")
            return redirect(url_for("questions.question", question_id=found.id))
    return render_questions_page("questions/edit.html", form=form, question=found,
                                 body_limit=BODY_MAX_CHARS)


@question_pages.route("/answers/<int:answer_id>/edit", methods=["GET", "POST"])
@login_required
@limit_post_size
def edit_answer(answer_id):
    """The answerer corrects their answer."""
    answer = load_answer(answer_id)
    require(current_user, "answer.edit", answer)
    form = AnswerForm()
    if request.method == "GET":
        form.body.data = answer.body
    if form.validate_on_submit():
        with committing(form, refusals=(Invalid,)) as change:
            questions.edit_answer(answer, current_user, form.body.data)
        if change.ok:
            flash(_("Your answer is saved."), "success")
            return redirect(url_for("questions.question", question_id=answer.question_id,
                                    _anchor="answer-%d" % answer.id))
    return render_questions_page("questions/edit_answer.html", form=form, answer=answer,
                                 question=answer.question, body_limit=BODY_MAX_CHARS)
