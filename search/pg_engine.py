"""The search engine on PostgreSQL, for several app hosts sharing one database.

It runs the same Python analysis (analysis.py), the same query steps (query.py: AND, then OR,
then typo corrections and "did you mean") and the same snippets (snippets.py) as the Whoosh
engine; only the index lives elsewhere, in the tables of search/models.py:

- ``search_document``: one row per document, with ``content``, a ``tsvector`` written from the
  analysed words themselves (a literal, so no text search configuration changes them: the
  ``simple`` way), each position weighted A in the title, B in the tags, C in the body, behind a
  GIN index: quoted phrases are matched on it (``<->``).
- ``search_posting``: one row per (field, stem, document) with what BM25F needs (the term's
  frequency, the field's length, 1 + the document's boost) and the filters, all in a covering
  btree index: a query reads only that index. Fields: "c" the content (title, body and tags, as
  Whoosh's content field), "t" the title (for the title bonus, weighted as Whoosh's title field),
  "p" the as-you-type prefixes of the title.
- ``search_term``: how many documents hold each stem (for the inverse document frequency) and each
  word as typed, with a pg_trgm GIN index: typo correction looks up the words one edit away (LIKE
  patterns and exact strings) or close by trigrams (pg_trgm's ``%``, for longer words two edits
  away), then measures them as for Whoosh (query.find_corrections).
- ``search_stat``: the number of documents and the total field lengths.

A parsed query is compiled to SQL over the postings: AND intersects (GROUP BY … HAVING), OR unites,
-word excludes, phrases keep the documents whose tsvector holds the words side by side. Scores
are Whoosh's BM25F (the same idf, B and K1, the title bonus of query.with_title_bonus) times
1 + the document's boost, ties broken by document number, so both engines rank alike. Ranking by
``ts_rank_cd`` over the tsvectors was tried first: it reads every matching document's tsvector
(a common word is in 12,000 of 50,000), and took 0.2–0.4 s per query.

Writes are one transaction each, which first takes a transaction-level advisory lock, waiting at
most ``lock_wait`` seconds (then IndexBusy): writers take turns, so the counts stay exact, and a
rebuild refuses incremental writes until it commits, while searches keep reading the old rows.
A rebuild loads the postings into a new table (COPY FREEZE, indexes built after) and swaps it in
with the documents, in one transaction. The named locks of ``lock()`` are session-level advisory
locks, seen by every host.

The reading side (the compiled query and its ranking) is search/pg_query.py; what a document
becomes in the tables (its tsvector and postings) is search/pg_documents.py.
"""
import hashlib
import re
import time
from collections import Counter
from contextlib import contextmanager
from itertools import islice

from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, exists, func, insert, select, tuple_
from sqlalchemy import text as sql
from sqlalchemy.dialects.postgresql import insert as upsert
from sqlalchemy.exc import DBAPIError

from search.analysis import exact_analyzer, split_words, text_analyzer
from search.engine import (
    MAX_SUGGESTIONS,
    IndexBusy,
    IndexHealth,
    IndexUnavailable,
    LockBusy,
    SearchEngine,
    SearchHit,
    SearchResult,
    TitleSuggestion,
)
from search.folding import AlsoIn, fold_groups, folded_total
from search.index_store import build_schema
from search.models import TERM_STATISTICS, SearchDocument, SearchStat, SearchTerm, search_posting, trigram_schema
from search.pg_documents import Analysed
from search.pg_query import DOCUMENTS, SPELLING, Ranker, Snapshot, top_documents
from search.query import (
    clamp_number,
    clean_query_text,
    find_matches,
    make_parsers,
    query_request,
    suggest_query,
)
from search.snippets import highlight_terms, make_snippet
from search.typo_suggest import corrected_lookup, with_typo_titles

