"""Fixtures: `app`, `db_transaction`, `committed_db`, `module_transaction`, `committed_module`,
`client`, `runner`, `auth`, `ctx`, `csrf_app`, `clock`, `module_clock`, `held_jobs`.

One application serves the whole test session (`session_app`, built once), on a database and
an empty search index of its own. A test that asks for `app` gets it, isolated in one of two ways:

* Rolled back (the default, `db_transaction`, about a millisecond). The test runs inside one
  database transaction, rolled back at its end: `db.session` joins it, and each commit of the
  code under test only releases a savepoint.
* Committed (tests marked `@pytest.mark.committed`, or modules with
  `pytestmark = pytest.mark.committed`; `committed_db`, about 10 ms). Commits are real, on the
  session's database, which is emptied after the test, and the test gets a new, empty search
  index of its own. Commits under a rolled-back transaction are seen by that one connection
  only, so a test needs this when anything reads the database on another connection: the
  search index sync (search/sync.py reads committed documents back on a connection of its
  own; under `db_transaction` it is not hooked in and the index stays empty), rebuilds and the
  retry queue, threads, SQLite locking between connections.

Data that every test of a module needs can be built once for the module by a module-scoped
fixture that asks for `module_transaction` (the data lives in a transaction around the module,
each test in a savepoint inside it) or, when the search index must see it, `committed_module`
(committed, and each test rolled back on top). Fixtures give ids, tokens or, through
factories.refs/loaded, rows loaded again in the test's own session.

Either way, the settings, the extensions, the rate limits and the write intent are put back after
the test, so the next one finds the application as create_app made it. With TEST_DATABASE_URL
set, the suite runs on that PostgreSQL database, in a schema it creates and drops itself.
PostgreSQL sequences are not rolled back: tests look ids up rather than assume them.
"""
import copy
import os
import sqlite3
import uuid
from datetime import UTC, datetime

import pytest
import time_machine
from flask_sqlalchemy.session import Session as FlaskSQLAlchemySession
from huey.storage import MemoryStorage
from sqlalchemy import create_engine, text

from app import create_app
from core.read_buffer import discard_every_read_buffer, read_buffer
from database import set_write_intent
from extensions import db, limiter
from jobs import jobs
from search.engine import IndexUnavailable
from search.index import current_search
from search.setup import make_search_index

TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL", "").strip()
# The search engine of the test applications: PostgreSQL's when the suite runs on PostgreSQL,
# unless TEST_SEARCH_BACKEND=whoosh asks for the Whoosh index there too.
SEARCH_BACKEND = os.environ.get("TEST_SEARCH_BACKEND", "").strip() or ("postgres" if TEST_DATABASE_URL else "whoosh")
DEMO_PASSWORD = "correct-horse-battery"
# Where `clock` takes the tests: a Tuesday in mid-May, in the middle of a quarter. The demo data
# is generated from the day it is loaded on, and loads on this one (see test_cli.py).
FROZEN_NOW = datetime(2026, 5, 19, 10, 30, tzinfo=UTC)
SEARCH_LOCK_WAIT = 0.3


def install_trigrams(connection):
    """pg_trgm, installed once for the database on an AUTOCOMMIT connection. Each xdist worker
    gets here at once on a fresh database, and two CREATE EXTENSION IF NOT EXISTS race: one
    waits for the other."""
    connection.execute(text("SELECT pg_advisory_lock(7240001)"))
    try:
        connection.execute(text("CREATE EXTENSION IF NOT EXISTS pg_trgm"))
    finally:
        connection.execute(text("SELECT pg_advisory_unlock(7240001)"))


def postgres_url(url):
    """SQLAlchemy URL using the psycopg 3 driver."""
    if url.startswith("postgresql://"):
        return "postgresql+psycopg://" + url[len("postgresql://"):]
    if url.startswith("postgres://"):
        return "postgresql+psycopg://" + url[len("postgres://"):]
    return url


def app_settings(instance_path, database_url, engine_options=None, **settings):
    """Settings of every test application: cheap password hashes, a short wait for the index's
    write lock, and no background index rebuilds (tests start the ones they need)."""
    config = {
        "TESTING": True,
        "SECRET_KEY": "test-secret",
        "INSTANCE_PATH": str(instance_path),
        "SQLALCHEMY_DATABASE_URI": database_url,
        # An application some test puts on SQLite keeps its index in Whoosh.
        "SEARCH_BACKEND": SEARCH_BACKEND if database_url.startswith("postgresql") else "whoosh",
        "SEARCH_DIR": os.path.join(str(instance_path), "search"),
        "SEARCH_LOCK_WAIT": SEARCH_LOCK_WAIT,
        "SEARCH_AUTO_REBUILD": False,
        "WTF_CSRF_ENABLED": False,
        "RATELIMIT_STORAGE_URI": "memory://",
        "JOBS_IMMEDIATE": True,  # jobs run at once, in the caller (tests/test_jobs.py runs a consumer)
        # The cheapest scrypt cost keeps the suite fast; the real cost is werkzeug's default.
        "PASSWORD_HASH_METHOD": "scrypt:128:8:1",
        # No flushing thread: a test writes what its requests buffered with flush_read_buffers.
        "READ_BUFFER_SECONDS": 0,
    }
    if engine_options:
        config["SQLALCHEMY_ENGINE_OPTIONS"] = engine_options
    config.update(settings)
    return config


