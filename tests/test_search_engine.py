"""Tests of the search engine against real temporary indexes (search/engine.py, query.py), on the
backend the suite runs with: Whoosh, or PostgreSQL (search/pg_engine.py) when TEST_DATABASE_URL is set."""

import os
import threading
import time
from contextlib import contextmanager

import pytest
from whoosh import index as whoosh_index

from search.engine import IndexBusy, IndexUnavailable, LockBusy, SearchResult
from tests.factories_search import EnginePlace, HeldWriteLock, corrupt_index, whoosh_only

LOCK_WAIT = 0.3


def make_doc(number, title, body="", type="article", category="billing", lang="en", boost=0.0, tags=()):
    """A search document as the application hands it to the engine."""
    return {"key": f"{type}:{number}", "type": type, "id": number, "title": title, "body": body,
            "category": category, "lang": lang, "tags": list(tags), "boost": boost}


@pytest.fixture
def place(tmp_path):
    """Where the test's index lives (a directory, or a schema of its own); gives engines on it."""
    index_place = EnginePlace(tmp_path)
    yield index_place
    index_place.close()


@pytest.fixture
def engine(place):
    """An engine on an empty index of its own."""
    search_engine = place.open(lock_wait=LOCK_WAIT)
    search_engine.ensure_index()
    return search_engine


@pytest.fixture
def nowhere(tmp_path):
    """A place where no index was ever made."""
    index_place = EnginePlace(tmp_path, "nowhere")
    yield index_place
    index_place.close()


def found_keys(engine, text, **filters):
    """Keys of the hits of a search, best first."""
    return [hit.key for hit in engine.search(text, **filters).hits]


DISTRACTOR = make_doc(99, "Router lights", "The modem shows a red light after a power cut.")


@pytest.mark.parametrize("title, body, lang, typed", [
    # Persian typed on an Arabic keyboard (ي and ك for ی and ک)
    ("مشکل کارت مشتری", "پرداخت با کارت انجام نمی‌شود", "fa", "كارت مشتري"),
    # ZWNJ present in the document, typed without it or with a space
    ("تمدید اشتراک", "این مشکل با تمدید حل می‌شود", "fa", "میشود"),
    ("تمدید اشتراک", "این مشکل با تمدید حل می‌شود", "fa", "می شود"),
    ("تمدید اشتراک", "این مشکل با تمدید حل میشود", "fa", "می‌شود"),
    ("گزارش", "کتاب‌ها را ببینید", "fa", "کتاب ها"),
    # Arabic with and without the article, and article prefixes
    ("الفاتورة الشهرية", "تصدر كل شهر", "ar", "فاتورة"),
    ("فاتورة شهرية", "تصدر كل شهر", "ar", "الفاتورة"),
    ("الفاتورة الشهرية", "تصدر كل شهر", "ar", "بالفاتوره"),
    # diacritics and tatweel in the document, and in the query
    ("رسوم", "الْفَاتُورَةُ الشَّهْرِيَّةُ", "ar", "الفاتورة"),
    ("رسوم", "الفاتورة الشهرية", "ar", "الْفـــاتُورَة"),
    # Persian and Arabic-Indic digits against ASCII
    ("خطای سرور", "کد خطای ۴۰۴ را ببینید", "fa", "404"),
    ("Server error", "Code 404 means not found", "en", "۴۰۴"),
    ("Server error", "Code 404 means not found", "en", "٤٠٤"),
    # a Thai word from the middle of a Thai sentence
    ("การคืนเงิน", "การคืนเงินให้ลูกค้าต้องทำภายในเจ็ดวันทำการ", "th", "ลูกค้า"),
    # an English stem
    ("Money back", "Refunding takes seven days", "en", "refunds"),
])
def test_typed_variant_finds_the_document(engine, title, body, lang, typed):
    engine.index_documents([make_doc(1, title, body, lang=lang), DISTRACTOR])
    assert found_keys(engine, typed) == ["article:1"]


