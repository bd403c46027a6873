"""Schema through migrations, and the SQLite settings every connection gets."""
import os

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import upgrade
from sqlalchemy import create_engine, inspect, text

from app import create_app
from extensions import db
from tests.conftest import TEST_DATABASE_URL, postgres_url


@pytest.fixture
def empty_app(tmp_path):
    """An application on a brand-new, empty database (a private schema on PostgreSQL)."""
    if TEST_DATABASE_URL:
        url = postgres_url(TEST_DATABASE_URL)
        schema = "knowhow_migrate_%d" % os.getpid()
        admin = create_engine(url, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text("DROP SCHEMA IF EXISTS %s CASCADE" % schema))
            conn.execute(text("CREATE SCHEMA %s" % schema))
        options = {"connect_args": {"options": "-csearch_path=%s" % schema}}
    else:
        url, options, admin, schema = "sqlite:///" + str(tmp_path / "empty.db"), {}, None, None
    app = create_app({"TESTING": True, "INSTANCE_PATH": str(tmp_path), "SECRET_KEY": "t",
                      "SQLALCHEMY_DATABASE_URI": url, "SQLALCHEMY_ENGINE_OPTIONS": options})
    yield app
    with app.app_context():
        db.engine.dispose()
    if admin is not None:
        with admin.connect() as conn:
            conn.execute(text("DROP SCHEMA %s CASCADE" % schema))
        admin.dispose()


def test_migrations_upgrade_an_empty_database_to_the_models(empty_app):
    with empty_app.app_context():
        upgrade(revision="heads")
        tables = set(inspect(db.engine).get_table_names())
        assert {"users", "team", "category", "login_session", "api_token"} <= tables
        with db.engine.connect() as conn:
            diff = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": False}),
                                    db.metadata)
        assert diff == [], "models and migrations differ: %r" % diff


def test_init_db_command_is_idempotent(empty_app):
    runner = empty_app.test_cli_runner()
    assert runner.invoke(args=["init-db"]).exit_code == 0
    second = runner.invoke(args=["init-db"])
    assert second.exit_code == 0
    assert "latest schema" in second.output


@pytest.mark.committed  # reads on a connection of its own
@pytest.mark.skipif(bool(TEST_DATABASE_URL), reason="SQLite pragmas only apply to SQLite")
def test_sqlite_pragmas_are_in_effect(app):
    with app.app_context():
        with db.engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
            assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 10000


@pytest.mark.committed  # SQLite locking between connections
@pytest.mark.skipif(bool(TEST_DATABASE_URL), reason="BEGIN IMMEDIATE is the SQLite locking recipe")
def test_write_transactions_take_the_write_lock_at_begin(app):
    """A second writer must wait at BEGIN, not fail later with 'database is locked'."""
    import sqlite3

    from database import set_write_intent

    path = app.config["SQLALCHEMY_DATABASE_URI"].removeprefix("sqlite:///")
    with app.app_context():
        set_write_intent(True)
        db.session.execute(text("SELECT 1"))  # begins the transaction
        other = sqlite3.connect(path, timeout=0, isolation_level=None)
        with pytest.raises(sqlite3.OperationalError, match="locked"):
            other.execute("BEGIN IMMEDIATE")
        db.session.rollback()
        other.execute("BEGIN IMMEDIATE")
        other.execute("ROLLBACK")
        other.close()


@pytest.mark.committed  # SQLite locking between connections
@pytest.mark.skipif(bool(TEST_DATABASE_URL), reason="BEGIN IMMEDIATE is the SQLite locking recipe")
def test_read_transactions_leave_the_write_lock_free(app):
    import sqlite3

    from database import set_write_intent

    path = app.config["SQLALCHEMY_DATABASE_URI"].removeprefix("sqlite:///")
    with app.app_context():
        set_write_intent(False)
        db.session.execute(text("SELECT 1"))
        other = sqlite3.connect(path, timeout=0, isolation_level=None)
        other.execute("BEGIN IMMEDIATE")
        other.execute("ROLLBACK")
        other.close()
        db.session.rollback()
        set_write_intent(True)


def test_production_refuses_default_secret_key(tmp_path, monkeypatch):
    monkeypatch.setenv("KNOWHOW_ENV", "production")
    monkeypatch.delenv("KNOWHOW_SECRET_KEY", raising=False)
    with pytest.raises(RuntimeError, match="KNOWHOW_SECRET_KEY"):
        create_app({"INSTANCE_PATH": str(tmp_path)})


def test_production_starts_with_a_real_secret_key(tmp_path, monkeypatch):
    monkeypatch.setenv("KNOWHOW_ENV", "production")
    monkeypatch.setenv("KNOWHOW_SECRET_KEY", "a-long-random-value-from-the-vault")
    app = create_app({"INSTANCE_PATH": str(tmp_path)})
    assert app.config["SECRET_KEY"] == "a-long-random-value-from-the-vault"


def test_migration_0010_gives_each_live_token_of_a_user_its_own_name(empty_app):
    with empty_app.app_context():
        upgrade(revision="0009")
        with db.engine.begin() as conn:
            conn.execute(text("INSERT INTO users (id, username, display_name, role, locale, active, created_at) "
                              "VALUES (1, 'a', '', 'agent', 'en', TRUE, '2026-01-01 00:00:00')"))
            for token_id, label, revoked in ((1, "cli", None), (2, "cli", None), (3, "", None),
                                             (4, "cli", "2026-01-02 00:00:00"), (5, "ci", None)):
                conn.execute(text("INSERT INTO api_token (id, user_id, token_hash, label, created_at, "
                                  "revoked_at) VALUES (:id, 1, :hash, :label, '2026-01-01 00:00:00', :revoked)"),
                             {"id": token_id, "hash": "h%d" % token_id, "label": label, "revoked": revoked})
        upgrade(revision="heads")
        with db.engine.connect() as conn:
            labels = dict(conn.execute(text("SELECT id, label FROM api_token")).all())
    assert labels == {1: "cli", 2: "cli 2", 3: "token 3", 4: "cli", 5: "ci"}
