"""Turning what a user typed into Whoosh queries: safe parsing, AND→OR fallback, typo correction.

Matching runs in up to three steps, each only when the previous one found too little:

1. every word must match (AND), anywhere in title, body and tags (the ``content`` field);
   quoted phrases and +word/-word work. Words also found in the title raise the score;
2. if nothing matched, any word may match (OR), ranked so documents with more words come first;
3. if fewer than FEW_MATCHES documents matched, each word of at least four letters that is rare
   in the index (absent, or in fewer than FEW_MATCHES documents even through its stem) is
   expanded with its closest indexed spellings that are much commoner (Damerau edit distance 1
   for 4–6 letters, 2 for longer; a swap of two neighbours is one edit: distance.py). A word in
   KNOWN_WORD_DOCUMENTS documents or more is never corrected. The expanded query replaces the
   original one, and the best correction of each word forms the "did you mean" text, only when
   it finds clearly more (finds_clearly_more): otherwise the typed query's results stand,
   unpadded. Phrases count as plain words in this step; -word still excludes.

Each step's query is ranked by a Ranker: over numpy arrays (vector.py) for the node types the
parsers and the corrections produce, by Whoosh's collector for anything else.
"""

import bisect
from dataclasses import dataclass, field

import numpy as np
from whoosh import collectors, query
from whoosh.codec.base import Automata
from whoosh.idsets import BitSet
from whoosh.qparser import PhrasePlugin, PlusMinusPlugin, QueryParser
from whoosh.qparser.syntax import AndGroup, OrGroup

from search.analysis import (
    ENGLISH_STOP_WORDS,
    PREFIX_MAX_CHARS,
    PREFIX_MIN_CHARS,
    TITLE_START_MARK,
    normalize_text,
    split_words,
    stem_word,
    strip_persian_plural,
)
from search.distance import damerau_distance
from search.vector import IndexArrays, Unsupported

MAX_QUERY_CHARS = 200
MAX_PAGE = 100
MAX_PER_PAGE = 50
FEW_MATCHES = 3
CONTENT_FIELD = "content"
TITLE_FIELD = "title"
SPELLING_FIELD = "spelling"
PREFIX_FIELD = "title_prefix"
_THAI_TAIL_WORDS = 6
_CORRECTIONS_PER_WORD = 3
_MAX_CORRECTED_WORDS = 5
_COMMONER_BY = 2  # a correction must be in more than twice as many documents as the typed word
# A word in this many documents is a word, not a typo, however close a commoner one is (کندی, "slowness",
# is one letter from کند, "slow").
KNOWN_WORD_DOCUMENTS = 2
# A query that found some documents is corrected only when the correction finds clearly more:
# at least this many times as many, and at least CLEARLY_MORE_BY more.
CLEARLY_MORE_TIMES = 2
CLEARLY_MORE_BY = 3
_CORRECTION_BOOST = 0.6


@dataclass
class Match:
    """What a query matched: the Whoosh results and what was used to get them."""

    results: "Ranked"
    query: query.Query
    corrections: dict[str, list[str]] = field(default_factory=dict)
    suggestion: str | None = None


def clean_query_text(text) -> str:
    """Normalise a typed query, drop control characters and cap its length."""
    if not isinstance(text, str):
        text = "" if text is None else str(text)
    return normalize_text(text[: MAX_QUERY_CHARS * 20])[:MAX_QUERY_CHARS].strip()


def clamp_number(value, low: int, high: int, default: int) -> int:
    """Return value as an int within [low, high]; default when it is not a number."""
    try:
        number = int(value)
    except (TypeError, ValueError, OverflowError):
        number = default
    return max(low, min(high, number))


def make_parser(schema, group) -> QueryParser:
    """A parser with phrases and +/- only: no field:value, wildcard, range, boost, regex or fuzzy syntax."""
    plugins = [
        # A quoted phrase has no ~slop suffix: the empty group keeps Whoosh's default slop of 1.
        PhrasePlugin(expr='"(?P<text>[^"]*)"(?P<slop>)'),
        # + and - act only at the start of a word, so "e-mail" stays one word pair.
        PlusMinusPlugin(plusexpr=r"(?<!\S)\+(?=\S)", minusexpr=r"(?<!\S)-(?=\S)"),
    ]
    return QueryParser(CONTENT_FIELD, schema, plugins=plugins, group=group)


def make_parsers(schema) -> tuple[QueryParser, QueryParser]:
    """The AND parser used first and the OR parser used when AND finds nothing."""
    return make_parser(schema, AndGroup), make_parser(schema, OrGroup)