@pytest.mark.parametrize("typed, meant", [
    ("refnud", "refund"),  # two neighbouring letters swapped: one edit
    ("custmer", "customer"),  # a letter missing
    ("polisy", "policy"),  # a letter wrong
    ("custoomerr", "customer"),  # two extra letters in a long word
])
def test_typo_finds_the_document_and_suggests_the_correction(engine, typed, meant):
    engine.index_documents([make_doc(1, "Customer refund policy", "Refunds are paid in seven days."),
                            DISTRACTOR])
    result = engine.search(typed)
    assert [hit.key for hit in result.hits] == ["article:1"]
    assert result.suggestion == meant


@pytest.mark.parametrize("typed, meant", [
    ("modam", "modem"),  # "modem" and "madam" are both one edit away; "modem" is commoner
    ("madm", "madam"),  # "madam" is one edit away, "modem" two
])
def test_suggestion_prefers_the_closer_then_the_commoner_spelling(engine, typed, meant):
    engine.index_documents([make_doc(1, "Modem lights", ""), make_doc(2, "Modem reset", ""),
                            make_doc(3, "Madam", "")])
    assert engine.search(typed).suggestion == meant


def test_rare_misspelling_in_the_index_is_corrected_towards_a_much_commoner_spelling(engine):
    engine.index_documents([make_doc(1, "Customers recieve a text", "")]
                           + [make_doc(number, "Customers receive a text", "") for number in (2, 3, 4)])
    result = engine.search("recieve")
    assert result.suggestion == "receive"
    assert result.total == 4


def test_did_you_mean_keeps_the_correct_words_of_the_query(engine):
    engine.index_documents([make_doc(1, "Customer refund policy", "Refunds are paid in seven days.")])
    assert engine.search("customer refnud").suggestion == "customer refund"


def test_word_found_through_its_stem_gets_no_suggestion(engine):
    engine.index_documents([make_doc(1, "Refunding customers", "")])
    result = engine.search("refunds")
    assert result.total == 1
    assert result.suggestion is None


def test_too_many_edits_find_nothing(engine):
    engine.index_documents([make_doc(1, "Customer refund policy", "")])
    result = engine.search("rfnudd")
    assert (result.total, result.suggestion) == (0, None)


def test_tags_are_searched(engine):
    engine.index_documents([make_doc(1, "Slow connection", "Restart the box.", tags=["wifi"]), DISTRACTOR])
    assert found_keys(engine, "wifi") == ["article:1"]


def test_all_words_must_match_when_some_document_has_them_all(engine):
    engine.index_documents([make_doc(1, "Router reset", "Hold the button"),
                            make_doc(2, "Router lights", "Red light means no signal")])
    assert found_keys(engine, "router reset") == ["article:1"]


def test_any_word_matches_when_no_document_has_them_all(engine):
    engine.index_documents([make_doc(1, "Router reset", "Hold the button"),
                            make_doc(2, "Invoice copy", "Download it from the portal")])
    assert sorted(found_keys(engine, "router invoice")) == ["article:1", "article:2"]


def test_quoted_phrase_matches_the_words_in_order(engine):
    engine.index_documents([make_doc(1, "Promise", "Tell the customer the time frame."),
                            make_doc(2, "Calls", "Frame the call in time for the customer.")])
    assert found_keys(engine, '"time frame"') == ["article:1"]
    assert sorted(found_keys(engine, "time frame")) == ["article:1", "article:2"]


def test_minus_excludes_a_word(engine):
    engine.index_documents([make_doc(1, "Router reset", ""), make_doc(2, "Router lights", "")])
    assert found_keys(engine, "router -reset") == ["article:2"]


