"""The questions part of /api/v1 (SPEC section 7): ask, read, answer, accept, vote."""
from flask import Blueprint, current_app, jsonify, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from accounts.permissions import can, require
from core.api import api_login_required, iso_utc, json_body, page_args, refuse_bodies_over, string_field
from core.categories import get_category
from errors import Invalid, NotFound
from extensions import db
from mentoring.questions import services as questions
from mentoring.questions.models import BODY_MAX_CHARS

questions_api = Blueprint("questions_api", __name__, url_prefix="/api/v1")

# 50,000 characters fit several times over even with every character \u-escaped; anything
# larger is refused before it is parsed.
MAX_REQUEST_BYTES = 1024 * 1024
SIMILAR_LIMIT = 8
SIMILAR_MAX_CHARS = 200


def _refuse_oversized_request():
    refuse_bodies_over(MAX_REQUEST_BYTES, _l("The request is too large (%(size)d KB): a question or an "
                                             "answer may have at most %(n)d characters."), n=BODY_MAX_CHARS)



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


def _tags_field(data):
    tags = data.get("tags")
    if tags is not None and not isinstance(tags, list):
        raise Invalid("tags", _l("tags must be a list of strings."))
    return tags or ()


@questions_api.get("/questions")
@api_login_required
def list_questions():
    """Questions, newest first: ?show=open|unanswered|answered|closed&category=&tag=&lang=&mine=1."""
    require(current_user, "question.list")
    page, per_page = page_args()
    show = request.args.get("show", "all")
    if show not in questions.SHOW_CHOICES:
        raise Invalid("show", _l("show must be one of %(choices)s.",
                                 choices=", ".join(questions.SHOW_CHOICES)))
    slug = request.args.get("category", "")
    category = get_category(slug) if slug else None
    if slug and category is None:
        raise Invalid("category", _l("Unknown category “%(category)s”.", category=slug[:80]))
    stmt = questions.list_questions(
        show=show, category=category, tag=request.args.get("tag", "")[:50],
        lang=request.args.get("lang") or None,
        author=current_user if request.args.get("mine") == "1" else None)
    result = db.paginate(stmt, page=page, per_page=per_page, error_out=False)
    return jsonify({"questions": [question_json(item, with_answers=False) for item in result.items],
                    "total": result.total, "page": page, "per_page": per_page})


@questions_api.post("/questions")
@api_login_required
def ask_question():
    """Ask: {"title", "body", "category", "tags"?, "lang"?}; 201 with the question."""
    require(current_user, "question.ask")
    _refuse_oversized_request()
    data = json_body()
    question = questions.ask_question(
        current_user, string_field(data, "title", required=True),
        string_field(data, "body", required=True), string_field(data, "category", required=True),
        tags=_tags_field(data), lang=string_field(data, "lang"),
        expert_limit=current_app.config.get("ASK_EXPERT_LIMIT", questions.DEFAULT_EXPERT_LIMIT))
    db.session.commit()
    return jsonify(question_json(question)), 201


@questions_api.get("/questions/similar")
@api_login_required
def similar_content():
    """For the ask page, as the title is typed: articles and questions that may already answer it,
    in the suggest shape {"results": [{"type", "id", "title", "url", "lang"}]}; not logged."""
    require(current_user, "question.ask")
    text = request.args.get("q", "")[:SIMILAR_MAX_CHARS]
    return jsonify({"results": questions.similar_content(current_user, text, SIMILAR_LIMIT)})


@questions_api.get("/questions/<int:question_id>")
@api_login_required
def get_question(question_id):
    """The question with its answers and who was asked to answer it."""
    return jsonify(question_json(_load_question(question_id)))


@questions_api.post("/questions/<int:question_id>/answers")
@api_login_required
def answer_question(question_id):
    """Answer: {"body"}; 201 with the answer."""
    _refuse_oversized_request()
    question = _load_question(question_id)
    data = json_body()
    answer = questions.answer_question(question, current_user,
                                       string_field(data, "body", required=True))
    db.session.commit()
    return jsonify(answer_json(answer)), 201


@questions_api.post("/answers/<int:answer_id>/accept")
@api_login_required
def accept_answer(answer_id):
    """The asker (or a lead) accepts the answer; returns the question."""
    answer = _load_answer(answer_id)
    data = request.get_json(silent=True) if request.content_length else None
    question = None
    if isinstance(data, dict) and data.get("question_id") is not None:
        # A client may say which question it means; an answer of another one is refused.
        question = _load_question(_whole_number(data, "question_id"))
    questions.accept_answer(answer, current_user, question=question)
    db.session.commit()
    return jsonify(question_json(answer.question))


@questions_api.post("/answers/<int:answer_id>/vote")
@api_login_required
def vote_on_answer(answer_id):
    """Vote: {"value": 1 | -1} (0 takes the vote back); returns the answer and my vote."""
    answer = _load_answer(answer_id)
    data = json_body()
    if "value" not in data:
        raise Invalid("value", _l("value is required: 1 or -1."))
    questions.vote_on_answer(answer, current_user, data["value"])
    db.session.commit()
    my_vote = questions.votes_of(current_user, [answer]).get(answer.id, 0)
    return jsonify({**answer_json(answer), "my_vote": my_vote})


def _whole_number(data, name):
    value = data.get(name)
    if isinstance(value, bool) or not isinstance(value, int):
        raise Invalid(name, _l("%(field)s must be a whole number.", field=name))
    return value
