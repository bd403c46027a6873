"""The index outbox: the keys of changed documents, written with the change, applied in order.

A change and the keys of the documents it touches are committed together (search/sync.py writes
them in the session's own transaction), so the index can never miss a committed change nor see a
rolled-back one. The job queue's consumer applies the rows (search/jobs.py): oldest first, one
applier at a time (the index's "apply" lock), never while a rebuild holds the gate. Applying reads
each document from the database as it is then and writes it to the index (or removes it), and
only then deletes the rows it applied, by id. A crash before the delete leaves the rows to be
applied again, which writes the same state once more: the index keeps one copy of a document
whatever happens, and a change committed meanwhile has a row of its own, kept for the next round.
"""
import logging

from sqlalchemy import delete, func, insert, select, update

from core.clock import utcnow
from extensions import db
from search.documents import load_documents, reading_session
from search.models import SearchOutbox

log = logging.getLogger(__name__)

OUTBOX_BATCH = 500

_outbox = SearchOutbox.__table__


def write_outbox(session, keys):
    """Add one row per key to `session`'s transaction: they commit, or roll back, with the change."""
    if keys:
        now = utcnow()
        session.execute(insert(_outbox), [{"key": key, "created_at": now, "attempts": 0} for key in keys])


def outbox_batch(session, limit=OUTBOX_BATCH):
    """The oldest waiting rows, (id, key), in the order they were written."""
    return session.execute(select(_outbox.c.id, _outbox.c.key).order_by(_outbox.c.id).limit(limit)).all()


def outbox_stats(session):
    """(how many operations wait, when the oldest was written — None when none waits)."""
    count, oldest = session.execute(select(func.count(), func.min(_outbox.c.created_at))).one()
    return count, oldest


def _forget(ids):
    with db.engine.begin() as connection:
        connection.execute(delete(_outbox).where(_outbox.c.id.in_(ids)))


def _count_attempt(ids):
    try:
        with db.engine.begin() as connection:
            connection.execute(update(_outbox).where(_outbox.c.id.in_(ids))
                               .values(attempts=_outbox.c.attempts + 1))
    except Exception:  # the count is for operators; the rows wait either way
        log.exception("Could not count a failed index update.")


def write_keys(search, keys):
    """Index the documents of `keys` as the database holds them now, or remove them from the index.

    They are read once the index's writer is held, so of two appliers writing the same document
    the later one also read later: the index ends with the last commit. Returns (indexed, removed).
    """
    def load():
        with reading_session() as session:
            return load_documents(session, keys)

    return search.engine.apply_changes(load)


def apply_batch(search, limit=OUTBOX_BATCH):
    """Apply the oldest waiting rows; returns how many rows were applied (0: none waits).

    The caller holds search.applying(). Raises what the engine raises; the rows then stay.
    """
    with reading_session() as session:
        rows = outbox_batch(session, limit)
    if not rows:
        return 0
    ids = [row.id for row in rows]
    try:
        write_keys(search, list(dict.fromkeys(row.key for row in rows)))
    except Exception:
        _count_attempt(ids)
        raise
    _forget(ids)
    return len(rows)


def apply_outbox(search, limit=OUTBOX_BATCH):
    """Apply every waiting row, batch by batch, until none waits; returns how many were applied.

    :raises RebuildRunning: a rebuild holds the gate; it applies what waits once it is done.
    :raises SearchError: the index could not be written; the rows stay for the next attempt.
    """
    total = 0
    with search.applying():
        while True:
            applied = apply_batch(search, limit)
            if not applied:
                return total
            total += applied


def apply_quietly(search):
    """apply_outbox where a failure must not escape (after a rebuild): logged, rows kept."""
    try:
        return apply_outbox(search)
    except Exception as error:
        log.warning("Waiting search index updates not applied yet: %s", getattr(error, "detail", None) or error)
        return 0