@pytest.mark.parametrize("filters, expected", [
    ({"type": "question"}, ["question:2"]),
    ({"category": "internet"}, ["article:3"]),
    ({"lang": "fa"}, ["article:4"]),
    ({"type": "article", "category": "billing"}, ["article:1", "article:4"]),
    ({"category": "unknown"}, []),
])
def test_filters_restrict_results(engine, filters, expected):
    engine.index_documents([
        make_doc(1, "Modem refund", ""),
        make_doc(2, "Modem refund?", "", type="question"),
        make_doc(3, "Modem refund", "", category="internet"),
        make_doc(4, "Modem refund", "مودم", lang="fa"),
    ])
    assert sorted(found_keys(engine, "modem", **filters)) == expected


def test_title_match_ranks_above_body_match(engine):
    engine.index_documents([
        make_doc(1, "Billing questions", "Restart the router before anything else."),
        make_doc(2, "Router restart", "Before anything else, check the billing questions."),
    ])
    assert found_keys(engine, "router") == ["article:2", "article:1"]


@pytest.mark.parametrize("boosted", [1, 2])
def test_document_boost_lifts_an_otherwise_equal_document(engine, boosted):
    engine.index_documents([
        make_doc(number, "Router restart", "Hold the button.", boost=1.0 if number == boosted else 0.0)
        for number in (1, 2)
    ])
    result = engine.search("router")
    assert result.hits[0].key == f"article:{boosted}"
    assert result.hits[0].score == pytest.approx(2 * result.hits[1].score, rel=0.01)


@pytest.mark.parametrize("boosted", [1, 2])
def test_boost_applies_to_documents_written_at_different_times(engine, boosted):
    for number in (1, 2, 3):  # one segment each
        engine.index_documents([make_doc(number, "Router restart", "Hold the button.",
                                         boost=1.0 if number == boosted else 0.0)])
    assert found_keys(engine, "router")[0] == f"article:{boosted}"


def test_every_match_is_counted_and_ranked_when_boosts_differ(engine):
    # Whoosh's matcher pruning compares unboosted scores with boosted ones; it once dropped
    # the body-only matches here and miscounted.
    engine.index_documents(
        [make_doc(number, f"Router {number}", "Lights", boost=1.0 + number / 10) for number in range(1, 31)]
        + [make_doc(number, f"Lights {number}", "Check the router", boost=0.0) for number in range(31, 51)]
        + [make_doc(99, "Lights", "Check the router", boost=20.0)]
    )
    result = engine.search("router")
    assert result.total == 51
    assert result.hits[0].key == "article:99"


def test_snippet_escapes_html_and_marks_matches(engine):
    body = 'Never paste <script>alert("x")</script> to refund & close.'
    engine.index_documents([make_doc(1, "Scripts", body)])
    snippet = engine.search("refund").hits[0].snippet
    assert "<mark>refund</mark>" in snippet
    assert "&lt;script&gt;" in snippet and "&amp;" in snippet
    assert "<script>" not in snippet


@pytest.mark.parametrize("body, typed, marked", [
    ("قبل الْفَاتُورَةُ بعد", "فاتورة", "<mark>الْفَاتُورَةُ</mark>"),
    ("این مشکل حل می‌شود", "می شود", "<mark>می\u200cشود</mark>"),
    ("การคืนเงินให้ลูกค้าต้องทำภายในเจ็ดวัน", "ลูกค้า", "ให้<mark>ลูกค้า</mark>ต้อง"),
])
def test_snippet_marks_arabic_script_and_thai_words_as_written(engine, body, typed, marked):
    engine.index_documents([make_doc(1, "x", body)])
    assert marked in engine.search(typed).hits[0].snippet


def test_snippet_of_a_title_only_match_is_the_escaped_opening_of_the_body(engine):
    engine.index_documents([make_doc(1, "Router", "Use <b>care</b>. " + "More text. " * 40)])
    snippet = engine.search("router").hits[0].snippet
    assert snippet.startswith("Use &lt;b&gt;care&lt;/b&gt;.") and snippet.endswith("…")