def make_app(instance_path, database_url, engine_options=None, **settings):
    """A test application (see app_settings) with an empty, ready search index (~0.2 s)."""
    application = create_app(app_settings(instance_path, database_url, engine_options, **settings))
    with application.app_context():
        try:
            current_search(application).engine.ensure_index()
        except IndexUnavailable:  # in a database that cannot be reached (the PostgreSQL backend's)
            pass
    return application


def close_app(application):
    """Release the index searcher and the database connections of an application."""
    current_search(application).engine.close()
    with application.app_context():
        db.engine.dispose()


class Database:
    """The test session's database: `url`, `options` (engine options) and `empty()`."""

    def __init__(self, url, options, empty):
        self.url, self.options, self.empty = url, options, empty


@pytest.fixture(scope="session")
def database(tmp_path_factory):
    """The test session's database with the schema built (~1 s, once): a file on SQLite, a
    private schema on PostgreSQL. `empty()` deletes every row (and restarts the sequences)."""
    instance = tmp_path_factory.mktemp("schema")
    if TEST_DATABASE_URL:
        url = postgres_url(TEST_DATABASE_URL)
        schema = "knowhow_test_" + uuid.uuid4().hex[:10]
        options = {"connect_args": {"options": "-csearch_path=%s" % schema}, "pool_pre_ping": True}
        admin_engine = create_engine(url, isolation_level="AUTOCOMMIT")
        with admin_engine.connect() as conn:
            conn.execute(text("CREATE SCHEMA %s" % schema))
            # Installed once for the database, outside the schemas that come and go (the search
            # index finds its schema, search/models.py).
            install_trigrams(conn)
    else:
        url, options = "sqlite:///" + str(instance / "test.db"), None
    builder = create_app(app_settings(instance, url, options))
    with builder.app_context():
        db.create_all()
        tables = [t.name for t in reversed(db.metadata.sorted_tables)]
        db.engine.dispose()
    if TEST_DATABASE_URL:
        cleaner = create_engine(url, **options)
        # DELETE is ~20x faster than TRUNCATE on tables this small; replica mode skips the
        # foreign-key triggers so the order does not matter, and sequences restart at 1.
        wipe = "; ".join(['SET LOCAL session_replication_role = replica']
                         + ['DELETE FROM "%s"' % name for name in tables])
        restart_sequences = text(
            "SELECT setval(c.oid, 1, false) FROM pg_class c JOIN pg_namespace n "
            "ON n.oid = c.relnamespace WHERE c.relkind = 'S' AND n.nspname = :schema")

        def empty():
            with cleaner.begin() as conn:
                conn.exec_driver_sql(wipe)
                conn.execute(restart_sequences, {"schema": schema})

        yield Database(url, options, empty)
        discard_every_read_buffer()  # their exit-time flush would find the schema gone
        cleaner.dispose()
        with admin_engine.connect() as conn:
            conn.execute(text("DROP SCHEMA %s CASCADE" % schema))
        admin_engine.dispose()
    else:
        # Without AUTOINCREMENT, SQLite numbers the rows of an emptied table from 1 again.
        wipe = "".join(['DELETE FROM "%s";' % name for name in tables])

        def empty():
            # A plain connection: SQLite enforces no foreign keys on it, so the order does not
            # matter (users and teams point at each other).
            conn = sqlite3.connect(str(instance / "test.db"), timeout=10, isolation_level=None)
            try:
                conn.executescript("BEGIN IMMEDIATE;" + wipe + "COMMIT;")
            finally:
                conn.close()

        yield Database(url, options, empty)
        discard_every_read_buffer()


@pytest.fixture(scope="session")
def session_app(database, tmp_path_factory):
    """The one application of the test session, with an empty search index (~0.3 s, once).

    Tests do not use it directly: `app` hands it out, isolated (see the module docstring).
    """
    application = make_app(tmp_path_factory.mktemp("session-app"), database.url, database.options)
    yield application
    close_app(application)


