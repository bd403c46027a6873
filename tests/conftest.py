"""Fixtures: `app` (temporary database and search directory), `client`, `runner`, `auth`.

One application serves the whole test session: building one costs 0.1–0.3 s (URL rules,
Jinja templates compiled on first use), more than most tests. Each test still gets an empty
database and search directory of its own, bound to that application before the test and
released after it, and the application's settings are put back as they were.

The schema is built once per test session (SQLite: a template file copied for each test;
PostgreSQL: a private schema whose tables are emptied between tests), so each test starts
from an empty database without paying for the DDL again. With TEST_DATABASE_URL set, the whole
suite runs against that PostgreSQL database, in a schema it creates and drops itself.

Tests marked `search_index` get an empty index ready, a short writer-lock wait and no
background rebuilds (tests start those themselves when they need one).
"""
import os
import shutil
import uuid
from datetime import UTC, datetime

import pytest
import time_machine
from sqlalchemy import create_engine, text

from app import create_app
from database import init_database
from extensions import db, limiter
from search.setup import make_search_index
from search.sync import current_search

# The instant `clock` puts tests at: a Wednesday in the middle of a quarter and of a week.
FIXED_NOW = datetime(2026, 5, 13, 10, 30, tzinfo=UTC)
TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL", "").strip()
DEMO_PASSWORD = "correct-horse-battery"


def postgres_url(url):
    """SQLAlchemy URL using the psycopg 3 driver."""
    if url.startswith("postgresql://"):
        return "postgresql+psycopg://" + url[len("postgresql://"):]
    if url.startswith("postgres://"):
        return "postgresql+psycopg://" + url[len("postgres://"):]
    return url


def _base_config(instance_path, database_url, engine_options=None):
    config = {
        "TESTING": True,
        "SECRET_KEY": "test-secret",
        "INSTANCE_PATH": str(instance_path),
        "SQLALCHEMY_DATABASE_URI": database_url,
        "SEARCH_DIR": os.path.join(str(instance_path), "search"),
        "WTF_CSRF_ENABLED": False,
        "RATELIMIT_STORAGE_URI": "memory://",
        # A cheap scrypt cost keeps the suite fast; the real cost is werkzeug's default.
        "PASSWORD_HASH_METHOD": "scrypt:1024:8:1",
    }
    if engine_options:
        config["SQLALCHEMY_ENGINE_OPTIONS"] = engine_options
    return config


@pytest.fixture(scope="session")
def database(tmp_path_factory):
    """Build the schema once; yields a function giving (url, engine options) for one test."""
    if TEST_DATABASE_URL:
        url = postgres_url(TEST_DATABASE_URL)
        schema = "knowhow_test_" + uuid.uuid4().hex[:10]
        options = {"connect_args": {"options": "-csearch_path=%s" % schema}, "pool_pre_ping": True}
        admin_engine = create_engine(url, isolation_level="AUTOCOMMIT")
        with admin_engine.connect() as conn:
            conn.execute(text("CREATE SCHEMA %s" % schema))
        app = create_app(_base_config(tmp_path_factory.mktemp("schema"), url, options))
        with app.app_context():
            db.create_all()
            tables = [t.name for t in reversed(db.metadata.sorted_tables)]
            db.engine.dispose()
        cleaner = create_engine(url, **options)
        # DELETE is ~20x faster than TRUNCATE on tables this small; replica mode skips the
        # foreign-key triggers so the order does not matter, and sequences restart at 1.
        wipe = "; ".join(['SET LOCAL session_replication_role = replica']
                         + ['DELETE FROM "%s"' % name for name in tables])
        restart_sequences = text(
            "SELECT setval(c.oid, 1, false) FROM pg_class c JOIN pg_namespace n "
            "ON n.oid = c.relnamespace WHERE c.relkind = 'S' AND n.nspname = :schema")

        def fresh(_tmp_path):
            with cleaner.begin() as conn:
                conn.exec_driver_sql(wipe)
                conn.execute(restart_sequences, {"schema": schema})
            return url, options

        yield fresh
        cleaner.dispose()
        with admin_engine.connect() as conn:
            conn.execute(text("DROP SCHEMA %s CASCADE" % schema))
        admin_engine.dispose()
    else:
        template_dir = tmp_path_factory.mktemp("template")
        template = os.path.join(str(template_dir), "template.db")
        app = create_app(_base_config(template_dir, "sqlite:///" + template))
        with app.app_context():
            db.create_all()
            db.engine.dispose()

        def fresh(tmp_path):
            path = os.path.join(str(tmp_path), "test.db")
            shutil.copyfile(template, path)
            return "sqlite:///" + path, None

        yield fresh


