"""Layout and accessibility in a real browser (issue 17): at phone width (390 x 844) the main
pages do not scroll sideways, the header is one line and its menu button opens the navigation;
and axe-core (axe-playwright-python, its bundled axe.min.js, no network) finds no serious or
critical violation on the main pages in English, Persian, Arabic and Thai.

Each language's lead signs in once per module; every page load reuses that signed-in browser
state (Playwright's storage state), one load per (page, language)."""
import os

import pytest
from axe_playwright_python.sync_playwright import Axe

from accounts.services import get_user, save_team
from extensions import db
from kb import services as kb
from mentoring.questions import services as questions
from tests.browser.conftest import TIMEOUT_MS, screenshot_path
from tests.conftest import DEMO_PASSWORD
from tests.factories import make_user
from tests.factories_kb import make_category
from tests.factories_recognition import csv_file, days_ago, planted_rows, run_import

LANGUAGES = ("en", "fa", "ar", "th")
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
# A wide Markdown table: on a phone it must scroll inside its own box, not the whole page.
WIDE_TABLE = ("\n\n| plan | speed | monthly price | installation fee | contract months | router model |\n"
              "|---|---|---|---|---|---|\n"
              "| FiberMaxUltraUnlimited2000 | 2000/1000 Mbps | 1,290,000 | 450,000 | 24 | ZXHN-F6600P-rev3 |\n")
ARTICLES = {
    "en": ("Modem DSL light blinking", "modem",
           "## Problem / Symptoms\n\nThe DSL light blinks.\n\n## Steps to resolve\n\n1. Restart the modem.\n"
           "\n## What to tell the customer\n\nA technician visit within 48 hours, free of charge.\n"),
    "fa": ("چراغ اینترنت مودم قرمز است", "مودم",
           "## مشکل\n\nچراغ اینترنت قرمز است.\n\n## مراحل حل مشکل\n\n۱. مودم را خاموش و روشن کنید.\n"
           "\n## به مشتری چه بگوییم\n\nکارشناس ظرف ۴۸ ساعت مراجعه می‌کند.\n"),
    "ar": ("ضوء المودم أحمر بعد انقطاع الكهرباء", "المودم",
           "## المشكلة\n\nضوء الإنترنت أحمر.\n\n## خطوات الحل\n\n١. أعد تشغيل المودم.\n"
           "\n## ماذا نقول للعميل\n\nزيارة فني خلال ٤٨ ساعة مجاناً.\n"),
    "th": ("ลูกค้าต้องการยกเลิกสัญญา", "ยกเลิกสัญญา",
           "## ปัญหา\n\nลูกค้าต้องการยกเลิกสัญญา\n\n## ขั้นตอน\n\n1. ตรวจสอบวันที่เริ่มสัญญา\n"
           "\n## สิ่งที่ต้องบอกลูกค้า\n\nแจ้งค่าธรรมเนียมการยกเลิกภายใน 1 วัน\n"),
}
LEADS = {"en": ("lena", "Lena Lead"), "fa": ("leila", "لیلا کریمی"), "ar": ("layla", "ليلى حسن"),
         "th": ("nok", "นก ใจดี")}


@pytest.fixture(scope="module")
def module_data(live_app):
    """A lead per interface language (team Desk), two agents with a month of contacts, one
    published article per language (with a wide table) and an answered question."""
    with live_app.app_context():
        for lang, (username, name) in LEADS.items():
            make_user(username, role="lead", team="Desk", locale=lang, display_name=name)
        make_user("sara", team="Desk", display_name="سارا احمدی")
        make_user("omid", team="Desk", display_name="Omid Rahimi")
        save_team("Desk", "lena")
        make_category("internet")
        db.session.commit()
        run_import(csv_file(planted_rows("sara", "internet", 40, 34, handle_seconds=280, start=days_ago(20))
                            + planted_rows("omid", "internet", 35, 25, handle_seconds=350, start=days_ago(20))))
        lead = get_user("lena")
        ids = {}
        for lang, (title, _query, body) in ARTICLES.items():
            article = kb.create_article(lead, title, body + WIDE_TABLE, "internet", lang=lang)
            kb.submit_for_review(article, lead)
            kb.publish_article(article, lead)
            db.session.commit()
            ids[lang] = article.id
        question = questions.ask_question(get_user("sara"), "Modem PON light blinks red after a power cut",
                                          "The fibre modem shows a **red PON light** since the power cut.",
                                          "internet", expert_limit=0)
        db.session.commit()
        questions.answer_question(question, get_user("omid"), "Re-seat the green fibre connector, then restart.")
        db.session.commit()
        data = {"articles": ids, "question": question.id}
        db.session.remove()
    return data


