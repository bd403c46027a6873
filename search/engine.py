"""The search engine interface used by views and services, and its Whoosh implementation.

Views and services talk to a ``SearchEngine``; ``WhooshEngine`` implements it on a Whoosh index
kept by ``IndexStore`` (index_store.py: on-disk generations, atomic rebuilds, bounded lock waits).
Query parsing and typo tolerance are in query.py, snippets in snippets.py, text analysis in
analysis.py.
"""

import abc
import fcntl
import os
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from whoosh import scoring
from whoosh.searching import Searcher

from search.analysis import load_dictionaries
from search.folding import GROUP_FIELD, AlsoIn, fold_groups, folded_total
from search.index_store import (
    IndexBusy,
    IndexStore,
    IndexUnavailable,
    LockBusy,
    SearchError,
    build_schema,
    document_fields,
    unreadable_index,
)
from search.query import (
    CONTENT_FIELD,
    PREFIX_FIELD,
    SPELLING_FIELD,
    TITLE_FIELD,
    Ranker,
    SpellingLexicon,
    clamp_number,
    clean_query_text,
    find_matches,
    make_parsers,
    query_request,
    suggest_query,
)
from search.snippets import highlight_terms, make_snippet
from search.typo_suggest import corrected_lookup, with_typo_titles
from search.vector import WARM_POSTINGS, IndexArrays, SegmentCache

__all__ = [
    "IndexBusy", "IndexHealth", "IndexUnavailable", "LockBusy", "SearchEngine", "SearchError", "SearchHit",
    "SearchResult", "TitleSuggestion", "WhooshEngine", "document_fields",
]

MAX_SUGGESTIONS = 20
# A query that finds the segments it read merged away by another process is run once more.
_QUERY_ATTEMPTS = 2
_WARM_BATCH = 100


@dataclass(frozen=True)
class SearchHit:
    """One search result; snippet is safe HTML (escaped text and <mark> tags only)."""

    key: str
    type: str
    id: int
    title: str
    snippet: str
    category: str
    lang: str
    score: float
    translations: tuple[AlsoIn, ...] = ()  # the other versions of its group that matched


@dataclass(frozen=True)
class SearchResult:
    """A page of search results; total counts every matching document, query is the normalised text."""

    query: str
    total: int
    hits: list[SearchHit]
    suggestion: str | None
    took_ms: float
    page: int
    per_page: int


@dataclass(frozen=True)
class TitleSuggestion:
    """An as-you-type title match."""

    key: str
    type: str
    id: int
    title: str


@dataclass(frozen=True)
class IndexHealth:
    """State of the index for health checks and the admin page."""

    available: bool
    path: str
    doc_count: int
    error: str | None = None


