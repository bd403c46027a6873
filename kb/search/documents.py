"""Search documents built from the database: published articles and answered questions.

A document is the dict the engine indexes (see kb.search.engine.document_fields): key
("article:12", "question:7"), type, id, title, body (plain text), category (slug), lang, tags,
boost and updated_at. Each type has a source that says which of its rows are searchable, loads
them by id and walks all of them for a rebuild; a new type plugs in by adding a source to
SOURCES. The database is the truth: a key whose row is missing or no longer searchable is a
removal.
"""
import math
from dataclasses import dataclass
from typing import Callable

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from core.clock import utcnow
from core.markdown import markdown_to_text
from kb.models import Article

ARTICLE = "article"
QUESTION = "question"
CATEGORY = "category"  # not a document: "category:3" stands for every document of category 3
DOCUMENT_TYPES = (ARTICLE, QUESTION)

# Ranking lift, multiplied into the relevance score as (1 + boost). Title matches weigh three
# times body matches, so these reorder close results rather than overrule relevance.
BASE_BOOST = 0.25
VERIFIED_BOOST = 0.25
HELPFUL_BOOST = 0.5  # times (smoothed helpful share − ½): −0.25 … +0.25
RECENCY_BOOST = 0.25
RECENCY_HALF_LIFE_DAYS = 180
ACCEPTED_SCORE_FULL = 5  # an accepted answer with this many net votes gets the whole helpful lift
REBUILD_BATCH = 500


def make_key(kind, object_id):
    """The document key of an object: "article:12"."""
    return "%s:%d" % (kind, object_id)


def parse_key(key):
    """(type, id) of a key such as "article:12"; None when it is not one of ours."""
    kind, _, number = str(key or "").partition(":")
    if kind not in DOCUMENT_TYPES + (CATEGORY,) or not number.isascii() or not number.isdigit():
        return None
    return kind, int(number)


def recency_boost(updated_at, now):
    """RECENCY_BOOST halved every RECENCY_HALF_LIFE_DAYS since the last update."""
    if updated_at is None:
        return 0.0
    age_days = max(0.0, (now - updated_at).total_seconds() / 86400)
    return RECENCY_BOOST * math.pow(0.5, age_days / RECENCY_HALF_LIFE_DAYS)


def helpful_boost(helpful, unhelpful):
    """Lift from readers' votes; the share is smoothed so that one vote moves it only a little."""
    share = (helpful + 1) / (helpful + unhelpful + 2)
    return HELPFUL_BOOST * (share - 0.5)


def article_boost(article, now):
    """Ranking lift of an article: verified and not overdue, found helpful, recently updated."""
    boost = BASE_BOOST + recency_boost(article.updated_at, now)
    if article.verified_at is not None and not article.is_overdue(now):
        boost += VERIFIED_BOOST
    boost += helpful_boost(article.helpful_count or 0, article.unhelpful_count or 0)
    return round(max(0.0, boost), 4)


def question_boost(question, accepted, now):
    """Ranking lift of a question: the net votes of its accepted answer, recently updated."""
    boost = BASE_BOOST + recency_boost(question.updated_at, now)
    score = accepted.score if accepted is not None else 0
    boost += HELPFUL_BOOST * 0.5 * max(-1.0, min(1.0, score / ACCEPTED_SCORE_FULL))
    return round(max(0.0, boost), 4)


def article_document(article, now=None):
    """The search document of a published article."""
    body = markdown_to_text(article.body or "")
    if article.summary:
        body = article.summary + "\n" + body
    return {
        "key": make_key(ARTICLE, article.id), "type": ARTICLE, "id": article.id,
        "title": article.title, "body": body, "category": article.category.slug,
        "lang": article.lang, "tags": [tag.name for tag in article.tags],
        "boost": article_boost(article, now or utcnow()), "updated_at": article.updated_at,
    }


def question_document(question, now=None):
    """The search document of an answered question: its text, then its answers, best first."""
    answers = question.sorted_answers()
    accepted = next((answer for answer in answers if answer.id == question.accepted_answer_id), None)
    texts = [markdown_to_text(question.body or "")]
    texts.extend(markdown_to_text(answer.body or "") for answer in answers if answer.score >= 0)
    return {
        "key": make_key(QUESTION, question.id), "type": QUESTION, "id": question.id,
        "title": question.title, "body": "\n".join(text for text in texts if text),
        "category": question.category.slug, "lang": question.lang, "tags": question.tag_names,
        "boost": question_boost(question, accepted, now or utcnow()), "updated_at": question.updated_at,
    }


def searchable_articles(ids=None):
    """Select statement of the published articles (those with `ids`), with what documents need."""
    stmt = (select(Article).where(Article.status == "published")
            .options(selectinload(Article.category), selectinload(Article.tags))
            .order_by(Article.id))
    if ids is not None:
        stmt = stmt.where(Article.id.in_(list(ids)))
    return stmt


def searchable_questions(ids=None):
    """Select statement of the answered, non-deleted questions (the Q&A domain decides which)."""
    from mentoring.services import questions  # the Q&A domain depends on kb, not the reverse

    return questions.searchable_questions(ids)


def _ids_of_category(select_searchable):
    def ids_of_category(category_id):
        rows = select_searchable().order_by(None).subquery()
        return select(rows.c.id).where(rows.c.category_id == category_id)
    return ids_of_category


@dataclass(frozen=True)
class DocumentSource:
    """How one document type is read from the database."""

    select_searchable: Callable  # fn(ids=None) -> select of the searchable rows
    make_document: Callable  # fn(row, now) -> document dict
    ids_of_category: Callable  # fn(category_id) -> select of the ids of its searchable rows


SOURCES = {
    ARTICLE: DocumentSource(searchable_articles, article_document, _ids_of_category(searchable_articles)),
    QUESTION: DocumentSource(searchable_questions, question_document,
                             _ids_of_category(searchable_questions)),
}


def _ids_by_type(session, keys):
    wanted = {kind: set() for kind in SOURCES}
    for key in keys:
        parsed = parse_key(key)
        if parsed is None:
            continue
        kind, object_id = parsed
        if kind == CATEGORY:
            for source_kind, source in SOURCES.items():
                wanted[source_kind].update(session.scalars(source.ids_of_category(object_id)))
        elif kind in wanted:
            wanted[kind].add(object_id)
    return wanted


def load_documents(session, keys):
    """(documents to index, keys to remove) for `keys`, read from the database as it is now.

    "category:N" keys expand to every searchable document of that category.
    """
    now = utcnow()
    documents, removed = [], []
    for kind, ids in _ids_by_type(session, keys).items():
        if not ids:
            continue
        source = SOURCES[kind]
        found = set()
        for row in session.scalars(source.select_searchable(sorted(ids))):
            documents.append(source.make_document(row, now))
            found.add(row.id)
        removed.extend(make_key(kind, object_id) for object_id in sorted(ids - found))
    return documents, removed


def iter_documents(session, batch=REBUILD_BATCH):
    """Every searchable document in the database, type by type, read in batches."""
    now = utcnow()
    for source in SOURCES.values():
        stmt = source.select_searchable().execution_options(yield_per=batch)
        for rows in session.scalars(stmt).partitions():
            for row in rows:
                yield source.make_document(row, now)
            session.expunge_all()  # a rebuild of many thousands must not hold them all


def count_documents(session):
    """How many documents the database says the index should hold."""
    total = 0
    for source in SOURCES.values():
        stmt = source.select_searchable().order_by(None)
        total += session.scalar(select(func.count()).select_from(stmt.subquery()))
    return total
