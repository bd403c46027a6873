"""Wiring search into an application: the engine, the index sync, `flask reindex`, init-db."""
import threading

import click

from core.signals import database_initialised, database_restored, gauges_asked, readiness_asked
from extensions import db
from search.backends import make_engine
from search.cli import reindex
from search.documents import count_documents, reading_session
from search.index import DEFAULT_LOCK_WAIT, SearchIndex, current_search
from search.sync import install_listeners, rebuild_index


def init_search(app):
    """Create the app's search index (app.extensions["search"]), install the sync, add `flask reindex`.

    Settings: SEARCH_BACKEND ("whoosh" or "postgres", search/backends.py); SEARCH_DIR;
    SEARCH_LOCK_WAIT (seconds a write waits for the index, default 2);
    SEARCH_AUTO_REBUILD (rebuild in the background when a search finds no index, default on);
    SEARCH_WARM_UP (start warming up at once, default on; see start_warm_up).
    """
    from search import jobs, models, permissions  # noqa: F401  (the jobs, tables and rules of search)
    from search.ops import answer_gauges, answer_readiness

    search = app.extensions["search"] = make_search_index(app.config)
    install_listeners()
    database_initialised.connect(build_index_if_needed)
    database_restored.connect(rebuild_after_restore)
    readiness_asked.connect(answer_readiness)
    gauges_asked.connect(answer_gauges)
    app.cli.add_command(reindex)
    if not app.testing and app.config.get("SEARCH_WARM_UP", True):
        start_warm_up(app)
    return search


def start_warm_up(app) -> threading.Thread:
    """Warm app's search engine up in a background thread of this process; returns the thread.

    Loading the Thai dictionary and the searcher takes a second: not during a live call. A
    process that forks workers (gunicorn.conf.py) calls it in each worker after the fork, as a
    thread and a searcher do not cross a fork.
    """
    thread = threading.Thread(target=current_search(app).engine.warm_up, name="search-warm-up", daemon=True)
    thread.start()
    return thread


def make_search_index(config):
    """A SearchIndex for the settings in `config` (SEARCH_BACKEND, SEARCH_DIR, SEARCH_LOCK_WAIT, …)."""
    lock_wait = float(config.get("SEARCH_LOCK_WAIT", DEFAULT_LOCK_WAIT))
    return SearchIndex(config["SEARCH_DIR"], lock_wait=lock_wait,
                       auto_rebuild=bool(config.get("SEARCH_AUTO_REBUILD", True)),
                       engine=make_engine(config, config["SEARCH_DIR"], lock_wait))


def build_index_if_needed(_app=None):
    """init-db step: build the index when it is missing, unreadable, or empty while there is content.

    A failure is reported and leaves the database set up: the index can be built later.
    """
    # Commit the reference data of the steps before: on SQLite their open transaction holds the
    # write lock that the rebuild's queue clean-up needs.
    db.session.commit()
    search = current_search()
    try:
        health = search.engine.health()
        if health.available and health.doc_count > 0:
            return
        with reading_session() as session:
            expected = count_documents(session)
        if health.available and expected == 0:
            return
        count = rebuild_index(search, wait=True)
    except Exception as error:
        click.echo("Warning: the search index was not built (%s); run `flask reindex`." % error, err=True)
        return
    finally:
        search.engine.close()  # the CLI process ends; the server opens its own searcher
    click.echo("Search index built: %d document(s)." % count)


def rebuild_after_restore(_app=None):
    """`flask restore` step: the index of the replaced database is wrong for the restored one.

    :returns: how many documents were indexed.
    """
    search = current_search()
    try:
        return rebuild_index(search, wait=True)
    finally:
        search.engine.close()  # the CLI process ends; the server opens its own searcher
