"""Finding an article during a call, in a real browser: the keyboard search journey, and an
agent's journey in Persian (right to left) and in Thai."""
import pytest

from accounts.services import get_user
from extensions import db
from kb import services
from tests.factories import make_user
from tests.factories_kb import make_category

ARTICLES = {
    "en": ("Modem DSL light blinking", "## Steps to resolve\n\n1. Restart the modem.\n"),
    "fa": ("چراغ اینترنت مودم قرمز است",
           "## مراحل حل مشکل\n\n۱. مودم را خاموش و روشن کنید.\n۲. کابل تلفن را بررسی کنید.\n"),
    "th": ("ลูกค้าต้องการยกเลิกสัญญา",
           "## ขั้นตอน\n\n1. ตรวจสอบวันที่เริ่มสัญญา\n2. แจ้งค่าธรรมเนียมการยกเลิก\n"),
}


@pytest.fixture(scope="module")
def module_data(live_app):
    """A lead who publishes one article in each of English, Persian and Thai, and one agent
    for each of those interface languages."""
    with live_app.app_context():
        lead = make_user("leila", role="lead")
        make_user("james", locale="en")
        make_user("sara", locale="fa")
        make_user("nok", locale="th")
        make_category("internet")
        for lang, (title, body) in ARTICLES.items():
            article = services.create_article(get_user("james"), title, body, "internet", lang=lang)
            services.submit_for_review(article, get_user("james"))
            services.publish_article(article, lead)
            db.session.commit()
        db.session.remove()
    return ARTICLES


def test_keyboard_search_opens_the_first_suggestion(server, sign_in, page):
    sign_in(page, "james")
    page.keyboard.press("/")
    search = page.locator("#site-search")
    assert search.evaluate("box => box === document.activeElement")
    page.keyboard.type("modem")
    first = page.locator("#site-search-suggestions [role=option]").first
    first.wait_for()
    assert "Modem DSL light blinking" in first.inner_text()
    page.keyboard.press("ArrowDown")
    assert first.get_attribute("aria-selected") == "true"
    assert search.get_attribute("aria-activedescendant") == first.get_attribute("id")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.locator("h1").inner_text() == "Modem DSL light blinking"


@pytest.mark.parametrize("typed, lang", [("modme", "en"), ("مودن", "fa")])
def test_a_typo_in_the_suggest_box(server, sign_in, page, module_data, typed, lang):
    sign_in(page, "james")
    page.fill("#site-search", typed)
    first = page.locator("#site-search-suggestions [role=option]").first
    first.wait_for()
    assert module_data[lang][0] in first.inner_text()
    with page.expect_navigation():
        first.click()
    assert page.locator("h1").inner_text() == module_data[lang][0]


def agent_finds_and_opens(page, sign_in, username, query, title):
    """Sign in, search from the header box with Enter, open the result titled `title`."""
    sign_in(page, username)
    page.fill("#site-search", query)
    with page.expect_navigation():
        page.press("#site-search", "Enter")
    result = page.locator("[data-search-result]", has_text=title)
    assert result.count() == 1
    with page.expect_navigation():
        result.click()
    assert page.locator("h1").inner_text() == title


@pytest.mark.parametrize(("username", "lang", "direction", "query"), [
    ("sara", "fa", "rtl", "مودم"),
    ("nok", "th", "ltr", "ยกเลิกสัญญา"),
])
def test_agent_journey_in_their_language(server, sign_in, page_factory, module_data,
                                         username, lang, direction, query):
    page = page_factory(locale=lang)
    title = module_data[lang][0]
    agent_finds_and_opens(page, sign_in, username, query, title)
    html = page.locator("html")
    assert (html.get_attribute("lang"), html.get_attribute("dir")) == (lang, direction)
    # Nothing of the layout sticks out sideways (the usual sign of a left/right rule in RTL).
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
