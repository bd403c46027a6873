"""Actions from the question page: answer, vote, accept, promote, close, reopen, delete, ask more."""
from flask import flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from core.text import clean_line
from core.views import committing
from errors import Conflict, Invalid, NotFound, flash_invalid
from extensions import db
from mentoring.questions import services as questions
from mentoring.questions.forms import AnswerForm
from mentoring.questions.views import question_pages
from mentoring.questions.views.context import expert_limit, limit_post_size, load_answer, load_question
from mentoring.questions.views.pages import render_question


def _back_to(question_id, answer_id=None):
    anchor = "answer-%d" % answer_id if answer_id else None
    return redirect(url_for("questions.question", question_id=question_id, _anchor=anchor))


def _answer_of(question_id, answer_id):
    """(question, answer) from the URL; an answer of another question is NotFound here."""
    found = load_question(question_id)
    answer = load_answer(answer_id)
    if answer.question_id != found.id:
        raise NotFound(_("That answer belongs to another question."))
    return found, answer


def _refused(error, question_id, answer_id=None):
    """Back to the question with the reason shown: the page changed since it was loaded."""
    db.session.rollback()
    flash_invalid(error)
    return _back_to(question_id, answer_id)


@question_pages.post("/questions/<int:question_id>/answers")
@login_required
@limit_post_size
def post_answer(question_id):
    """Post an answer; the asker is notified."""
    found = load_question(question_id)
    form = AnswerForm()
    if form.validate_on_submit():
        with committing(form) as change:
            answer = questions.answer_question(found, current_user, form.body.data)
        if change.ok:
            flash(_("Thank you: your answer is posted and %(name)s is notified.",
                    name=found.author.name if found.author else _("the asker")), "success")
            return _back_to(found.id, answer.id)
    return render_question(found, form)


@question_pages.post("/answers/<int:answer_id>/vote")
@login_required
def vote_on_answer(answer_id):
    """Vote an answer up (1) or down (-1), or take the vote back (0)."""
    answer = load_answer(answer_id)
    raw = request.form.get("value", "")
    try:
        value = int(raw)
    except ValueError:
        value = raw  # the service says what a vote may be
    try:
        questions.vote_on_answer(answer, current_user, value)
    except Invalid as error:
        return _refused(error, answer.question_id, answer.id)
    db.session.commit()
    return _back_to(answer.question_id, answer.id)


@question_pages.post("/questions/<int:question_id>/answers/<int:answer_id>/accept")
@login_required
def accept_answer(question_id, answer_id):
    """The asker (or a lead) accepts the answer that solved the problem."""
    found, answer = _answer_of(question_id, answer_id)
    try:
        questions.accept_answer(answer, current_user, question=found)
    except Conflict as error:
        return _refused(error, found.id, answer.id)
    db.session.commit()
    flash(_("Answer accepted: the question is marked as answered."), "success")
    return _back_to(found.id, answer.id)


@question_pages.post("/questions/<int:question_id>/answers/<int:answer_id>/promote")
@login_required
def promote_answer(question_id, answer_id):
    """An expert or lead turns the accepted answer into a how-to article draft by the answerer."""
    found, answer = _answer_of(question_id, answer_id)
    existing = found.article_id
    try:
        article = questions.promote_answer(answer, current_user)
    except Conflict as error:
        return _refused(error, found.id, answer.id)
    db.session.commit()
    if existing == article.id:
        flash(_("This question was already promoted: here is its article."), "warning")
    else:
        flash(_("Article draft created and credited to %(name)s, who is asked to finish it.",
                name=article.author.name), "success")
    return redirect(url_for("kb.read", article_id=article.id, slug=article.slug))


@question_pages.post("/questions/<int:question_id>/close")
@login_required
def close_question(question_id):
    """Close a question to new answers (the asker or a lead)."""
    found = load_question(question_id)
    try:
        questions.close_question(found, current_user, clean_line(request.form.get("reason", "")))
    except (Invalid, Conflict) as error:
        return _refused(error, found.id)
    db.session.commit()
    flash(_("The question is closed."), "success")
    return _back_to(found.id)


@question_pages.post("/questions/<int:question_id>/reopen")
@login_required
def reopen_question(question_id):
    """Open a closed question again."""
    found = load_question(question_id)
    try:
        questions.reopen_question(found, current_user)
    except Conflict as error:
        return _refused(error, found.id)
    db.session.commit()
    flash(_("The question is open again."), "success")
    return _back_to(found.id)


@question_pages.post("/questions/<int:question_id>/delete")
@login_required
def delete_question(question_id):
    """Delete a question (leads; the asker while nobody has answered)."""
    found = load_question(question_id)
    questions.delete_question(found, current_user)
    db.session.commit()
    flash(_("The question is deleted."), "success")
    return redirect(url_for("questions.questions"))


@question_pages.post("/questions/<int:question_id>/ask-more")
@login_required
def ask_more_experts(question_id):
    """Ask the next experts about a question that is still waiting for an answer."""
    found = load_question(question_id)
    routings = questions.ask_more_experts(found, current_user, expert_limit())
    names = ", ".join(routing.expert.name for routing in routings)
    db.session.commit()
    if names:
        flash(_("We asked %(names)s as well.", names=names), "success")
    else:
        flash(_("Everyone who could be asked about this category has been asked."), "warning")
    return _back_to(found.id)
