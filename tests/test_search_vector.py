"""The numpy ranking (search/vector.py) against Whoosh's own on the same index and queries.

Both must match the same documents, count them alike and score them alike (BM25F × (1 + boost)),
over several segments with deleted documents, with filters, phrases, +/- words and corrections.
"""

import random

import numpy as np
import pytest
from whoosh import query
from whoosh.idsets import BitSet

from search.analysis import text_analyzer
from search.engine import WhooshEngine
from search.query import collect_top, make_parsers, parse_query, with_title_bonus
from search.vector import IndexArrays, SegmentCache, Unsupported, word_pairs
from tests.factories_search import whoosh_only

pytestmark = whoosh_only("the numpy ranking works on Whoosh's posting lists")

WORDS = ("modem router refund invoice card reset password fibre outage signal roaming charge "
         "credit voucher delivery upgrade cancel contract customer payment").split()
LANGS = ("en", "fa")
CATEGORIES = ("billing", "internet")


def make_corpus(count, seed=11):
    rng = random.Random(seed)
    docs = []
    for number in range(1, count + 1):
        docs.append({
            "key": f"article:{number}", "type": "article" if number % 3 else "question", "id": number,
            "title": " ".join(rng.choices(WORDS, k=rng.randint(2, 5))),
            "body": " ".join(rng.choices(WORDS + ["the", "a", "of"], k=rng.randint(5, 40))),
            "category": rng.choice(CATEGORIES), "lang": rng.choice(LANGS), "tags": [rng.choice(WORDS)],
            "boost": rng.choice((0.0, 0.1, 0.35, 0.8)),
        })
    return docs


@pytest.fixture(scope="module", params=["written", "rebuilt"])
def engine(tmp_path_factory, request):
    """An index of 300 documents in several segments, some replaced or removed: written in four
    commits, or rebuilt (one segment with its postings file, postings.py) and then written to."""
    search_engine = WhooshEngine(tmp_path_factory.mktemp("vector") / "search")
    search_engine.ensure_index()
    docs = make_corpus(300)
    if request.param == "rebuilt":
        search_engine.rebuild(docs[:225])
        search_engine.index_documents(docs[225:])
    else:
        for start in range(0, 300, 75):
            search_engine.index_documents(docs[start:start + 75])
    changed = [dict(doc, title=doc["title"] + " reset modem", boost=0.5) for doc in docs[10:40]]
    search_engine.index_documents(changed)
    search_engine.remove_documents([doc["key"] for doc in docs[50:70]])
    yield search_engine
    search_engine.close()


@pytest.fixture
def arrays(engine):
    searcher = engine._get_searcher()
    assert len(list(searcher.reader().leaf_readers())) > 1, "the test needs several segments"
    return IndexArrays(searcher, SegmentCache())


def whoosh_top(engine, arrays, wanted, allowed, limit):
    allowed_set = None if allowed is None else BitSet(np.flatnonzero(allowed).tolist(), size=arrays.size)
    ranked = collect_top(engine._get_searcher(), wanted, allowed_set, limit)
    return ranked.total, ranked.top


def assert_same_ranking(engine, arrays, wanted, allowed=None, limit=300):
    total, top = arrays.top(wanted, allowed, limit)
    expected_total, expected_top = whoosh_top(engine, arrays, wanted, allowed, limit)
    assert total == expected_total
    assert dict(top).keys() == dict(expected_top).keys()
    for docnum, score in expected_top:
        assert dict(top)[docnum] == pytest.approx(score, rel=1e-5)
    scores = [score for _docnum, score in top]
    assert scores == sorted(scores, reverse=True)
    return total


@pytest.mark.parametrize("text", [
    "modem", "modem router", "reset password card", "+invoice fibre", "\"reset modem\"",
    "\"reset the modem\"", "\"card reset password\"", "\"modem router refund invoice\"", "nothingsuch",
    "modem nothingsuch",
])
@pytest.mark.parametrize("group", ["and", "or"])
def test_parsed_queries_rank_as_whoosh_ranks_them(engine, arrays, text, group):
    parser = make_parsers(engine.store.schema)[0 if group == "and" else 1]
    parsed = parse_query(parser, text)
    assert_same_ranking(engine, arrays, with_title_bonus(parsed))


def test_filters_and_corrections_rank_as_whoosh(engine, arrays):
    allowed = arrays.filter_mask((("lang", "fa"), ("type", "article")))
    assert 0 < allowed.sum() < arrays.live.sum()
    corrected = query.And([
        query.Or([query.Term("content", "modem"), query.Term("spelling", "router", boost=0.6)]),
        query.Or([query.Term("content", "card"), query.Term("spelling", "charge", boost=0.3)]),
    ])
    assert assert_same_ranking(engine, arrays, with_title_bonus(corrected), allowed) > 0
    assert assert_same_ranking(engine, arrays, query.Term("content", "refund"), allowed, limit=5) > 5


