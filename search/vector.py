"""Matching and ranking parsed queries with numpy, over posting lists decoded once and kept.

Whoosh matches and scores one document at a time in Python, so a common word found in 12,000 of
50,000 documents costs tens of milliseconds. Here each term's postings in an index segment
(document numbers and weights) are decoded once into arrays and kept in a bounded cache: a
segment never changes, and its deletions are applied through a mask of live documents. A query
is then evaluated over whole arrays, one entry per document of the index: AND intersects, OR
unites, scores add up. Scores are Whoosh's BM25F (same idf, field lengths, B and K1) multiplied by
1 + the document's boost, so both ways rank alike.

Quoted phrases use the ``pairs`` field, which indexes every two neighbouring words of a document
as one term: a two-word phrase is one posting list, a longer one is the documents holding all of
its pairs, then checked against the word positions of those few documents.

Segments written by a rebuild carry their postings as a mapped file (postings.py): those are
read from the map, shared by every process, and never copied into the cache.

A query with a node this module does not know raises Unsupported; the caller lets Whoosh run it.
"""

import math
from collections import OrderedDict
from dataclasses import dataclass

import numpy as np
from whoosh import query
from whoosh.codec.whoosh3 import LENGTHS_COLUMN, W3LeafMatcher, _lenfield
from whoosh.matching.wrappers import FilterMatcher
from whoosh.reading import TermNotFound
from whoosh.util.numeric import byte_to_length

from search.postings import SegmentPostings

CONTENT_FIELD = "content"
PAIRS_FIELD = "pairs"
PAIR_SEPARATOR = " "
BOOST_COLUMN = "boost"
# Postings kept decoded per engine (of segments without a postings file), 8 bytes each (int32
# document number, float32 weight), and each kept list counts _ENTRY_POSTINGS more for the Python
# objects around it (two arrays, a tuple, its key and the cache's link: about 600 bytes).
POSTINGS_BUDGET = 6_000_000
_ENTRY_POSTINGS = 75
_FILTER_MASKS = 64
# warm_up decodes the commonest terms up to this many postings (half the cache): about 3 s of a
# worker's start at 50,000 documents, spent in the background.
WARM_POSTINGS = POSTINGS_BUDGET // 2
_B = 0.75
_K1 = 1.2
_LENGTH_OF_BYTE = np.array([byte_to_length(value) for value in range(256)], dtype=np.float64)


class Unsupported(Exception):
    """The query has a node this module cannot evaluate."""


def word_pairs(words) -> list[str]:
    """The terms of the pairs field for a document's analysed words: each two neighbours."""
    return [first + PAIR_SEPARATOR + second for first, second in zip(words, words[1:])]


def _decode_postings(leaf, fieldname: str, text: str):
    """(document numbers, weights) of a term in one segment, deleted documents included; None if absent."""
    try:
        matcher = leaf.postings(fieldname, text)
    except TermNotFound:
        return None
    if isinstance(matcher, FilterMatcher):  # the segment's deletions; the live mask applies them
        matcher = matcher.child
    ids, weights = [], []
    if isinstance(matcher, W3LeafMatcher):
        # Whoosh 2.7.4 (pinned) stores postings in pickled blocks of delta-encoded ids; reading a
        # block's tuple whole is about fifty times faster than stepping through it.
        while matcher.is_active():
            if matcher._data is None:
                matcher._read_data()
            block_ids, block_weights, _values = matcher._data
            ids.append(np.cumsum(np.array(block_ids, dtype=np.int32), dtype=np.int32))
            if block_weights is None:
                weights.append(np.ones(len(block_ids), dtype=np.float32))
            elif isinstance(block_weights, float):
                weights.append(np.full(len(block_ids), block_weights, dtype=np.float32))
            else:
                weights.append(np.array(block_weights, dtype=np.float32))
            matcher._next_block()
        return (np.concatenate(ids), np.concatenate(weights)) if ids else None
    while matcher.is_active():  # any other matcher, one posting at a time
        ids.append(matcher.id())
        weights.append(matcher.weight())
        matcher.next()
    return (np.array(ids, dtype=np.int32), np.array(weights, dtype=np.float32)) if ids else None


def _segment_id(leaf):
    segment = leaf.segment()
    return None if segment is None else segment.segment_id()