class SearchEngine(abc.ABC):
    """What the application needs from a search engine; documents are dicts (see document_fields)."""

    @abc.abstractmethod
    def index_documents(self, docs) -> int:
        """Add or replace documents by key; returns how many were written.

        :raises IndexBusy: another writer held the index too long; nothing was written, retry later.
        :raises IndexUnavailable: there is no readable index.
        """

    @abc.abstractmethod
    def remove_documents(self, keys) -> int:
        """Remove documents by key; returns how many keys were processed.

        :raises IndexBusy: as index_documents.
        :raises IndexUnavailable: as index_documents.
        """

    @abc.abstractmethod
    def apply_changes(self, load) -> tuple[int, int]:
        """Call load() once no other writer can write, and write what it returns: (docs, removed keys).

        Reading the database inside load() orders concurrent updates of one document: the writer
        that comes last reads, and writes, the last committed state. Returns the two counts.

        :raises IndexBusy: as index_documents; load() was not called.
        :raises IndexUnavailable: as index_documents.
        """

    @abc.abstractmethod
    def search(self, text, type=None, category=None, lang=None, page=1, per_page=10,
               reader_lang=None) -> SearchResult:
        """Search titles, bodies and tags; any text is accepted, paging is clamped. Matches of
        one group are one result, in `reader_lang` when that version matched (folding.py).

        :raises IndexUnavailable: the index is missing or unreadable (an empty query never raises).
        """

    @abc.abstractmethod
    def suggest(self, prefix, limit=8) -> list[TitleSuggestion]:
        """Titles matching what the user has typed so far, best first.

        :raises IndexUnavailable: as search.
        """

    @abc.abstractmethod
    def rebuild(self, docs) -> int:
        """Replace the whole index with docs (any iterable); returns how many were indexed.

        Searches keep working on the old index until the new one is complete.

        :raises IndexBusy: another writer held the index too long.
        """

    @abc.abstractmethod
    def health(self) -> IndexHealth:
        """Whether the index can be searched, and its size."""

    @abc.abstractmethod
    def ensure_index(self) -> bool:
        """Create an empty index when there is none usable; returns True if one was created."""

    @abc.abstractmethod
    def stored_documents(self) -> dict[str, tuple[str, str, str]]:
        """Every indexed key with its (title, category, lang), to compare the index with the database.

        :raises IndexUnavailable: as search.
        """

    @abc.abstractmethod
    def lock(self, name: str, shared: bool = False, wait: bool = True):
        """A context manager holding the lock `name`, shared by every process and host using this index.

        :param shared: several holders of the shared lock may hold it together, never with an
            exclusive holder.
        :raises LockBusy: wait is false and the lock is held elsewhere.
        """

    def warm_up(self) -> None:  # noqa: B027  (optional: engines with nothing to load keep this)
        """Load what the first query would otherwise wait for; call once per process at start."""

    def close(self) -> None:  # noqa: B027  (optional: engines holding nothing keep this)
        """Release what the engine holds open (searchers, connections)."""


def also_in(stored) -> AlsoIn:
    """Another version of a result, from its stored fields."""
    return AlsoIn(stored["key"], stored["id"], stored.get("title", ""), stored.get("lang", ""))


class BoostedBM25F(scoring.BM25F):
    """BM25F relevance multiplied by (1 + the document's boost), for queries Whoosh ranks itself.

    factors(searcher) gives 1 + boost for each document of the searcher (IndexArrays.boost_factor).
    """

    use_final = True

    def __init__(self, factors):
        super().__init__()
        self._factors = factors

    def final(self, searcher, docnum, score):
        return score * self._factors(searcher)[docnum]


