"""The editor never loses work, in a real browser: a refused publish, the warning before leaving,
the local copy after a crash and after the session ended, the template-language choice."""
from contextlib import contextmanager

import pytest
from sqlalchemy import select

from core.categories import get_category
from core.signals import expertise_asked
from extensions import db
from kb.models import Article
from tests.factories import make_user
from tests.factories_kb import make_category

TITLE = "Router drops Wi-Fi every evening"
STEPS = "1. Change the channel to 6.\n2. Ask about the microwave."
# A how-to with every section written: what the publish check asks for.
WRITTEN_BODY = ("## Problem / Symptoms\n\nWi-Fi drops every evening.\n\n## Steps to resolve\n\n" + STEPS
                + "\n\n## What to tell the customer\n\nIt is fixed during this call, at no cost.\n")


@pytest.fixture(scope="module")
def module_data(live_app):
    """An agent, a second agent who becomes an expert of billing, and two categories."""
    with live_app.app_context():
        make_user("james")
        make_user("maryam")
        make_user("lena", role="lead")
        make_category("internet")
        make_category("billing")
        billing_id = get_category("billing").id
        db.session.remove()
    return {"billing_id": billing_id}


@contextmanager
def expert_of_billing(module_data, username="maryam"):
    """While inside, `username` is an expert of billing (as a current title makes one)."""
    def answer(user, category_id):
        return user.username == username and category_id == module_data["billing_id"]

    with expertise_asked.connected_to(answer):
        yield


def article_titled(app, title):
    with app.app_context():
        article = db.session.scalar(select(Article).where(Article.title == title))
        result = None if article is None else (article.status, article.body)
        db.session.remove()
    return result


def type_into(page, selector, text):
    """Type at the end of a field: a real key press first (the page then has the user gesture that
    a beforeunload question needs), the rest inserted at once, as an input method does."""
    page.click(selector)
    page.keyboard.press("Control+End")
    page.keyboard.type(text[0])
    page.keyboard.insert_text(text[1:])


def type_article(page, title, steps):
    type_into(page, "#title", title)
    type_into(page, "#body", "\n" + steps)


def test_refused_publish_keeps_everything_typed_and_says_why(server, sign_in, page, live_app, module_data):
    with expert_of_billing(module_data):
        sign_in(page, "maryam")
        page.goto(server.url("/kb/new"))
        publish = page.locator("input[name=publish]")
        assert publish.is_hidden()  # no category chosen yet
        page.select_option("#category", "billing")
        assert publish.is_visible()
        type_article(page, TITLE, STEPS)
        page.fill("#body", WRITTEN_BODY)
        page.select_option("#category", "internet")
        assert publish.is_hidden()  # not an expert there
        page.select_option("#category", "billing")
    # Her title ran out while she was typing: the server refuses the publish.
    with page.expect_navigation():
        publish.click()
    alert = page.locator("#kb-editor-refusal")
    assert "Only experts of Billing and team leads can publish." in alert.inner_text()
    assert page.input_value("#title") == TITLE
    assert STEPS in page.input_value("#body")
    assert page.input_value("#category") == "billing"
    assert article_titled(live_app, TITLE) is None
    # The text is still there to submit for review instead (it passes the publish check).
    with page.expect_navigation():
        page.click("input[name=submit_review]")
    assert article_titled(live_app, TITLE)[0] == "in_review"


def test_the_publish_check(server, sign_in, page, live_app, module_data):
    sign_in(page, "lena")
    page.goto(server.url("/kb/new?lang=en"))
    page.select_option("#category", "internet")
    type_into(page, "#title", "x")  # and the how-to template left as it came
    with page.expect_navigation():
        page.click("input[name=publish]")
    title_errors = page.locator("#title-errors")
    assert "The title needs at least 2 words" in title_errors.inner_text()
    body_errors = page.locator("#body-errors").inner_text()
    assert "These sections still hold only the template's hint" in body_errors
    for heading in ("Problem / Symptoms", "Cause", "Steps to resolve", "What to tell the customer"):
        assert heading in body_errors
    assert page.input_value("#title") == "x"
    assert article_titled(live_app, "x") is None
    # Fixed: a real title, the sections written (the unneeded ones deleted), and it publishes.
    page.fill("#title", "Wi-Fi drops every evening")
    page.fill("#body", WRITTEN_BODY)
    with page.expect_navigation():
        page.click("input[name=publish]")
    assert page.locator("h1").inner_text() == "Wi-Fi drops every evening"
    assert article_titled(live_app, "Wi-Fi drops every evening") == ("published", WRITTEN_BODY)


class Dialogs:
    """The types of the dialogs a page opens (`seen`), each dismissed, or accepted while
    `accept` is set."""

    def __init__(self, page):
        self.seen, self.accept = [], False
        page.on("dialog", self.answer)

    def answer(self, dialog):
        self.seen.append(dialog.type)
        dialog.accept() if self.accept else dialog.dismiss()


