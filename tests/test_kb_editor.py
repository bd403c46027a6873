"""The article editor never loses work: a refused save (no right to publish, an expired form, a
session that ended) shows the form again with everything typed and the reason; the publish
button appears only where the writer may publish; the browser's local copy is named per user
and dropped after a save. (The browser side is in tests/browser/.)"""
import re

import pytest
from sqlalchemy import func, select

from accounts.models import LoginSession
from core.categories import get_category
from core.signals import expertise_asked
from extensions import db
from kb.models import Article
from tests.factories import make_user
from tests.factories_kb import make_category

TYPED_TITLE = "Router drops Wi-Fi every evening"
TYPED_BODY = "## Steps\n\n1. Change the channel to 6.\n2. Ask the customer about the microwave."


@pytest.fixture(scope="module")
def people(module_transaction):
    """A lead, an agent and `billing_expert` (an expert of billing only), two categories."""
    with module_transaction.app_context():
        make_user("lead", role="lead")
        make_user("agent")
        make_user("billing_expert")
        make_category("internet")
        make_category("billing")
    return module_transaction


@pytest.fixture
def billing_expert(people):
    """While the test runs, `billing_expert` is an expert of billing, as a current title makes one."""
    with people.app_context():
        billing_id = get_category("billing").id

    def answer(user, category_id):
        return user.username == "billing_expert" and category_id == billing_id

    with expertise_asked.connected_to(answer):
        yield "billing_expert"


def typed(**fields):
    """What a writer typed into the new-article form, pressing "Save and publish"."""
    data = {"title": TYPED_TITLE, "summary": "Interference from appliances", "category": "internet",
            "lang": "en", "tags": "wifi, router", "body": TYPED_BODY, "note": "",
            "publish": "Save and publish"}
    data.update(fields)
    return data


def article_count(app):
    with app.app_context():
        return db.session.scalar(select(func.count(Article.id)))


def assert_everything_typed_is_back(page):
    assert 'value="%s"' % TYPED_TITLE in page
    assert 'value="Interference from appliances"' in page
    assert 'value="wifi, router"' in page
    assert "1. Change the channel to 6." in page
    assert '<option selected value="internet">' in page


def publish_button(page):
    """The rendered "Save and publish" button, or None."""
    match = re.search(r'<input[^>]*name="publish"[^>]*>', page)
    return match.group(0) if match else None


def test_refused_publish_shows_the_form_with_the_text_and_the_reason(client, auth, people):
    auth.login("agent")
    response = client.post("/kb/new", data=typed())
    page = response.get_data(as_text=True)
    assert response.status_code == 403
    assert 'class="kb-editor"' in page  # the editor, not the 403 page
    assert_everything_typed_is_back(page)
    assert "Only experts of Internet and team leads can publish." in page
    assert 'role="alert"' in page
    assert article_count(people) == 0


def test_refused_publish_when_editing_keeps_the_changes(client, auth, people, billing_expert):
    auth.login(billing_expert)
    client.post("/kb/new", data=typed(publish=None, save="Save", category="billing"))
    with people.app_context():
        article = db.session.scalar(select(Article))
        article_id, revision = article.id, article.revision_number
    response = client.post("/kb/%d/edit" % article_id, data=typed(
        category="internet", body=TYPED_BODY + "\n3. Restart the router.",
        base_revision=str(revision)))
    page = response.get_data(as_text=True)
    assert response.status_code == 403
    assert "3. Restart the router." in page
    assert "Only experts of Internet and team leads can publish." in page
    with people.app_context():
        article = db.session.get(Article, article_id)
        assert (article.status, article.category.slug, article.body) == ("draft", "billing", TYPED_BODY)


def test_agent_who_is_nowhere_an_expert_gets_no_publish_button(client, auth, people):
    auth.login("agent")
    assert publish_button(client.get("/kb/new").get_data(as_text=True)) is None
    assert "Save and submit for review" in client.get("/kb/new").get_data(as_text=True)


def test_lead_gets_the_publish_button_for_every_category(client, auth, people):
    auth.login("lead")
    button = publish_button(client.get("/kb/new").get_data(as_text=True))
    assert button is not None and "hidden" not in button
    assert 'data-publish-categories="*"' in button


