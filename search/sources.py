"""The registry of document sources: what each domain puts in the search index.

Search knows no domain. Each domain that has something to find registers a DocumentSource in
its init_app (kb: articles, mentoring: questions); the index sync, the rebuild and the results
check read only these. Adding a kind of document touches only the package that owns it.
"""
from collections.abc import Callable
from dataclasses import dataclass, field

CATEGORY = "category"  # not a document: "category:3" stands for every document of category 3


@dataclass(frozen=True)
class DocumentSource:
    """How one kind of document is read from the database and who may open it."""

    kind: str  # the key prefix and the result type, e.g. "article"
    select_searchable: Callable  # fn(ids=None) -> select of the searchable rows (with id, category_id)
    make_document: Callable  # fn(row, now) -> document dict
    may_open: Callable  # fn(user, row) -> bool: the reader may open this row
    url_of: Callable  # fn(row) -> the path a result links to
    # {table name: attribute holding the document's id}: a change to a row of these tables
    # re-syncs that document after the commit (e.g. {"answer": "question_id"}).
    tables: dict = field(default_factory=dict)
    select_results: Callable | None = None  # fn(ids) -> lighter select for a page of results
    # fn(row) -> why the result ranks higher than its words alone would place it (shown beside
    # it), or None.
    note_of: Callable | None = None


_sources = {}


def register_source(source):
    """Add (or replace, on a second app in one process) the source of `source.kind`."""
    _sources[source.kind] = source


def document_sources():
    """{kind: DocumentSource} of every registered source, in registration order."""
    return dict(_sources)


def source_of(kind):
    """The source of documents of `kind`, or None."""
    return _sources.get(kind)


def document_types():
    """The kinds of document that can be searched, e.g. ("article", "question")."""
    return tuple(_sources)