class JoinedSession(FlaskSQLAlchemySession):
    """Flask-SQLAlchemy's session, using the connection it is bound to when it is bound to one.

    Flask-SQLAlchemy 3.1's Session.get_bind always answers with the application's engine and
    ignores a `bind` given to the session, so the session could not join a test's transaction.
    """

    def get_bind(self, mapper=None, clause=None, bind=None, **kwargs):
        if bind is None and self.bind is not None:
            return self.bind
        return super().get_bind(mapper=mapper, clause=clause, bind=bind, **kwargs)


class Isolation:
    """What the isolating fixtures share: the session application, the state to return it to
    after each test, the joined session, and the transaction a module's data lives in, if any.

    `joined` stands in for `db.session`: a scoped session (one session per application context,
    as the real one) whose sessions join the connection it is bound to, each in a savepoint
    (SQLAlchemy's "joining a session into an external transaction" recipe). The search index
    sync's hooks listen on the real session's class only, so its commits do not reach the index:
    the sync reads documents back on a connection of its own, where the test's data does not
    exist, and would only spend an index write on finding nothing.
    """

    def __init__(self, app, database):
        self.app, self.database = app, database
        self.real_session = db.session
        self.joined = db._make_scoped_session({"class_": JoinedSession,
                                               "join_transaction_mode": "create_savepoint"})
        self.module_connection = None  # the open transaction of a module's data (module_transaction)
        self.module_commits = False  # a module's data is committed (committed_module)
        self._states = [self._state()]

    def _state(self):
        return copy.deepcopy(dict(self.app.config)), dict(self.app.extensions)

    def reset(self):
        """Settings and extensions as create_app left them (or a module's fixtures set them),
        the rate limits cleared, the write intent of a command (a GET request leaves it False)."""
        settings, extensions = self._states[-1]
        if self.app.config != settings:
            self.app.config.clear()
            self.app.config.update(copy.deepcopy(settings))
        if self.app.extensions != extensions:
            self.app.extensions.clear()
            self.app.extensions.update(extensions)
        limiter.reset()
        read_buffer(self.app).discard()  # a test's buffered reads are not the next one's
        set_write_intent(True)

    def keep_state(self):
        """Make the application's present state the one to return to (a module's set-up)."""
        self._states.append(self._state())

    def drop_state(self):
        self._states.pop()
        self.reset()

    def begin(self):
        """A connection in a new transaction (SQLite: BEGIN IMMEDIATE, holding the write lock)."""
        with self.app.app_context():
            connection = db.engine.connect()
        return connection, connection.begin()

    def join(self, connection):
        """From now on `db.session`, in every application context, joins `connection`."""
        self.joined.session_factory.configure(bind=connection)
        db.session = self.joined

    def leave(self):
        # Each application context closes its session as it ends; one left open would be
        # handed to a later context that happens to get the same id.
        for session in self.joined.registry.registry.values():
            session.close()
        self.joined.registry.registry.clear()
        db.session = self.real_session
        self.joined.session_factory.configure(bind=None)

    def new_index(self, directory):
        """Give the application a new, empty search index in `directory`."""
        self.app.config["SEARCH_DIR"] = str(directory)
        self.app.extensions["search"] = make_search_index(self.app.config)
        current_search(self.app).engine.ensure_index()

    def close_index(self):
        search = current_search(self.app)
        if search.rebuild_thread is not None:
            search.rebuild_thread.join(timeout=30)
        search.engine.close()

    def check_sees_module_data(self, request):
        """A test among a module's data must ask for it: it would see that data either way."""
        for active, name in ((self.module_connection is not None, "module_transaction"),
                             (self.module_commits, "committed_module")):
            if active and name not in request.fixturenames:
                pytest.fail("%s runs where a module's data (%s) is in the database but does not ask "
                            "for it" % (request.node.nodeid, name), pytrace=False)

    def check_no_module_data(self, what):
        if self.module_connection is not None or self.module_commits:
            pytest.fail("%s cannot run among tests sharing a module's data (module_transaction or "
                        "committed_module): move it to another module" % what, pytrace=False)


@pytest.fixture(scope="session")
def isolation(session_app, database):
    """The shared machinery of db_transaction, committed_db and their module-wide forms."""
    return Isolation(session_app, database)


@pytest.fixture
def db_transaction(isolation, request):
    """Runs the test inside one transaction on the session's database, and rolls it back.

    Gives the session's application. While the test runs, `db.session` (in every application
    context: the test's, each request's, each CLI command's) joins that transaction: a commit
    releases a savepoint, a rollback returns to the last one. Inside a module_transaction, the
    test's transaction is a savepoint in the module's. Costs about a millisecond.
    """
    isolation.check_sees_module_data(request)
    isolation.reset()
    if isolation.module_connection is not None:
        connection, transaction = None, isolation.module_connection.begin_nested()
    else:
        connection, transaction = isolation.begin()
        isolation.join(connection)
    try:
        yield isolation.app
    finally:
        if connection is not None:
            isolation.leave()
        transaction.rollback()
        if connection is not None:
            connection.close()
        isolation.reset()