def parse_query(parser: QueryParser, text: str):
    """Parse text, returning None when nothing searchable is left (never raises on odd input)."""
    try:
        parsed = parser.parse(text)
    except Exception:  # the parser is not hardened against every input; fall back to bare words
        parsed = parser.parse(" ".join(word.text for word in split_words(text)))
    return None if parsed is query.NullQuery else parsed


def _negated(text: str, start: int) -> bool:
    return start > 0 and text[start - 1] == "-" and (start == 1 or text[start - 2].isspace())


def correctable_words(text: str) -> list[str]:
    """Words of the query that typo correction may replace: not negated, not stop words, ≥ 4 letters."""
    return [word.text for word in split_words(text)
            if len(word.text) >= 4 and not word.text.isdigit()
            and word.text not in ENGLISH_STOP_WORDS and not _negated(text, word.start)]


def word_frequency(reader, word: str) -> int:
    """Documents containing word as typed, or through its stem ("refunds" → "refund")."""
    stemmed = stem_word(word)
    return max(reader.doc_frequency(SPELLING_FIELD, word), reader.doc_frequency(CONTENT_FIELD, stemmed))


def max_edits(word: str) -> int:
    """Edits allowed when correcting word: 1 for 4–6 letters, 2 for longer words."""
    return 1 if len(word) <= 6 else 2


class _TermListCursor:
    """The cursor Whoosh's automaton walk needs (text, find), over a sorted list of terms."""

    def __init__(self, terms: list[str]):
        self._terms, self._index = terms, 0

    def text(self):
        return self._terms[self._index] if self._index < len(self._terms) else None

    def find(self, term: str) -> None:
        self._index = bisect.bisect_left(self._terms, term, self._index)


class SpellingLexicon:
    """The spelling field's terms of each index segment, held in memory for typo correction.

    Walking Whoosh's Levenshtein automaton over the on-disk term index costs a file seek per
    step; over a sorted list it is a bisect. A segment's terms never change, so each is read once.
    """

    def __init__(self):
        self._by_segment = {}

    def terms_within(self, reader, word: str, maxdist: int) -> set[str]:
        """Indexed spellings within maxdist Levenshtein edits of word, sharing its first letter."""
        kept, found = {}, set()
        for leaf, _offset in reader.leaf_readers():
            if leaf.segment() is None:  # the reader of an empty index
                continue
            segment_id = leaf.segment().segment_id()
            terms = self._by_segment.get(segment_id)
            if terms is None:  # the lexicon comes in byte order, which is code point order
                terms = [term.decode("utf-8") for term in leaf.lexicon(SPELLING_FIELD)]
            kept[segment_id] = terms
            found.update(Automata().terms_within(_TermListCursor(terms), word, maxdist, prefix=1))
            if maxdist >= 2 and max_edits(word) >= 2:
                # The automaton counts a swap as two edits: a long word with a swap and one
                # more edit is three away for it, so look around each swapped form as well.
                for swapped in swapped_forms(word):
                    found.update(Automata().terms_within(_TermListCursor(terms), swapped, 1, prefix=1))
        self._by_segment = kept
        return found


def swapped_forms(word: str) -> list[str]:
    """word with each two neighbouring letters after the first swapped (none for a word longer
    than any title word is read: PREFIX_MAX_CHARS, so that a pasted string costs nothing)."""
    if len(word) > PREFIX_MAX_CHARS:
        return []
    return [word[:i] + word[i + 1] + word[i] + word[i + 2:] for i in range(1, len(word) - 1)
            if word[i] != word[i + 1]]


def find_corrections(reader, lexicon: SpellingLexicon, word: str, frequency: int) -> list[str]:
    """Indexed spellings close to word and much commoner than it, closest and then commonest first.

    frequency is word_frequency(word): a word already in many documents is no typo, and a rare
    spelling ("recieve") is corrected only towards one found in several times more documents.
    """
    limit = max_edits(word)
    # Whoosh's automaton counts a swap as two edits, so a short word asks for two and is
    # re-measured with Damerau distance; long words stop at two (three would cost ~8 ms a word).
    # The first letter is kept, as it is rarely the mistyped one, and it makes the lookup fast.
    ranked = []
    for candidate in lexicon.terms_within(reader, word, 2):
        distance = damerau_distance(word, candidate, limit)
        candidate_frequency = reader.doc_frequency(SPELLING_FIELD, candidate)
        if 0 < distance <= limit and candidate_frequency > frequency * _COMMONER_BY:
            ranked.append((distance, -candidate_frequency, candidate))
    ranked.sort()
    return [candidate for _distance, _frequency, candidate in ranked[:_CORRECTIONS_PER_WORD]]