@pytest.mark.parametrize("editor", ["/kb/new", "/questions/ask"])
def test_leaving_with_unsaved_changes_asks_first(server, sign_in, page, editor):
    sign_in(page, "james")
    page.goto(server.url(editor))
    with page.expect_navigation():
        page.click("a.brand")  # nothing typed yet: leaves without a question
    assert editor not in page.url
    page.goto(server.url(editor))
    type_into(page, "#title", "Half-written")
    dialogs = Dialogs(page)
    page.click("a.brand")
    page.wait_for_timeout(300)
    assert dialogs.seen == ["beforeunload"]
    assert page.url == server.url(editor)  # stayed
    assert page.input_value("#title") == "Half-written"


def test_saving_is_not_leaving(server, sign_in, page):
    sign_in(page, "james")
    page.goto(server.url("/kb/new"))
    type_article(page, "Saved, not left", "3. Done")
    page.select_option("#category", "internet")
    dialogs = Dialogs(page)
    with page.expect_navigation():
        page.click("input[name=save]")
    assert "Saved as a draft" in page.inner_text(".flashes")
    with page.expect_navigation():
        page.click("a.brand")  # the saved article's page has nothing unsaved
    assert dialogs.seen == []


def test_local_copy_is_offered_back_after_a_crash_and_dropped_after_saving(server, sign_in, page_factory):
    page = page_factory()
    sign_in(page, "james")
    page.goto(server.url("/kb/new"))
    page.select_option("#category", "internet")
    type_article(page, "Typed before the crash", "3. Lost? Never.")
    page.wait_for_function("() => Object.keys(localStorage).some(k => k.startsWith('knowhow-draft:'))")
    page.close()  # the tab dies: no beforeunload, no save

    page = page.context.new_page()
    page.goto(server.url("/kb/new"))
    notice = page.locator("[data-draft-notice]")
    assert notice.is_visible()
    assert notice.inner_text().startswith("Restore the text you typed on ")
    assert page.input_value("#title") == ""
    page.click("[data-draft-restore]")
    assert notice.is_hidden()
    assert page.input_value("#title") == "Typed before the crash"
    assert "3. Lost? Never." in page.input_value("#body")
    with page.expect_navigation():
        page.click("input[name=save]")
    assert page.evaluate("Object.keys(localStorage).filter(k => k.startsWith('knowhow-draft:'))") == []
    page.goto(server.url("/kb/new"))
    assert page.locator("[data-draft-notice]").is_hidden()


def test_text_survives_the_session_ending_and_signing_in_again(server, sign_in, page, live_app):
    sign_in(page, "james")
    page.goto(server.url("/kb/new"))
    page.select_option("#category", "internet")
    type_article(page, "Typed as the session ended", "3. Still here")
    page.context.clear_cookies()  # signed out behind the writer's back
    with page.expect_navigation():
        page.click("input[name=save]")
    assert "you were signed out" in page.inner_text("#kb-editor-refusal")
    assert page.input_value("#title") == "Typed as the session ended"

    other_tab = page.context.new_page()  # the refusal's sign-in link opens a new tab
    sign_in(other_tab, "james")
    other_tab.close()
    with page.expect_navigation():
        page.click("input[name=save]")
    # The form belonged to the old session: it comes back once more, still full, then saves.
    assert "the form had expired" in page.inner_text("#kb-editor-refusal")
    assert "3. Still here" in page.input_value("#body")
    with page.expect_navigation():
        page.click("input[name=save]")
    assert article_titled(live_app, "Typed as the session ended")[0] == "draft"


def test_template_language_never_replaces_typed_text_without_asking(server, sign_in, page):
    sign_in(page, "james")
    page.goto(server.url("/kb/new?lang=en"))
    english = page.input_value("#body")
    page.click("a[data-template-lang=fa]")  # untouched template: swapped at once, no question
    persian = page.input_value("#body")
    assert persian != english and page.input_value("#lang") == "fa"
    assert page.url == server.url("/kb/new?lang=en")  # in place: nothing reloaded

    type_into(page, "#body", "\nمتن من")
    dialogs = Dialogs(page)
    page.click("a[data-template-lang=th]")
    assert dialogs.seen == ["confirm"]  # dismissed: nothing replaced
    assert page.input_value("#body").endswith("متن من")
    page.select_option("#lang", "ar")  # the select only changes the language of typed text
    assert page.input_value("#body").endswith("متن من")
    dialogs.accept = True
    page.click("a[data-template-lang=th]")
    assert dialogs.seen == ["confirm", "confirm"]
    assert "متن من" not in page.input_value("#body")
    assert page.input_value("#lang") == "th"
