"""The index retry queue: document keys whose index update failed, kept in the database.

Rows are written on their own connection because they are queued after the request's commit,
when its session can no longer write; a key queued again only refreshes its time.
"""
from sqlalchemy import delete, func, select, update
from sqlalchemy.dialects import postgresql, sqlite

from core.clock import utcnow
from extensions import db
from search.models import SearchIndexQueue

QUEUE_BATCH = 500

_queue = SearchIndexQueue.__table__


def _upsert(dialect_name):
    insert = postgresql.insert if dialect_name == "postgresql" else sqlite.insert
    stmt = insert(_queue)
    return stmt.on_conflict_do_update(index_elements=[_queue.c.key],
                                      set_={"action": stmt.excluded.action,
                                            "queued_at": stmt.excluded.queued_at})


def enqueue_keys(actions):
    """Queue {key: "index" | "remove"} for a later retry, in a transaction of its own."""
    if not actions:
        return
    now = utcnow()
    rows = [{"key": key, "action": action, "queued_at": now, "attempts": 0}
            for key, action in sorted(actions.items())]
    with db.engine.begin() as connection:
        connection.execute(_upsert(connection.dialect.name), rows)


def queued_keys(session, limit=QUEUE_BATCH):
    """The oldest queued keys with their queue times, oldest first."""
    return session.execute(select(_queue.c.key, _queue.c.queued_at)
                           .order_by(_queue.c.queued_at, _queue.c.id).limit(limit)).all()


def count_queued(session):
    """How many document updates wait for a retry."""
    return session.scalar(select(func.count()).select_from(_queue))


def queue_stats(session):
    """(how many updates wait, when the oldest of them was queued — None when none waits)."""
    count, oldest = session.execute(select(func.count(), func.min(_queue.c.queued_at))).one()
    return count, oldest


def forget_keys(keys, queued_until):
    """Drop queued keys written since; rows queued again after `queued_until` stay."""
    if not keys:
        return
    with db.engine.begin() as connection:
        connection.execute(delete(_queue).where(_queue.c.key.in_(list(keys)),
                                                _queue.c.queued_at <= queued_until))


def forget_queued_before(moment):
    """Drop every row queued before `moment` (a rebuild that started then has covered them)."""
    with db.engine.begin() as connection:
        connection.execute(delete(_queue).where(_queue.c.queued_at < moment))


def count_attempt(keys):
    """Record one more failed retry of `keys`."""
    if not keys:
        return
    with db.engine.begin() as connection:
        connection.execute(update(_queue).where(_queue.c.key.in_(list(keys)))
                           .values(attempts=_queue.c.attempts + 1))
