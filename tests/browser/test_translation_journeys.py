"""Switching between the language versions of an article in a real browser (issue 17)."""
import pytest

from accounts.services import get_user
from extensions import db
from kb import services
from tests.factories import make_user
from tests.factories_kb import make_category

ENGLISH = ("Modem DSL light blinking", "## Steps to resolve\n\n1. Restart the modem.\n")
PERSIAN = ("چراغ DSL مودم چشمک می‌زند", "## مراحل حل مشکل\n\n۱. مودم را خاموش و روشن کنید.\n")


@pytest.fixture(scope="module")
def module_data(live_app):
    """An English how-to and its Persian translation, both published by a lead."""
    with live_app.app_context():
        lead = make_user("leila", role="lead")
        make_user("james", locale="en")
        make_category("internet")
        original = services.create_article(lead, *ENGLISH, "internet", lang="en", status="published")
        translation = services.add_translation(original, lead, "fa")
        services.update_article(translation, lead, title=PERSIAN[0], body=PERSIAN[1], status="published")
        db.session.commit()
        ids = {"en": original.id, "fa": translation.id}
        assert get_user("james") is not None
        db.session.remove()
    return ids


def test_switching_an_articles_translation(server, sign_in, page, module_data):
    sign_in(page, "james")
    page.goto(server.url("/kb/%d" % module_data["en"]))
    assert page.locator("h1").inner_text() == ENGLISH[0]
    persian = page.locator("nav.kb-languages a[hreflang=fa]")
    assert persian.inner_text() == "فارسی"
    assert persian.get_attribute("dir") == "rtl" and persian.get_attribute("lang") == "fa"
    with page.expect_navigation():
        persian.click()
    heading = page.locator("h1")
    assert heading.inner_text() == PERSIAN[0]
    assert heading.get_attribute("lang") == "fa"
    assert heading.evaluate("element => getComputedStyle(element).direction") == "rtl"
    assert page.locator(".kb-body").evaluate("element => getComputedStyle(element).direction") == "rtl"
    back = page.locator("nav.kb-languages a[hreflang=en]")
    assert back.inner_text() == "English" and back.get_attribute("dir") == "ltr"