SEARCH_TEST_SETTINGS = {"SEARCH_LOCK_WAIT": 0.3, "SEARCH_AUTO_REBUILD": False}


@pytest.fixture(scope="session")
def shared_app(database, tmp_path_factory):
    """The one application of the session; `app` binds it to each test's database."""
    base = tmp_path_factory.mktemp("shared")
    url, options = database(base)
    application = create_app(_base_config(base / "instance", url, options))
    yield application
    with application.app_context():
        db.engine.dispose()


def _bind_database(application, url, options):
    """Point the application's engine at `url` (a new SQLite file; PostgreSQL keeps its engine)."""
    with application.app_context():
        if str(db.engine.url) == url:
            return
        db.engine.dispose()
    engine_options = {"url": url, "echo": False, "echo_pool": False, **(options or {})}
    # Flask-SQLAlchemy builds engines in init_app only; these are the two steps it takes there.
    db._apply_driver_defaults(engine_options, application)
    db._app_engines[application] = {None: db._make_engine(None, engine_options, application)}
    init_database(application)


@pytest.fixture
def app(shared_app, database, tmp_path, request):
    """The application, bound to an empty database and a temporary search directory.

    No application context is left pushed: each request gets its own, as in production, and
    tests that call services directly open one with `with app.app_context():` (or `ctx`).
    """
    settings = dict(shared_app.config)
    url, options = database(tmp_path)
    instance = tmp_path / "instance"
    instance.mkdir(exist_ok=True)
    shared_app.config.update(_base_config(instance, url, options))
    if request.node.get_closest_marker("search_index"):
        shared_app.config.update(SEARCH_TEST_SETTINGS)
    shared_app.instance_path = str(instance)
    _bind_database(shared_app, url, options)
    search = shared_app.extensions["search"] = make_search_index(shared_app.config)
    if request.node.get_closest_marker("search_index"):
        with shared_app.app_context():
            search.engine.ensure_index()
    limiter.reset()
    yield shared_app
    if search.rebuild_thread is not None:
        search.rebuild_thread.join(timeout=30)
    current_search(shared_app).engine.close()
    with shared_app.app_context():
        db.session.remove()
    shared_app.config.clear()
    shared_app.config.update(settings)


@pytest.fixture
def ctx(app):
    """An application context for tests that call services and models directly."""
    with app.app_context():
        yield app
        db.session.remove()


@pytest.fixture
def csrf_app(app):
    """The same application with CSRF checks on, as in production."""
    app.config["WTF_CSRF_ENABLED"] = True
    return app


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


class AuthActions:
    """Sign in and out through the real pages."""

    def __init__(self, client):
        self._client = client

    def login(self, username="agent", password=DEMO_PASSWORD, next_url=None):
        data = {"username": username, "password": password}
        if next_url is not None:
            data["next"] = next_url
        return self._client.post("/login", data=data)

    def logout(self):
        return self._client.post("/logout")


@pytest.fixture
def auth(client):
    return AuthActions(client)


@pytest.fixture
def clock():
    """Today is FIXED_NOW (and time moves on from there), so a test passes on any day."""
    with time_machine.travel(FIXED_NOW, tick=True) as traveller:
        yield traveller