class WhooshEngine(SearchEngine):
    """SearchEngine on a Whoosh index kept in index_dir (see index_store.py for the layout)."""

    def __init__(self, index_dir, lock_wait: float = 5.0, **build):
        """:param build: build_processes and parallel_from of IndexStore (how rebuilds are written)."""
        self.store = IndexStore(index_dir, build_schema(), lock_wait, **build)
        self.index_dir = self.store.index_dir
        self._parsers = make_parsers(self.store.schema)
        self._lexicon = SpellingLexicon()
        self._segments = SegmentCache()
        self._arrays = None
        self._weighting = BoostedBM25F(lambda searcher: self._arrays_of(searcher).boost_factor)
        self._index = self._searcher = self._searcher_path = None
        # One query at a time per engine: a refresh closes segment readers a running query may use.
        self._lock = threading.Lock()

    def ensure_index(self) -> bool:
        return self.store.ensure()

    def warm_up(self) -> None:
        # The Thai dictionary takes about a second to load, the boosts and lengths of 50,000
        # documents a few hundred milliseconds, the postings of the commonest words a few
        # seconds: a live call should not wait for them. Searches may run between the batches.
        load_dictionaries()
        try:
            with self._lock:
                arrays = self._arrays_of(self._get_searcher())
                for fieldname in (CONTENT_FIELD, TITLE_FIELD, SPELLING_FIELD):
                    arrays.lengths(fieldname)
                commonest = arrays.commonest_terms((CONTENT_FIELD, TITLE_FIELD, PREFIX_FIELD), WARM_POSTINGS)
            for start in range(0, len(commonest), _WARM_BATCH):
                with self._lock:
                    arrays = self._arrays_of(self._get_searcher())
                    for fieldname, text in commonest[start:start + _WARM_BATCH]:
                        arrays.term_postings(fieldname, text)
        except IndexUnavailable:  # health() reports it; warming up must not stop the app
            pass

    def index_documents(self, docs) -> int:
        docs = list(docs)
        if docs:
            self.store.write(lambda writer: [writer.update_document(**document_fields(doc)) for doc in docs])
        return len(docs)

    def remove_documents(self, keys) -> int:
        keys = [str(key) for key in keys]
        if keys:
            self.store.write(lambda writer: [writer.delete_by_term("key", key) for key in keys])
        return len(keys)

    def apply_changes(self, load) -> tuple[int, int]:
        counts = []

        def change(writer):
            docs, removed = load()
            for doc in docs:
                writer.update_document(**document_fields(doc))
            for key in removed:
                writer.delete_by_term("key", str(key))
            counts.extend((len(docs), len(removed)))

        self.store.write(change)
        return counts[0], counts[1]

    def rebuild(self, docs) -> int:
        return self.store.rebuild(docs)

    def stored_documents(self) -> dict[str, tuple[str, str, str]]:
        with self._lock:
            searcher = self._get_searcher()
            return {stored["key"]: (stored.get("title", ""), stored.get("category", ""), stored.get("lang", ""))
                    for stored in searcher.all_stored_fields()}

    @contextmanager
    def lock(self, name: str, shared: bool = False, wait: bool = True):
        # A file beside the generations: flock locks belong to the open file, so two threads of
        # one process exclude each other as two processes do.
        os.makedirs(self.index_dir, exist_ok=True)
        with open(os.path.join(self.index_dir, name + ".lock"), "a") as lock_file:
            mode = fcntl.LOCK_SH if shared else fcntl.LOCK_EX
            try:
                fcntl.flock(lock_file, mode | (0 if wait else fcntl.LOCK_NB))
            except BlockingIOError:
                raise LockBusy(_l("The search index is busy; try again in a moment.")) from None
            try:
                yield
            finally:
                fcntl.flock(lock_file, fcntl.LOCK_UN)

    def _get_searcher(self):
        path = self.store.current_path()
        try:
            if self._searcher is None or path != self._searcher_path:
                self._close_searcher()
                self._index = self.store.open(path)
                self._searcher = Searcher(self.store.open_reader(self._index), weighting=self._weighting,
                                          fromindex=self._index)
                self._searcher_path = path
            elif not self._searcher.up_to_date():  # another writer committed
                reader = self.store.open_reader(self._index, previous=self._searcher.reader())
                self._searcher = Searcher(reader, weighting=self._weighting, fromindex=self._index)
        except IndexUnavailable:
            self._close_searcher()
            raise
        except Exception as error:
            failure = [error]
        else:
            return self._searcher
        self._close_searcher()
        raise unreadable_index(path, failure)

    def _arrays_of(self, searcher) -> IndexArrays:
        """The searcher's IndexArrays, kept until the searcher changes."""
        if self._arrays is None or self._arrays.searcher is not searcher:
            self._arrays = IndexArrays(searcher, self._segments)
        return self._arrays

    def _close_searcher(self) -> None:
        if self._searcher is not None:
            try:
                self._searcher.close()
            except Exception:  # closing a broken reader must not hide the real problem
                pass
        self._searcher = self._searcher_path = self._arrays = None

    def search(self, text, type=None, category=None, lang=None, page=1, per_page=10,
               reader_lang=None) -> SearchResult:
        started = time.perf_counter()
        query_text, page, per_page, filters = query_request(text, type, category, lang, page, per_page)
        hits, total, suggestion = [], 0, None
        if query_text:
            with self._lock:
                for attempt in range(_QUERY_ATTEMPTS):
                    searcher = self._get_searcher()
                    try:
                        hits, total, suggestion = self._query(searcher, query_text, filters, page, per_page,
                                                              reader_lang)
                        break
                    except (OSError, TypeError) as error:
                        # Whoosh opens a segment's stored fields on first use: when another
                        # process merged that segment away meanwhile, its files are gone (an
                        # OSError, or a missing column read as None: TypeError). The index moved
                        # on, so read its newest state again; anything else is a real error.
                        moved_on = not searcher.up_to_date()
                        self._close_searcher()
                        if not moved_on and isinstance(error, TypeError):
                            raise
                        if attempt == _QUERY_ATTEMPTS - 1:
                            raise unreadable_index(self.index_dir, [error]) from error
        took_ms = (time.perf_counter() - started) * 1000
        return SearchResult(query_text, total, hits, suggestion, round(took_ms, 2), page, per_page)

    def _query(self, searcher, query_text, filters, page, per_page, reader_lang=None):
        """(hits, total, suggestion) of one query on `searcher`."""
        arrays = self._arrays_of(searcher)
        ranker = Ranker(arrays, arrays.filter_mask(filters), arrays.grouped(GROUP_FIELD))
        match = find_matches(ranker, self._parsers, self._lexicon, query_text, limit=page * per_page)
        if match is None:
            return [], 0, None
        terms = highlight_terms(match)
        stored = {docnum: searcher.stored_fields(docnum) for docnum, _score in match.results.grouped}
        entries, groups = fold_groups(
            match.results.top, [(docnum, score, stored[docnum].get(GROUP_FIELD), stored[docnum].get("lang"))
                                for docnum, score in match.results.grouped], page * per_page, reader_lang)
        start = (page - 1) * per_page
        hits = []
        for entry in entries[start:start + per_page]:
            for docnum in (entry.doc, *entry.others):
                if docnum not in stored:
                    stored[docnum] = searcher.stored_fields(docnum)
            hits.append(self._make_hit(stored[entry.doc], entry.score, terms,
                                       tuple(also_in(stored[docnum]) for docnum in entry.others)))
        return hits, folded_total(match.results, groups), match.suggestion

    @staticmethod
    def _make_hit(stored, score, terms, translations=()) -> SearchHit:
        return SearchHit(
            key=stored["key"], type=stored["type"], id=stored["id"], title=stored.get("title", ""),
            snippet=make_snippet(stored.get("body", ""), terms),
            category=stored.get("category", ""), lang=stored.get("lang", ""), score=round(score, 4),
            translations=translations,
        )

    def suggest(self, prefix, limit=8) -> list[TitleSuggestion]:
        text = clean_query_text(prefix)
        lookup = suggest_query(text)
        if lookup is None:
            return []
        limit = clamp_number(limit, 1, MAX_SUGGESTIONS, 8)
        with self._lock:
            # Ranked by posting weight alone (1 + boost, doubled at the title's start), as
            # Whoosh's Frequency weighting would rank them.
            searcher = self._get_searcher()
            arrays = self._arrays_of(searcher)
            _total, top = arrays.top(lookup, None, limit, bm25=False)

            def typo_titles():
                fuzzy = corrected_lookup(searcher.reader(), self._lexicon, text)
                return [] if fuzzy is None else arrays.top(fuzzy, None, limit, bm25=False)[1]

            top = with_typo_titles(top, limit, typo_titles)
            suggestions = []
            for docnum, _score in top:
                stored = searcher.stored_fields(docnum)
                suggestions.append(TitleSuggestion(stored["key"], stored["type"], stored["id"], stored["title"]))
            return suggestions

    def health(self) -> IndexHealth:
        try:
            with self._lock:
                doc_count = self._get_searcher().doc_count()
        except IndexUnavailable as error:
            return IndexHealth(False, self.index_dir, 0, str(error))
        return IndexHealth(True, self.index_dir, doc_count)

    def close(self) -> None:
        """Release the cached searcher."""
        with self._lock:
            self._close_searcher()
