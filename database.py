"""Database engine set-up: SQLite pragmas and write-intent transactions, plus the session hooks.

SQLite in WAL mode lets readers run beside one writer. A transaction that reads and then writes
must hold the write lock from its start, or a second gunicorn worker that wrote in between makes
it fail at once with "database is locked" (busy_timeout cannot help a stale snapshot). We follow
SQLAlchemy's pysqlite recipe: take over BEGIN from the driver and emit BEGIN IMMEDIATE for
transactions that may write (every non-GET request, CLI commands, services called directly), and
a plain deferred BEGIN for GET requests, which only read — or call `begin_write()` first.
"""
from contextvars import ContextVar

from sqlalchemy import event

from extensions import db

SQLITE_PRAGMAS = (
    "PRAGMA journal_mode=WAL",
    "PRAGMA busy_timeout=10000",
    "PRAGMA foreign_keys=ON",
    "PRAGMA synchronous=NORMAL",
)

_write_intent = ContextVar("knowhow_write_intent", default=True)


def set_write_intent(may_write):
    """Declare whether transactions begun from now on in this context may write."""
    _write_intent.set(may_write)


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
        connection.exec_driver_sql("BEGIN IMMEDIATE" if _write_intent.get() else "BEGIN")


def init_database(app):
    """Configure the engine of `app` once it exists."""
    with app.app_context():
        engine = db.engine
        if not getattr(engine, "_knowhow_configured", False):
            configure_engine(engine)
            engine._knowhow_configured = True
