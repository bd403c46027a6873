"""Keeping the index in step with the database: session hooks, the retry queue and rebuilds.

The rows of the tables each document source names are collected while the session flushes
(new, changed and deleted rows: articles, questions, their tags and answers, and renamed
categories), written to the index after the commit and
forgotten on rollback. The documents are read back from the database after the commit, on a
session of their own and while the index's write lock is held, so the index gets exactly what
was committed, and the last of two workers changing one document writes its last state. A write that fails (the
writer lock stayed busy, the index is missing) never fails the request: its keys go to the
retry queue, which is drained after the next successful write, at most every
SEARCH_RETRY_SECONDS on any commit, after a rebuild, and by `flask reindex --pending`.
"""
import contextvars
import fcntl
import logging
import os
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass
from itertools import chain

from flask_babel import lazy_gettext as _l
from sqlalchemy import event, inspect
from sqlalchemy.orm import Session

from core.categories import Category
from core.clock import utcnow
from database import set_write_intent
from extensions import db
from search.documents import iter_documents, load_documents, make_key
from search.engine import SearchError, WhooshEngine
from search.queue import count_attempt, count_queued, enqueue_keys, forget_keys, forget_queued_before, queued_keys
from search.sources import CATEGORY, document_sources

log = logging.getLogger(__name__)

PENDING = "search_pending"
REBUILD_LOCK_FILE = "rebuild.lock"
DEFAULT_LOCK_WAIT = 2.0
DEFAULT_RETRY_SECONDS = 60.0


class RebuildRunning(SearchError):
    """Another process or thread is rebuilding the index."""


