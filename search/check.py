"""Comparing the index with the database: what `flask reindex --check` and the tests rely on."""
from dataclasses import dataclass

from search.documents import iter_documents, reading_session


@dataclass(frozen=True)
class IndexDifference:
    """Keys the index lacks, keys it holds that the database has no document for, and keys whose
    title, category or language differ; `documents` is how many the database has."""

    missing: list[str]
    extra: list[str]
    stale: list[str]
    documents: int

    @property
    def equal(self):
        return not (self.missing or self.extra or self.stale)


def compare_index(search):
    """The difference between the index and the documents the database holds now."""
    with reading_session() as session:
        expected = {doc["key"]: (doc["title"], doc["category"], doc["lang"]) for doc in iter_documents(session)}
    indexed = search.engine.stored_documents()
    return IndexDifference(
        missing=sorted(expected.keys() - indexed.keys()),
        extra=sorted(indexed.keys() - expected.keys()),
        stale=sorted(key for key in expected.keys() & indexed.keys() if expected[key] != indexed[key]),
        documents=len(expected),
    )
