"""Fixtures: `app` (temporary database and search directory), `client`, `runner`, `auth`.

The schema is built once per test session (SQLite: a template file copied for each test;
PostgreSQL: a private schema whose tables are truncated between tests), so each test starts
from an empty database without paying for the DDL again. With TEST_DATABASE_URL set, the whole
suite runs against that PostgreSQL database, in a schema it creates and drops itself.
"""
import os
import shutil
import uuid

import pytest
from sqlalchemy import create_engine, text

from app import create_app
from extensions import db

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


@pytest.fixture
def app(database, tmp_path):
    """An application bound to an empty database and a temporary search directory.

    No application context is left pushed: each request gets its own, as in production, and
    tests that call services directly open one with `with app.app_context():` (or `ctx`).
    """
    url, options = database(tmp_path)
    application = create_app(_base_config(tmp_path / "instance", url, options))
    yield application
    with application.app_context():
        db.engine.dispose()


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
