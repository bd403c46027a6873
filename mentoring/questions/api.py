"""The questions part of /api/v1 (SPEC section 7): ask, read, answer, accept, vote."""
from typing import Annotated, Literal

from flask import Blueprint, current_app, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from pydantic import ConfigDict, Field, Strict

from accounts.permissions import can, require
from core.api import (
    Answer,
    Line,
    Moment,
    Page,
    PageQuery,
    RecordId,
    Schema,
    Text,
    iso_utc,
    line,
    operation,
    paginated,
    refuse_bodies_over,
)
from core.categories import require_category
from errors import NotFound
from extensions import db
from mentoring.questions import services as questions
from mentoring.questions.models import BODY_MAX_CHARS, QUESTION_STATUSES, ROUTING_REASONS, TAG_MAX_CHARS

questions_api = Blueprint("questions_api", __name__, url_prefix="/api/v1")

# 50,000 characters fit several times over even with every character \u-escaped; anything
# larger is refused before it is parsed.
MAX_REQUEST_BYTES = 1024 * 1024
SIMILAR_LIMIT = 8
SIMILAR_MAX_CHARS = 200
TAGS = ["questions"]


@questions_api.before_request
def _refuse_oversized_requests():
    if request.method == "POST":
        refuse_bodies_over(MAX_REQUEST_BYTES, _l("The request is too large (%(size)d KB): a question or an "
                                                 "answer may have at most %(n)d characters."), n=BODY_MAX_CHARS)


class QuestionListQuery(PageQuery):
    show: Literal[questions.SHOW_CHOICES] = "all"
    category: Line | None = None
    tag: line(TAG_MAX_CHARS) | None = None
    lang: Line | None = None
    mine: bool = Field(False, description="Only the caller's own questions.")


class QuestionSimilarQuery(Schema):
    model_config = ConfigDict(extra="ignore")

    q: line(SIMILAR_MAX_CHARS) = Field("", description="The title being typed.")


class QuestionIn(Schema):
    title: Line
    body: Text
    category: Line
    tags: list[Line] | None = None
    lang: Line | None = Field(None, description="en, fa, ar or th; the asker's language when left out.")


class AnswerIn(Schema):
    body: Text


class AnswerAccept(Schema):
    question_id: RecordId | None = Field(
        None, description="The question the client means; an answer of another one is refused.")


class AnswerVote(Schema):
    value: Annotated[int, Strict(), Field(ge=-1, le=1, description="1 useful, -1 not useful, 0 takes "
                                                                    "the vote back.")]


class AnswerOut(Answer):
    id: int
    question_id: int
    body: str
    html: str
    author: str | None
    score: int
    accepted: bool
    created_at: Moment
    updated_at: Moment


class AnswerVoteOut(AnswerOut):
    my_vote: Literal[1, -1, 0]


class QuestionExpertAsked(Answer):
    username: str
    name: str
    rank: int
    reason: Literal[ROUTING_REASONS]
    asked_at: Moment


class QuestionSummary(Answer):
    id: int
    title: str
    body: str
    html: str
    category: str
    tags: list[str]
    lang: str
    status: Literal[QUESTION_STATUSES]
    author: str | None
    accepted_answer_id: int | None
    answer_count: int
    view_count: int
    asked_experts: list[QuestionExpertAsked]
    article_id: int | None
    url: str
    created_at: Moment
    updated_at: Moment


class QuestionOut(QuestionSummary):
    answers: list[AnswerOut]


class QuestionList(Page):
    questions: list[QuestionSummary]


class QuestionSimilarItem(Answer):
    type: Literal["article", "question"]
    id: int
    title: str
    url: str
    lang: str | None


class QuestionSimilarList(Answer):
    results: list[QuestionSimilarItem]


def _username(user):
    return user.username if user is not None else None


def answer_json(answer):
    """An answer as the API shows it."""
    return {"id": answer.id, "question_id": answer.question_id, "body": answer.body,
            "html": answer.html, "author": _username(answer.author), "score": answer.score,
            "accepted": answer.accepted, "created_at": iso_utc(answer.created_at),
            "updated_at": iso_utc(answer.updated_at)}