@pytest.fixture(scope="module")
def signed_in(browser, server, module_data):
    """Each language's lead signed in once: {lang: storage state} for new browser contexts."""
    states = {}
    for lang, (username, _name) in LEADS.items():
        context = browser.new_context(locale=lang)
        context.set_default_timeout(TIMEOUT_MS)
        page = context.new_page()
        page.goto(server.url("/login"))
        page.fill("input[name=username]", username)
        page.fill("input[name=password]", DEMO_PASSWORD)
        with page.expect_navigation():
            page.press("input[name=password]", "Enter")
        assert "/login" not in page.url, "%s could not sign in" % username
        states[lang] = context.storage_state()
        context.close()
    return states


@pytest.fixture
def open_as(browser, server, signed_in, request):
    """open_as(lang, path, viewport): a page of that language's signed-in lead; a screenshot is
    kept on failure or with KNOWHOW_BROWSER_SCREENSHOTS=always."""
    contexts = []

    def open_page(lang, path, viewport):
        context = browser.new_context(storage_state=signed_in[lang], locale=lang, viewport=viewport)
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        page = context.new_page()
        response = page.goto(server.url(path))
        assert response.status == 200, "%s answered %d" % (path, response.status)
        return page

    yield open_page
    failed = any(getattr(getattr(request.node, "report_" + when, None), "failed", False)
                 for when in ("setup", "call"))
    keep = failed or os.environ.get("KNOWHOW_BROWSER_SCREENSHOTS") == "always"
    for number, context in enumerate(contexts):
        if keep:
            for page in context.pages:
                path = screenshot_path(request.node.nodeid, str(number))
                page.screenshot(path=str(path), full_page=True)
                print("Screenshot of %s: %s" % (page.url, path))
        context.close()


def page_path(name, lang, data):
    """The URL path of one of the checked pages, for a lead of interface language `lang`."""
    return {
        "home": "/",
        "search": "/search?q=" + ARTICLES[lang][1],
        "article": "/kb/%d" % data["articles"][lang],
        "editor": "/kb/new",
        "question": "/questions/%d" % data["question"],
        "leaderboard": "/recognition/leaderboard?category=internet",
        "import": "/recognition/imports/new",
    }[name]


def overflow(page):
    """How many CSS pixels the page is wider than its viewport (0 when nothing sticks out)."""
    return page.evaluate("document.scrollingElement.scrollWidth - document.scrollingElement.clientWidth")


@pytest.mark.parametrize("lang", ["fa", "th"])
@pytest.mark.parametrize("name", ["home", "search", "article", "leaderboard"])
def test_phone_page_fits_with_a_one_line_header_and_a_menu(open_as, module_data, name, lang):
    page = open_as(lang, page_path(name, lang, module_data), PHONE)
    if name == "search":
        assert page.locator("[data-search-result]").count() >= 1
    assert overflow(page) <= 0, "%s in %s scrolls sideways by %d px" % (name, lang, overflow(page))
    header = page.locator(".site-header").bounding_box()
    assert header["height"] <= 64, "the header is %d px high" % header["height"]
    nav = page.locator("#site-nav")
    button = page.locator("button[aria-controls=site-nav]")
    assert not nav.is_visible() and button.get_attribute("aria-expanded") == "false"
    button.click()
    assert nav.is_visible() and button.get_attribute("aria-expanded") == "true"
    assert page.locator("#site-nav a[href='/recognition/feed']").is_visible()
    assert overflow(page) <= 0