def did_you_mean(text: str, corrections: dict[str, list[str]]) -> str | None:
    """The query text with each corrected word replaced by its best correction."""
    if not corrections:
        return None
    pieces, cursor = [], 0
    for word in split_words(text):
        if word.text in corrections and word.start >= cursor:
            pieces.append(text[cursor:word.start])
            pieces.append(corrections[word.text][0])
            cursor = word.end
    pieces.append(text[cursor:])
    return "".join(pieces)


def corrected_query(or_parser: QueryParser, text: str, corrections: dict[str, list[str]], group):
    """Each word ORed with its corrections, words joined by group (query.And or query.Or)."""
    wanted, banned = [], []
    for word in split_words(text):
        if word.text in ENGLISH_STOP_WORDS:
            continue
        original = parse_query(or_parser, word.text)
        if _negated(text, word.start):
            if original is not None:
                banned.append(original)
            continue
        options = [] if original is None else [original]
        for rank, correction in enumerate(corrections.get(word.text, [])):
            options.append(query.Term(SPELLING_FIELD, correction, boost=_CORRECTION_BOOST / (rank + 1)))
        if options:
            wanted.append(query.Or(options))
    if not wanted:
        return None
    combined = group(wanted)
    return query.AndNot(combined, query.Or(banned)) if banned else combined


def with_title_bonus(matching):
    """matching, scored higher where its words are also in the title (the title field's boost)."""
    words = {stem_word(text) if fieldname == SPELLING_FIELD else text
             for fieldname, text in matching.iter_all_terms()}
    if not words:
        return matching
    return query.AndMaybe(matching, query.Or([query.Term(TITLE_FIELD, word) for word in sorted(words)]))


@dataclass(frozen=True)
class Ranked:
    """The best documents of a query: how many matched, and (docnum, score) pairs best first.

    `grouped` holds every match that belongs to a group (folding.py), left out of `top`;
    `total` counts them too.
    """

    total: int
    top: list[tuple[int, float]]
    grouped: list[tuple[int, float]] = field(default_factory=list)


def collect_top(searcher, wanted, allowed_docs, limit: int) -> Ranked:
    """The top `limit` documents for the query wanted, ranked by Whoosh, every match counted.

    Whoosh's default collector replaces parts of the query it judges unable to reach the top by
    their raw score; once the document boost multiplies scores that judgement is wrong (it
    dropped matches and miscounted), so replacement is off.
    """
    collector = collectors.TopCollector(limit=limit, usequality=False, replace=0)
    if allowed_docs is not None:
        collector = collectors.FilterCollector(collector, allow=allowed_docs)
    searcher.search_with_collector(wanted, collector)
    results = collector.results()
    return Ranked(len(results), [(hit.docnum, hit.score) for hit in results])


class Ranker:
    """Ranks queries over one searcher within the filters: with numpy (vector.py) when the query's
    shape allows, by Whoosh otherwise. The documents of the `apart` mask (those in a group) are
    returned apart, every one of them (Ranked.grouped)."""

    def __init__(self, arrays: IndexArrays, allowed: np.ndarray | None, apart: np.ndarray | None = None):
        self.arrays = arrays
        self.searcher = arrays.searcher
        self.allowed = allowed
        self.apart = apart if apart is not None and apart.any() else None

    def top(self, wanted, limit: int) -> Ranked:
        if self.allowed is not None and not self.allowed.any():
            return Ranked(0, [])
        try:
            return Ranked(*self.arrays.top(wanted, self.allowed, limit, apart=self.apart))
        except Unsupported:
            allowed = None if self.allowed is None else BitSet(np.flatnonzero(self.allowed).tolist(),
                                                               size=self.arrays.size)
            if self.apart is None:
                return collect_top(self.searcher, wanted, allowed, limit)
            every = collect_top(self.searcher, wanted, allowed, max(1, self.arrays.size))  # every match
            grouped = [(doc, score) for doc, score in every.top if self.apart[doc]]
            alone = [(doc, score) for doc, score in every.top if not self.apart[doc]]
            return Ranked(every.total, alone[:limit], grouped)