@pytest.mark.parametrize("typed", [
    "", "   ", "x" * 10240, "router " * 2000, "*", "a*", "rout*", "?", "[a TO z]", "{a TO z}",
    "field:value", "title:x", "key:article:1", '"unbalanced', 'a "b', '"', '""', "((", "))",
    "(router", "router)", "router^5", "router~2", "/rou.*/", "\x00", "rou\x00ter", "\x1b[2J",
    "+", "-", "--router", "AND OR NOT", "router AND", "<script>", "%s %(x)s", "\u200c\u200f",
])
def test_hostile_query_never_raises(engine, typed):
    engine.index_documents([make_doc(1, "Router reset", "Hold the button")])
    result = engine.search(typed)
    assert isinstance(result, SearchResult)
    assert len(result.query) <= 200 and "\x00" not in result.query


@pytest.mark.parametrize("typed", ["category:billing", "type:article", "rout*", "[a TO z]", "key:article"])
def test_query_syntax_cannot_reach_other_fields_or_scan_terms(engine, typed):
    engine.index_documents([make_doc(1, "Router reset", "Hold the button")])
    assert engine.search(typed).total == 0


def test_field_syntax_is_searched_as_plain_words(engine):
    engine.index_documents([make_doc(1, "Router reset", "Hold the button"), make_doc(2, "Title page", "")])
    assert sorted(found_keys(engine, "title:router")) == ["article:1", "article:2"]


def test_empty_query_returns_an_empty_result(engine):
    engine.index_documents([make_doc(1, "Router reset", "")])
    result = engine.search("  \x00 ")
    assert (result.total, result.hits, result.suggestion) == (0, [], None)


@pytest.mark.parametrize("page, per_page, expected", [
    (10 ** 9, 10, (100, 10)), (1, 10 ** 6, (1, 50)), (-5, 0, (1, 1)), ("abc", None, (1, 10)),
])
def test_paging_is_clamped(engine, page, per_page, expected):
    engine.index_documents([make_doc(1, "Router reset", "")])
    result = engine.search("router", page=page, per_page=per_page)
    assert (result.page, result.per_page) == expected


def test_pages_split_the_results(engine):
    engine.index_documents([make_doc(number, f"Router {number}", "", boost=number / 10)
                            for number in range(1, 6)])
    first = engine.search("router", page=1, per_page=2)
    third = engine.search("router", page=3, per_page=2)
    assert first.total == third.total == 5
    assert [hit.key for hit in first.hits] == ["article:5", "article:4"]
    assert [hit.key for hit in third.hits] == ["article:1"]


def test_result_carries_what_the_api_needs(engine):
    engine.index_documents([make_doc(7, "Router reset", "Hold the button", type="question", lang="en")])
    result = engine.search("Router")
    hit = result.hits[0]
    assert (hit.key, hit.type, hit.id, hit.title, hit.category, hit.lang) == \
        ("question:7", "question", 7, "Router reset", "billing", "en")
    assert hit.score > 0 and result.took_ms >= 0 and result.query == "router"


def test_indexing_the_same_key_replaces_the_document(engine):
    engine.index_documents([make_doc(1, "Router reset", ""), make_doc(2, "Modem lights", "")])
    assert found_keys(engine, "router") == ["article:1"]  # the searcher now holds this segment
    engine.index_documents([make_doc(1, "Modem reset", "")])
    assert found_keys(engine, "router") == []
    assert sorted(found_keys(engine, "modem")) == ["article:1", "article:2"]


def test_removed_document_is_no_longer_found(engine):
    engine.index_documents([make_doc(1, "Router reset", ""), make_doc(2, "Router lights", "")])
    assert engine.search("router").total == 2
    engine.remove_documents(["article:1"])
    assert found_keys(engine, "router") == ["article:2"]


def test_new_document_is_found_next_to_documents_of_earlier_writes(engine):
    engine.index_documents([make_doc(1, "Router reset", "", boost=1.0)])
    assert engine.search("router").total == 1
    engine.index_documents([make_doc(2, "Router lights", "")])
    assert found_keys(engine, "router") == ["article:1", "article:2"]
    assert engine.search("reset").total == 1


