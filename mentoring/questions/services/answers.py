"""Answers: posting and editing them, votes (one per person, changeable) and accepting one."""
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from accounts.mentions import notify_mentions
from accounts.notifications import notify
from core.clock import utcnow
from core.markdown import render_markdown
from core.signals import answer_accepted, answer_posted, question_changed
from errors import Conflict, Invalid, NotFound
from extensions import db
from mentoring.questions.models import Answer, Question, Vote
from mentoring.questions.services.asking import clean_body, require_permission
from mentoring.questions.services.following import announce_acceptance, announce_answer, muted_question
from recognition.awards.services import evaluate_badges

VOTE_VALUES = (1, -1, 0)  # 0 takes one's vote back


def answer_path(answer):
    """The answer's place on its question's page."""
    return "%s#answer-%d" % (answer.question.path, answer.id)


def _require_live(question):
    if question.deleted:
        raise NotFound(_l("This question was deleted."))


def answer_question(question, author, body):
    """Post an answer; the asker is notified.

    :raises Conflict: the question is closed.
    :raises Invalid: empty or too long body (nothing is written).
    """
    _require_live(question)
    if question.status == "closed":
        raise Conflict("body", _l("This question is closed: it takes no new answers."))
    require_permission(author, "question.answer", question, _l("You cannot answer this question."))
    body = clean_body(body)
    answer = Answer(question=question, author=author, body=body, html=str(render_markdown(body)))
    db.session.add(answer)
    # Added in the UPDATE itself, so that concurrent answers are all counted.
    question.answer_count = Question.answer_count + 1
    question.updated_at = utcnow()
    db.session.flush()
    if not muted_question(question.author, question):
        notify(question.author, "answer_posted", answer_path(answer), actor=author, title=question.title)
    notify_mentions(author, answer.html, "", answer_path(answer), question.title)
    announce_answer(answer, answer_path(answer))
    question_changed.send(question)
    answer_posted.send(answer)
    return answer


def edit_answer(answer, editor, body):
    """The answerer corrects their answer."""
    _require_live(answer.question)
    require_permission(editor, "answer.edit", answer, _l("Only its author can edit an answer."))
    body = clean_body(body)
    if body != answer.body:
        previous_html = answer.html
        answer.body = body
        answer.html = str(render_markdown(body))
        answer.updated_at = utcnow()
        db.session.flush()
        notify_mentions(editor, answer.html, previous_html, answer_path(answer), answer.question.title)
        question_changed.send(answer.question)
    return answer


def get_answer(answer_id):
    """The answer with this id, or None (also for answers of deleted questions)."""
    try:
        answer = db.session.get(Answer, int(answer_id))
    except (TypeError, ValueError, OverflowError):
        return None
    if answer is None or answer.question.deleted:
        return None
    return answer


def get_answer_or_404(answer_id):
    """The answer with this id, or NotFound."""
    answer = get_answer(answer_id)
    if answer is None:
        raise NotFound(_l("No answer with id %(id)s.", id=str(answer_id)[:20]))
    return answer


def accept_answer(answer, user, question=None):
    """Mark `answer` as the one that solved the question; a previously accepted one is released.

    :param question: the question the request was about; an answer of another question is Invalid.
    :raises PermissionDenied: the user is neither the asker nor a lead.
    :raises Conflict: the question is closed.
    """
    if question is not None and answer.question_id != question.id:
        raise Invalid("answer_id", _l("That answer belongs to another question."))
    question = answer.question
    _require_live(question)
    if question.status == "closed":
        raise Conflict("status", _l("This question is closed: reopen it to accept an answer."))
    require_permission(user, "answer.accept", answer,
                       _l("Only the person who asked, or a team lead, can accept an answer."))
    if answer.accepted and question.accepted_answer_id == answer.id:
        return answer
    for other in question.answers:
        if other.accepted and other is not answer:
            other.accepted = False
    answer.accepted = True
    question.accepted_answer = answer
    question.status = "answered"
    question.updated_at = utcnow()
    db.session.flush()
    if not muted_question(answer.author, question):
        notify(answer.author, "answer_accepted", answer_path(answer), actor=user, title=question.title)
    announce_acceptance(answer, answer_path(answer), user)
    evaluate_badges(answer.author, "answer_accepted")
    question_changed.send(question)
    answer_accepted.send(answer, accepted_by=user)
    return answer


def clean_vote_value(value):
    """1 (useful), -1 (not useful) or 0 (take the vote back); anything else is Invalid."""
    if isinstance(value, bool) or not isinstance(value, int) or value not in VOTE_VALUES:
        raise Invalid("value", _l("Vote with 1 (useful) or -1 (not useful); 0 takes your vote "
                                  "back."))
    return value


def _vote_row(answer, user):
    # Locked, so that two requests changing one person's vote apply one after the other.
    return db.session.scalar(select(Vote).where(Vote.answer_id == answer.id,
                                                Vote.user_id == user.id).with_for_update())


def _store_vote(answer, user, value):
    """Save `user`'s vote; returns how much the answer's score changes by."""
    existing = _vote_row(answer, user)
    if existing is None:
        if value == 0:
            return 0
        try:
            # A double click can race us to the UNIQUE(user, answer) row: the savepoint keeps
            # the transaction usable, and the second request then changes the first one's vote.
            with db.session.begin_nested():
                db.session.add(Vote(answer_id=answer.id, user_id=user.id, value=value))
            return value
        except IntegrityError:
            existing = _vote_row(answer, user)
            if existing is None:
                return 0
    previous = existing.value
    if value == 0:
        db.session.delete(existing)
        return -previous
    if previous != value:
        existing.value = value
        existing.updated_at = utcnow()
    return value - previous


def vote_on_answer(answer, user, value):
    """Record `user`'s vote on `answer` (changing any earlier one) and update its score.

    :raises Invalid: value other than 1, -1 or 0.
    :raises PermissionDenied: voting on one's own answer.
    """
    value = clean_vote_value(value)
    _require_live(answer.question)
    require_permission(user, "answer.vote", answer, _l("You cannot vote on your own answer."))
    change = _store_vote(answer, user, value)
    if change:
        # Added in the UPDATE itself, so that concurrent voters never overwrite each other.
        answer.score = Answer.score + change
        db.session.flush()
        question_changed.send(answer.question)
    return answer


def votes_of(user, answers):
    """{answer id: +1 or -1} of `user`'s votes on `answers`."""
    ids = [answer.id for answer in answers]
    if user is None or not ids:
        return {}
    rows = db.session.execute(select(Vote.answer_id, Vote.value).where(
        Vote.user_id == user.id, Vote.answer_id.in_(ids)))
    return dict(rows.all())


def count_answers(user):
    """How many answers `user` wrote to questions that were not deleted."""
    return db.session.scalar(select(func.count(Answer.id)).join(Question, Question.id == Answer.question_id)
                             .where(Answer.author_id == user.id, Question.deleted.is_(False)))


def count_accepted_answers(user):
    """How many of `user`'s answers the askers accepted (questions not deleted)."""
    return db.session.scalar(select(func.count(Answer.id)).join(Question, Question.id == Answer.question_id)
                             .where(Answer.author_id == user.id, Answer.accepted.is_(True),
                                    Question.deleted.is_(False)))