def find_matches(ranker: Ranker, parsers, lexicon: SpellingLexicon, text: str, limit: int) -> Match | None:
    """Run the AND, OR and typo-tolerant steps described in the module docstring."""
    and_parser, or_parser = parsers
    parsed = parse_query(and_parser, text)
    if parsed is None:
        return None
    match = Match(ranker.top(with_title_bonus(parsed), limit), parsed)
    every_word_total = match.results.total
    if not match.results.total:
        loose = parse_query(or_parser, text)
        if loose is not None and loose != parsed:
            match = Match(ranker.top(with_title_bonus(loose), limit), loose)
    if match.results.total >= FEW_MATCHES:
        return match
    reader = ranker.searcher.reader()
    corrections = {}
    for word in correctable_words(text)[:_MAX_CORRECTED_WORDS]:
        frequency = word_frequency(reader, word)
        if word not in corrections and frequency < KNOWN_WORD_DOCUMENTS:
            found = find_corrections(reader, lexicon, word, frequency)
            if found:
                corrections[word] = found
    if not corrections:
        return match
    for group in (query.And, query.Or):
        expanded = corrected_query(or_parser, text, corrections, group)
        if expanded is None:
            break
        results = ranker.top(with_title_bonus(expanded), limit)
        # Every corrected word found beats what only some typed words found.
        typed_total = every_word_total if group is query.And else match.results.total
        if finds_clearly_more(results.total, typed_total):
            if results.total <= match.results.total:  # fewer documents hold every corrected word
                match.suggestion = did_you_mean(text, corrections)
                return match
            return Match(results, expanded, corrections, did_you_mean(text, corrections))
        if results.total:
            break
    # The corrections find little more than what was typed: the typed words stand, their
    # results are not padded with near spellings, and nothing is proposed.
    return match


def finds_clearly_more(corrected: int, typed: int) -> bool:
    """Whether a corrected query finding `corrected` documents is worth proposing over a query
    finding `typed`: anything beats nothing, otherwise twice as many and CLEARLY_MORE_BY more."""
    if not typed:
        return corrected > 0
    return corrected >= typed * CLEARLY_MORE_TIMES and corrected - typed >= CLEARLY_MORE_BY


def _prefix_term(prefix: str, first: bool):
    prefix = prefix[:PREFIX_MAX_CHARS]
    terms = []
    # A Persian plural or ezafe (کتابهای) also finds titles with the bare word (کتاب).
    for form in dict.fromkeys([prefix, strip_persian_plural(prefix)]):
        if first:
            terms.append(query.Term(PREFIX_FIELD, TITLE_START_MARK + form, boost=2.0))
        terms.append(query.Term(PREFIX_FIELD, form))
    return terms[0] if len(terms) == 1 else query.Or(terms)


def suggest_query(text: str):
    """Title query for as-you-type: every typed word is a word prefix; None if nothing to look up.

    Thai is typed without spaces and an unfinished word segments badly, so the trailing Thai run
    is tried whole and also split after each of its dictionary words (the rest as the prefix).
    """
    words = split_words(text)
    tail_start = len(words)
    while (tail_start > 0 and words[tail_start - 1].script == "thai"
           and (tail_start == len(words) or words[tail_start - 1].end == words[tail_start].start)):
        tail_start -= 1
    head = [word.text for word in words[:tail_start] if len(word.text) >= PREFIX_MIN_CHARS]
    parts = [_prefix_term(prefix, index == 0) for index, prefix in enumerate(head)]
    tail = [word.text for word in words[tail_start:]][-_THAI_TAIL_WORDS:]
    options = []
    for split in range(len(tail)):
        pieces = [piece for piece in tail[:split] if len(piece) >= PREFIX_MIN_CHARS] + ["".join(tail[split:])]
        if len(pieces[-1]) >= PREFIX_MIN_CHARS:
            options.append(query.And([_prefix_term(piece, not head and index == 0)
                                      for index, piece in enumerate(pieces)]))
    if options:
        parts.append(query.Or(options))
    return query.And(parts) if parts else None


def query_request(text, type=None, category=None, lang=None, page=1, per_page=10):
    """(query text, page, per page, filters) of an engine's search call: the text cleaned, paging
    clamped, and the filters given as (field, value) pairs, the same for every engine."""
    filters = tuple((name, str(value)) for name, value in
                    (("type", type), ("category", category), ("lang", lang)) if value)
    return (clean_query_text(text), clamp_number(page, 1, MAX_PAGE, 1),
            clamp_number(per_page, 1, MAX_PER_PAGE, 10), filters)