def test_write_by_another_engine_is_seen_on_the_next_query(engine, place):
    engine.index_documents([make_doc(1, "Router reset", "")])
    assert engine.search("router").total == 1
    other_process = place.open()
    other_process.index_documents([make_doc(2, "Router lights", "")])
    assert engine.search("router").total == 2


DOCS = [
    make_doc(1, "Customer refund policy", "Refunds are paid in seven days.", boost=0.5),
    make_doc(2, "Router reset", "Hold the button for ten seconds; refund nothing."),
    make_doc(3, "الفاتورة الشهرية", "تصدر كل شهر", lang="ar"),
    make_doc(4, "การคืนเงิน", "การคืนเงินให้ลูกค้าต้องทำภายในเจ็ดวันทำการ", lang="th"),
    make_doc(5, "Late refund", "Escalate refunds older than ten days.", type="question"),
]
QUERIES = ["refund", "refnud", "ten days", '"seven days"', "فاتورة", "ลูกค้า", "router -refund"]


def results_of(engine):
    """What each query of QUERIES returns, comparable between engines."""
    return {text: (result.total, result.suggestion,
                   [(hit.key, hit.score, hit.snippet) for hit in result.hits])
            for text in QUERIES for result in [engine.search(text)]}


def test_rebuild_gives_the_same_results_as_incremental_indexing(engine, tmp_path):
    for doc in DOCS:
        engine.index_documents([doc])
    engine.index_documents([make_doc(6, "Temporary", "refund")])
    engine.remove_documents(["article:6"])
    other_place = EnginePlace(tmp_path, "rebuilt")
    try:
        rebuilt = other_place.open()
        assert rebuilt.rebuild(iter(DOCS)) == len(DOCS)
        incremental, from_scratch = results_of(engine), results_of(rebuilt)
    finally:
        other_place.close()
    for text in QUERIES:
        total, suggestion, hits = incremental[text]
        assert (total, suggestion) == from_scratch[text][:2], text
        assert [key for key, _score, _snippet in hits] == [key for key, _s, _n in from_scratch[text][2]], text
        assert [snippet for _key, _score, snippet in hits] == [n for _k, _s, n in from_scratch[text][2]], text


@whoosh_only("generations are directories of index files")
def test_rebuild_swaps_in_a_new_generation_while_the_engine_keeps_searching(engine):
    engine.index_documents([make_doc(1, "Router reset", "")])
    old_generation = os.path.realpath(os.path.join(engine.index_dir, "current"))
    assert engine.search("router").total == 1
    engine.rebuild([make_doc(2, "Modem lights", "")])
    assert os.path.realpath(os.path.join(engine.index_dir, "current")) != old_generation
    assert os.path.isdir(old_generation)  # kept for searches still running on it
    assert engine.search("router").total == 0
    assert found_keys(engine, "modem") == ["article:2"]


def test_rebuild_replaces_the_index_while_the_engine_keeps_searching(engine):
    engine.index_documents([make_doc(1, "Router reset", "")])
    assert engine.search("router").total == 1
    assert engine.rebuild([make_doc(2, "Modem lights", "")]) == 1
    assert engine.search("router").total == 0
    assert found_keys(engine, "modem") == ["article:2"]
    assert engine.stored_documents() == {"article:2": ("Modem lights", "billing", "en")}


@whoosh_only("generations are directories of index files")
def test_rebuild_keeps_only_the_current_and_the_previous_generation(engine):
    for number in range(3):
        engine.rebuild([make_doc(number, "Router", "")])
    generations = [name for name in os.listdir(engine.index_dir) if name.startswith("gen-")]
    assert len(generations) == 2


