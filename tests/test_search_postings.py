"""The postings file a rebuild writes beside its segment (search/postings.py), mapped by every process."""

import os

import numpy as np
import pytest

from search import build
from search.engine import WhooshEngine
from search.index_store import MAPPED_FIELDS
from search.postings import FILE_SUFFIX, SegmentPostings
from search.vector import IndexArrays, SegmentCache, _decode_postings
from tests.test_search_vector import make_corpus

MIXED = [
    {"key": "article:901", "type": "article", "id": 901, "title": "ภาษาไทย สวัสดีครับ", "body": "รีเซ็ตเราเตอร์แล้วรอสองนาที",
     "category": "internet", "lang": "th", "tags": ["เราเตอร์"], "boost": 0.4},
    {"key": "question:902", "type": "question", "id": 902, "title": "مودم می‌شود قطع", "body": "الفاتورة ۱۲۳ شکایت",
     "category": "billing", "lang": "fa", "tags": ["مودم"], "boost": 1.5},
]


@pytest.fixture
def rebuilt(tmp_path):
    engine = WhooshEngine(tmp_path / "search")
    engine.rebuild(make_corpus(120) + MIXED)
    yield engine
    engine.close()


def only_leaf(engine):
    (leaf, _offset), = engine._get_searcher().reader().leaf_readers()
    return leaf


def postings_files(engine):
    return [name for name in os.listdir(engine.store.current_path()) if name.endswith(FILE_SUFFIX)]


def test_a_rebuild_maps_the_postings_whoosh_would_decode(rebuilt):
    leaf = only_leaf(rebuilt)
    mapped = SegmentCache().mapped(leaf)
    assert mapped is not None
    compared = 0
    for fieldname in MAPPED_FIELDS:
        for term in leaf.lexicon(fieldname):
            text = term.decode("utf-8")
            expected_ids, expected_weights = _decode_postings(leaf, fieldname, text)
            ids, weights = mapped.postings(fieldname, text)
            assert np.array_equal(ids, expected_ids), (fieldname, text)
            assert np.array_equal(weights, expected_weights), (fieldname, text)
            compared += 1
        assert mapped.postings(fieldname, "zz-no-such-term") is None
    assert compared > 500


def test_mapped_postings_are_read_from_the_file_not_copied_into_the_cache(rebuilt):
    cache = SegmentCache()
    arrays = IndexArrays(rebuilt._get_searcher(), cache)
    ids, _weights = arrays.term_postings("content", "modem")
    assert len(ids) > 0
    assert cache._held == 0 and not cache._postings
    leaf = only_leaf(rebuilt)
    assert not cache.postings(leaf, "content", "modem")[0].flags.writeable  # a view of the read-only map


def test_warm_up_decodes_nothing_the_postings_file_holds(rebuilt):
    rebuilt.warm_up()
    assert rebuilt._segments._held == 0 and not rebuilt._segments._postings


def test_an_unreadable_postings_file_is_left_aside_and_the_postings_decoded(rebuilt, tmp_path):
    expected = [(hit.key, hit.score) for hit in rebuilt.search("modem router", per_page=50).hits]
    rebuilt.close()
    path = os.path.join(rebuilt.store.current_path(), postings_files(rebuilt)[0])
    with open(path, "r+b") as damaged:
        damaged.write(b"not a postings file")
    reopened = WhooshEngine(rebuilt.index_dir)
    assert SegmentPostings.find(rebuilt.store.current_path(), postings_files(rebuilt)[0][:-len(FILE_SUFFIX)]) is None
    assert [(hit.key, hit.score) for hit in reopened.search("modem router", per_page=50).hits] == expected
    reopened.close()


def test_documents_written_after_the_rebuild_are_found_beside_the_mapped_ones(rebuilt):
    rebuilt.index_documents([{"key": "article:950", "type": "article", "id": 950, "title": "zebracorn modem",
                              "body": "fresh", "category": "billing", "lang": "en"}])
    rebuilt.remove_documents(["article:1"])
    keys = {hit.key for hit in rebuilt.search("modem", per_page=50).hits}
    assert "article:950" in keys and "article:1" not in keys
    assert rebuilt.search("zebracorn").total == 1


