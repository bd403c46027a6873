"""gunicorn settings of `make serve`: the application is loaded once, in the master, before the fork.

With preload_app every worker shares, copy-on-write, what loading the application costs: the
imported code and the Thai dictionary, about half of a worker's memory otherwise. gc.freeze()
keeps those pages shared: a worker's garbage collector never visits the frozen objects, so it
never writes into them. The search index is not opened in the master: each worker opens its own
searcher after the fork (a thread and a searcher do not cross a fork, and a master holding a
replaced index would keep its files on disk), and the postings it decodes are mapped from files
beside the index that every process shares through the page cache (search/postings.py).

Workers and the address come from the command line (Makefile `serve`). With the application
preloaded, a code change needs a restart of gunicorn: SIGHUP reloads its settings only.
"""
import gc
import os

preload_app = True
# create_app must not start the search warm-up in the master (see above): post_fork starts it.
# The rest of the warm-up (templates, mappers, locale data) runs in the master, in when_ready.
raw_env = ["KNOWHOW_SEARCH_WARM_UP=0", "KNOWHOW_WARM_UP=0"]


def _forget_database_connections(app, close):
    """Connections of the master are not the workers' to use (SQLAlchemy: pools across os.fork)."""
    from extensions import db

    with app.app_context():
        db.engine.dispose(close=close)


def when_ready(server):
    """In the master, once the application is loaded and before the first worker is forked."""
    from app import warm_up
    from search.analysis import load_dictionaries

    app = server.app.wsgi()
    load_dictionaries()
    warm_up(app)
    _forget_database_connections(app, close=True)
    gc.freeze()


def post_fork(server, worker):
    """In each new worker: a pool of its own, and its own searcher warmed up in the background."""
    from search.setup import start_warm_up

    app = server.app.wsgi()
    _forget_database_connections(app, close=False)
    start_warm_up(app)


def child_exit(server, worker):
    """In the master, when a worker has exited: prometheus_client's multiprocess clean-up."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)