@contextmanager
def rebuild_under_way(engine, doc):
    """A rebuild in a thread, stopped after reading `doc` for the block's duration, then finished."""
    started, finish = threading.Event(), threading.Event()

    def slow_source():
        yield doc
        started.set()
        finish.wait(10)

    rebuild = threading.Thread(target=engine.rebuild, args=(slow_source(),))
    rebuild.start()
    try:
        assert started.wait(10)
        yield
    finally:
        finish.set()
        rebuild.join(10)


def test_write_during_a_rebuild_is_refused_rather_than_lost(engine, place):
    engine.index_documents([make_doc(1, "Router reset", "")])
    with rebuild_under_way(engine, make_doc(1, "Router reset", "")):
        with pytest.raises(IndexBusy):  # it would have landed in the generation being replaced
            other_process = place.open(lock_wait=LOCK_WAIT)
            other_process.index_documents([make_doc(2, "Router lights", "")])
    assert found_keys(engine, "router") == ["article:1"]


def test_searches_find_the_old_documents_until_a_rebuild_is_complete(engine, place):
    engine.index_documents([make_doc(1, "Router reset", "")])
    with rebuild_under_way(engine, make_doc(2, "Modem lights", "")):
        other_process = place.open()
        assert found_keys(other_process, "router") == ["article:1"]
        assert found_keys(other_process, "modem") == []
        assert [suggestion.key for suggestion in other_process.suggest("rou")] == ["article:1"]
    assert found_keys(engine, "router") == []
    assert found_keys(engine, "modem") == ["article:2"]


def test_apply_changes_reads_only_once_it_holds_the_write_lock(engine):
    engine.index_documents([make_doc(1, "Router reset", "")])
    other_writer = HeldWriteLock(engine)
    read_at, released_at = [], []

    def load():  # what a worker reads from the database
        read_at.append(time.monotonic())
        return [make_doc(1, "Router lights", "")], ["article:2"]

    def release_later():
        time.sleep(0.2)
        released_at.append(time.monotonic())
        other_writer.release()

    releaser = threading.Thread(target=release_later)
    releaser.start()
    try:
        assert engine.apply_changes(load) == (1, 1)
    finally:
        releaser.join(10)
    assert len(read_at) == 1 and read_at[0] >= released_at[0]
    assert found_keys(engine, "lights") == ["article:1"]


def test_apply_changes_does_not_read_when_the_index_stays_busy(engine):
    other_writer = HeldWriteLock(engine)
    try:
        with pytest.raises(IndexBusy):
            engine.apply_changes(lambda: pytest.fail("read although the index was busy"))
    finally:
        other_writer.release()


def test_failed_rebuild_leaves_the_old_index_in_place(engine):
    engine.index_documents([make_doc(1, "Router reset", "")])

    def broken_source():
        yield make_doc(2, "Modem", "")
        raise RuntimeError("database went away")

    with pytest.raises(RuntimeError):
        engine.rebuild(broken_source())
    assert found_keys(engine, "router") == ["article:1"]
    assert engine.stored_documents() == {"article:1": ("Router reset", "billing", "en")}
    if hasattr(engine, "index_dir"):
        assert not [name for name in os.listdir(engine.index_dir) if name.startswith("building-")]


@pytest.fixture
def held_writer(engine):
    """The index's write lock, held as another process would hold it."""
    writer = HeldWriteLock(engine)
    yield writer
    writer.release()


@pytest.mark.parametrize("write", [
    lambda engine: engine.index_documents([make_doc(1, "Router", "")]),
    lambda engine: engine.remove_documents(["article:1"]),
    lambda engine: engine.rebuild([make_doc(1, "Router", "")]),
])
def test_busy_writer_lock_waits_a_bounded_time_then_raises_index_busy(engine, held_writer, write):
    started = time.monotonic()
    with pytest.raises(IndexBusy):
        write(engine)
    assert LOCK_WAIT <= time.monotonic() - started < LOCK_WAIT + 2


