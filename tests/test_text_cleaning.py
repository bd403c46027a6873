"""One cleaning rule for text entering Knowhow (core/text.py)."""
import pytest

from core.text import UnstorableText, clean_line, clean_text, is_blank, unstorable_reason


@pytest.mark.parametrize("raw, stored", [
    ("Reset\x00 the router", "Reset the router"),
    ("line one\r\nline two\rthree", "line one\nline two\nthree"),
    ("tab\tstays\nnewline stays", "tab\tstays\nnewline stays"),
    ("bell\x07 and escape\x1b[31m gone\x7f", "bell and escape[31m gone"),
    ("\u200b\u200c\ufeff  \n", ""),
    ("می\u200cروم", "می\u200cروم"),
])
def test_clean_text_removes_controls_and_keeps_layout(raw, stored):
    assert clean_text(raw) == stored


@pytest.mark.parametrize("raw, stored", [
    ("  Modem\nreset\ttrick  ", "Modem reset trick"),
    ("\u202egro.wohwonk\u202c", "gro.wohwonk"),
    ("\u2067عنوان\u2069 title", "عنوان title"),
    ("\u200b\u200d\u2060", ""),
    ("\u00a0\u200bتنظیمات مودم\u200b", "تنظیمات مودم"),
    ("کتاب\u200cها", "کتاب\u200cها"),
])
def test_clean_line_makes_one_visible_line(raw, stored):
    assert clean_line(raw) == stored


@pytest.mark.parametrize("clean", [clean_text, clean_line])
def test_a_lone_surrogate_is_refused(clean):
    with pytest.raises(UnstorableText):
        clean("half a pair \ud83d here")


def test_none_stays_none():
    assert clean_text(None) is None and clean_line(None) is None


def test_blank_means_nothing_visible():
    assert is_blank("\u200c \u200b\ufeff")
    assert not is_blank("\u200cx")


@pytest.mark.parametrize("raw, refused", [("modem", False), ("mo\x00dem", True), ("\udc80", True),
                                          ("تنظیمات", False)])
def test_raw_values_with_nul_or_surrogates_have_a_reason(raw, refused):
    assert (unstorable_reason(raw) is not None) is refused