def content_words(doc):
    return [token.text for text in (doc["title"], doc["body"], " ".join(doc["tags"]))
            for token in text_analyzer()(text)]


def test_a_minus_word_excludes_every_document_holding_it(engine, arrays):
    # Whoosh's own AndNot lets through documents of later segments holding the word, so the
    # expected documents are counted from the texts.
    live = {doc["key"]: doc for doc in make_corpus(300) if not 51 <= doc["id"] <= 70}
    live.update({doc["key"]: dict(doc, title=doc["title"] + " reset modem") for doc in make_corpus(300)[10:40]})
    expected = {key for key, doc in live.items()
                if "refund" in content_words(doc) and "modem" not in content_words(doc)}
    parsed = parse_query(make_parsers(engine.store.schema)[0], "refund -modem")
    total, top = arrays.top(with_title_bonus(parsed), None, 300)
    searcher = engine._get_searcher()
    assert {searcher.stored_fields(docnum)["key"] for docnum, _score in top} == expected
    assert total == len(expected) > 10


def test_deleted_and_replaced_documents_are_not_matched(engine, arrays):
    total, top = arrays.top(query.Term("content", "modem"), None, 1000)
    keys = {engine._get_searcher().stored_fields(docnum)["key"] for docnum, _score in top}
    assert not keys & {f"article:{number}" for number in range(51, 71)}
    assert total == len(keys) == len(top)


def test_a_phrase_needs_its_words_side_by_side(engine, arrays):
    parser = make_parsers(engine.store.schema)[0]
    phrase_total = assert_same_ranking(engine, arrays, parse_query(parser, "\"reset modem\""))
    words_total = assert_same_ranking(engine, arrays, parse_query(parser, "reset modem"))
    assert 30 <= phrase_total < words_total  # the 30 replaced titles end with "reset modem"


def test_word_pairs_are_the_neighbours():
    assert word_pairs(["reset", "modem", "now"]) == ["reset modem", "modem now"]
    assert word_pairs(["alone"]) == []


def test_unknown_query_nodes_are_left_to_whoosh(engine, arrays):
    with pytest.raises(Unsupported):
        arrays.top(query.Prefix("content", "mod"), None, 10)


def test_an_empty_filter_matches_nothing(engine):
    result = engine.search("modem", lang="ar")
    assert result.total == 0 and result.hits == []


def test_the_postings_cache_stays_within_its_budget(engine):
    searcher = engine._get_searcher()
    cache = SegmentCache(budget=200)
    arrays = IndexArrays(searcher, cache)
    for word in WORDS:
        arrays.term("content", word)
    assert 0 < cache._held <= 200
    total, _top = arrays.top(query.Term("content", "modem"), None, 10)
    assert total == IndexArrays(searcher, SegmentCache()).top(query.Term("content", "modem"), None, 10)[0]


def test_commonest_terms_come_first_within_the_postings_asked_for(engine, arrays):
    reader = engine._get_searcher().reader()
    chosen = arrays.commonest_terms(("content", "title"), 400)
    frequencies = [reader.doc_frequency(fieldname, text) for fieldname, text in chosen]
    assert chosen and sum(frequencies) <= 400
    assert frequencies == sorted(frequencies, reverse=True)
    left_out = {(fieldname, text) for fieldname in ("content", "title")
                for text in reader.field_terms(fieldname)} - set(chosen)
    assert max(reader.doc_frequency(fieldname, text) for fieldname, text in left_out) <= frequencies[-1]


def test_warm_up_decodes_the_commonest_postings(tmp_path):
    warm = WhooshEngine(tmp_path / "search")
    warm.ensure_index()
    warm.index_documents(make_corpus(60))
    warm.warm_up()
    assert warm._segments._held > 0
    searcher = warm._get_searcher()
    fieldname, text = IndexArrays(searcher, SegmentCache()).commonest_terms(("content",), 10 ** 6)[0]
    leaf = next(leaf for leaf, _offset in searcher.reader().leaf_readers())
    assert (leaf.segment().segment_id(), fieldname, text) in warm._segments._postings
    warm.close()


@pytest.mark.parametrize("typed", ["mo", "re", "modem ro", "card reset pa", "zz"])
def test_as_you_type_ranks_as_whoosh_frequency_weighting(engine, arrays, typed):
    from whoosh import scoring
    from whoosh.searching import Searcher

    from search.query import suggest_query

    lookup = suggest_query(typed)
    by_weight = Searcher(engine._get_searcher().reader(), weighting=scoring.Frequency(), closereader=False)
    expected = [(hit.docnum, hit.score) for hit in by_weight.search(lookup, limit=None)]
    total, top = arrays.top(lookup, None, 1000, bm25=False)
    assert total == len(expected)
    assert dict(top).keys() == dict(expected).keys()
    for docnum, score in expected:
        assert dict(top)[docnum] == pytest.approx(score, rel=1e-5)
