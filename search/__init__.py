"""Search over the documents the domains register; knows no domain itself.

The engine core knows nothing of Flask or the database: text analysis (analysis.py), the
engine interface and its Whoosh implementation (engine.py, query.py, snippets.py,
index_store.py, vector.py). Around it: the registry of document sources that kb and mentoring
fill (sources.py), documents read through them (documents.py), the index kept in step with
commits (sync.py, queue.py), searching for a reader (service.py), the search log and content
gaps (log.py, models.py), wiring and `flask reindex` (setup.py, cli.py).
"""


def init_app(app):
    """The app's search index, its sync with the database, its pages and API, `flask reindex`."""
    from search.api import search_api
    from search.setup import init_search
    from search.views import search

    init_search(app)
    app.register_blueprint(search)
    app.register_blueprint(search_api)
