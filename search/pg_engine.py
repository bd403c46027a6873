"""The search engine on PostgreSQL, for several app hosts sharing one database.

It runs the same Python analysis (analysis.py), the same query steps (query.py: AND, then OR,
then typo corrections and "did you mean") and the same snippets (snippets.py) as the Whoosh
engine; only the index lives elsewhere, in two tables (search/models.py):

- ``search_document``: one row per document. ``content`` is a ``tsvector`` written from the
  analysed words themselves (a literal, so no text search configuration changes them: the
  ``simple`` way), each position weighted A in the title, B in the tags, C in the body, behind
  a GIN index. ``prefixes`` holds the as-you-type terms of the title (GIN index), ``words`` the
  distinct unstemmed words.
- ``search_term``: every unstemmed word and the number of documents holding it, with a pg_trgm
  GIN index: typo correction looks up the words one edit away (LIKE patterns and exact strings)
  or close by trigrams (pg_trgm's ``%``, which finds the longer words two edits away).

A parsed query becomes a ``tsquery`` (``&``, ``|``, ``!``, ``<->`` for quoted phrases). Ranking is
``ts_rank_cd`` with the weights {D 0.1, C 0.25, B 0.25, A 1}: a title word counts four times a
body word, as Whoosh's title field (boost 3) on top of its content field does; divided by the
logarithm of the document's length (BM25's length normalisation in spirit), and multiplied by
1 + the document's boost, as the Whoosh engine's BM25F is. PostgreSQL knows no inverse document
frequency, so a rare word of an OR query weighs no more than a common one.

Writes are one transaction each, which first takes a transaction-level advisory lock, waiting
at most ``lock_wait`` seconds (then IndexBusy): writers take turns, so the word counts stay
exact, and a rebuild (every row deleted, every document inserted, the words counted again, in
one transaction) refuses incremental writes until it commits, while searches keep reading the
old rows. The named locks of ``lock()`` are session-level advisory locks, seen by every host.
"""
import hashlib
import time
from collections import Counter, defaultdict
from contextlib import contextmanager
from itertools import islice

from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, func, select
from sqlalchemy import text as sql
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.exc import DBAPIError
from whoosh import query

from search.analysis import exact_analyzer, split_words, stem_word, text_analyzer, title_prefix_terms
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
from search.index_store import build_schema
from search.models import SearchDocument, SearchTerm, trigram_schema
from search.query import (
    CONTENT_FIELD,
    FEW_MATCHES,
    MAX_PAGE,
    MAX_PER_PAGE,
    SPELLING_FIELD,
    Ranked,
    clamp_number,
    clean_query_text,
    find_matches,
    make_parsers,
    suggest_query,
)
from search.snippets import highlight_terms, make_snippet, snippet_source

_TEXT_ANALYZER = text_analyzer()
_EXACT_ANALYZER = exact_analyzer()
_document = SearchDocument.__table__
_term = SearchTerm.__table__
_TABLES = (_document, _term)
WEIGHTS = "{0.1, 0.25, 0.25, 1.0}"  # D, C (body), B (tags), A (title)
NORMALIZATION = 1  # divide by 1 + the logarithm of the document's length
_MAX_POSITION = 16383  # tsvector positions stop there
_MAX_POSITIONS_PER_WORD = 255
_WRITE_BATCH = 500
WRITE_LOCK = "index-write"  # the transaction-level lock writers take turns on
_LOCK_TIMEOUT = "55P03"
_MISSING = ("42P01", "42703")  # undefined table, undefined column
_HIT_COLUMNS = (_document.c.key, _document.c.type, _document.c.object_id, _document.c.title,
                _document.c.body, _document.c.category, _document.c.lang)


def _quoted(word: str) -> str:
    """A lexeme as tsvector and tsquery literals write it."""
    return "'%s'" % word.replace("\\", "\\\\").replace("'", "''")


def content_vector(title: str, body: str, tags: str) -> str:
    """The tsvector literal of a document's analysed words: positions counted as Whoosh's content
    field counts them (title, body, tags, stop words left out), weighted A, C and B."""
    positions = defaultdict(list)
    position = 0
    for text_of_field, weight in ((title, "A"), (body, "C"), (tags, "B")):
        for token in _TEXT_ANALYZER(text_of_field):
            position = min(position + 1, _MAX_POSITION)
            spots = positions[token.text]
            if len(spots) < _MAX_POSITIONS_PER_WORD and (not spots or spots[-1][0] != position):
                spots.append((position, weight))
    return " ".join("%s:%s" % (_quoted(word), ",".join("%d%s" % spot for spot in spots))
                    for word, spots in positions.items())


