"""Reading questions: the filtered list, the unanswered queue, experts' questions, search, similar."""
import re

from sqlalchemy import case, false, func, or_, select
from sqlalchemy.orm import selectinload

from extensions import db
from kb.services import expert_category_ids
from mentoring.questions.models import Answer, Question, QuestionRouting, QuestionTag

# The list's "show" filter: which questions each choice selects.
SHOW_CHOICES = ("all", "open", "unanswered", "answered", "closed")
SIMILAR_LIMIT = 8
SIMILAR_MAX_WORDS = 8
SIMILAR_MIN_WORD_CHARS = 3
_WORD = re.compile(r"\w+")


def _listing_options(stmt):
    return stmt.options(selectinload(Question.category), selectinload(Question.author),
                        selectinload(Question.tags))


def _show_condition(show):
    conditions = {
        "open": Question.status == "open",
        "unanswered": (Question.status == "open") & (Question.answer_count == 0),
        "answered": Question.accepted_answer_id.isnot(None),
        "closed": Question.status == "closed",
    }
    return conditions.get(show)


def list_questions(show="all", category=None, author=None, tag=None, lang=None):
    """Select statement of the questions that were not deleted, filtered, newest first.

    `show` is one of SHOW_CHOICES; `category` a Category, `author` a User, `tag` a tag name.
    """
    stmt = _listing_options(select(Question).where(Question.deleted.is_(False)))
    condition = _show_condition(show)
    if condition is not None:
        stmt = stmt.where(condition)
    if category is not None:
        stmt = stmt.where(Question.category_id == category.id)
    if author is not None:
        stmt = stmt.where(Question.author_id == author.id)
    if tag:
        key = " ".join(tag.split()).casefold()
        stmt = stmt.where(Question.id.in_(select(QuestionTag.question_id)
                                          .where(QuestionTag.key == key)))
    if lang:
        stmt = stmt.where(Question.lang == lang)
    return stmt.order_by(Question.created_at.desc(), Question.id.desc())


def unanswered_questions(category=None):
    """Select statement of the open questions nobody has answered yet, longest waiting first."""
    stmt = _listing_options(select(Question).where(
        Question.deleted.is_(False), _show_condition("unanswered")))
    if category is not None:
        stmt = stmt.where(Question.category_id == category.id)
    return stmt.order_by(Question.created_at, Question.id)


def count_unanswered_by_category():
    """{category id: number of unanswered open questions}."""
    rows = db.session.execute(select(Question.category_id, func.count(Question.id))
                              .where(Question.deleted.is_(False), _show_condition("unanswered"))
                              .group_by(Question.category_id))
    return dict(rows.all())


def questions_for_expert(user, category=None):
    """Select statement of the open questions in the categories `user` is an expert of.

    Those `user` was asked about come first, then the unanswered ones, longest waiting first.
    """
    category_ids = expert_category_ids(user)
    asked_me = select(QuestionRouting.question_id).where(QuestionRouting.expert_id == user.id)
    stmt = _listing_options(select(Question).where(Question.deleted.is_(False),
                                                   Question.status == "open"))
    if category_ids is not None:
        stmt = stmt.where(Question.category_id.in_(category_ids) if category_ids else false())
    if category is not None:
        stmt = stmt.where(Question.category_id == category.id)
    return stmt.order_by(case((Question.id.in_(asked_me), 0), else_=1),
                         case((Question.answer_count == 0, 0), else_=1),
                         Question.created_at, Question.id)


def questions_asked_to(user, among):
    """Ids of the questions in `among` that `user` was asked to answer (ask-an-expert)."""
    ids = [question.id for question in among]
    if not ids:
        return set()
    return set(db.session.scalars(select(QuestionRouting.question_id).where(
        QuestionRouting.expert_id == user.id, QuestionRouting.question_id.in_(ids))))


def searchable_questions(ids=None):
    """Select statement of the answered questions that were not deleted, for the search index.

    Answers (with authors), tags, category and author are loaded with them; `ids` limits the
    statement to those questions (the incremental sync after a commit).
    """
    stmt = (select(Question)
            .where(Question.deleted.is_(False), Question.accepted_answer_id.isnot(None))
            .options(selectinload(Question.answers).selectinload(Answer.author),
                     selectinload(Question.tags), selectinload(Question.category),
                     selectinload(Question.author))
            .order_by(Question.id))
    if ids is not None:
        stmt = stmt.where(Question.id.in_(list(ids)))
    return stmt


def similar_questions(text, limit=5, exclude_id=None):
    """Questions whose titles share the most words with `text`: answered ones first.

    A plain word match in the database, so that the ask page can list likely duplicates even
    without JavaScript or the search index.
    """
    words = []
    for word in _WORD.findall((text or "").casefold()):
        if len(word) >= SIMILAR_MIN_WORD_CHARS and word not in words:
            words.append(word)
    words = words[:SIMILAR_MAX_WORDS]
    if not words or limit <= 0:
        return []
    title = func.lower(Question.title)
    stmt = (select(Question).where(Question.deleted.is_(False),
                                   or_(*(title.contains(word, autoescape=True) for word in words)))
            .order_by(Question.accepted_answer_id.is_(None), Question.created_at.desc())
            .limit(200))
    if exclude_id is not None:
        stmt = stmt.where(Question.id != exclude_id)
    candidates = db.session.scalars(stmt).all()

    def shared_words(question):
        lowered = question.title.casefold()
        return sum(1 for word in words if word in lowered)

    ranked = sorted(candidates, key=lambda question: (-shared_words(question),
                                                      question.accepted_answer_id is None))
    return ranked[:limit]


def _search_index_matches(user, text, limit):
    """The search index's best articles and answered questions for `text`, as result dicts."""
    # Imported here: the search package reads this module's searchable_questions() itself.
    from search.service import MAX_TYPED_CHARS, check_filters, search_content
    filters = check_filters(text[:MAX_TYPED_CHARS], per_page=limit)
    # Not logged: half-typed titles are not searches, and would swamp the content-gaps report.
    outcome = search_content(user, filters, log=False)
    if outcome.state != "ok":
        return []
    return [{"type": item.type, "id": item.id, "title": item.title, "url": item.url,
             "lang": item.lang} for item in outcome.items]


def similar_content(user, text, limit=SIMILAR_LIMIT):
    """What already answers a question being asked: the search index's matches (articles and
    answered questions `user` may open), then questions still waiting whose titles share words.

    Returns dicts in the suggest shape {"type", "id", "title", "url", "lang"}.
    """
    text = text if isinstance(text, str) else ""
    if not text.strip() or limit <= 0:
        return []
    found = _search_index_matches(user, text, limit)
    seen = {(item["type"], item["id"]) for item in found}
    for question in similar_questions(text, limit):
        if ("question", question.id) not in seen:
            found.append({"type": "question", "id": question.id, "title": question.title,
                          "url": question.path, "lang": question.lang})
    return found[:limit]


def open_questions_of(user, limit):
    """The open questions `user` asked (no accepted answer, not closed), newest first, at most `limit`."""
    return db.session.scalars(
        select(Question).where(Question.deleted.is_(False), Question.status == "open",
                               Question.author_id == user.id)
        .options(selectinload(Question.category))
        .order_by(Question.created_at.desc(), Question.id.desc()).limit(limit)).all()