class SearchIndex:
    """One application's search engine and its settings, kept in app.extensions["search"]."""

    def __init__(self, index_dir, lock_wait=DEFAULT_LOCK_WAIT, retry_seconds=DEFAULT_RETRY_SECONDS,
                 auto_rebuild=True, engine=None):
        self.index_dir = os.path.abspath(str(index_dir))
        self.engine = engine or WhooshEngine(self.index_dir, lock_wait=lock_wait)
        self.retry_seconds = retry_seconds
        self.auto_rebuild = auto_rebuild
        self.rebuild_thread = None
        self._last_retry = float("-inf")
        self._thread_lock = threading.Lock()

    @contextmanager
    def rebuild_lock(self, wait=False):
        """Hold the rebuild lock shared by every process using this index; RebuildRunning if taken."""
        os.makedirs(self.index_dir, exist_ok=True)
        with open(os.path.join(self.index_dir, REBUILD_LOCK_FILE), "a") as lock_file:
            try:
                fcntl.flock(lock_file, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
            except BlockingIOError:
                raise RebuildRunning(_l("The search index is being rebuilt.")) from None
            try:
                yield
            finally:
                fcntl.flock(lock_file, fcntl.LOCK_UN)

    def is_rebuilding(self):
        """True while some process holds the rebuild lock."""
        if self.rebuild_thread is not None and self.rebuild_thread.is_alive():
            return True
        try:
            with self.rebuild_lock():
                return False
        except RebuildRunning:
            return True
        except OSError:  # an unwritable directory cannot hold a rebuild either
            return False

    def retry_due(self):
        """True at most once every retry_seconds: time to look at the queue again."""
        now = time.monotonic()
        if now - self._last_retry < self.retry_seconds:
            return False
        self._last_retry = now
        return True


def current_search(app=None):
    """The SearchIndex of `app` (default: the current application)."""
    from flask import current_app

    return (app or current_app).extensions["search"]


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


def write_keys(search, keys):
    """Index the documents of keys as the database holds them now, or remove them from the index.

    They are read while the index's write lock is held, so that of two workers changing the same
    document at once, the one writing last also read last: the index ends with the last commit.
    Returns (indexed, removed) counts; raises what the engine raises.
    """
    def load():
        with reading_session() as session:
            return load_documents(session, keys)

    return search.engine.apply_changes(load)


def _queue_failed(keys, error):
    actions = dict.fromkeys(keys, "index")
    try:  # what each key needs, for the record; the retry reads them again anyway
        with reading_session() as session:
            _docs, removed = load_documents(session, keys)
        actions.update((key, "remove") for key in removed)
    except Exception:  # the database is unreachable: queue them all as updates
        pass
    log.warning("Search index update queued for retry (%s): %d key(s)",
                getattr(error, "detail", None) or error, len(keys))
    try:
        enqueue_keys(actions)
    except Exception:  # the database is gone too: only a reindex can repair it now
        log.exception("Could not queue search index updates %s; run `flask reindex`.", sorted(actions))


def sync_keys(search, keys):
    """Bring the documents of `keys` in the index up to date; never raises.

    :returns: True when the index was written, False when the update was queued.
    """
    keys = sorted(set(keys))
    try:
        if search.is_rebuilding():  # its write lock would make us wait in vain
            raise RebuildRunning(_l("The search index is being rebuilt."))
        write_keys(search, keys)
    except Exception as error:
        _queue_failed(keys, error)
        return False
    retry_pending_quietly(search)
    return True


def retry_pending(search, limit=None):
    """Write the queued documents again, reading them from the database; returns how many.

    :raises SearchError: the index could not be written (the keys stay queued).
    """
    with reading_session() as session:
        rows = queued_keys(session, **({"limit": limit} if limit else {}))
        if not rows:
            return 0
        keys = [row.key for row in rows]
    try:
        write_keys(search, keys)
    except Exception:
        count_attempt(keys)
        raise
    forget_keys(keys, max(row.queued_at for row in rows))
    return len(keys)


def retry_pending_quietly(search):
    """retry_pending for hooks: failures are logged and left queued."""
    try:
        retry_pending(search)
    except Exception as error:
        log.warning("Queued search index updates not written yet: %s", getattr(error, "detail", None) or error)


def rebuild_index(search, wait=False):
    """Rebuild the whole index from the database into a new directory and swap it in.

    :param wait: wait for a rebuild running elsewhere to finish instead of raising RebuildRunning.
    :returns: how many documents were indexed.
    """
    with search.rebuild_lock(wait=wait):
        started = utcnow()
        with reading_session() as session:
            count = search.engine.rebuild(iter_documents(session))
        forget_queued_before(started)
    retry_pending_quietly(search)
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


def _after_commit(session):
    if not _is_outermost(session):  # a savepoint was released; the real commit comes later
        return
    keys = list(session.info.pop(PENDING, {}))
    search = _search_of_current_app()
    if search is None:
        return
    if keys:
        sync_keys(search, keys)
    elif search.retry_due():
        _retry_if_queued(search)


def _retry_if_queued(search):
    try:
        with reading_session() as session:
            queued = count_queued(session)
    except Exception:
        log.exception("Could not read the search index queue.")
        return
    if queued:
        retry_pending_quietly(search)


def _after_rollback(session):
    # A rolled-back savepoint keeps the keys: re-reading a row that did not change is harmless,
    # while dropping a key collected before the savepoint would lose its update.
    if _is_outermost(session):
        session.info.pop(PENDING, None)


def _after_transaction_end(session, transaction):
    if transaction.parent is None:  # closed without a commit: nothing to write
        session.info.pop(PENDING, None)


def _search_of_current_app():
    from flask import current_app, has_app_context

    if not has_app_context():
        return None
    return current_app.extensions.get("search")


def resync_document(kind, object_id):
    """Have one document re-read after the commit, for changes no watched table shows."""
    if object_id is not None:
        schedule_sync(db.session, [make_key(kind, object_id)])


_SESSION_LISTENERS = (
    ("before_flush", _before_flush),
    ("after_flush", _after_flush),
    ("after_commit", _after_commit),
    ("after_rollback", _after_rollback),
    ("after_transaction_end", _after_transaction_end),
)


def install_listeners():
    """Listen on db.session's session class (one for every app in the process), once."""
    for name, listener in _SESSION_LISTENERS:
        if not event.contains(db.session, name, listener):
            event.listen(db.session, name, listener)


@dataclass(frozen=True)
class IndexState:
    """What the health check and the search page say about the index."""

    state: str  # "ok", "rebuilding" or "missing"
    documents: int
    error: str | None = None


def index_state(search):
    """Whether the index can be searched, is being rebuilt, or is missing (or unreadable)."""
    health = search.engine.health()
    if health.available:
        return IndexState("ok", health.doc_count)
    return IndexState("rebuilding" if search.is_rebuilding() else "missing", 0, health.error)
