"""Typo tolerance (issue 17): the Damerau distance, typos in the suggest box, and "did you mean"
only when it helps; against a real temporary index of the backend the suite runs with."""

import pytest

from search.distance import damerau_distance
from tests.factories_search import EnginePlace


def make_doc(number, title, body="", lang="en"):
    return {"key": f"article:{number}", "type": "article", "id": number, "title": title, "body": body,
            "category": "internet", "lang": lang, "tags": [], "boost": 0.0}


@pytest.fixture
def engine(tmp_path):
    place = EnginePlace(tmp_path)
    search_engine = place.open()
    search_engine.ensure_index()
    yield search_engine
    place.close()


def suggested(engine, typed):
    return [suggestion.title for suggestion in engine.suggest(typed)]


# --- the distance ----------------------------------------------------------------------------

@pytest.mark.parametrize("typed, meant, distance", [
    ("refund", "refund", 0),
    ("refnud", "refund", 1),  # two neighbours swapped: one edit, not two
    ("passwrod", "password", 1),
    ("ab", "ba", 1),
    ("custmer", "customer", 1),  # one dropped
    ("polisy", "policy", 1),  # one replaced
    ("csutomerr", "customer", 2),  # a swap and an extra letter
    ("ca", "abc", 3),  # optimal string alignment: a swapped pair is not edited again
    ("kitten", "sitting", 3),
    ("", "abc", 3),
    ("abc", "", 3),
    ("گذراوژه", "گذرواژه", 1),  # Persian, a swap
    ("รหัสผาน", "รหัสผ่าน", 1),  # Thai, a tone mark missing
])
def test_damerau_distance_counts_a_swap_of_neighbours_as_one_edit(typed, meant, distance):
    assert damerau_distance(typed, meant) == distance
    assert damerau_distance(meant, typed) == distance


def test_damerau_distance_stops_at_its_limit():
    assert damerau_distance("abcdefgh", "stuvwxyz", 2) == 3
    assert damerau_distance("short", "a much longer word", 1) == 2
    assert damerau_distance("refnud", "refund", 1) == 1


# --- typos in the suggest box ----------------------------------------------------------------

CORPUS = [
    make_doc(1, "Reset a password for a customer", "Open the account and reset the password."),
    make_doc(2, "Router lights", "The modem shows a red light."),
    make_doc(3, "Pass the call to billing", "When the customer asks about a bill."),
    make_doc(4, "بازنشانی گذرواژه مشتری", "گذرواژه را در صفحهٔ حساب عوض کنید.", "fa"),
    make_doc(5, "รีเซ็ตรหัสผ่านลูกค้า", "เปิดบัญชีแล้วรีเซ็ตรหัสผ่าน", "th"),
    make_doc(6, "کتاب راهنمای مودم", "راهنمای نصب مودم", "fa"),
]


@pytest.mark.parametrize("typed, title", [
    ("passwrod", "Reset a password for a customer"),  # a swap
    ("reset pasword", "Reset a password for a customer"),  # a letter dropped, after a good word
    ("routre", "Router lights"),
    ("گذراوژه", "بازنشانی گذرواژه مشتری"),  # Persian, a swap
    ("بازنشانی گذراوژه", "بازنشانی گذرواژه مشتری"),
    ("รหัสผาน", "รีเซ็ตรหัสผ่านลูกค้า"),  # Thai, a tone mark missing
    ("รีเซ็ตรหัสผาน", "รีเซ็ตรหัสผ่านลูกค้า"),  # typed together with the word before it
])
def test_a_typo_in_the_suggest_box_still_suggests_the_title(engine, typed, title):
    engine.index_documents(CORPUS)
    assert suggested(engine, typed) == [title]


@pytest.mark.parametrize("typed", ["کتابها", "کتابهای", "کتابهایی", "کتاب‌ها", "کتاب‌های", "کتاب‌هایی"])
def test_a_persian_plural_typed_in_the_suggest_box_finds_the_bare_word(engine, typed):
    engine.index_documents(CORPUS)
    assert suggested(engine, typed) == ["کتاب راهنمای مودم"]


def test_an_unfinished_word_is_not_corrected_to_a_shorter_one(engine):
    engine.index_documents(CORPUS)
    assert suggested(engine, "passw") == ["Reset a password for a customer"]


def test_typo_titles_are_not_added_when_the_prefix_finds_enough(engine):
    engine.index_documents([make_doc(1, "Modem lights"), make_doc(2, "Modem reset"), make_doc(3, "Modem cable"),
                            make_doc(4, "Madam and sir: greetings")])
    assert sorted(suggested(engine, "modem")) == ["Modem cable", "Modem lights", "Modem reset"]


def test_exact_titles_come_before_typo_titles(engine):
    engine.index_documents([make_doc(1, "Routes of the technicians"), make_doc(2, "Router lights")])
    # "route" is a word of a title: nothing to correct, and "router" starts with it anyway
    assert sorted(suggested(engine, "route")) == ["Router lights", "Routes of the technicians"]
    assert suggested(engine, "routre") == ["Router lights"]


# --- did you mean ----------------------------------------------------------------------------

SLOW = [make_doc(1, "کندی اینترنت در شب", "کندی سرعت در ساعت شلوغ", "fa"),
        make_doc(2, "اینترنت شب‌ها کند است", "علت کندی شبانه", "fa")] + [
    make_doc(number, "سرعت کند مودم %d" % number, "اینترنت کند است", "fa") for number in range(3, 9)]


def test_a_correctly_spelled_word_in_the_index_is_not_corrected(engine):
    engine.index_documents(SLOW)
    result = engine.search("کندی")
    assert result.suggestion is None
    assert sorted(hit.key for hit in result.hits) == ["article:1", "article:2"]  # not padded with کند


def test_a_true_persian_typo_is_corrected(engine):
    engine.index_documents(SLOW)
    result = engine.search("سرغت")
    assert result.suggestion == "سرعت"
    assert result.total == 7


def test_a_correction_that_finds_little_more_is_not_proposed_nor_padded_in(engine):
    engine.index_documents([make_doc(1, "Customers recieve a text")]
                           + [make_doc(number, "Customers receive a text") for number in (2, 3)])
    result = engine.search("recieve")
    assert (result.total, result.suggestion, [hit.key for hit in result.hits]) == (1, None, ["article:1"])


def test_a_correction_that_finds_clearly_more_is_proposed(engine):
    engine.index_documents([make_doc(1, "Customers recieve a text")]
                           + [make_doc(number, "Customers receive a text") for number in (2, 3, 4)])
    result = engine.search("recieve")
    assert (result.total, result.suggestion) == (4, "receive")


def test_a_long_word_with_a_swap_and_one_more_edit_is_corrected(engine):
    engine.index_documents([make_doc(1, "Customer refund policy", "Refunds are paid in seven days.")])
    result = engine.search("csutomerr")
    assert (result.suggestion, [hit.key for hit in result.hits]) == ("customer", ["article:1"])
