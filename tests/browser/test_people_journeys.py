"""The people picker in a real browser: a colleague found by a word of a Persian name and
picked with the keyboard in the kudos form and on the title desk, and @-completion in the
question editor."""
import pytest

from extensions import db
from tests.factories import make_user
from tests.factories_kb import make_category


@pytest.fixture(scope="module")
def module_data(live_app):
    with live_app.app_context():
        make_user("james", display_name="James Agent")
        make_user("ali.karimi", display_name="علی کریمی")
        make_user("lena", role="lead", display_name="Lena Lead")
        make_user("somchai", display_name="สมชาย ใจดี")
        make_category("billing")
        db.session.remove()
    return True


def test_kudos_recipient_is_picked_with_the_keyboard(server, sign_in, page):
    sign_in(page, "james")
    page.goto(server.url("/recognition/kudos/new"))
    field = page.locator("#to")
    field.fill("كريمي")  # Arabic kaf and yeh find the Persian spelling
    first = page.locator("[role=listbox] [role=option]").first
    first.wait_for()
    assert "علی کریمی" in first.inner_text() and "@ali.karimi" in first.inner_text()
    assert field.get_attribute("aria-expanded") == "true"
    page.keyboard.press("ArrowDown")
    assert first.get_attribute("aria-selected") == "true"
    assert field.get_attribute("aria-activedescendant") == first.get_attribute("id")
    page.keyboard.press("Enter")
    assert field.input_value() == "ali.karimi"
    assert field.get_attribute("aria-expanded") == "false"


def test_escape_closes_the_list(server, sign_in, page):
    sign_in(page, "james")
    page.goto(server.url("/recognition/kudos/new"))
    page.locator("#to").fill("ali")
    page.locator("[role=listbox] [role=option]").first.wait_for()
    page.keyboard.press("Escape")
    assert page.locator("#to").get_attribute("aria-expanded") == "false"
    assert page.locator("#to").input_value() == "ali"


def test_at_completes_a_mention_in_the_editor(server, sign_in, page):
    sign_in(page, "james")
    page.goto(server.url("/questions/ask"))
    body = page.locator("textarea[data-mentions]")
    body.click()
    page.keyboard.type("Ask @kar")
    page.locator("[role=listbox] [role=option]").first.wait_for()
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    assert body.input_value() == "Ask @ali.karimi "


def test_title_desk_picks_a_thai_name_with_the_keyboard(server, sign_in, page):
    sign_in(page, "lena")
    page.goto(server.url("/recognition/titles"))
    field = page.locator("#username")
    field.fill("สมชาย")  # the start of a Thai name, written without spaces
    first = page.locator("[role=listbox] [role=option]").first
    first.wait_for()
    assert "สมชาย ใจดี" in first.inner_text() and "@somchai" in first.inner_text()
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    assert field.input_value() == "somchai"
    page.locator("#reason").fill("Helps the whole team")
    page.get_by_role("button", name="Award title").last.click()
    page.wait_for_url("**/recognition/titles**")
    assert "is now" in page.locator("[role=status], .flash").first.inner_text()
