"""/readyz: the database answers, its schema is at the migrations' head, and every layer above
that has something to check (the search index) says it is ready.

The database is reached on a connection of its own, opened with a short connect and statement
timeout (READY_TIMEOUT_SECONDS): a stopped or hung database makes /readyz answer 503 in about
that time instead of hanging a load balancer's probe. On SQLite the file is opened read-only,
so a probe never creates a missing database. Failures are reported as codes; their details
(which may name hosts) go to the log only.
"""
import logging
import sqlite3
import time
from functools import lru_cache
from urllib.parse import quote

from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool

from core.signals import readiness_asked

log = logging.getLogger(__name__)

PROBE_ENGINE = "knowhow_readiness_engine"
VERSION_TABLE = "alembic_version"  # Alembic's default, which Flask-Migrate keeps


def probe_engine(app):
    """An engine for the checks alone: no pool, short timeouts (created once per application)."""
    key = (app.config["SQLALCHEMY_DATABASE_URI"], app.config["READY_TIMEOUT_SECONDS"])
    cached = app.extensions.get(PROBE_ENGINE)
    if cached is not None and cached[0] == key:
        return cached[1]
    url = make_url(app.config["SQLALCHEMY_DATABASE_URI"])
    timeout = app.config["READY_TIMEOUT_SECONDS"]
    connect_args = dict(app.config.get("SQLALCHEMY_ENGINE_OPTIONS", {}).get("connect_args", {}))
    if url.get_backend_name() == "sqlite" and url.database and url.database != ":memory:":
        path = url.database

        def connect():
            return sqlite3.connect("file:%s?mode=ro" % quote(path), uri=True, timeout=timeout,
                                   check_same_thread=False)

        engine = create_engine("sqlite://", creator=connect, poolclass=NullPool)
    elif url.get_backend_name() == "postgresql":
        engine = create_engine(url, poolclass=NullPool, connect_args=postgres_probe_args(connect_args, timeout))
    else:
        engine = create_engine(url, poolclass=NullPool, connect_args=connect_args)
    app.extensions[PROBE_ENGINE] = (key, engine)
    return engine


def postgres_probe_args(connect_args, timeout):
    """The app's PostgreSQL connect_args (its search_path, say) with the probe's timeouts added."""
    probe = dict(connect_args)
    # libpq waits at least 2 s to connect; the statement timeout is in milliseconds.
    probe["connect_timeout"] = max(2, int(round(timeout)))
    probe["options"] = ("%s -c statement_timeout=%d" % (probe.get("options", ""), int(timeout * 1000))).strip()
    return probe


@lru_cache(maxsize=8)
def script_heads(directory):
    """The head revisions of the migration scripts in `directory` (read once per process)."""
    return tuple(sorted(ScriptDirectory(directory).get_heads()))


def database_revisions(connection):
    """The Alembic revisions the database is stamped with ([] when it never was migrated).

    Read directly rather than through Alembic's MigrationContext, which logs two lines each time:
    noise in every probe a load balancer sends.
    """
    if not inspect(connection).has_table(VERSION_TABLE):
        return []
    return sorted(connection.execute(text("SELECT version_num FROM %s" % VERSION_TABLE)).scalars())


def check_database(app):
    """({"database": …, "migrations": …}, reachable) for `app`'s database."""
    started = time.perf_counter()
    heads = list(script_heads(app.extensions["migrate"].directory))
    try:
        with probe_engine(app).connect() as connection:
            connection.execute(text("SELECT 1"))
            current = database_revisions(connection)
    except Exception as error:
        log.warning("Readiness: the database is not reachable: %s", error)
        return ({"database": {"ok": False, "error": "unreachable"},
                 "migrations": {"ok": False, "error": "database_unreachable", "head": heads}}, False)
    took_ms = round((time.perf_counter() - started) * 1000, 2)
    migrations = {"ok": current == heads, "database": current, "head": heads}
    if current != heads:
        migrations["error"] = "not_at_head"
    return {"database": {"ok": True, "took_ms": took_ms}, "migrations": migrations}, True


def readiness(app):
    """(ready, body) of /readyz: each check with "ok" and its details, and the failing ones."""
    checks, reachable = check_database(app)
    for _receiver, answer in readiness_asked.send(app, database_ok=reachable):
        checks.update(answer or {})
    failing = sorted(name for name, check in checks.items() if not check.get("ok"))
    body = {"status": "not_ready" if failing else "ready", "checks": checks, "failing": failing}
    return not failing, body