class SegmentCache:
    """What never changes in a segment, decoded once: postings (bounded LRU), lengths, boosts."""

    def __init__(self, budget: int = POSTINGS_BUDGET):
        self.budget = budget
        self._postings = OrderedDict()
        self._held = 0
        self._columns = {}
        self._mapped = {}

    def mapped(self, leaf) -> SegmentPostings | None:
        """The postings file of leaf's segment, opened once; None when it has none."""
        segment_id = _segment_id(leaf)
        if segment_id not in self._mapped:
            folder = getattr(leaf._storage, "folder", None)  # None: a compound segment's overlay
            self._mapped[segment_id] = None if folder is None else SegmentPostings.find(folder, segment_id)
        return self._mapped[segment_id]

    def postings(self, leaf, fieldname: str, text: str):
        """(ids, weights) of the term in the segment of leaf, or None."""
        mapped = self.mapped(leaf)
        if mapped is not None and mapped.has_field(fieldname):
            return mapped.postings(fieldname, text)
        key = (_segment_id(leaf), fieldname, text)
        if key in self._postings:
            self._postings.move_to_end(key)
            return self._postings[key]
        found = _decode_postings(leaf, fieldname, text)
        size = _cost(found)
        if size <= self.budget:
            self._postings[key] = found
            self._held += size
            while self._held > self.budget:
                _key, dropped = self._postings.popitem(last=False)
                self._held -= _cost(dropped)
        return found

    def column(self, leaf, name: str):
        """A per-document float array of the segment: "boost", or "length:<field>"."""
        key = (_segment_id(leaf), name)
        if key not in self._columns:
            self._columns[key] = self._read_column(leaf, name)
        return self._columns[key]

    @staticmethod
    def _read_column(leaf, name):
        count = leaf.doc_count_all()
        if name == BOOST_COLUMN:
            return np.array(leaf.column_reader(BOOST_COLUMN).load(), dtype=np.float64)
        fieldname = name.split(":", 1)[1]
        reader = leaf._perdoc._cached_reader(_lenfield(fieldname), LENGTHS_COLUMN)
        if reader is None:
            return np.zeros(count)
        return _LENGTH_OF_BYTE[np.array(reader.load(), dtype=np.uint8)]

    def forget_other_segments(self, live_ids) -> None:
        """Drop what belongs to segments no longer in the index (merged away)."""
        live_ids = set(live_ids)
        for key in [key for key in self._postings if key[0] not in live_ids]:
            self._held -= _cost(self._postings.pop(key))
        for key in [key for key in self._columns if key[0] not in live_ids]:
            del self._columns[key]
        for segment_id in [segment_id for segment_id in self._mapped if segment_id not in live_ids]:
            del self._mapped[segment_id]


def _cost(found) -> int:
    """What a cached posting list counts against the budget."""
    return _ENTRY_POSTINGS + (0 if found is None else len(found[0]))


@dataclass
class Matched:
    """Documents matched by a query node: a mask over the index and a score per document."""

    mask: np.ndarray
    scores: np.ndarray