def test_write_succeeds_once_the_lock_is_released(engine, held_writer):
    with pytest.raises(IndexBusy):
        engine.index_documents([make_doc(1, "Router", "")])
    held_writer.release()
    engine.index_documents([make_doc(1, "Router", "")])
    assert found_keys(engine, "router") == ["article:1"]


def test_missing_index_is_reported_unavailable(nowhere):
    engine = nowhere.open()
    with pytest.raises(IndexUnavailable):
        engine.search("router")
    health = engine.health()
    assert not health.available and health.error


def test_warm_up_tolerates_a_missing_index(nowhere):
    engine = nowhere.open()
    engine.warm_up()
    assert not engine.health().available


def test_ensure_index_creates_an_empty_searchable_index(nowhere):
    engine = nowhere.open()
    assert engine.ensure_index() is True
    assert engine.ensure_index() is False
    assert engine.search("router").total == 0
    assert engine.health().available and engine.health().doc_count == 0


def test_corrupt_index_is_reported_unavailable_until_recreated(engine):
    engine.index_documents([make_doc(1, "Router", "")])
    corrupt_index(engine)
    with pytest.raises(IndexUnavailable):
        engine.search("router")
    assert not engine.health().available
    assert engine.ensure_index() is True
    assert engine.health().available


@whoosh_only("the format is a file in each generation")
def test_index_of_an_older_format_is_unavailable_until_rebuilt(engine):
    engine.index_documents([make_doc(1, "Router reset", "Hold the button")])
    engine.close()
    current = os.path.realpath(os.path.join(engine.index_dir, "current"))
    os.remove(os.path.join(current, "knowhow-format"))  # as written before formats were
    with pytest.raises(IndexUnavailable, match="another version"):
        engine.search("router")
    assert not engine.health().available
    assert engine.rebuild([make_doc(1, "Router reset", "Hold the button")]) == 1
    assert found_keys(engine, '"router reset"') == ["article:1"]


def test_writes_to_a_missing_index_raise_index_unavailable(nowhere):
    with pytest.raises(IndexUnavailable):
        nowhere.open().index_documents([make_doc(1, "Router", "")])


def titles(suggestions):
    """Titles of as-you-type suggestions."""
    return [suggestion.title for suggestion in suggestions]


SUGGEST_DOCS = [
    make_doc(1, "How to refund a customer", ""),
    make_doc(2, "Refund policy", ""),
    make_doc(3, "Router lights", ""),
    make_doc(4, "مشکل کارت مشتری", "", lang="fa"),
    make_doc(5, "الفاتورة الشهرية", "", lang="ar"),
    make_doc(6, "คืนเงินลูกค้าล่าช้า", "", lang="th"),
]


@pytest.mark.parametrize("typed, expected", [
    ("ref", ["Refund policy", "How to refund a customer"]),  # titles starting with it first
    ("how to re", ["How to refund a customer"]),
    ("rou", ["Router lights"]),
    ("كارت مش", ["مشکل کارت مشتری"]),  # Arabic keyboard for Persian
    ("فاتو", ["الفاتورة الشهرية"]),  # without the article
    ("الشه", ["الفاتورة الشهرية"]),
    ("ลูกค", ["คืนเงินลูกค้าล่าช้า"]),  # Thai, from the middle of the title
    ("คืนเงินลูก", ["คืนเงินลูกค้าล่าช้า"]),  # Thai, across a word boundary
    ("r", []),
    ("", []),
    ("zzz", []),
])
def test_suggest_matches_title_prefixes(engine, typed, expected):
    engine.index_documents(SUGGEST_DOCS)
    assert titles(engine.suggest(typed)) == expected


@pytest.mark.parametrize("boosted", [1, 2])
def test_suggest_puts_the_boosted_title_first(engine, boosted):
    engine.index_documents([make_doc(number, f"Router model {number}", "",
                                     boost=1.0 if number == boosted else 0.0) for number in (1, 2)])
    assert titles(engine.suggest("rou"))[0] == f"Router model {boosted}"