def test_phone_menu_opens_and_closes_with_the_keyboard(open_as, module_data):
    page = open_as("fa", "/", PHONE)
    button = page.locator("button[aria-controls=site-nav]")
    button.focus()
    page.keyboard.press("Enter")
    assert page.locator("#site-nav").is_visible()
    page.keyboard.press("Tab")  # into the menu: its first link
    assert page.evaluate("document.activeElement.closest('#site-nav') !== null")
    page.keyboard.press("Escape")
    assert not page.locator("#site-nav").is_visible() and button.get_attribute("aria-expanded") == "false"
    assert page.evaluate("document.activeElement === document.querySelector('[aria-controls=site-nav]')")


def test_phone_search_comes_before_the_menu(open_as, module_data):
    page = open_as("th", "/", PHONE)
    order = page.evaluate("""() => [...document.querySelectorAll('#site-search, [aria-controls=site-nav]')]
                                    .map(element => element.id || 'menu')""")
    assert order == ["site-search", "menu"]
    assert page.locator("#site-search").is_visible()


def test_desktop_shows_the_navigation_without_a_menu_button(open_as, module_data):
    page = open_as("ar", "/", DESKTOP)
    assert page.locator("#site-nav").is_visible()
    assert not page.locator("button[aria-controls=site-nav]").is_visible()
    header = page.locator(".site-header").bounding_box()
    assert header["height"] <= 64


def test_right_to_left_header_starts_on_the_right(open_as, module_data):
    page = open_as("fa", "/", PHONE)
    brand = page.locator(".brand").bounding_box()
    menu = page.locator("button[aria-controls=site-nav]").bounding_box()
    assert brand["x"] > menu["x"], "in Persian the logo is on the right and the menu on the left"


def test_wide_table_scrolls_inside_its_own_box(open_as, module_data):
    page = open_as("fa", "/kb/%d" % module_data["articles"]["fa"], PHONE)
    table = page.locator(".prose table").first
    assert table.evaluate("element => element.scrollWidth > element.clientWidth")
    assert table.get_attribute("tabindex") == "0"  # scrolled with the keyboard too
    assert overflow(page) <= 0


def test_notification_icon_is_an_svg_with_a_text_name(open_as, module_data):
    page = open_as("en", "/", DESKTOP)
    bell = page.locator("a.bell")
    assert bell.locator("svg[aria-hidden=true]").count() == 1
    assert "Notifications" in bell.inner_text()


def test_favicon_is_served(open_as, server, module_data):
    page = open_as("en", "/", DESKTOP)
    href = page.locator("link[rel=icon]").get_attribute("href")
    assert page.request.get(server.url(href)).status == 200
    assert page.request.get(server.url("/favicon.ico")).status == 200


def readable(violations):
    """axe's serious and critical violations, one block each: rule, impact, help and the nodes."""
    lines = []
    for violation in violations:
        lines.append("%s (%s): %s — %s" % (violation["id"], violation["impact"], violation["help"],
                                          violation["helpUrl"]))
        for node in violation["nodes"][:8]:
            lines.append("    %s  %s" % (" ".join(map(str, node["target"])), node["html"][:160]))
            if node.get("failureSummary"):
                lines.append("      " + node["failureSummary"].replace("\n", "\n      "))
    return "\n".join(lines)


AXE = Axe()


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("name", ["home", "search", "article", "editor", "question", "leaderboard", "import"])
def test_axe_finds_no_serious_violation(open_as, module_data, name, lang):
    page = open_as(lang, page_path(name, lang, module_data), DESKTOP)
    results = AXE.run(page)
    serious = [violation for violation in results.response["violations"]
               if violation["impact"] in ("serious", "critical")]
    assert not serious, "axe on %s (%s):\n%s" % (name, lang, readable(serious))


@pytest.mark.parametrize("lang", ["ar", "th"])
def test_axe_finds_no_serious_violation_in_the_open_phone_menu(open_as, module_data, lang):
    page = open_as(lang, "/", PHONE)
    page.locator("button[aria-controls=site-nav]").click()
    serious = [violation for violation in AXE.run(page).response["violations"]
               if violation["impact"] in ("serious", "critical")]
    assert not serious, "axe on the open menu (%s):\n%s" % (lang, readable(serious))
