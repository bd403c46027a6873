"""Keeping the index in step with the database: session hooks, the outbox and rebuilds.

The rows of the tables each document source names are collected while the session flushes (new,
changed and deleted rows: articles, questions, their tags and answers, and renamed categories).
Just before the commit, their document keys are written to the outbox (outbox.py) in the same
transaction, so a change and its index operation commit or roll back together; after the commit
the job queue is asked to apply the outbox (jobs.py), and a periodic sweep applies whatever a lost
job left. Nothing here writes the index inside a request: a busy or missing index only delays
the update, which waits in the outbox.
"""
import logging
import threading
from itertools import chain

from sqlalchemy import event, inspect

from core.categories import Category
from extensions import db
from search.documents import iter_documents, make_key, reading_session
from search.index import RebuildRunning, current_search
from search.jobs import request_outbox_apply
from search.outbox import apply_quietly, write_outbox
from search.sources import CATEGORY, document_sources

log = logging.getLogger(__name__)

PENDING = "search_pending"
WROTE_OUTBOX = "search_wrote_outbox"


def rebuild_index(search, wait=False):
    """Rebuild the whole index from the database into a new directory and swap it in.

    The gate is held meanwhile, so what changes during the rebuild waits in the outbox and is
    applied to the new index afterwards (applying a change the rebuild had read already only
    writes the same state again).

    :param wait: wait for a rebuild running elsewhere to finish instead of raising RebuildRunning.
    :returns: how many documents were indexed.
    """
    with search.rebuild_lock(wait=wait), search.rebuild_gate(), reading_session() as session:
        count = search.engine.rebuild(iter_documents(session))
    apply_quietly(search)
    return count


def start_rebuild(app):
    """Rebuild the index in a background thread unless a rebuild is running already."""
    search = current_search(app)
    with search._thread_lock:
        if search.is_rebuilding():
            return False

        def rebuild_in_background():
            with app.app_context():
                try:
                    count = rebuild_index(search)
                    log.warning("Search index rebuilt: %d documents.", count)
                except RebuildRunning:
                    pass
                except Exception:
                    log.exception("Search index rebuild failed; run `flask reindex`.")

        search.rebuild_thread = threading.Thread(target=rebuild_in_background, name="search-rebuild",
                                                 daemon=True)
        search.rebuild_thread.start()
    return True


def pending_keys(session):
    """The session's collected document keys, in first-seen order."""
    return session.info.setdefault(PENDING, {})


def schedule_sync(session, keys):
    """Have `keys` re-synced with the index after the session's next commit."""
    pending = pending_keys(session)
    for key in keys:
        pending[key] = None


def _document_column(obj):
    """(kind, attribute holding the document id) of a row some source watches, else None."""
    table = getattr(obj, "__tablename__", None)
    for source in document_sources().values():
        column = source.tables.get(table)
        if column is not None:
            return source.kind, column
    return None


def keys_of(obj, deleted=False):
    """Document keys a changed row affects (a renamed category stands for all its documents)."""
    if isinstance(obj, Category):
        slug = inspect(obj).attrs.slug.history
        return [make_key(CATEGORY, obj.id)] if obj.id is not None and slug.deleted and not deleted else []
    watched = _document_column(obj)
    if watched is None:
        return []
    kind, column = watched
    document_id = getattr(obj, column, None)
    return [make_key(kind, document_id)] if document_id is not None else []


def _collect(session, objects):
    pending = pending_keys(session)
    for obj in objects:
        for key in keys_of(obj):
            pending[key] = None


def _before_flush(session, _flush_context, _instances):
    # Changed and deleted rows have their ids now; a row moved to another document (an answer
    # to another question) also needs its old one, which only the history before the flush holds.
    changed = [obj for obj in session.dirty if session.is_modified(obj)]
    _collect(session, chain(changed, session.deleted))
    for obj in changed:
        watched = _document_column(obj)
        if watched is not None and watched[1] != "id":
            kind, column = watched
            for old_id in getattr(inspect(obj).attrs, column).history.deleted or ():
                if old_id is not None:
                    schedule_sync(session, [make_key(kind, old_id)])


def _after_flush(session, _flush_context):
    _collect(session, session.new)  # new rows have their ids only now


def _is_outermost(session):
    return not session.in_nested_transaction()


def _before_commit(session):
    if not _is_outermost(session):  # a savepoint is released; the real commit comes later
        return
    session.flush()  # the last changes are collected as they are flushed
    keys = list(session.info.pop(PENDING, {}))
    if keys:
        write_outbox(session, keys)
        session.info[WROTE_OUTBOX] = True


def _after_commit(session):
    if _is_outermost(session) and session.info.pop(WROTE_OUTBOX, False):
        request_outbox_apply()


def _forget(session):
    session.info.pop(PENDING, None)
    session.info.pop(WROTE_OUTBOX, None)


def _after_rollback(session):
    # A rolled-back savepoint keeps the keys: re-reading a row that did not change is harmless,
    # while dropping a key collected before the savepoint would lose its update.
    if _is_outermost(session):
        _forget(session)


def _after_transaction_end(session, transaction):
    if transaction.parent is None:  # closed without a commit: nothing to write
        _forget(session)


def resync_document(kind, object_id):
    """Have one document re-read after the commit, for changes no watched table shows."""
    if object_id is not None:
        schedule_sync(db.session, [make_key(kind, object_id)])


_SESSION_LISTENERS = (
    ("before_flush", _before_flush),
    ("after_flush", _after_flush),
    ("before_commit", _before_commit),
    ("after_commit", _after_commit),
    ("after_rollback", _after_rollback),
    ("after_transaction_end", _after_transaction_end),
)


def install_listeners():
    """Listen on db.session's session class (one for every app in the process), once."""
    for name, listener in _SESSION_LISTENERS:
        if not event.contains(db.session, name, listener):
            event.listen(db.session, name, listener)