def document_row(doc: dict) -> dict:
    """The search_document row of a document (the dict of engine.document_fields)."""
    title = doc.get("title") or ""
    body = doc.get("body") or ""
    tags = " ".join(doc.get("tags") or ())
    words = {token.text for text_of_field in (title, body, tags) for token in _EXACT_ANALYZER(text_of_field)}
    return {
        "key": str(doc["key"]), "type": str(doc["type"]), "object_id": int(doc["id"]),
        "title": title, "body": snippet_source(body),
        "category": str(doc.get("category") or ""), "lang": str(doc.get("lang") or ""),
        "boost": max(0.0, float(doc.get("boost") or 0.0)),
        "content": content_vector(title, body, tags),
        "words": sorted(words), "prefixes": sorted(title_prefix_terms(title)),
    }


def to_tsquery(node) -> str | None:
    """The tsquery text of a parsed query (query.py), or None when it can match nothing.

    Corrections (terms of the spelling field) are looked up by their stem. The title bonus of
    query.with_title_bonus is left out: the weights rank title words higher already.
    """
    if isinstance(node, query.Term):
        if node.fieldname == CONTENT_FIELD:
            return _quoted(node.text)
        return _quoted(stem_word(node.text)) if node.fieldname == SPELLING_FIELD else None
    if isinstance(node, query.Phrase):
        words = [_quoted(word) for word in node.words]
        return "(%s)" % " <-> ".join(words) if words else None
    if isinstance(node, (query.And, query.Require)):
        parts = [to_tsquery(part) for part in node.children()]
        return None if not parts or None in parts else "(%s)" % " & ".join(parts)
    if isinstance(node, query.Or):
        parts = [part for part in map(to_tsquery, node.children()) if part is not None]
        return "(%s)" % " | ".join(parts) if parts else None
    if isinstance(node, query.AndNot):
        wanted, banned = to_tsquery(node.a), to_tsquery(node.b)
        return wanted if wanted is None or banned is None else "(%s & !%s)" % (wanted, banned)
    if isinstance(node, query.AndMaybe):
        return to_tsquery(node.a)
    if node is query.NullQuery:
        return None
    # Anything else the parsers might make: any of its words
    words = [_quoted(word) for fieldname, word in node.iter_all_terms() if fieldname == CONTENT_FIELD]
    return "(%s)" % " | ".join(words) if words else None


def prefix_condition(node):
    """(SQL condition, SQL score, params) of an as-you-type query (query.suggest_query).

    The score is the sum of the boosts of the prefix terms a title holds, as Whoosh's Frequency
    weighting sums them; the caller multiplies it by 1 + the document's boost.
    """
    params = {}

    def walk(part):
        if isinstance(part, query.Term):
            name = "p%d" % len(params)
            params[name] = [part.text]
            holds = "prefixes @> CAST(:%s AS text[])" % name
            return holds, "(CASE WHEN %s THEN %r ELSE 0 END)" % (holds, float(part.boost))
        pieces = [walk(child) for child in part.children()]
        join = " AND " if isinstance(part, query.And) else " OR "
        return ("(%s)" % join.join(holds for holds, _score in pieces),
                "(%s)" % " + ".join(score for _holds, score in pieces))

    condition, score = walk(node)
    return condition, score, params


def edit_neighbours(word: str) -> tuple[list[str], list[str]]:
    """(LIKE patterns, exact strings) of the words one edit from word that keep its first letter:
    a letter replaced or added (patterns), a letter dropped or two neighbours swapped (strings)."""
    escaped = word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    if escaped != word:  # analysed words hold neither; such a word gets no patterns
        return [], [word]
    patterns = {word[:i] + "_" + word[i + 1:] for i in range(1, len(word))}
    patterns.update(word[:i] + "_" + word[i:] for i in range(1, len(word) + 1))
    exact = {word[:i] + word[i + 1:] for i in range(1, len(word))}
    exact.update(word[:i] + word[i + 1] + word[i] + word[i + 2:] for i in range(1, len(word) - 1))
    return sorted(patterns), sorted(exact)


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