def question_json(question, with_answers=True):
    """A question as the API shows it, with its answers (accepted first, then by score)."""
    body = {
        "id": question.id,
        "title": question.title,
        "body": question.body,
        "html": question.html,
        "category": question.category.slug,
        "tags": question.tag_names,
        "lang": question.lang,
        "status": question.status,
        "author": _username(question.author),
        "accepted_answer_id": question.accepted_answer_id,
        "answer_count": question.answer_count,
        "view_count": question.view_count,
        "asked_experts": [{"username": routing.expert.username, "name": routing.expert.name,
                           "rank": routing.rank, "reason": routing.reason,
                           "asked_at": iso_utc(routing.asked_at)} for routing in question.routings],
        "article_id": question.article_id,
        "url": url_for("questions.question", question_id=question.id),
        "created_at": iso_utc(question.created_at),
        "updated_at": iso_utc(question.updated_at),
    }
    if with_answers:
        body["answers"] = [answer_json(answer) for answer in question.sorted_answers()]
    return body


def _load_question(question_id):
    question = questions.get_question_or_404(question_id)
    if question.deleted and not can(current_user, "question.view", question):
        raise NotFound(_l("This question was deleted."))
    require(current_user, "question.view", question)
    return question


def _load_answer(answer_id):
    answer = questions.get_answer_or_404(answer_id)
    require(current_user, "question.view", answer.question)
    return answer


@questions_api.get("/questions")
@operation(query=QuestionListQuery, ok=QuestionList, tags=TAGS)
def list_questions(query):
    """Questions, newest first, filtered like the questions page (without their answers)."""
    require(current_user, "question.list")
    category = require_category(query.category) if query.category else None
    stmt = questions.list_questions(show=query.show, category=category, tag=query.tag,
                                    lang=query.lang or None, author=current_user if query.mine else None)
    return paginated(stmt, "questions", lambda item: question_json(item, with_answers=False), query)


@questions_api.post("/questions")
@operation(json=QuestionIn, ok=QuestionOut, status=201, tags=TAGS)
def ask_question(json):
    """Ask a question; it goes to the category's experts first. 201 with the question."""
    require(current_user, "question.ask")
    question = questions.ask_question(
        current_user, json.title, json.body, json.category, tags=json.tags or (), lang=json.lang,
        expert_limit=current_app.config.get("ASK_EXPERT_LIMIT", questions.DEFAULT_EXPERT_LIMIT))
    db.session.commit()
    return question_json(question), 201, {"Location": url_for("questions_api.get_question",
                                                              question_id=question.id)}


@questions_api.get("/questions/similar")
@operation(query=QuestionSimilarQuery, ok=QuestionSimilarList, tags=TAGS)
def similar_content(query):
    """For the ask page, as the title is typed: articles and questions that may already answer
    it, in the suggest shape; not logged as a search."""
    require(current_user, "question.ask")
    return {"results": questions.similar_content(current_user, query.q, SIMILAR_LIMIT)}


@questions_api.get("/questions/<int:question_id>")
@operation(ok=QuestionOut, tags=TAGS)
def get_question(question_id):
    """The question with its answers and who was asked to answer it."""
    return question_json(_load_question(question_id))


@questions_api.post("/questions/<int:question_id>/answers")
@operation(json=AnswerIn, ok=AnswerOut, status=201, tags=TAGS)
def answer_question(question_id, json):
    """Answer a question; the asker is told. 201 with the answer."""
    question = _load_question(question_id)
    answer = questions.answer_question(question, current_user, json.body)
    db.session.commit()
    return answer_json(answer), 201


@questions_api.post("/answers/<int:answer_id>/accept")
@operation(body_required=False, json=AnswerAccept, ok=QuestionOut, tags=TAGS)
def accept_answer(answer_id, json):
    """The asker (or a lead) accepts the answer; returns the question. The body may be left out."""
    answer = _load_answer(answer_id)
    # A client may say which question it means; an answer of another one is refused.
    question = _load_question(json.question_id) if json.question_id is not None else None
    questions.accept_answer(answer, current_user, question=question)
    db.session.commit()
    return question_json(answer.question)


@questions_api.post("/answers/<int:answer_id>/vote")
@operation(json=AnswerVote, ok=AnswerVoteOut, tags=TAGS)
def vote_on_answer(answer_id, json):
    """Vote 1 or -1 (0 takes the vote back); returns the answer and the caller's vote."""
    answer = _load_answer(answer_id)
    questions.vote_on_answer(answer, current_user, json.value)
    db.session.commit()
    my_vote = questions.votes_of(current_user, [answer]).get(answer.id, 0)
    return {**answer_json(answer), "my_vote": my_vote}
