"""Tests of the mixed-script analyzer shared by indexing and querying (search/analysis.py)."""

import pickle

import pytest

from search.analysis import (
    TITLE_START_MARK,
    exact_analyzer,
    normalize_text,
    segment_thai,
    split_words,
    stem_arabic,
    strip_persian_plural,
    text_analyzer,
    title_prefix_analyzer,
    title_prefix_terms,
)


def terms(text, analyzer=None):
    """Terms the stemmed analyzer (or the given one) produces for text."""
    return [token.text for token in (analyzer or text_analyzer())(text)]


@pytest.mark.parametrize("variants", [
    ("مشتري", "مشتری"),  # Arabic yeh typed on an Arabic keyboard for Persian yeh
    ("كارت", "کارت"),  # Arabic kaf for Persian kaf
    ("هدى", "هدی"),  # alef maksura
    ("أحمد", "إحمد", "احمد", "آحمد"),  # alef with hamza above/below, madda
    ("فاتورة", "فاتوره"),  # teh marbuta
    ("مسؤول", "مسوول"),  # waw with hamza
    ("رئيس", "رییس"),  # yeh with hamza
    ("می‌شود", "میشود", "می شود", "مي شود"),  # ZWNJ present, absent, a space; Arabic yeh
    ("نمی‌شود", "نمیشود", "نمی شود"),
    ("کتاب‌ها", "کتابها", "کتاب ها", "كتاب‌ها"),
    ("الْفَاتُورَةُ", "الفاتورة"),  # harakat
    ("الفـــاتورة", "الفاتورة"),  # tatweel
    ("الفاتورة", "فاتورة", "والفاتورة", "بالفاتورة", "فالفاتورة", "كالفاتورة"),  # article forms
    ("للعميل", "العميل", "عميل"),
    ("۴۰۴", "٤٠٤", "404"),  # Persian, Arabic-Indic and ASCII digits
    ("Café", "cafe", "CAFÉ"),  # case and accents
    ("refunds", "refunding", "refund", "Refunded"),  # English stemming
])
def test_variants_of_a_word_produce_the_same_terms(variants):
    expected = terms(variants[0])
    assert expected
    for variant in variants[1:]:
        assert terms(variant) == expected, variant


def test_exact_analyzer_normalises_but_does_not_stem():
    assert terms("REFUNDS كتاب‌ها الفاتورة", exact_analyzer()) == ["refunds", "کتابها", "الفاتوره"]


def test_english_stop_words_are_dropped_but_short_words_of_other_scripts_are_kept():
    assert terms("the refund of a card") == ["refund", "card"]
    assert terms("در این") == ["در", "این"]


def test_normalize_text_unifies_letters_and_digits_and_drops_control_characters():
    assert normalize_text("  مي\u200cشود\x00 KAFÉ ١٢ \t ك؟ ") == "میشود kafe 12 ک؟"


def test_normalize_text_keeps_quotes_and_operators_for_the_query_parser():
    assert normalize_text('"Refund Policy" -Card +fee') == '"refund policy" -card +fee'


@pytest.mark.parametrize("text", [
    "مي شود كتاب ها", "الْفـــاتُورَة ۱۲", "Café  x\x00y", "ﷺ ok", "การคืนเงินให้ลูกค้า",
])
def test_normalize_text_is_idempotent_so_queries_can_be_normalised_before_parsing(text):
    once = normalize_text(text)
    assert normalize_text(once) == once
    assert terms(once) == terms(text)


def test_word_offsets_point_at_the_original_characters():
    text = "قبل الْكِتَـــابُ بعد"
    # Whoosh reuses one Token object, so read each token as it comes.
    spans = [(token.text, text[token.startchar:token.endchar]) for token in text_analyzer()(text, chars=True)]
    assert spans == [("قبل", "قبل"), ("کتاب", "الْكِتَـــابُ"), ("بعد", "بعد")]