def test_whoosh_deletes_the_postings_file_with_its_segment(rebuilt):
    rebuilt.index_documents(make_corpus(5, seed=3))
    assert len(postings_files(rebuilt)) == 1
    ix = rebuilt.store.open(rebuilt.store.current_path())
    ix.writer(compound=False).commit(optimize=True)  # every segment merged into one new segment
    ix.close()
    assert postings_files(rebuilt) == []
    assert rebuilt.search("modem").total > 0


# -- rebuilds written by several processes (search/build.py)


def ranked(engine, text, **filters):
    """The page's scores best first, and the keys above the last score (ties there fall either way)."""
    hits = engine.search(text, per_page=50, **filters).hits
    scores = [round(hit.score, 4) for hit in hits]
    return scores, sorted(hit.key for hit, score in zip(hits, scores) if score > scores[-1])


@pytest.fixture(scope="module")
def built_both_ways(tmp_path_factory):
    """The same 200 documents rebuilt by one process and by three (each writing a segment)."""
    docs = make_corpus(200) + MIXED
    directory = tmp_path_factory.mktemp("parallel")
    alone = WhooshEngine(directory / "alone", build_processes=1)
    several = WhooshEngine(directory / "several", build_processes=3, parallel_from=50)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(build, "BATCH", 20)  # 11 batches, handed to the 3 processes in turn
        assert alone.rebuild(docs) == several.rebuild(docs) == len(docs)
    yield alone, several
    alone.close()
    several.close()


def test_a_rebuild_in_several_processes_writes_a_segment_and_postings_file_each(built_both_ways):
    _alone, several = built_both_ways
    leaves = [leaf for leaf, _offset in several._get_searcher().reader().leaf_readers()]
    assert len(leaves) == 3
    assert sum(leaf.doc_count_all() for leaf in leaves) == 202
    assert len(postings_files(several)) == 3
    assert not [name for name in os.listdir(several.store.current_path()) if name.startswith("part-")]


@pytest.mark.parametrize("text, filters", [
    ("modem", {}), ("reset password", {}), ('"reset modem"', {}), ("refnud", {}), ("สวัสดี", {}),
    ("مودم", {"lang": "fa"}), ("card", {"type": "question", "category": "billing"}),
])
def test_a_rebuild_in_several_processes_finds_and_ranks_as_one_process(built_both_ways, text, filters):
    alone, several = built_both_ways
    assert ranked(several, text, **filters) == ranked(alone, text, **filters)
    assert several.search(text, **filters).total == alone.search(text, **filters).total


@pytest.mark.parametrize("typed, key", [("สวัส", "article:901"), ("مود", "question:902"), ("modem ro", None)])
def test_a_rebuild_in_several_processes_suggests_as_one_process(built_both_ways, typed, key):
    alone, several = built_both_ways
    suggested = [suggestion.key for suggestion in several.suggest(typed, limit=20)]
    assert len(suggested) == len(alone.suggest(typed, limit=20)) > 0
    if key is not None:
        assert suggested == [suggestion.key for suggestion in alone.suggest(typed)] == [key]


def test_a_failing_process_fails_the_rebuild_and_the_live_index_stays(tmp_path, monkeypatch):
    engine = WhooshEngine(tmp_path / "search", build_processes=2, parallel_from=20)
    engine.rebuild(make_corpus(30))
    assert len(postings_files(engine)) == 1  # 30 documents: one batch, so one process got work
    live = engine.store.current_path()
    monkeypatch.setattr(build, "BATCH", 5)
    broken = make_corpus(60)
    # In the second batch, so the failing process still has batches coming when it fails.
    broken[5] = {"type": "article", "id": 5, "title": "no key"}  # document_fields raises KeyError
    with pytest.raises(RuntimeError, match="KeyError"):
        engine.rebuild(broken)
    assert engine.store.current_path() == live
    assert engine.search("modem").total > 0
    assert not [name for name in os.listdir(engine.index_dir) if name.startswith("building-")]
    engine.close()