_SCHEMA = build_schema()
_TEXT_ANALYZER = text_analyzer()
_EXACT_ANALYZER = exact_analyzer()
_document = SearchDocument.__table__
_posting = search_posting
_term = SearchTerm.__table__
_stat = SearchStat.__table__
_TABLES = (_document, _posting, _term, _stat)
_WRITE_BATCH = 500
WRITE_LOCK = "index-write"  # the transaction-level lock writers take turns on
_BUILD_TABLE = "search_posting_build"
_LOCK_TIMEOUT = "55P03"
_MISSING = ("42P01", "42703")  # undefined table, undefined column
_HIT_COLUMNS = (_document.c.doc, _document.c.key, _document.c.type, _document.c.object_id,
                _document.c.title, _document.c.body, _document.c.category, _document.c.lang)
_POSTING_COLUMNS = tuple(column.name for column in _posting.columns)



def lock_key(name: str, schema: str) -> int:
    """The advisory lock key of a named lock: a stable 64-bit hash of "knowhow:" and the name,
    within the schema of the index (two Knowhows may share a database in two schemas)."""
    digest = hashlib.blake2b(("knowhow:%s@%s" % (name, schema)).encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


def _batches(items, size):
    iterator = iter(items)
    while batch := list(islice(iterator, size)):
        yield batch


def _sqlstate(error: DBAPIError) -> str | None:
    return getattr(error.orig, "sqlstate", None)


class PostgresEngine(SearchEngine):
    """SearchEngine on the search tables of a PostgreSQL database (search/models.py).

    :param bind: the SQLAlchemy Engine of the database.
    """

    def __init__(self, bind, lock_wait: float = 5.0):
        self.bind = bind
        self.lock_wait = lock_wait
        self._parsers = make_parsers(_SCHEMA)
        self._trigram_schema = None
        self._schema = None

    @property
    def location(self) -> str:
        """Where the index is, for messages: the database URL without its password."""
        return "%s (search_document)" % self.bind.url.render_as_string(hide_password=True)

    def _unavailable(self, error: DBAPIError) -> IndexUnavailable:
        if _sqlstate(error) in _MISSING:
            return IndexUnavailable(_l("There is no search index at %(path)s.", path=self.location), str(error.orig))
        return IndexUnavailable(_l("The search index at %(path)s cannot be read.", path=self.location),
                                str(error.orig))

    def trigram_schema(self, connection) -> str:
        """The schema of pg_trgm's operators, quoted, looked up once."""
        if self._trigram_schema is None:
            self._trigram_schema = '"%s"' % trigram_schema(connection).replace('"', '""')
        return self._trigram_schema

    @contextmanager
    def _reading(self):
        try:
            with self.bind.connect() as connection:
                yield connection
        except DBAPIError as error:
            raise self._unavailable(error) from error

    @contextmanager
    def _writing(self, create: bool = False):
        """A transaction holding the index's write lock (IndexBusy after lock_wait)."""
        try:
            connection = self.bind.connect()
        except DBAPIError as error:  # the database cannot be reached
            raise self._unavailable(error) from error
        try:
            with connection, connection.begin():
                connection.exec_driver_sql("SET LOCAL lock_timeout = %d" % max(1, round(self.lock_wait * 1000)))
                connection.execute(sql("SELECT pg_advisory_xact_lock(:key)"),
                                   {"key": lock_key(WRITE_LOCK, self._schema_of(connection))})
                if create:
                    self._create_if_missing(connection)
                yield connection
        except DBAPIError as error:
            if _sqlstate(error) == _LOCK_TIMEOUT:
                raise IndexBusy(_l("The search index is busy; try again in a moment.")) from error
            if _sqlstate(error) in _MISSING:
                raise self._unavailable(error) from error
            raise

    def _schema_of(self, connection) -> str:
        if self._schema is None:
            self._schema = connection.scalar(sql("SELECT current_schema()"))
        return self._schema

    @staticmethod
    def _check(connection) -> None:
        """Read nothing from every column of every table: fails when one is missing or changed."""
        for table in _TABLES:
            connection.execute(select(*table.columns).limit(0)).all()

    def _create_if_missing(self, connection) -> bool:
        try:
            with connection.begin_nested():
                self._check(connection)
            return False
        except DBAPIError:
            for table in _TABLES:
                table.drop(connection, checkfirst=True)
            _document.metadata.create_all(connection, tables=list(_TABLES))
            return True

    def ensure_index(self) -> bool:
        with self._writing() as connection:
            return self._create_if_missing(connection)

    def warm_up(self) -> None:
        split_words("\u0e20\u0e32\u0e29\u0e32\u0e44\u0e17\u0e22")  # loads the Thai dictionary (a second)

    def close(self) -> None:
        """Close the pooled connections (the engine opens new ones if used again)."""
        self.bind.dispose()

    def index_documents(self, docs) -> int:
        docs = list(docs)
        if docs:
            with self._writing() as connection:
                self._write_documents(connection, docs)
        return len(docs)

    def remove_documents(self, keys) -> int:
        keys = [str(key) for key in keys]
        if keys:
            with self._writing() as connection:
                self._remove_keys(connection, keys)
        return len(keys)

    def apply_changes(self, load) -> tuple[int, int]:
        with self._writing() as connection:
            docs, removed = load()
            docs, removed = list(docs), [str(key) for key in removed]
            if docs:
                self._write_documents(connection, docs)
            if removed:
                self._remove_keys(connection, removed)
        return len(docs), len(removed)

    def _write_documents(self, connection, docs) -> None:
        for batch in _batches(docs, _WRITE_BATCH):
            analysed = {}
            for doc in batch:  # the last of one key wins, as Whoosh's update_document
                document = Analysed(doc)
                analysed.pop(document.key, None)
                analysed[document.key] = document
            counts, totals = self._forget(connection, list(analysed))
            number = connection.scalar(select(func.coalesce(func.max(_document.c.doc), 0)))
            rows, postings = [], []
            for document in analysed.values():
                number += 1
                rows.append({**document.row, "doc": number})
                postings.extend(document.postings(number))
                counts.update(document.counted())
                totals.update({DOCUMENTS: 1, **{"length:" + field: length
                                                 for field, length in document.lengths.items()}})
            stmt = upsert(_document)
            connection.execute(stmt.on_conflict_do_update(
                index_elements=[_document.c.key],
                set_={column.name: stmt.excluded[column.name] for column in _document.columns if column.name != "key"}),
                rows)
            connection.execute(insert(_posting), [dict(zip(_POSTING_COLUMNS, posting)) for posting in postings])
            self._add_counts(connection, counts, totals)

    def _remove_keys(self, connection, keys) -> None:
        for batch in _batches(keys, _WRITE_BATCH):
            counts, totals = self._forget(connection, batch)
            connection.execute(delete(_document).where(_document.c.key.in_(batch)))
            self._add_counts(connection, counts, totals)

    @staticmethod
    def _forget(connection, keys):
        """Delete the postings of the documents of keys; (counts, totals) to subtract for them."""
        counts, totals = Counter(), Counter()
        old = connection.execute(select(_document.c.doc, _document.c.words).where(_document.c.key.in_(keys))).all()
        if not old:
            return counts, totals
        for _doc, words in old:
            counts.subtract((SPELLING, word) for word in words)
        totals[DOCUMENTS] -= len(old)
        lengths = {}
        for field, term, doc, length in connection.execute(
                delete(_posting).where(_posting.c.doc.in_([doc for doc, _words in old]))
                .returning(_posting.c.field, _posting.c.term, _posting.c.doc, _posting.c.length)):
            if field != "p":
                counts[(field, term)] -= 1
                lengths[(doc, field)] = length
        for (_doc, field), length in lengths.items():
            totals["length:" + field] -= length
        return counts, totals

    @staticmethod
    def _add_counts(connection, counts: Counter, totals: Counter) -> None:
        """Add the changes of counts to the document counts (terms no document holds go) and of
        totals to the index's totals."""
        changes = [{"field": field, "term": term, "documents": change}
                   for (field, term), change in sorted(counts.items()) if change]
        if changes:
            stmt = upsert(_term)
            connection.execute(stmt.on_conflict_do_update(
                index_elements=[_term.c.field, _term.c.term],
                set_={"documents": _term.c.documents + stmt.excluded.documents}), changes)
            fewer = [(change["field"], change["term"]) for change in changes if change["documents"] < 0]
            if fewer:
                connection.execute(delete(_term).where(tuple_(_term.c.field, _term.c.term).in_(fewer),
                                                       _term.c.documents <= 0))
        changed = [{"name": name, "value": float(value)} for name, value in sorted(totals.items()) if value]
        if changed:
            stmt = upsert(_stat)
            connection.execute(stmt.on_conflict_do_update(index_elements=[_stat.c.name],
                                                          set_={"value": _stat.c.value + stmt.excluded.value}),
                               changed)

    def rebuild(self, docs) -> int:
        count = 0
        with self._writing(create=True) as connection:
            for table in (_document, _term, _stat):
                connection.execute(delete(table))
            connection.exec_driver_sql("DROP TABLE IF EXISTS %s" % _BUILD_TABLE)
            connection.exec_driver_sql("CREATE TABLE %s (LIKE search_posting INCLUDING DEFAULTS)" % _BUILD_TABLE)
            counts, totals, seen = Counter(), Counter(), set()
            raw = connection.connection.dbapi_connection
            for batch in _batches(docs, _WRITE_BATCH):
                rows, postings = [], []
                for doc in batch:
                    count += 1
                    document = Analysed(doc)
                    if document.key in seen:  # one document per key: the first
                        continue
                    seen.add(document.key)
                    rows.append({**document.row, "doc": count})
                    postings.extend(document.postings(count))
                    counts.update(document.counted())
                    totals.update({DOCUMENTS: 1, **{"length:" + field: length
                                                     for field, length in document.lengths.items()}})
                if rows:
                    connection.execute(insert(_document), rows)
                    with raw.cursor() as cursor, cursor.copy(
                            "COPY %s (%s) FROM STDIN (FREEZE)" % (_BUILD_TABLE, ", ".join(_POSTING_COLUMNS))) as copy:
                        for posting in postings:
                            copy.write_row(posting)
            self._swap_in_postings(connection)
            self._add_counts(connection, counts, totals)
        with self.bind.connect() as connection:  # the planner's statistics of the new rows, at once
            connection.exec_driver_sql("ANALYZE search_document, search_term")
            connection.commit()
        return count

    def _swap_in_postings(self, connection) -> None:
        """Index the new postings as search_posting is indexed, and put them in its place."""
        indexes = connection.execute(sql("SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = "
                                         "current_schema() AND tablename = 'search_posting'")).all()
        for _name, definition in indexes:
            connection.exec_driver_sql(re.sub(r"INDEX (\S+) ON (\S+\.)?search_posting ",
                                              r"INDEX \1_build ON \2%s " % _BUILD_TABLE, definition, count=1))
        connection.exec_driver_sql(TERM_STATISTICS % _BUILD_TABLE)
        connection.exec_driver_sql("ANALYZE %s" % _BUILD_TABLE)
        connection.exec_driver_sql("DROP TABLE search_posting")
        connection.exec_driver_sql("ALTER TABLE %s RENAME TO search_posting" % _BUILD_TABLE)
        for name, _definition in indexes:
            connection.exec_driver_sql("ALTER INDEX %s_build RENAME TO %s" % (name, name))

    def search(self, text, type=None, category=None, lang=None, page=1, per_page=10,
               reader_lang=None) -> SearchResult:
        started = time.perf_counter()
        query_text, page, per_page, filters = query_request(text, type, category, lang, page, per_page)
        hits, total, suggestion = [], 0, None
        if query_text:
            with self._reading() as connection:
                snapshot = Snapshot(self, connection)
                # Without any grouped document (an index without translations) the plain query runs.
                apart = connection.scalar(select(exists().where(_document.c.group_key.isnot(None))))
                match = find_matches(Ranker(snapshot, filters, apart), self._parsers, snapshot, query_text,
                                     limit=page * per_page)
                if match is not None:
                    terms = highlight_terms(match)
                    grouped = self._groups(connection, [doc for doc, _score in match.results.grouped])
                    entries, groups = fold_groups(
                        match.results.top, [(doc, score, *grouped[doc]) for doc, score in match.results.grouped
                                            if doc in grouped], page * per_page, reader_lang)
                    total, suggestion = folded_total(match.results, groups), match.suggestion
                    start = (page - 1) * per_page
                    chosen = entries[start:start + per_page]
                    stored = self._stored(connection, [doc for entry in chosen for doc in (entry.doc, *entry.others)])
                    hits = [self._make_hit(stored[entry.doc], entry.score, terms,
                                           tuple(self._also_in(stored[doc]) for doc in entry.others if doc in stored))
                            for entry in chosen if entry.doc in stored]
        took_ms = (time.perf_counter() - started) * 1000
        return SearchResult(query_text, total, hits, suggestion, round(took_ms, 2), page, per_page)

    @staticmethod
    def _groups(connection, docs) -> dict:
        """{doc: (group, lang)} of documents that have a group."""
        if not docs:
            return {}
        rows = connection.execute(select(_document.c.doc, _document.c.group_key, _document.c.lang)
                                  .where(_document.c.doc.in_(docs)))
        return {row.doc: (row.group_key, row.lang) for row in rows}

    @staticmethod
    def _stored(connection, docs) -> dict:
        if not docs:
            return {}
        return {row.doc: row for row in connection.execute(select(*_HIT_COLUMNS).where(_document.c.doc.in_(docs)))}

    @staticmethod
    def _also_in(row) -> AlsoIn:
        return AlsoIn(row.key, row.object_id, row.title, row.lang)

    @staticmethod
    def _make_hit(row, score, terms, translations=()) -> SearchHit:
        return SearchHit(key=row.key, type=row.type, id=row.object_id, title=row.title,
                         snippet=make_snippet(row.body, terms), category=row.category, lang=row.lang,
                         score=round(score, 4), translations=translations)

    def suggest(self, prefix, limit=8) -> list[TitleSuggestion]:
        text = clean_query_text(prefix)
        lookup = suggest_query(text)
        if lookup is None:
            return []
        limit = clamp_number(limit, 1, MAX_SUGGESTIONS, 8)
        with self._reading() as connection:
            snapshot = Snapshot(self, connection)
            top = top_documents(snapshot, lookup, (), limit, counted=False).top

            def typo_titles():
                fuzzy = corrected_lookup(snapshot, snapshot, text)
                return [] if fuzzy is None else top_documents(snapshot, fuzzy, (), limit, counted=False).top

            top = with_typo_titles(top, limit, typo_titles)
            stored = self._stored(connection, [doc for doc, _score in top])
        return [TitleSuggestion(row.key, row.type, row.object_id, row.title)
                for row in (stored.get(doc) for doc, _score in top) if row is not None]

    def stored_documents(self) -> dict[str, tuple[str, str, str]]:
        with self._reading() as connection:
            rows = connection.execute(select(_document.c.key, _document.c.title, _document.c.category,
                                             _document.c.lang)).all()
        return {key: (title, category, lang) for key, title, category, lang in rows}

    def health(self) -> IndexHealth:
        try:
            with self._reading() as connection:
                self._check(connection)
                doc_count = connection.scalar(select(func.count()).select_from(_document))
        except IndexUnavailable as error:
            return IndexHealth(False, self.location, 0, str(error))
        return IndexHealth(True, self.location, doc_count)

    @contextmanager
    def lock(self, name: str, shared: bool = False, wait: bool = True):
        suffix = "_shared" if shared else ""
        try:
            connection = self.bind.connect()
        except DBAPIError as error:  # the database cannot be reached: neither can the index
            raise self._unavailable(error) from error
        with connection:
            key = lock_key(name, self._schema_of(connection))
            if wait:
                connection.execute(sql("SELECT pg_advisory_lock%s(:key)" % suffix), {"key": key})
                taken = True
            else:
                taken = connection.scalar(sql("SELECT pg_try_advisory_lock%s(:key)" % suffix), {"key": key})
            connection.commit()  # the lock is the session's: no transaction stays open while it is held
            if not taken:
                raise LockBusy(_l("The search index is busy; try again in a moment."))
            try:
                yield
            finally:
                try:
                    connection.execute(sql("SELECT pg_advisory_unlock%s(:key)" % suffix), {"key": key})
                    connection.commit()
                except DBAPIError:  # a connection that may still hold the lock must not go back to the pool
                    connection.invalidate()
