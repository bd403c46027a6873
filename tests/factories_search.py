"""Search test helpers: publishing through kb services, API calls, what the index itself holds, and
indexes of either backend (engines on a place of their own, a held write lock, a lost or damaged index).

Tests that look at search results are marked `committed` (see tests/conftest.py): the index
sync reads what was committed on a connection of its own.
"""
import os
import shutil
import uuid

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.pool import NullPool
from whoosh import index as whoosh_index

from extensions import db
from kb import services
from search.engine import WhooshEngine
from search.index import current_search
from search.pg_engine import WRITE_LOCK, PostgresEngine, lock_key
from tests.conftest import SEARCH_BACKEND, TEST_DATABASE_URL, install_trigrams, postgres_url
from tests.factories import bearer, make_token, make_user
from tests.factories_kb import make_category

BODY = "## Problem\n\nThe customer cannot pay.\n\n## Steps to resolve\n\n1. Check the account.\n"


def make_people():
    """A lead (expert everywhere) and an agent, and the categories billing and internet."""
    people = {"lead": make_user("lead", role="lead"), "agent": make_user("agent")}
    make_category("billing")
    make_category("internet")
    return people


def publish(people, title, body=BODY, category="billing", lang="en", tags=()):
    """Write an article as the agent, have the lead publish it, commit; returns its id."""
    article = services.create_article(people["agent"], title, body, category, tags=tags, lang=lang)
    services.submit_for_review(article, people["agent"])
    services.publish_article(article, people["lead"])
    article_id = article.id  # read before the commit expires it: reloading would open a transaction
    db.session.commit()
    return article_id


def make_corpus():
    """make_people, and two published billing articles; {"card": id, "refund": id}."""
    people = make_people()
    return {"card": publish(people, "Card declined at the till",
                            "Ask the customer for another card; never paste `<b>` tags."),
            "refund": publish(people, "Customer refund policy", "Refunds are paid within seven days.")}


def publish_all(app, *articles):
    """Make the people, publish each (title, body[, lang]) article; (agent's API headers, ids)."""
    with app.app_context():
        people = make_people()
        headers = api_token(people["agent"])
        ids = [publish(people, *article[:2], lang=article[2] if len(article) > 2 else "en")
               for article in articles]
    return headers, ids


def api_token(user):
    """Authorization headers for `user`."""
    return bearer(make_token(user))


def search_api(client, headers, q, **params):
    """The JSON of GET /api/v1/search (asserting a 200)."""
    response = client.get("/api/v1/search", query_string={"q": q, **params}, headers=headers)
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def found(client, headers, q, **params):
    """(type, id) of each result of an API search, best first."""
    return [(result["type"], result["id"]) for result in search_api(client, headers, q, **params)["results"]]


def index_keys(app, q, **filters):
    """Keys the engine itself returns, bypassing the database check."""
    with app.app_context():
        return [hit.key for hit in current_search(app).engine.search(q, **filters).hits]


def whoosh_only(reason):
    """Marks a test of what only the Whoosh backend has (files on disk), with the reason."""
    return pytest.mark.skipif(SEARCH_BACKEND != "whoosh", reason="Whoosh backend only: " + reason)


def postgres_only(reason):
    """Marks a test of what only the PostgreSQL backend can do, with the reason."""
    return pytest.mark.skipif(SEARCH_BACKEND != "postgres", reason="PostgreSQL backend only: " + reason)


class EnginePlace:
    """Where one test's own index lives, on the backend the suite runs with: a directory (Whoosh)
    or a schema of the test database (PostgreSQL). open() gives engines on it, as processes would."""

    def __init__(self, tmp_path, name="search"):
        self.directory = tmp_path / name
        self.engines = []
        self.bind = None
        if SEARCH_BACKEND == "postgres":
            self.schema = "search_%s_%s" % (name.replace("-", "_"), uuid.uuid4().hex[:10])
            url = postgres_url(TEST_DATABASE_URL)
            self.admin = create_engine(url, isolation_level="AUTOCOMMIT", poolclass=NullPool)
            with self.admin.connect() as connection:
                install_trigrams(connection)
                connection.execute(text("CREATE SCHEMA %s" % self.schema))
            self.bind = create_engine(url, connect_args={"options": "-csearch_path=%s" % self.schema})

    def open(self, lock_wait=0.3):
        """An engine on this place's index (which may not exist yet)."""
        engine = (WhooshEngine(self.directory, lock_wait=lock_wait) if self.bind is None
                  else PostgresEngine(self.bind, lock_wait=lock_wait))
        self.engines.append(engine)
        return engine

    def close(self):
        for engine in self.engines:
            engine.close()
        if self.bind is not None:
            self.bind.dispose()
            with self.admin.connect() as connection:
                connection.execute(text("DROP SCHEMA %s CASCADE" % self.schema))
            self.admin.dispose()


class HeldWriteLock:
    """Another process holding an index's write lock, until release()."""

    def __init__(self, engine):
        self._writer = self._connection = None
        if isinstance(engine, PostgresEngine):
            self._connection = engine.bind.connect()
            self._transaction = self._connection.begin()
            schema = self._connection.scalar(text("SELECT current_schema()"))
            self._connection.execute(text("SELECT pg_advisory_xact_lock(:key)"),
                                     {"key": lock_key(WRITE_LOCK, schema)})
        else:
            self._writer = whoosh_index.open_dir(os.path.join(engine.index_dir, "current")).writer()

    def release(self):
        if self._writer is not None and not self._writer.is_closed:
            self._writer.cancel()
        if self._connection is not None and not self._connection.closed:
            self._transaction.rollback()
            self._connection.close()


def lose_index(app):
    """The application's index gone from under it: its directory deleted, or its tables dropped.

    Returns a function that creates an empty one again (the database must have the tables when
    the test's database is emptied).
    """
    search = current_search(app)
    search.engine.close()
    if isinstance(search.engine, PostgresEngine):
        with search.engine.bind.begin() as connection:
            connection.execute(text("DROP TABLE search_document, search_term"))
    else:
        shutil.rmtree(search.index_dir)

    def restore():
        search.engine.ensure_index()
    return restore


def corrupt_index(engine):
    """Damage an index in place: Whoosh's table of contents overwritten, or a column dropped."""
    engine.close()
    if isinstance(engine, PostgresEngine):
        with engine.bind.begin() as connection:
            connection.execute(text("ALTER TABLE search_posting DROP COLUMN weight"))
        return
    current = os.path.realpath(os.path.join(engine.index_dir, "current"))
    for name in os.listdir(current):
        if name.endswith(".toc"):
            with open(os.path.join(current, name), "wb") as toc:
                toc.write(b"\x00garbage")
