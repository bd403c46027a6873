"""The agent's home and saving an article, in a real browser: an agent sees their saved articles,
drafts and questions on the home page; saving an article from its page puts it on the home page
and the saved page, and removing it takes it off; the home page stacks at phone width, in Persian."""
import pytest

from accounts.services import get_user
from extensions import db
from kb import services
from tests.conftest import DEMO_PASSWORD
from tests.factories import make_user
from tests.factories_kb import make_article, make_category
from tests.factories_qa import make_answer, make_question


@pytest.fixture(scope="module")
def module_data(live_app):
    with live_app.app_context():
        lead = make_user("lead", role="lead")
        sara = make_user("sara", display_name="Sara")
        make_user("james", display_name="James")
        make_user("mina", display_name="مینا", locale="fa")
        make_category("internet")
        saved = make_article(lead, title="Router keeps rebooting", status="published", publisher=lead)
        make_article(lead, title="Modem DSL light blinking", status="published", publisher=lead)
        make_article(lead, title="مودم بعد از قطع برق روشن نمی‌شود", status="published", publisher=lead, lang="fa")
        make_article(sara, title="Fibre patch cord check (draft)")
        services.save_article(sara, saved)
        db.session.commit()
        question = make_question(sara, title="PON light blinks red after a power cut")
        make_answer(question, get_user("lead"))
        make_question(get_user("mina"), title="چراغ PON قرمز چشمک می‌زند")
        db.session.remove()
    return True


def section(page, name):
    return page.locator("[data-home-section=%s]" % name)


def test_the_agents_home_shows_saved_articles_drafts_and_questions(server, sign_in, page):
    sign_in(page, "sara")
    page.goto(server.url("/"))
    saved = section(page, "saved")
    assert "Router keeps rebooting" in saved.inner_text()
    assert "Modem DSL light blinking" not in saved.inner_text()
    drafts = section(page, "drafts")
    assert "Fibre patch cord check (draft)" in drafts.inner_text()
    questions = section(page, "questions")
    assert "PON light blinks red after a power cut" in questions.inner_text()
    assert "1 answer" in questions.inner_text()
    assert "Modem DSL light blinking" in section(page, "categories").inner_text()
    # The site search comes before every section.
    assert page.evaluate("""() => {
        const search = document.querySelector('#site-search');
        const first = document.querySelector('[data-home-section]');
        return !!(search.compareDocumentPosition(first) & Node.DOCUMENT_POSITION_FOLLOWING);
    }""")
    with page.expect_navigation():
        section(page, "saved").get_by_role("link", name="Router keeps rebooting").click()
    assert page.get_by_role("button", name="Saved for later").is_visible()


def test_saving_an_article_puts_it_on_the_home_and_saved_pages_until_removed(server, sign_in, page):
    sign_in(page, "james")
    page.goto(server.url("/"))
    assert "Press Save on an article" in section(page, "saved").inner_text()
    page.goto(server.url("/kb/"))
    with page.expect_navigation():
        page.get_by_role("link", name="Modem DSL light blinking").click()
    page.get_by_role("button", name="Save", exact=True).click()  # saved without reloading the page
    page.get_by_role("button", name="Saved for later").wait_for()
    assert "Article saved" in page.locator("[data-save-status]").inner_text()
    page.goto(server.url("/"))
    assert "Modem DSL light blinking" in section(page, "saved").inner_text()
    with page.expect_navigation():
        section(page, "saved").get_by_role("link", name="See all").click()
    assert page.url.endswith("/kb/saved")
    assert page.get_by_role("heading", name="Modem DSL light blinking").is_visible()
    with page.expect_navigation():
        page.get_by_role("button", name="Remove").click()
    assert "You have not saved any article yet" in page.locator("main").inner_text()
    page.goto(server.url("/"))
    assert "Modem DSL light blinking" not in section(page, "saved").inner_text()


def test_the_home_page_stacks_at_phone_width_in_persian(server, sign_in, page):
    sign_in(page, "mina")
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(server.url("/"))
    assert page.locator("html").get_attribute("dir") == "rtl"
    assert "چراغ PON قرمز چشمک می‌زند" in section(page, "questions").inner_text()
    assert page.evaluate("document.scrollingElement.scrollWidth <= document.scrollingElement.clientWidth")
    boxes = [section(page, name).bounding_box() for name in ("categories", "saved", "drafts", "questions")]
    assert all(box["width"] <= 390 for box in boxes)
    # Stacked: each section below the one before it, none beside another.
    assert all(later["y"] >= earlier["y"] + earlier["height"] - 1 for earlier, later in zip(boxes, boxes[1:]))


def serious_violations(page):
    """axe-core's serious and critical findings on the page, as (rule, target) pairs."""
    from axe_playwright_python.sync_playwright import Axe
    results = Axe().run(page).response
    return [(violation["id"], node["target"]) for violation in results["violations"]
            if violation["impact"] in ("serious", "critical") for node in violation["nodes"]]


def test_the_home_and_saved_pages_have_no_serious_accessibility_violations(server, sign_in, page):
    sign_in(page, "sara")
    page.goto(server.url("/"))
    assert serious_violations(page) == []
    page.goto(server.url("/kb/saved"))
    assert serious_violations(page) == []


def test_save_works_without_javascript(server, browser):
    context = browser.new_context(java_script_enabled=False, viewport={"width": 1280, "height": 900})
    try:
        page = context.new_page()
        page.goto(server.url("/login"))
        page.fill("input[name=username]", "lead")
        page.fill("input[name=password]", DEMO_PASSWORD)
        with page.expect_navigation():
            page.press("input[name=password]", "Enter")
        page.goto(server.url("/kb/"))
        with page.expect_navigation():
            page.get_by_role("link", name="Router keeps rebooting").click()
        with page.expect_navigation():
            page.get_by_role("button", name="Save", exact=True).click()
        assert "Article saved" in page.locator(".flashes").inner_text()
        with page.expect_navigation():
            page.get_by_role("button", name="Saved for later").click()
        assert "Article removed" in page.locator(".flashes").inner_text()
        assert page.get_by_role("button", name="Save", exact=True).is_visible()
    finally:
        context.close()