class _Snapshot:
    """What query.find_matches asks of an index, answered by one connection: it is the searcher,
    its reader (doc_frequency) and the spelling lexicon (terms_within)."""

    def __init__(self, engine, connection):
        self.engine = engine
        self.connection = connection
        self._spellings = {}

    def reader(self):
        return self

    def doc_frequency(self, fieldname: str, word: str) -> int:
        """Documents holding an unstemmed word (spelling) or a stem (content).

        A stem is counted only up to FEW_MATCHES: typo correction only asks whether it is rarer.
        """
        if fieldname == SPELLING_FIELD:
            if word not in self._spellings:
                self._spellings[word] = self.connection.scalar(
                    select(_term.c.documents).where(_term.c.term == word)) or 0
            return self._spellings[word]
        return self.connection.scalar(
            sql("SELECT count(*) FROM (SELECT 1 FROM search_document "
                 "WHERE content @@ CAST(:query AS tsquery) LIMIT :few) AS found"),
            {"query": _quoted(word), "few": FEW_MATCHES})

    def terms_within(self, _reader, word: str, _maxdist: int) -> set[str]:
        """Indexed words that may be within two edits of word and share its first letter; the
        caller measures them (query.find_corrections)."""
        patterns, exact = edit_neighbours(word)
        params = {"first": word[:1], "word": word, "exact": exact}
        similar = "term OPERATOR(%s.%%) :word" % self.engine.trigram_schema(self.connection)
        alternatives = ["term = ANY(CAST(:exact AS text[]))", similar]
        for number, pattern in enumerate(patterns):
            params["p%d" % number] = pattern
            alternatives.append("term LIKE :p%d" % number)
        rows = self.connection.execute(sql(
            "SELECT term, documents FROM search_term WHERE left(term, 1) = :first AND documents > 0 "
            "AND (%s)" % " OR ".join(alternatives)), params)
        found = set()
        for term, documents in rows:
            self._spellings[term] = documents
            found.add(term)
        return found


class _Ranker:
    """query.Ranker's part for PostgreSQL: the best documents of a parsed query within the filters."""

    def __init__(self, snapshot: _Snapshot, filters):
        self.searcher = snapshot
        self.filters = filters

    def top(self, wanted, limit: int) -> Ranked:
        tsquery = to_tsquery(wanted)
        if tsquery is None:
            return Ranked(0, [])
        where = "".join(" AND %s = :%s" % (name, name) for name, _value in self.filters)
        rows = self.searcher.connection.execute(sql(
            "SELECT key, ts_rank_cd(CAST(:weights AS real[]), content, found, :normalization) * (1 + boost) "
            "AS score, count(*) OVER () FROM search_document, CAST(:query AS tsquery) AS found "
            "WHERE content @@ found%s ORDER BY score DESC, seq LIMIT :limit" % where),
            {"weights": WEIGHTS, "normalization": NORMALIZATION, "query": tsquery, "limit": limit,
             **dict(self.filters)}).all()
        return Ranked(rows[0][2] if rows else 0, [(key, score) for key, score, _total in rows])