def test_joined_persian_word_spans_the_whole_typed_form():
    text = "این می شود"
    words = split_words(text)
    assert [(word.text, text[word.start:word.end]) for word in words] == [("این", "این"), ("میشود", "می شود")]


def test_thai_word_is_cut_out_of_a_sentence_without_spaces():
    text = "การคืนเงินให้ลูกค้าต้องทำภายในเจ็ดวัน"
    words = split_words(text)
    assert "ลูกค้า" in [word.text for word in words]
    assert all(text[word.start:word.end] == word.text for word in words)
    assert "".join(word.text for word in words) == text  # vowels and tone marks stay inside words


def test_thai_segmentation_of_a_repeated_run_comes_from_the_cache():
    run = "ระบบอินเทอร์เน็ตขัดข้องหลายวัน"
    segment_thai(run)
    hits_before = segment_thai.cache_info().hits
    segment_thai(run)
    assert segment_thai.cache_info().hits == hits_before + 1


def test_thai_digits_become_ascii_digits():
    assert terms("รหัส ๔๐๔") == ["รหัส", "404"]


@pytest.mark.parametrize("word", ["الف", "بالا", "الگو", "تنها", "ذات", "لله"])
def test_arabic_stemmer_keeps_short_and_persian_words_whole(word):
    assert stem_arabic(word) == word


@pytest.mark.parametrize("word, stem", [
    ("الحساب", "حساب"), ("والحساب", "حساب"), ("حسابات", "حساب"), ("کتابهای", "کتاب"), ("الحل", "حل"),
])
def test_arabic_stemmer_strips_article_and_plural(word, stem):
    assert stem_arabic(word) == stem


@pytest.mark.parametrize("factory", [text_analyzer, exact_analyzer, title_prefix_analyzer])
def test_analyzers_survive_pickling_as_the_index_schema_requires(factory):
    analyzer = factory()
    restored = pickle.loads(pickle.dumps(analyzer))
    sample = "How to refund الفاتورة می‌شود ลูกค้า"
    expected = [token.text for token in analyzer(sample, mode="index")]
    assert [token.text for token in restored(sample, mode="index")] == expected


def test_title_prefix_terms_cover_word_starts_and_mark_the_first_word():
    found = title_prefix_terms("Refund policy")
    assert {TITLE_START_MARK + "re", TITLE_START_MARK + "refund", "re", "refu", "pol", "policy"} <= found
    assert TITLE_START_MARK + "po" not in found
    assert "r" not in found  # one letter is too short to suggest anything


def test_title_prefix_terms_read_arabic_words_without_their_article():
    assert {"الفا", "فات", "فاتوره"} <= title_prefix_terms("الفاتورة")


def test_title_prefix_terms_read_thai_words_together_with_the_words_after_them():
    found = title_prefix_terms("การคืนเงิน")
    assert {"การคืน", "การคืนเงิน", "คืนเง"} <= found


@pytest.mark.parametrize("typed", ["کتابها", "کتابهای", "کتابهایی", "کتاب‌ها", "کتاب‌های", "کتاب‌هایی",
                                   "کتاب ها", "کتاب های", "کتاب هایی"])
def test_persian_plural_and_ezafe_forms_with_or_without_zwnj_index_as_the_bare_word(typed):
    assert terms(typed) == terms("کتاب") == ["کتاب"]


@pytest.mark.parametrize("typed", ["کتابها", "کتابهای", "کتابهایی"])
def test_strip_persian_plural_leaves_the_bare_word(typed):
    assert strip_persian_plural(typed) == "کتاب"


@pytest.mark.parametrize("word", ["تنها", "تنهایی", "انتها", "انتهای", "اشتها", "بها", "رها", "شاه", "کتاب"])
def test_words_that_merely_end_in_ha_are_not_stripped(word):
    assert strip_persian_plural(word) == word
    assert terms(word) == [word]
