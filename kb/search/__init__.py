"""Search over articles and answered questions.

The engine core knows nothing of Flask or the database: text analysis (analysis.py), the
engine interface and its Whoosh implementation (engine.py, query.py, snippets.py,
index_store.py). Around it: documents built from the database (documents.py), the index kept in
step with commits (sync.py, queue.py), searching for a reader (service.py), the search log and
content gaps (log.py, models.py), wiring and `flask reindex` (setup.py, cli.py).
"""
