"""Database engine set-up: SQLite pragmas and write-intent transactions, plus the session hooks.

SQLite in WAL mode lets readers run beside one writer. A transaction that reads and then writes
must hold the write lock from its start, or a second gunicorn worker that wrote in between makes
it fail at once with "database is locked" (busy_timeout cannot help a stale snapshot). We follow
SQLAlchemy's pysqlite recipe: take over BEGIN from the driver and emit BEGIN IMMEDIATE for
transactions that may write (every non-GET request, CLI commands, services called directly), and
a plain deferred BEGIN for GET requests, which only read — or call `begin_write()` first.

A POST that reads and computes before it writes, or never writes (the Markdown preview, the
article editor, which renders the article before saving it), is marked `@reads_first`: it begins
deferred too, so its seconds of rendering hold no lock a writer would wait on, and it calls
`begin_write()` before its first change.
"""
from contextvars import ContextVar

from sqlalchemy import event

from extensions import db

BUSY_TIMEOUT_MS = 10000
SQLITE_PRAGMAS = (
    "PRAGMA journal_mode=WAL",
    "PRAGMA busy_timeout=%d" % BUSY_TIMEOUT_MS,
    "PRAGMA foreign_keys=ON",
    "PRAGMA synchronous=NORMAL",
)

_write_intent = ContextVar("knowhow_write_intent", default=True)
_lock_wait_ms = ContextVar("knowhow_lock_wait_ms", default=BUSY_TIMEOUT_MS)


def set_write_intent(may_write):
    """Declare whether transactions begun from now on in this context may write."""
    _write_intent.set(may_write)


def set_lock_wait(seconds):
    """Bound how long transactions begun from now on in this context wait for SQLite's lock."""
    _lock_wait_ms.set(int(seconds * 1000))


def reads_first(view):
    """Mark a view whose requests, whatever their method, begin with a deferred transaction.

    The view only reads, or calls `begin_write()` before its first change.
    """
    view.knowhow_reads_first = True
    return view


def may_write(method, view):
    """Whether a request with ``method`` to ``view`` may write (and so begins with the lock)."""
    if getattr(view, "knowhow_reads_first", False):
        return False
    return method not in ("GET", "HEAD", "OPTIONS")


def begin_write():
    """End the current read transaction so that the next one begins with the write lock."""
    set_write_intent(True)
    db.session.commit()


def configure_engine(engine):
    """Install the SQLite pragmas and BEGIN handling on an engine (no-op for other databases)."""
    if engine.dialect.name != "sqlite":
        return

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        # The driver's own transaction handling would defer BEGIN; we emit it ourselves.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        for pragma in SQLITE_PRAGMAS:
            cursor.execute(pragma)
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection):
        # busy_timeout belongs to the connection: set it only when this context wants another.
        info = connection.connection.info
        wait = _lock_wait_ms.get()
        if info.get("knowhow_busy_timeout", BUSY_TIMEOUT_MS) != wait:
            connection.exec_driver_sql("PRAGMA busy_timeout=%d" % wait)
            info["knowhow_busy_timeout"] = wait
        connection.exec_driver_sql("BEGIN IMMEDIATE" if _write_intent.get() else "BEGIN")


def init_database(app):
    """Configure the engine of `app` once it exists."""
    with app.app_context():
        engine = db.engine
        if not getattr(engine, "_knowhow_configured", False):
            configure_engine(engine)
            engine._knowhow_configured = True