def test_suggest_returns_at_most_limit_titles(engine):
    engine.index_documents([make_doc(number, f"Router model {number}", "") for number in range(30)])
    assert len(engine.suggest("router", limit=5)) == 5
    assert len(engine.suggest("router", limit=10 ** 6)) == 20


def test_suggestion_carries_key_type_and_id(engine):
    engine.index_documents([make_doc(7, "Router lights", "", type="question")])
    suggestion = engine.suggest("rou")[0]
    assert (suggestion.key, suggestion.type, suggestion.id) == ("question:7", "question", 7)


def test_stored_documents_are_what_the_index_holds(engine):
    engine.index_documents([make_doc(1, "Router reset", "", category="internet"),
                            make_doc(2, "مشکل کارت", "", lang="fa"), make_doc(3, "Modem", "")])
    engine.remove_documents(["article:3"])
    engine.index_documents([make_doc(1, "Router lights", "", category="internet")])
    assert engine.stored_documents() == {"article:1": ("Router lights", "internet", "en"),
                                         "article:2": ("مشکل کارت", "billing", "fa")}


def test_a_lock_held_by_one_engine_is_busy_for_another(engine, place):
    other_process = place.open()
    with engine.lock("rebuild"):
        with pytest.raises(LockBusy):
            with other_process.lock("rebuild", wait=False):
                pytest.fail("both held the lock")
        with other_process.lock("gate", wait=False):  # another name is another lock
            pass
    with other_process.lock("rebuild", wait=False):  # released when the block ended
        pass


def test_shared_holders_exclude_an_exclusive_one(engine, place):
    other_process = place.open()
    with engine.lock("gate", shared=True), other_process.lock("gate", shared=True, wait=False):
        with pytest.raises(LockBusy):
            with place.open().lock("gate", wait=False):
                pass
    with engine.lock("gate", wait=False):
        with pytest.raises(LockBusy):
            with other_process.lock("gate", shared=True, wait=False):
                pass


def test_a_lock_is_released_when_its_block_raises(engine, place):
    with pytest.raises(RuntimeError), engine.lock("apply"):
        raise RuntimeError("the holder failed")
    with place.open().lock("apply", wait=False):
        pass


def test_a_waiting_lock_is_taken_once_released(engine, place):
    taken, release = threading.Event(), threading.Event()

    def hold():
        with engine.lock("rebuild"):
            taken.set()
            release.wait(10)

    holder = threading.Thread(target=hold)
    holder.start()
    try:
        assert taken.wait(10)
        threading.Timer(0.2, release.set).start()
        with place.open().lock("rebuild"):  # waits for the holder
            assert release.is_set()
    finally:
        release.set()
        holder.join(10)


@whoosh_only("segments are files another process's merge deletes")
def test_a_query_whose_segments_another_process_merges_away_meanwhile_is_answered(place, monkeypatch):
    import search.engine as engine_module

    engine = place.open(lock_wait=LOCK_WAIT)
    engine.ensure_index()
    for number in range(1, 4):  # three commits: three segments, each with its own files
        engine.index_documents([make_doc(number, "Card declined %d" % number)])
    engine.close()  # the query below opens its segments afresh
    real_find_matches = engine_module.find_matches
    merged = []

    def find_then_merge(*args, **kwargs):
        found = real_find_matches(*args, **kwargs)
        if not merged:  # another process merges every segment into one, deleting their files
            other = whoosh_index.open_dir(os.path.join(engine.index_dir, "current")).writer()
            other.add_document(**engine_module.document_fields(make_doc(9, "Router lights")))
            other.commit(optimize=True)
            merged.append(True)
        return found

    monkeypatch.setattr(engine_module, "find_matches", find_then_merge)
    result = engine.search("declined")
    assert merged and sorted(hit.key for hit in result.hits) == ["article:1", "article:2", "article:3"]