class PostgresEngine(SearchEngine):
    """SearchEngine on the search_document and search_term tables of a PostgreSQL database.

    :param bind: the SQLAlchemy Engine of the database.
    """

    def __init__(self, bind, lock_wait: float = 5.0):
        self.bind = bind
        self.lock_wait = lock_wait
        self._parsers = make_parsers(build_schema())
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
        """The schema of pg_trgm's operators, looked up once."""
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
        """Read nothing from every column of both tables: fails when one is missing or changed."""
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

    def rebuild(self, docs) -> int:
        count = 0
        with self._writing(create=True) as connection:
            connection.execute(delete(_document))
            connection.execute(delete(_term))
            seq = 0
            for batch in _batches(docs, _WRITE_BATCH):
                rows = list({row["key"]: row for row in map(document_row, batch)}.values())
                for row in rows:
                    seq += 1
                    row["seq"] = seq
                connection.execute(self._upsert(), rows)
                count += len(batch)
            connection.execute(sql("INSERT INTO search_term (term, documents) SELECT word, count(*) "
                                    "FROM search_document, unnest(words) AS word GROUP BY word"))
        with self.bind.connect() as connection:  # the planner's statistics of the new rows, at once
            connection.exec_driver_sql("ANALYZE search_document, search_term")
            connection.commit()
        return count

    @staticmethod
    def _upsert():
        stmt = insert(_document)
        return stmt.on_conflict_do_update(index_elements=[_document.c.key],
                                          set_={column.name: stmt.excluded[column.name]
                                                for column in _document.columns if column.name != "key"})

    def _write_documents(self, connection, docs) -> None:
        for batch in _batches(docs, _WRITE_BATCH):
            rows = {}
            for doc in batch:  # the last of one key wins, as Whoosh's update_document
                row = document_row(doc)
                rows.pop(row["key"], None)
                rows[row["key"]] = row
            counts = Counter()
            for words in connection.scalars(select(_document.c.words).where(_document.c.key.in_(list(rows)))):
                counts.subtract(words)
            seq = connection.scalar(select(func.coalesce(func.max(_document.c.seq), 0)))
            for row in rows.values():
                seq += 1
                row["seq"] = seq
                counts.update(row["words"])
            connection.execute(self._upsert(), list(rows.values()))
            self._count_words(connection, counts)

    def _remove_keys(self, connection, keys) -> None:
        for batch in _batches(keys, _WRITE_BATCH):
            counts = Counter()
            for words in connection.scalars(delete(_document).where(_document.c.key.in_(batch))
                                            .returning(_document.c.words)):
                counts.subtract(words)
            self._count_words(connection, counts)

    @staticmethod
    def _count_words(connection, counts: Counter) -> None:
        """Add the changes of counts to the words' document counts; words no document holds go."""
        changes = [{"term": term, "documents": change} for term, change in sorted(counts.items()) if change]
        if not changes:
            return
        stmt = insert(_term)
        connection.execute(stmt.on_conflict_do_update(
            index_elements=[_term.c.term], set_={"documents": _term.c.documents + stmt.excluded.documents}), changes)
        fewer = [change["term"] for change in changes if change["documents"] < 0]
        if fewer:
            connection.execute(delete(_term).where(_term.c.term.in_(fewer), _term.c.documents <= 0))

    def search(self, text, type=None, category=None, lang=None, page=1, per_page=10) -> SearchResult:
        started = time.perf_counter()
        query_text = clean_query_text(text)
        page = clamp_number(page, 1, MAX_PAGE, 1)
        per_page = clamp_number(per_page, 1, MAX_PER_PAGE, 10)
        filters = tuple((name, str(value)) for name, value in
                        (("type", type), ("category", category), ("lang", lang)) if value)
        hits, total, suggestion = [], 0, None
        if query_text:
            with self._reading() as connection:
                snapshot = _Snapshot(self, connection)
                match = find_matches(_Ranker(snapshot, filters), self._parsers, snapshot, query_text,
                                     limit=page * per_page)
                if match is not None:
                    terms = highlight_terms(match)
                    total, suggestion = match.results.total, match.suggestion
                    start = (page - 1) * per_page
                    chosen = match.results.top[start:start + per_page]
                    stored = {row.key: row for row in connection.execute(
                        select(*_HIT_COLUMNS).where(_document.c.key.in_([key for key, _score in chosen])))}
                    hits = [self._make_hit(stored[key], score, terms) for key, score in chosen if key in stored]
        took_ms = (time.perf_counter() - started) * 1000
        return SearchResult(query_text, total, hits, suggestion, round(took_ms, 2), page, per_page)

    @staticmethod
    def _make_hit(row, score, terms) -> SearchHit:
        return SearchHit(key=row.key, type=row.type, id=row.object_id, title=row.title,
                         snippet=make_snippet(row.body, terms), category=row.category, lang=row.lang,
                         score=round(score, 4))

    def suggest(self, prefix, limit=8) -> list[TitleSuggestion]:
        lookup = suggest_query(clean_query_text(prefix))
        if lookup is None:
            return []
        limit = clamp_number(limit, 1, MAX_SUGGESTIONS, 8)
        condition, score, params = prefix_condition(lookup)
        with self._reading() as connection:
            rows = connection.execute(sql(
                "SELECT key, type, object_id, title FROM search_document WHERE %s "
                "ORDER BY %s * (1 + boost) DESC, seq LIMIT :limit" % (condition, score)),
                {**params, "limit": limit}).all()
        return [TitleSuggestion(row.key, row.type, row.object_id, row.title) for row in rows]

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
        with self.bind.connect() as connection:
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