class IndexArrays:
    """One searcher's view as arrays: live documents, boosts, lengths, and term evaluation."""

    def __init__(self, searcher, cache: SegmentCache):
        self.searcher = searcher
        self.reader = searcher.reader()
        self.cache = cache
        self.size = self.reader.doc_count_all()
        self.leaves = [(leaf, offset) for leaf, offset in self.reader.leaf_readers()
                       if leaf.segment() is not None]
        cache.forget_other_segments(_segment_id(leaf) for leaf, _offset in self.leaves)
        self.live = np.ones(self.size, dtype=bool)
        self.boost_factor = np.ones(self.size)
        for leaf, offset in self.leaves:
            deleted = list(leaf.segment().deleted_docs())
            if deleted:
                self.live[offset + np.array(deleted, dtype=np.int64)] = False
            boosts = cache.column(leaf, BOOST_COLUMN)
            self.boost_factor[offset:offset + len(boosts)] += boosts
        self._lengths = {}
        self._filters = {}

    def lengths(self, fieldname: str) -> np.ndarray:
        if fieldname not in self._lengths:
            lengths = np.zeros(self.size)
            for leaf, offset in self.leaves:
                column = self.cache.column(leaf, "length:" + fieldname)
                lengths[offset:offset + len(column)] = column
            self._lengths[fieldname] = lengths
        return self._lengths[fieldname]

    def term_postings(self, fieldname: str, text: str):
        """(global ids, weights) of a term over all segments, live documents only."""
        ids, weights = [], []
        for leaf, offset in self.leaves:
            found = self.cache.postings(leaf, fieldname, text)
            if found is not None:
                ids.append(found[0] + offset)
                weights.append(found[1])
        if not ids:
            return np.zeros(0, dtype=np.int64), np.zeros(0)
        ids, weights = np.concatenate(ids), np.concatenate(weights)
        keep = self.live[ids]
        return ids[keep], weights[keep]

    def commonest_terms(self, fieldnames, postings: int) -> list[tuple[str, str]]:
        """(field, term) of the fields' terms in the most documents, as many as hold `postings` in all.

        Fields that every segment has in its postings file are left out: nothing to decode.
        """
        ranked = []
        for fieldname in fieldnames:
            if all((mapped := self.cache.mapped(leaf)) is not None and mapped.has_field(fieldname)
                   for leaf, _offset in self.leaves):
                continue
            for text, info in self.reader.iter_field(fieldname):
                ranked.append((info.doc_frequency(), fieldname,
                               text.decode("utf-8") if isinstance(text, bytes) else text))
        ranked.sort(reverse=True)
        chosen, held = [], 0
        for frequency, fieldname, text in ranked:
            if held + frequency > postings:
                break
            chosen.append((fieldname, text))
            held += frequency
        return chosen

    def filter_mask(self, filters) -> np.ndarray | None:
        """Mask of the documents whose ID fields equal the (field, value) filters; None without filters."""
        if not filters:
            return None
        if filters not in self._filters:
            if len(self._filters) >= _FILTER_MASKS:
                self._filters.clear()
            mask = self.live.copy()
            for fieldname, value in filters:
                wanted = np.zeros(self.size, dtype=bool)
                wanted[self.term_postings(fieldname, value)[0]] = True
                mask &= wanted
            self._filters[filters] = mask
        return self._filters[filters]

    def empty(self) -> Matched:
        return Matched(np.zeros(self.size, dtype=bool), np.zeros(self.size))

    def term(self, fieldname: str, text: str, boost: float = 1.0, bm25: bool = True) -> Matched:
        """BM25F scores of a term, as Whoosh's BM25F scorer computes them; its posting weights
        alone (Whoosh's Frequency weighting) when bm25 is false."""
        matched = self.empty()
        ids, weights = self.term_postings(fieldname, text)
        if not len(ids):
            return matched
        field = self.searcher.schema[fieldname]
        matched.mask[ids] = True
        if not field.scorable or not bm25:
            matched.scores[ids] = weights * boost
            return matched
        frequency = self.reader.doc_frequency(fieldname, text)
        idf = math.log(self.size / (frequency + 1)) + 1
        average = (self.reader.field_length(fieldname) / (self.size or 1)) or 1
        lengths = self.lengths(fieldname)[ids]
        matched.scores[ids] = boost * idf * (weights * (_K1 + 1)) / (
            weights + _K1 * ((1 - _B) + _B * lengths / average))
        return matched

    def evaluate(self, node, bm25: bool = True) -> Matched:
        """The documents a parsed Whoosh query matches, with their scores; Unsupported otherwise.

        Scores are BM25F, or the posting weights alone when bm25 is false (see term).
        """
        boost = getattr(node, "boost", 1.0)
        if isinstance(node, query.Term):
            return self.term(node.fieldname, node.text, boost, bm25)
        if isinstance(node, query.Phrase):
            matched = self.phrase(node)
        elif isinstance(node, query.And):
            matched = self._combine(node.subqueries, np.logical_and, bm25)
        elif isinstance(node, query.Or) and not node.scale and node.minmatch <= 1:
            matched = self._combine(node.subqueries, np.logical_or, bm25)
        elif isinstance(node, query.AndNot):
            matched = self.evaluate(node.a, bm25)
            matched.mask &= ~self.evaluate(node.b, bm25).mask
        elif isinstance(node, query.AndMaybe):
            matched = self.evaluate(node.a, bm25)
            matched.scores += np.where(matched.mask, self.evaluate(node.b, bm25).scores, 0.0)
        elif isinstance(node, query.Require):
            matched = self.evaluate(node.a, bm25)
            matched.mask &= self.evaluate(node.b, bm25).mask
        elif node is query.NullQuery:
            return self.empty()
        else:
            raise Unsupported(type(node).__name__)
        if boost != 1.0:
            matched.scores *= boost
        return matched

    def _combine(self, nodes, join, bm25: bool) -> Matched:
        if not nodes:
            return self.empty()
        combined = None
        for node in nodes:
            part = self.evaluate(node, bm25)
            if combined is None:
                combined = part
            else:
                combined.mask = join(combined.mask, part.mask)
                combined.scores += part.scores
        return combined

    def phrase(self, node) -> Matched:
        """Documents with the words side by side, scored as the words together."""
        if node.slop != 1:
            raise Unsupported("phrase with slop")
        words = list(node.words)
        if len(words) == 1:
            return self.term(node.fieldname, words[0])
        if node.fieldname != CONTENT_FIELD:
            raise Unsupported("phrase outside the content field")
        mask = self.live.copy()
        for pair in word_pairs(words):
            found = np.zeros(self.size, dtype=bool)
            found[self.term_postings(PAIRS_FIELD, pair)[0]] = True
            mask &= found
        if len(words) > 2 and mask.any():
            mask = self._check_positions(words, mask)
        matched = self.empty()
        matched.mask = mask
        for word in words:
            matched.scores += self.term(CONTENT_FIELD, word).scores
        return matched

    def _check_positions(self, words, candidates) -> np.ndarray:
        """candidates narrowed to the documents where the words stand in a row."""
        checked = np.zeros(self.size, dtype=bool)
        docs = np.flatnonzero(candidates)
        for leaf, offset in self.leaves:
            local = docs[(docs >= offset) & (docs < offset + leaf.doc_count_all())] - offset
            if not len(local):
                continue
            matchers = [leaf.postings(CONTENT_FIELD, word) for word in words]
            for docnum in local.tolist():
                starts = None
                for index, matcher in enumerate(matchers):
                    if matcher.is_active():
                        matcher.skip_to(docnum)
                    if not matcher.is_active() or matcher.id() != docnum:
                        starts = set()
                        break
                    positions = {position - index for position in matcher.value_as("positions")}
                    starts = positions if starts is None else starts & positions
                    if not starts:
                        break
                if starts:
                    checked[offset + docnum] = True
        return checked

    def grouped(self, fieldname: str) -> np.ndarray:
        """Mask of the documents that have a value in the ID field `fieldname` (e.g. "group")."""
        key = ("has", fieldname)
        if key not in self._filters:
            mask = np.zeros(self.size, dtype=bool)
            for text in self.reader.lexicon(fieldname):
                mask[self.term_postings(fieldname, text.decode("utf-8") if isinstance(text, bytes) else text)[0]] = True
            self._filters[key] = mask
        return self._filters[key]

    def top(self, node, allowed: np.ndarray | None, limit: int, bm25: bool = True, apart=None):
        """(total, [(docnum, score), …] best first) of a query, within the allowed documents.

        Scores are BM25F × (1 + the document's boost); with bm25 false, the sums of the posting
        weights alone (the as-you-type field holds 1 + boost in its weights already). With an
        `apart` mask, the matches it holds are left out of the top and returned, all of them,
        as a third member: (total, top, [(docnum, score), …]); total still counts them.
        """
        matched = self.evaluate(node, bm25)
        mask = matched.mask & self.live
        if allowed is not None:
            mask &= allowed
        docs = np.flatnonzero(mask)
        total = len(docs)
        set_apart = []
        if apart is not None and total:
            kept = apart[docs]
            aside = docs[kept]
            aside_scores = matched.scores[aside] * self.boost_factor[aside] if bm25 else matched.scores[aside]
            set_apart = [(int(doc), float(score)) for doc, score in zip(aside, aside_scores)]
            docs = docs[~kept]
        if not len(docs):
            return (total, []) if apart is None else (total, [], set_apart)
        scores = matched.scores[docs] * self.boost_factor[docs] if bm25 else matched.scores[docs]
        if len(docs) > limit:
            best = np.argpartition(-scores, limit - 1)[:limit]
            docs, scores = docs[best], scores[best]
        order = np.lexsort((docs, -scores))  # best score first, then index order, as Whoosh
        ranked = [(int(docs[i]), float(scores[i])) for i in order]
        return (total, ranked) if apart is None else (total, ranked, set_apart)
