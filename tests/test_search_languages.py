"""The documented ways of typing a word find the article, through the app: kb services, commit, API."""
import pytest

from tests.factories_search import found, publish_all, search_api

# Search results come from the index, which the sync fills from what was committed.
pytestmark = pytest.mark.committed

DISTRACTOR = ("Router lights", "The modem shows a red light after a power cut.")


@pytest.mark.parametrize("title, body, lang, typed", [
    # Persian typed on an Arabic keyboard: ي and ك instead of ی and ک
    ("پیگیری شکایت مشتری", "شکایت در سامانه ثبت شد", "fa", "شكايت مشتري"),
    # the zero-width non-joiner: in the article, typed without it, or as a space
    ("ری‌استارت مودم", "مودم بعد از قطعی برق روشن نمی‌شود", "fa", "نمیشود"),
    ("ری‌استارت مودم", "مودم بعد از قطعی برق روشن نمی‌شود", "fa", "نمی شود"),
    ("ری‌استارت مودم", "اتصال برقرار نمیشود", "fa", "نمی‌شود"),
    # the Arabic article ال: typed without it, with it, and with a prefix
    ("الاشتراك الشهري", "يتجدد كل شهر", "ar", "اشتراك"),
    ("رصيد الحساب", "يظهر رصيد العميل", "ar", "الرصيد"),
    ("الاشتراك الشهري", "يتجدد كل شهر", "ar", "بالاشتراك"),
    # diacritics (harakat) in the article, and in the query
    ("تجديد الخدمة", "تَجْدِيدُ الاشْتِرَاكِ تلقائي", "ar", "تجديد"),
    ("تجديد الخدمة", "تجديد الاشتراك تلقائي", "ar", "تَجْدِيد"),
    # Persian and Arabic-Indic digits against ASCII digits, both ways
    ("خطای درگاه", "کد خطای ۵۰۳ یعنی درگاه پاسخ نمی‌دهد", "fa", "503"),
    ("Checkout error", "Error 503 on checkout means the gateway is down.", "en", "۵۰۳"),
    ("Checkout error", "Error 503 on checkout means the gateway is down.", "en", "٥٠٣"),
    # a Thai word from the middle of a Thai sentence written without spaces
    ("ยกเลิกสัญญา", "ลูกค้าต้องการยกเลิกสัญญาภายในสามสิบวัน", "th", "ต้องการ"),
    # English stemming
    ("Roaming charges", "The customer was charged for roaming abroad.", "en", "charging"),
])
def test_typed_variant_finds_the_article(app, client, title, body, lang, typed):
    headers, (_distractor, wanted) = publish_all(app, DISTRACTOR, (title, body, lang))
    assert found(client, headers, typed) == [("article", wanted)]


@pytest.mark.parametrize("typed, meant", [
    ("refnud", "refund"),  # two neighbouring letters swapped
    ("custmer", "customer"),  # a letter missing
])
def test_english_word_with_one_typo_finds_the_article_and_suggests_the_spelling(app, client, typed, meant):
    headers, (_distractor, wanted) = publish_all(
        app, DISTRACTOR, ("Customer refund policy", "Refunds are paid within seven days."))
    body = search_api(client, headers, typed)
    assert [(result["type"], result["id"]) for result in body["results"]] == [("article", wanted)]
    assert body["suggestion"] == meant


def test_quoted_phrase_matches_only_the_words_in_that_order(app, client):
    headers, (promise, calls) = publish_all(
        app, ("Customer promises", "Tell the customer the time frame and the cost."),
        ("Phone calls", "Frame the call in time for the customer."))
    assert found(client, headers, '"time frame"') == [("article", promise)]
    assert sorted(found(client, headers, "time frame")) == [("article", promise), ("article", calls)]


def test_snippet_marks_the_word_as_the_author_wrote_it(app, client):
    headers, _ids = publish_all(app, DISTRACTOR, ("رسوم الخدمة", "قبل الْفَاتُورَةُ بعد", "ar"))
    snippet = search_api(client, headers, "فاتورة")["results"][0]["snippet"]
    assert "<mark>الْفَاتُورَةُ</mark>" in snippet
