"""The Watching / Normal / Muted control in a real browser: chosen with the keyboard alone on an
article page, kept after the page reloads, and listed on What I follow."""
import pytest

from extensions import db
from kb import services as kb
from tests.factories import make_user
from tests.factories_kb import make_category

ARTICLE_ID = {}


@pytest.fixture(scope="module")
def module_data(live_app):
    with live_app.app_context():
        make_category("internet")
        author = make_user("writer", role="lead", display_name="Writer")
        make_user("reader", display_name="Reader")
        article = kb.create_article(author, "Fibre reset", "## Steps to resolve\n\nReplug the cord.",
                                    "internet", status="published")
        db.session.commit()
        ARTICLE_ID["id"] = article.id
        db.session.remove()
    return True


def test_watching_is_chosen_with_the_keyboard(server, sign_in, page):
    sign_in(page, "reader")
    page.goto(server.url("/kb/%d" % ARTICLE_ID["id"]))
    control = page.get_by_role("group", name="Notifications")
    normal = control.get_by_role("radio", name="Normal")
    assert normal.is_checked()
    normal.focus()
    page.keyboard.press("ArrowLeft")  # radios: the arrows move the choice within the group
    assert control.get_by_role("radio", name="Watching").is_checked()
    page.keyboard.press("Tab")  # the group is one stop: on to its Save button
    assert page.evaluate("document.activeElement.textContent.trim()") == "Save"
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "Notifications for" in page.locator(".flashes").inner_text()
    assert page.get_by_role("group", name="Notifications").get_by_role("radio", name="Watching").is_checked()
    page.goto(server.url("/account/following"))
    assert "Fibre reset" in page.locator("main").inner_text()
