"""One application's search index: its engine, and the locks every process and host shares.

Three named locks of the engine (files beside a Whoosh index, advisory locks on PostgreSQL)
order the writers:
- "rebuild", held by the one rebuild that may run at a time;
- "gate", held shared by whoever applies the outbox and exclusively by a rebuild while it reads
  the database and swaps the new index in, so that no update is applied to an index about to
  be replaced (it waits in the outbox and is applied to the new one);
- "apply", so that one applier at a time takes rows from the outbox.
"""
import os
import threading
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

from search.engine import SearchError, WhooshEngine
from search.index_store import IndexUnavailable, LockBusy

DEFAULT_LOCK_WAIT = 2.0


class RebuildRunning(SearchError):
    """Another process or thread is rebuilding the index."""


def _rebuild_running():
    return RebuildRunning(_l("The search index is being rebuilt."))


class SearchIndex:
    """One application's search engine and its settings, kept in app.extensions["search"]."""

    def __init__(self, index_dir, lock_wait=DEFAULT_LOCK_WAIT, auto_rebuild=True, engine=None):
        self.index_dir = os.path.abspath(str(index_dir))
        self.engine = engine or WhooshEngine(self.index_dir, lock_wait=lock_wait)
        self.auto_rebuild = auto_rebuild
        self.rebuild_thread = None
        self._thread_lock = threading.Lock()
        self.lag_seen = None  # (when it was read, seconds): search/ops.py reads the lag sparingly

    @contextmanager
    def rebuild_lock(self, wait=False):
        """Hold the lock of the one rebuild that may run; RebuildRunning when another holds it."""
        try:
            with self.engine.lock("rebuild", wait=wait):
                yield
        except LockBusy:
            raise _rebuild_running() from None

    def rebuild_gate(self):
        """Hold the gate exclusively: no outbox row is applied until it is released."""
        return self.engine.lock("gate", wait=True)

    @contextmanager
    def applying(self):
        """Be the one applier of the outbox; RebuildRunning at once while a rebuild holds the gate."""
        with ExitStack() as held:
            try:
                held.enter_context(self.engine.lock("gate", shared=True, wait=False))
            except LockBusy:
                raise _rebuild_running() from None
            held.enter_context(self.engine.lock("apply", wait=True))
            yield

    def is_rebuilding(self):
        """True while some process holds the rebuild lock."""
        if self.rebuild_thread is not None and self.rebuild_thread.is_alive():
            return True
        try:
            with self.rebuild_lock():
                return False
        except RebuildRunning:
            return True
        except (OSError, IndexUnavailable):  # an unwritable directory or a lost database holds none
            return False


def current_search(app=None):
    """The SearchIndex of `app` (default: the current application)."""
    from flask import current_app

    return (app or current_app).extensions["search"]


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