def test_expert_gets_the_publish_button_for_their_category_only(client, auth, people, billing_expert):
    auth.login(billing_expert)
    button = publish_button(client.get("/kb/new").get_data(as_text=True))
    assert 'data-publish-categories="billing"' in button
    assert "hidden" in button  # no category chosen yet: the script shows it for billing
    button = publish_button(client.get("/kb/new?category=billing").get_data(as_text=True))
    assert "hidden" not in button


def test_expert_publishes_in_their_category_from_the_form(client, auth, people, billing_expert):
    auth.login(billing_expert)
    response = client.post("/kb/new", data=typed(category="billing"))
    assert response.status_code == 302
    with people.app_context():
        assert db.session.scalar(select(Article)).status == "published"


def test_expired_form_shows_the_text_again_and_saves_on_the_next_press(client, auth, people):
    auth.login("agent")
    people.config["WTF_CSRF_ENABLED"] = True  # as in production, from here on (reset after the test)
    response = client.post("/kb/new", data=typed(publish=None, save="Save",
                                                 csrf_token="from-an-old-page"))
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert_everything_typed_is_back(page)
    assert "Nothing was saved: the form had expired." in page
    assert article_count(people) == 0
    fresh_token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    response = client.post("/kb/new", data=typed(publish=None, save="Save", csrf_token=fresh_token))
    assert response.status_code == 302
    assert article_count(people) == 1


def test_other_forms_still_refuse_a_missing_csrf_token(client, auth, people):
    auth.login("lead")
    client.post("/kb/new", data=typed(publish=None, save="Save"))
    with people.app_context():
        article_id = db.session.scalar(select(Article.id))
    people.config["WTF_CSRF_ENABLED"] = True
    response = client.post("/kb/%d/publish" % article_id)
    assert response.status_code == 400
    with people.app_context():
        assert db.session.get(Article, article_id).status == "draft"


def test_preview_with_an_expired_form_renders_nothing_new_and_keeps_the_text(client, auth, people):
    auth.login("agent")
    people.config["WTF_CSRF_ENABLED"] = True
    response = client.post("/kb/new", data=typed(publish=None, preview="Preview"))
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "1. Change the channel to 6." in page and "the form had expired" in page


def test_post_after_the_session_ended_shows_the_text_and_how_to_save(client, auth, people):
    auth.login("agent")
    with people.app_context():  # the session ends server-side (a timeout, "sign out everywhere")
        db.session.execute(LoginSession.__table__.delete())
        db.session.commit()
    response = client.post("/kb/new", data=typed(publish=None, save="Save"))
    page = response.get_data(as_text=True)
    assert response.status_code == 401
    assert_everything_typed_is_back(page)
    assert "Nothing was saved: you were signed out." in page
    assert 'target="_blank"' in page  # signing in keeps this tab and its text
    assert "data-draft-key" not in page  # no user, no local copy named after one
    assert article_count(people) == 0


def test_editing_page_after_the_session_ended_keeps_the_text_too(client, people):
    response = client.post("/kb/1/edit", data=typed(publish=None, save="Save changes"))
    assert response.status_code == 401
    assert "1. Change the channel to 6." in response.get_data(as_text=True)


def test_signed_out_reader_asking_for_the_editor_is_sent_to_sign_in(client, people):
    response = client.get("/kb/new")
    assert response.status_code == 302
    assert "/login?next=/kb/new" in response.headers["Location"]


def test_local_copy_is_named_per_user_and_dropped_after_a_save(client, auth, people):
    auth.login("agent")
    with people.app_context():
        from accounts.services import get_user
        key = "knowhow-draft:%s:article:new" % get_user("agent").id
    assert 'data-draft-key="%s"' % key in client.get("/kb/new").get_data(as_text=True)
    response = client.post("/kb/new", data=typed(publish=None, save="Save"), follow_redirects=True)
    assert 'data-saved-drafts="%s"' % key in response.get_data(as_text=True)
    assert "data-saved-drafts" not in client.get("/kb/").get_data(as_text=True)  # told once


def test_refused_save_keeps_the_local_copy(client, auth, people):
    auth.login("agent")
    response = client.post("/kb/new", data=typed())
    page = response.get_data(as_text=True)
    assert "data-saved-drafts" not in page
    assert "data-unsaved" in page  # leaving this page warns: the text is not saved
