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
"""
import hashlib
import math
import re
import time
from collections import Counter
from contextlib import contextmanager
from itertools import islice

from flask_babel import lazy_gettext as _l
from sqlalchemy import Float, cast, delete, exists, func, insert, literal, select, tuple_, union_all
from sqlalchemy import text as sql
from sqlalchemy.dialects.postgresql import insert as upsert
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
from search.folding import AlsoIn, fold_groups, folded_total
from search.index_store import build_schema
from search.models import TERM_STATISTICS, SearchDocument, SearchStat, SearchTerm, search_posting, trigram_schema
from search.query import (
    CONTENT_FIELD,
    PREFIX_FIELD,
    SPELLING_FIELD,
    TITLE_FIELD,
    Ranked,
    clamp_number,
    clean_query_text,
    find_matches,
    make_parsers,
    max_edits,
    query_request,
    suggest_query,
    swapped_forms,
)
from search.snippets import highlight_terms, make_snippet, snippet_source
from search.typo_suggest import corrected_lookup, with_typo_titles
from search.vector import word_pairs

_SCHEMA = build_schema()
_TEXT_ANALYZER = text_analyzer()
_EXACT_ANALYZER = exact_analyzer()
_TITLE_BOOST = _SCHEMA[TITLE_FIELD].format.field_boost  # what Whoosh multiplies title weights by
_B = 0.75  # BM25F's constants, as Whoosh's (vector.py)
_K1 = 1.2
_document = SearchDocument.__table__
_posting = search_posting
_term = SearchTerm.__table__
_stat = SearchStat.__table__
_TABLES = (_document, _posting, _term, _stat)
# Query fields → (posting field, ranked by BM25F); spelling corrections are looked up by their stem.
_FIELDS = {CONTENT_FIELD: ("c", True), SPELLING_FIELD: ("c", True), TITLE_FIELD: ("t", True),
           PREFIX_FIELD: ("p", False)}
_SPELLING = "s"
_TOTAL = "#"  # not a field: marks the totals in a lookup of counts
_DOCUMENTS = "documents"
_MAX_POSITION = 16383  # tsvector positions stop there
_MAX_POSITIONS_PER_WORD = 255
_WRITE_BATCH = 500
WRITE_LOCK = "index-write"  # the transaction-level lock writers take turns on
_BUILD_TABLE = "search_posting_build"
_LOCK_TIMEOUT = "55P03"
_MISSING = ("42P01", "42703")  # undefined table, undefined column
_HIT_COLUMNS = (_document.c.doc, _document.c.key, _document.c.type, _document.c.object_id,
                _document.c.title, _document.c.body, _document.c.category, _document.c.lang)
_POSTING_COLUMNS = tuple(column.name for column in _posting.columns)


def _quoted(word: str) -> str:
    """A lexeme as tsvector and tsquery literals write it."""
    return "'%s'" % word.replace("\\", "\\\\").replace("'", "''")


def content_vector(fields) -> str:
    """The tsvector literal of a document's analysed words, fields being (words, weight letter):
    positions counted as Whoosh's content field counts them (stop words left out), and each two
    neighbouring words as one lexeme without position ("time frame", as Whoosh's pairs field),
    which the GIN index finds without reading any tsvector."""
    positions = {}
    position = 0
    content = []
    for words, weight in fields:
        content.extend(words)
        for word in words:
            position = min(position + 1, _MAX_POSITION)
            spots = positions.setdefault(word, [])
            if len(spots) < _MAX_POSITIONS_PER_WORD and (not spots or spots[-1][0] != position):
                spots.append((position, weight))
    lexemes = ["%s:%s" % (_quoted(word), ",".join("%d%s" % spot for spot in spots))
               for word, spots in positions.items()]
    lexemes.extend(map(_quoted, set(word_pairs(content))))
    return " ".join(lexemes)


class Analysed:
    """A document cut into what the tables hold: its row (without its number) and its postings."""

    def __init__(self, doc: dict):
        title = doc.get("title") or ""
        body = doc.get("body") or ""
        tags = " ".join(doc.get("tags") or ())
        # Whoosh's analyzers reuse one token object: read each text as it comes.
        title_words, body_words, tag_words = ([token.text for token in _TEXT_ANALYZER(part)]
                                              for part in (title, body, tags))
        words = {token.text for part in (title, body, tags) for token in _EXACT_ANALYZER(part)}
        boost = max(0.0, float(doc.get("boost") or 0.0))
        self.key = str(doc["key"])
        self.row = {
            "key": self.key, "type": str(doc["type"]), "object_id": int(doc["id"]),
            "title": title, "body": snippet_source(body),
            "category": str(doc.get("category") or ""), "lang": str(doc.get("lang") or ""), "boost": boost,
            "group_key": str(doc["group"]) if doc.get("group") else None,
            "content": content_vector(((title_words, "A"), (body_words, "C"), (tag_words, "B"))),
            "words": sorted(words),
        }
        content = title_words + body_words + tag_words
        self.lengths = {"c": len(content), "t": len(title_words)}
        self.fields = {"c": Counter(content),
                       "t": Counter({word: count * _TITLE_BOOST for word, count in Counter(title_words).items()}),
                       "p": dict.fromkeys(title_prefix_terms(title), 1.0)}
        self.factor = 1.0 + boost

    def postings(self, doc: int):
        """The posting rows of the document under number doc."""
        row = self.row
        for field, weights in self.fields.items():
            length = self.lengths.get(field, 0)
            for term, weight in weights.items():
                yield (field, term, doc, weight, length, self.factor, row["type"], row["category"], row["lang"])

    def counted(self):
        """The (field, term) pairs whose document counts include this document."""
        yield from ((_SPELLING, word) for word in self.row["words"])
        yield from (("c", term) for term in self.fields["c"])
        yield from (("t", term) for term in self.fields["t"])


def _query_leaves(node):
    """(posting field, term) of every term of a parsed query that is ranked by BM25F."""
    for fieldname, term in node.iter_all_terms():
        if fieldname in _FIELDS and _FIELDS[fieldname][1]:
            field = _FIELDS[fieldname][0]
            yield field, stem_word(term) if fieldname == SPELLING_FIELD else term


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
        self._counts = {}
        self._totals = None

    def reader(self):
        return self

    def totals(self) -> dict:
        """The index's totals (search_stat): documents and field lengths."""
        if self._totals is None:
            self._totals = dict(self.connection.execute(select(_stat.c.name, _stat.c.value)).all())
        return self._totals

    def counts(self, pairs) -> dict:
        """{(field, term): documents holding it} for the pairs, looked up once each."""
        missing = sorted(set(pairs) - set(self._counts))
        if missing:
            self._counts.update(dict.fromkeys(missing, 0))
            fields, words = {field for field, _word in missing}, {word for _field, word in missing}
            lookup = select(_term.c.field, _term.c.term, cast(_term.c.documents, Float)).where(
                _term.c.field.in_(fields), _term.c.term.in_(words))
            if self._totals is None:  # in the same round trip
                lookup = union_all(lookup, select(literal(_TOTAL), _stat.c.name, _stat.c.value))
                self._totals = {}
            for field, term, value in self.connection.execute(lookup):
                if field == _TOTAL:
                    self._totals[term] = value
                else:
                    self._counts[(field, term)] = int(value)
        return {pair: self._counts[pair] for pair in pairs}

    def doc_frequency(self, fieldname: str, word: str) -> int:
        """Documents holding a word as typed (spelling) or a stem (content, title)."""
        pair = (_SPELLING, word) if fieldname == SPELLING_FIELD else (_FIELDS[fieldname][0], word)
        return self.counts([pair])[pair]

    def terms_within(self, _reader, word: str, _maxdist: int) -> set[str]:
        """Indexed words that may be within two edits of word and share its first letter; the
        caller measures them (query.find_corrections)."""
        patterns, exact = edit_neighbours(word)
        params = {"field": _SPELLING, "first": word[:1], "word": word, "exact": exact}
        operator = "OPERATOR(%s.%%)" % self.engine.trigram_schema(self.connection)
        alternatives = ["term = ANY(CAST(:exact AS text[]))", "term %s :word" % operator]
        if max_edits(word) >= 2:
            # A swap and one more edit (Damerau distance 2) may share too few trigrams with the
            # word; the swapped forms, one edit from such a spelling, share enough.
            for number, swapped in enumerate(swapped_forms(word)):
                params["s%d" % number] = swapped
                alternatives.append("term %s :s%d" % (operator, number))
        for number, pattern in enumerate(patterns):
            params["p%d" % number] = pattern
            alternatives.append("term LIKE :p%d" % number)
        rows = self.connection.execute(sql(
            "SELECT term, documents FROM search_term WHERE field = :field AND left(term, 1) = :first "
            "AND length(term) BETWEEN :shortest AND :longest AND documents > 0 AND (%s)"
            % " OR ".join(alternatives)), {**params, "shortest": len(word) - 2, "longest": len(word) + 2})
        found = set()
        for term, documents in rows:
            self._counts[(_SPELLING, term)] = documents
            found.add(term)
        return found


class _Compiled:
    """A parsed query as SQL over search_posting: each node a subquery of (doc, factor, score)."""

    def __init__(self, snapshot: _Snapshot, filters):
        self.params = {}
        self.counts = {}
        self.snapshot = snapshot
        self.filters = "".join(" AND %s = %s" % (name, self.param(value)) for name, value in filters)

    def param(self, value) -> str:
        name = "v%d" % len(self.params)
        self.params[name] = value
        return ":" + name

    def compile(self, node) -> str | None:
        """The SQL of node, or None when it matches nothing."""
        self.counts = self.snapshot.counts(list(_query_leaves(node)))
        return self._node(node)

    def _node(self, node):
        boost = getattr(node, "boost", 1.0)
        if isinstance(node, query.Term):
            return self._term(node.fieldname, node.text, boost)
        if isinstance(node, query.Phrase):
            found = self._phrase(node)
        elif isinstance(node, query.And):
            found = self._combine(node.children(), every=True)
        elif isinstance(node, query.Or):
            found = self._combine(node.children(), every=False)
        elif isinstance(node, query.AndNot):
            found, banned = self._node(node.a), self._node(node.b)
            if found is not None and banned is not None:
                found = ("SELECT doc, factor, score FROM (%s) AS wanted WHERE doc NOT IN "
                         "(SELECT doc FROM (%s) AS banned)" % (found, banned))
        elif isinstance(node, query.AndMaybe):
            found = self._and_maybe(node)
        elif isinstance(node, query.Require):
            found, required = self._node(node.a), self._node(node.b)
            if found is not None:
                found = None if required is None else (
                    "SELECT doc, factor, score FROM (%s) AS wanted WHERE doc IN (SELECT doc FROM (%s) AS required)"
                    % (found, required))
        elif node is query.NullQuery:
            return None
        else:  # anything else the parsers might make: any of its words
            found = self._combine([query.Term(fieldname, text) for fieldname, text in node.iter_all_terms()],
                                  every=False)
        if found is not None and boost != 1.0:
            found = "SELECT doc, factor, score * %s AS score FROM (%s) AS boosted" % (self.param(float(boost)), found)
        return found

    def _term(self, fieldname, text, boost):
        if fieldname not in _FIELDS:
            return None
        field, bm25 = _FIELDS[fieldname]
        term = stem_word(text) if fieldname == SPELLING_FIELD else text
        if bm25 and not self.counts.get((field, term)):  # prefixes are not counted
            return None
        where = "FROM search_posting WHERE field = %s AND term = %s%s" % (self.param(field), self.param(term),
                                                                           self.filters)
        if not bm25:  # as-you-type: the boosts of the prefixes a title holds (Whoosh's Frequency)
            return "SELECT doc, factor, weight * %s AS score %s" % (self.param(float(boost)), where)
        totals = self.snapshot.totals()
        size = totals.get(_DOCUMENTS, 0.0) or 1.0
        average = (totals.get("length:" + field, 0.0) / size) or 1.0
        idf = math.log(size / (self.counts[(field, term)] + 1)) + 1
        # BM25F as Whoosh computes it: idf × w (K1 + 1) / (w + K1 ((1 − B) + B × length / average))
        return "SELECT doc, factor, weight * %s / (weight + %s + %s * length) AS score %s" % (
            self.param(boost * idf * (_K1 + 1)), self.param(_K1 * (1 - _B)), self.param(_K1 * _B / average), where)

    def _and_maybe(self, node):
        """node.a, its scores raised by node.b's where it matches too (the title bonus).

        An OR of words on the maybe side (query.with_title_bonus) is joined word by word: each is
        a plain index lookup per document, where a joined aggregate could be read again for each.
        """
        found = self._node(node.a)
        if found is None:
            return None
        maybe = node.b.children() if isinstance(node.b, query.Or) and node.b.boost == 1.0 else [node.b]
        parts = [part for part in map(self._node, maybe) if part is not None]
        if not parts:
            return found
        joins = "".join(" LEFT JOIN (%s) AS m%d ON m%d.doc = wanted.doc" % (part, number, number)
                        for number, part in enumerate(parts))
        return ("SELECT wanted.doc, wanted.factor, wanted.score + %s AS score FROM (%s) AS wanted%s"
                % (" + ".join("coalesce(m%d.score, 0)" % number for number in range(len(parts))), found, joins))

    def _combine(self, children, every):
        parts = [self._node(child) for child in children]
        if every and None in parts:
            return None
        parts = [part for part in parts if part is not None]
        if len(parts) <= 1:
            return parts[0] if parts else None
        if every:  # joined on doc: the postings of a term come in doc order, so they merge
            joins = "".join(" JOIN (%s) AS p%d ON p%d.doc = p0.doc" % (part, number, number)
                            for number, part in enumerate(parts[1:], 1))
            return ("SELECT p0.doc, p0.factor, %s AS score FROM (%s) AS p0%s"
                    % (" + ".join("p%d.score" % number for number in range(len(parts))), parts[0], joins))
        return ("SELECT doc, max(factor) AS factor, sum(score) AS score FROM (%s) AS parts GROUP BY doc"
                % " UNION ALL ".join("(%s)" % part for part in parts))

    def _phrase(self, node):
        """Documents holding every pair of neighbouring words of the phrase (and, for three words
        or more, the words in a row), scored as the words together (vector.IndexArrays.phrase)."""
        words = list(node.words)
        if len(words) <= 1:
            return self._term(CONTENT_FIELD, words[0], 1.0) if words else None
        together = self._combine([query.Term(CONTENT_FIELD, word) for word in words], every=True)
        if together is None:
            return None
        phrase = " & ".join(map(_quoted, word_pairs(words)))
        if len(words) > 2:
            phrase += " & (%s)" % " <-> ".join(map(_quoted, words))
        # Materialised: found on its own through the GIN index, not tried document by document
        # (which would read each candidate's tsvector).
        return ("WITH phrase AS MATERIALIZED (SELECT doc FROM search_document WHERE content @@ CAST(%s AS tsquery)) "
                "SELECT doc, factor, score FROM (%s) AS words WHERE doc IN (SELECT doc FROM phrase)"
                % (self.param(phrase), together))


class _Ranker:
    """query.Ranker's part for PostgreSQL: the best documents of a parsed query within the filters."""

    def __init__(self, snapshot: _Snapshot, filters, apart: bool = False):
        self.searcher = snapshot
        self.filters = filters
        self.apart = apart  # some documents have a group: rank them apart (folding.py)

    def top(self, wanted, limit: int) -> Ranked:
        return top_documents(self.searcher, wanted, self.filters, limit, apart=self.apart)


# The matches of a query, the best of those without a group first (at most the limit), then
# every one with a group (folding.py: few, found through a small partial index), each row with
# the number of all matches.
_APART = (
    "WITH found AS (SELECT doc, score * factor AS ranked FROM (%(found)s) AS found), "
    "grouped AS (SELECT doc FROM search_document WHERE group_key IS NOT NULL) "
    "SELECT doc, ranked, (SELECT count(*) FROM found), false FROM ("
    "SELECT doc, ranked FROM found WHERE doc NOT IN (SELECT doc FROM grouped) "
    "ORDER BY ranked DESC, doc LIMIT %(limit)s) AS alone "
    "UNION ALL SELECT doc, ranked, (SELECT count(*) FROM found), true FROM found "
    "WHERE doc IN (SELECT doc FROM grouped)")


def top_documents(snapshot: _Snapshot, wanted, filters, limit: int, counted: bool = True,
                  apart: bool = False) -> Ranked:
    """(total, [(document number, score × (1 + boost)), …] best first) of a parsed query; the
    total is 0 unless counted. With `apart`, the documents of a group are left out of the top and
    listed, all of them, in Ranked.grouped."""
    compiled = _Compiled(snapshot, filters)
    found = compiled.compile(wanted)
    if found is None:
        return Ranked(0, [])
    if apart:
        rows = snapshot.connection.execute(sql(_APART % {"found": found, "limit": compiled.param(limit)}),
                                           compiled.params).all()
        alone = sorted(((doc, score) for doc, score, _total, grouped in rows if not grouped),
                       key=lambda row: (-row[1], row[0]))
        return Ranked(rows[0][2] if rows else 0, alone,
                      [(doc, score) for doc, score, _total, grouped in rows if grouped])
    rows = snapshot.connection.execute(sql(
        "SELECT doc, score * factor AS ranked, %s FROM (%s) AS found ORDER BY ranked DESC, doc LIMIT %s"
        % ("count(*) OVER ()" if counted else "0", found, compiled.param(limit))), compiled.params).all()
    return Ranked(rows[0][2] if rows else 0, [(doc, score) for doc, score, _total in rows])


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
                totals.update({_DOCUMENTS: 1, **{"length:" + field: length
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
            counts.subtract((_SPELLING, word) for word in words)
        totals[_DOCUMENTS] -= len(old)
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
                    totals.update({_DOCUMENTS: 1, **{"length:" + field: length
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
                snapshot = _Snapshot(self, connection)
                # Without any grouped document (an index without translations) the plain query runs.
                apart = connection.scalar(select(exists().where(_document.c.group_key.isnot(None))))
                match = find_matches(_Ranker(snapshot, filters, apart), self._parsers, snapshot, query_text,
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
            snapshot = _Snapshot(self, connection)
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
