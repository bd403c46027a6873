"""The PostgreSQL engine's reading side: a parsed query compiled to SQL over search_posting and
ranked by Whoosh's BM25F, and the lookups query.find_matches makes (counts, typo neighbours).

search/pg_engine.py holds the engine (writes, rebuilds, locks) and says how the tables are laid out.
"""
import math

from sqlalchemy import Float, cast, literal, select, union_all
from sqlalchemy import text as sql
from whoosh import query

from search.analysis import stem_word
from search.index_store import build_schema
from search.models import SearchStat, SearchTerm
from search.query import CONTENT_FIELD, PREFIX_FIELD, SPELLING_FIELD, TITLE_FIELD, Ranked, max_edits, swapped_forms
from search.vector import word_pairs

_SCHEMA = build_schema()
TITLE_BOOST = _SCHEMA[TITLE_FIELD].format.field_boost  # what Whoosh multiplies title weights by
_B = 0.75  # BM25F's constants, as Whoosh's (vector.py)
_K1 = 1.2
_term = SearchTerm.__table__
_stat = SearchStat.__table__
# Query fields → (posting field, ranked by BM25F); spelling corrections are looked up by their stem.
_FIELDS = {CONTENT_FIELD: ("c", True), SPELLING_FIELD: ("c", True), TITLE_FIELD: ("t", True),
           PREFIX_FIELD: ("p", False)}
SPELLING = "s"  # the posting field of words as typed
_TOTAL = "#"  # not a field: marks the totals in a lookup of counts
DOCUMENTS = "documents"  # the statistic counting the documents


def quoted(word: str) -> str:
    """A lexeme as tsvector and tsquery literals write it."""
    return "'%s'" % word.replace("\\", "\\\\").replace("'", "''")


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



class Snapshot:
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
        pair = (SPELLING, word) if fieldname == SPELLING_FIELD else (_FIELDS[fieldname][0], word)
        return self.counts([pair])[pair]

    def terms_within(self, _reader, word: str, _maxdist: int) -> set[str]:
        """Indexed words that may be within two edits of word and share its first letter; the
        caller measures them (query.find_corrections)."""
        patterns, exact = edit_neighbours(word)
        params = {"field": SPELLING, "first": word[:1], "word": word, "exact": exact}
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
            self._counts[(SPELLING, term)] = documents
            found.add(term)
        return found


class _Compiled:
    """A parsed query as SQL over search_posting: each node a subquery of (doc, factor, score)."""

    def __init__(self, snapshot: Snapshot, filters):
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
        size = totals.get(DOCUMENTS, 0.0) or 1.0
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
        phrase = " & ".join(map(quoted, word_pairs(words)))
        if len(words) > 2:
            phrase += " & (%s)" % " <-> ".join(map(quoted, words))
        # Materialised: found on its own through the GIN index, not tried document by document
        # (which would read each candidate's tsvector).
        return ("WITH phrase AS MATERIALIZED (SELECT doc FROM search_document WHERE content @@ CAST(%s AS tsquery)) "
                "SELECT doc, factor, score FROM (%s) AS words WHERE doc IN (SELECT doc FROM phrase)"
                % (self.param(phrase), together))


class Ranker:
    """query.Ranker's part for PostgreSQL: the best documents of a parsed query within the filters."""

    def __init__(self, snapshot: Snapshot, filters, apart: bool = False):
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


def top_documents(snapshot: Snapshot, wanted, filters, limit: int, counted: bool = True,
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