@pytest.fixture
def committed_db(isolation, tmp_path):
    """Lets the test's commits be real: gives the session's application, its database empty (ids
    start at 1) and a new, empty search index in tmp_path. The database is emptied again after
    the test. Costs about 10 ms."""
    isolation.check_no_module_data("A test marked committed")
    isolation.reset()
    isolation.database.empty()  # PostgreSQL: restarts the sequences rolled-back tests moved on
    isolation.new_index(tmp_path / "search")
    try:
        yield isolation.app
    finally:
        isolation.close_index()
        isolation.database.empty()
        isolation.reset()  # the session's index again


@pytest.fixture(scope="module")
def module_transaction(isolation):
    """For module-scoped fixtures that build data once for all of a module's tests: gives the
    session's application with `db.session` joined to a transaction that lasts the module and
    is rolled back after it. Each test runs in a savepoint inside it (db_transaction)."""
    isolation.check_no_module_data("module_transaction")
    isolation.reset()
    connection, transaction = isolation.begin()
    isolation.join(connection)
    isolation.module_connection = connection
    isolation.keep_state()
    try:
        yield isolation.app
    finally:
        isolation.module_connection = None
        isolation.leave()
        transaction.rollback()
        connection.close()
        isolation.drop_state()


@pytest.fixture(scope="module")
def committed_module(isolation, tmp_path_factory):
    """For module-scoped fixtures whose data must be committed (search results): gives the
    session's application, its database empty and a new, empty search index, for the module.
    The module's tests then run in rolled-back transactions on top (db_transaction); the
    database is emptied after the module."""
    isolation.check_no_module_data("committed_module")
    isolation.reset()
    isolation.database.empty()
    isolation.new_index(tmp_path_factory.mktemp("module-search"))
    isolation.module_commits = True
    isolation.keep_state()
    try:
        yield isolation.app
    finally:
        isolation.module_commits = False
        isolation.close_index()
        isolation.database.empty()
        isolation.drop_state()


@pytest.fixture
def app(request):
    """The application under test, isolated by `db_transaction`, or by `committed_db` for tests
    marked `committed` (see the module docstring).

    No application context is left pushed: each request gets its own, as in production, and
    tests that call services directly open one with `with app.app_context():` (or `ctx`).
    """
    if request.node.get_closest_marker("committed"):
        return request.getfixturevalue("committed_db")
    return request.getfixturevalue("db_transaction")


@pytest.fixture
def ctx(app):
    """An application context for tests that call services and models directly."""
    with app.app_context():
        yield app
        db.session.remove()


@pytest.fixture
def csrf_app(app):
    """The same application with CSRF checks on, as in production (until the test ends)."""
    app.config["WTF_CSRF_ENABLED"] = True
    return app


@pytest.fixture
def client(app):
    """A test client of `app`, with cookies of its own."""
    return app.test_client()


@pytest.fixture
def runner(app):
    """A CLI runner of `app`: each command runs in an application context of its own."""
    return app.test_cli_runner()


@pytest.fixture
def clock():
    """For tests whose data or expectations depend on the date: time starts at FROZEN_NOW and runs
    on from there (time-machine; `clock.move_to(...)` and `clock.shift(...)` travel on)."""
    with time_machine.travel(FROZEN_NOW, tick=True) as traveller:
        yield traveller


@pytest.fixture(scope="module")
def module_clock():
    """`clock` for a whole module, from the first test that asks for it: for module-scoped data
    built from the date, and the tests that expect dates relative to it."""
    with time_machine.travel(FROZEN_NOW, tick=True) as traveller:
        yield traveller


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
    """Signs `client` in and out through the login page."""
    return AuthActions(client)


class HeldJobs:
    """The jobs a test queued, held in memory instead of run at once: `names()`, `run()`."""

    def __init__(self, app):
        self.app = app

    def names(self):
        with self.app.app_context():
            return [task.name for task in jobs.pending()]

    def run(self, limit=None):
        """Run the held jobs, and those they queue (at most `limit`), each in an application
        context of its own, as the consumer does; returns the names of the jobs run."""
        done = []
        with self.app.app_context():
            while len(done) != limit and (task := jobs.dequeue()) is not None:
                with self.app.app_context():
                    jobs.execute(task)
                done.append(task.name)
        return done


@pytest.fixture
def held_jobs(app):
    """Jobs wait in a queue in memory until the test runs them (`held_jobs.run()`), instead of
    running at once in the caller."""
    saved = app.extensions["jobs"]
    app.extensions["jobs"] = (False, MemoryStorage(jobs.name))
    jobs.flask_app = None  # the queue binds to the application's storage again on next use
    try:
        yield HeldJobs(app)
    finally:
        app.extensions["jobs"] = saved
        jobs.flask_app = None
