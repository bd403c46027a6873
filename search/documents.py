"""Search documents built from the database, by the document sources the domains register.

A document is the dict the engine indexes (see search.engine.document_fields): key
("article:12", "question:7"), type, id, title, body (plain text), category (slug), lang, tags,
boost and updated_at. Search knows no domain: kb registers the source of articles and mentoring
the source of questions (search.sources), each saying which rows are searchable, how a row
becomes a document, which tables change it and who may open it. The database is the truth: a
key whose row is missing or no longer searchable is a removal.
"""
import contextvars
import math
from contextlib import contextmanager

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core.boundary import parse_id
from core.clock import utcnow
from database import set_write_intent
from extensions import db
from search.sources import CATEGORY, document_sources, source_of

# Ranking lift, multiplied into the relevance score as (1 + boost). Title matches weigh three
# times body matches, so these reorder close results rather than overrule relevance.
BASE_BOOST = 0.25
VERIFIED_BOOST = 0.25
HELPFUL_BOOST = 0.5  # times (smoothed helpful share − ½): −0.25 … +0.25
RECENCY_BOOST = 0.25
RECENCY_HALF_LIFE_DAYS = 180
REBUILD_BATCH = 500


def _begin_reading(connection):
    set_write_intent(False)  # in a copied context: the caller's intent is left as it was
    connection.begin()


@contextmanager
def reading_session():
    """A session of its own, outside the request's, for reading what has been committed.

    Its transaction is a plain (deferred) one on SQLite: it only reads, so it must neither wait
    for nor hold the write lock that the request's session or another worker may have.
    """
    with db.engine.connect() as connection:
        contextvars.copy_context().run(_begin_reading, connection)
        session = Session(bind=connection, autoflush=False, expire_on_commit=False)
        try:
            yield session
        finally:
            session.close()


def make_key(kind, object_id):
    """The document key of an object: "article:12"."""
    return "%s:%d" % (kind, object_id)


def parse_key(key):
    """(type, id) of a key such as "article:12"; None when it is not one of ours."""
    kind, _, number = str(key or "").partition(":")
    object_id = parse_id(number)
    if (kind != CATEGORY and source_of(kind) is None) or object_id is None:
        return None
    return kind, object_id


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


def ids_of_category(source, category_id):
    """Select statement of the ids of a source's searchable rows in one category."""
    rows = source.select_searchable().order_by(None).subquery()
    return select(rows.c.id).where(rows.c.category_id == category_id)


def _ids_by_type(session, keys):
    sources = document_sources()
    wanted = {kind: set() for kind in sources}
    for key in keys:
        parsed = parse_key(key)
        if parsed is None:
            continue
        kind, object_id = parsed
        if kind == CATEGORY:
            for source_kind, source in sources.items():
                wanted[source_kind].update(session.scalars(ids_of_category(source, object_id)))
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
        source = source_of(kind)
        found = set()
        for row in session.scalars(source.select_searchable(sorted(ids))):
            documents.append(source.make_document(row, now))
            found.add(row.id)
        removed.extend(make_key(kind, object_id) for object_id in sorted(ids - found))
    return documents, removed


def iter_documents(session, batch=REBUILD_BATCH):
    """Every searchable document in the database, type by type, read in batches."""
    now = utcnow()
    for source in document_sources().values():
        stmt = source.select_searchable().execution_options(yield_per=batch)
        for rows in session.scalars(stmt).partitions():
            for row in rows:
                yield source.make_document(row, now)
            # A rebuild of many thousands must not hold them all; expunge_all() would invalidate
            # the identity map the rest of the result still loads into (after the first batch).
            for row in rows:
                session.expunge(row)


def count_documents(session):
    """How many documents the database says the index should hold."""
    total = 0
    for source in document_sources().values():
        stmt = source.select_searchable().order_by(None)
        total += session.scalar(select(func.count()).select_from(stmt.subquery()))
    return total
