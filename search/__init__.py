"""Search over the documents the domains register; knows no domain itself.

The engine core knows nothing of Flask or the database: text analysis (analysis.py), the
engine interface and its Whoosh implementation (engine.py, query.py, snippets.py,
index_store.py, vector.py). Around it: the registry of document sources that kb and mentoring
fill (sources.py), documents read through them (documents.py), the index kept in step with
commits (sync.py, queue.py), searching for a reader (service.py), the search log and content
gaps (log.py, models.py), wiring and `flask reindex` (setup.py, cli.py).
"""


def init_app(app):
    """The app's search index, its sync with the database, its pages and API, `flask reindex`,
    and the read buffer's sinks of the search log."""
    from core.read_buffer import register_sink
    from search.api import search_api
    from search.log import SEARCH_LOG, SEARCH_OPENS, write_search_log, write_search_opens
    from search.setup import init_search
    from search.views import search

    init_search(app)
    app.register_blueprint(search)
    app.register_blueprint(search_api)
    # The searches first: a flush writes them before the openings that refer to them.
    register_sink(app, SEARCH_LOG, write_search_log)
    register_sink(app, SEARCH_OPENS, write_search_opens)
