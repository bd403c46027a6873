"""The publish check: a real title and no untouched template section before readers get an article."""
import pytest
from sqlalchemy import func, select

from core.markdown import howto_template, untouched_sections
from errors import Invalid
from extensions import db
from kb import services
from kb.models import Article
from kb.services.publish_check import publish_problems
from tests.factories import bearer, make_token, make_user
from tests.factories_kb import HOWTO_BODY, make_category

TITLE = "Modem DSL light blinking"


@pytest.fixture(scope="module")
def people(module_transaction):
    """A lead and an agent, the internet category, and the lead's API token (built once for the
    module, each test's changes rolled back); gives (app, lead token)."""
    with module_transaction.app_context():
        lead = make_user("lead", role="lead", team="Tehran")
        make_user("agent", team="Tehran")
        db.session.commit()
        make_category("internet")
        token = bearer(make_token(lead))
    return module_transaction, token


def filled(template, **texts):
    """The template with the hint of each named section (by its English heading) replaced."""
    body = template
    for heading, text in texts.items():
        body = body.replace("## %s\n<!--" % heading, "## %s\n%s\n<!--" % (heading, text))
    return body


# --- the rules -----------------------------------------------------------------------------

def test_the_untouched_template_lists_every_section():
    assert untouched_sections(howto_template("en")) == [
        "Problem / Symptoms", "Cause", "Steps to resolve", "What to tell the customer", "When to escalate"]


@pytest.mark.parametrize("lang", ["fa", "ar", "th"])
def test_untouched_sections_are_found_in_every_template_language(lang):
    assert len(untouched_sections(howto_template(lang))) == 5


def test_a_written_section_is_no_longer_untouched_even_with_its_hint_left_in():
    body = filled(howto_template("en"), Cause="The line card restarted.")
    assert "Cause" not in untouched_sections(body)
    assert "Steps to resolve" in untouched_sections(body)


def test_a_hint_pasted_as_text_still_counts_as_untouched():
    body = "## Cause\nWhy it happens, in one or two sentences. Write “unknown” if nobody knows yet.\n"
    assert untouched_sections(body) == ["Cause"]


def test_deleted_sections_and_own_headings_are_not_reported():
    assert untouched_sections(HOWTO_BODY) == []
    assert untouched_sections("## My own notes\n\n## Cause\nA storm.\n```\n## Steps to resolve\n```\n") == []


@pytest.mark.parametrize("title", ["", "   ", "x", "Refunds", "!!! ???"])
def test_empty_and_one_word_titles_are_refused(title):
    assert "title" in publish_problems(title, HOWTO_BODY)


@pytest.mark.parametrize("title", [TITLE, "چراغ مودم", "รีเซ็ตรหัสผ่านลูกค้า"])
def test_titles_of_two_words_or_more_pass_in_any_script(title):
    assert publish_problems(title, HOWTO_BODY) == {}


# --- services --------------------------------------------------------------------------------

def test_a_draft_saves_with_the_untouched_template_but_does_not_publish(ctx, people):
    from accounts.services import get_user
    lead = get_user("lead")
    article = services.create_article(lead, "x", howto_template("en"), "internet")
    assert article.status == "draft"
    with pytest.raises(Invalid) as refused:
        services.publish_article(article, lead)
    assert set(refused.value.fields) == {"title", "body"}
    assert "Cause" in str(refused.value.fields["body"])
    assert article.status == "draft"


def test_submitting_for_review_is_checked_too(ctx, people):
    from accounts.services import get_user
    agent = get_user("agent")
    article = services.create_article(agent, TITLE, howto_template("en"), "internet")
    with pytest.raises(Invalid) as refused:
        services.submit_for_review(article, agent)
    assert set(refused.value.fields) == {"body"}
    with pytest.raises(Invalid):
        services.update_article(article, agent, status="in_review")


def test_creating_an_article_as_published_is_refused_before_anything_is_written(ctx, people):
    from accounts.services import get_user
    before = db.session.scalar(select(func.count(Article.id)))
    with pytest.raises(Invalid) as refused:
        services.create_article(get_user("lead"), "x", HOWTO_BODY, "internet", status="published")
    assert set(refused.value.fields) == {"title"}
    assert db.session.scalar(select(func.count(Article.id))) == before


def test_fixing_the_reasons_lets_the_article_publish(ctx, people):
    from accounts.services import get_user
    lead = get_user("lead")
    article = services.create_article(lead, "x", howto_template("en"), "internet")
    services.update_article(article, lead, title=TITLE, body=HOWTO_BODY, status="published")
    assert article.status == "published"


# --- pages and API ---------------------------------------------------------------------------

def test_the_editor_shows_each_reason_and_keeps_the_text(client, auth, people):
    app, _token = people
    auth.login("lead")
    response = client.post("/kb/new", data={
        "title": "x", "summary": "", "category": "internet", "lang": "en", "tags": "",
        "body": howto_template("en"), "note": "", "publish": "Save and publish"})
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "The title needs at least 2 words" in page
    assert "These sections still hold only the template" in page and "When to escalate" in page
    with app.app_context():
        assert db.session.scalar(select(func.count(Article.id))) == 0


def test_the_api_answers_422_with_the_fields_at_fault(client, people):
    _app, token = people
    response = client.post("/api/v1/articles", headers=token, json={
        "title": "x", "body": howto_template("en"), "category": "internet", "status": "published"})
    assert response.status_code == 422, response.get_data(as_text=True)
    error = response.get_json()["error"]
    assert error["code"] == "invalid" and set(error["fields"]) == {"title", "body"}
    draft = client.post("/api/v1/articles", headers=token, json={
        "title": "x", "body": howto_template("en"), "category": "internet"})
    assert draft.status_code == 201
    article_id = draft.get_json()["id"]
    refused = client.patch("/api/v1/articles/%d" % article_id, headers=token, json={"status": "published"})
    assert refused.status_code == 422 and set(refused.get_json()["error"]["fields"]) == {"title", "body"}
    fixed = client.patch("/api/v1/articles/%d" % article_id, headers=token,
                         json={"title": TITLE, "body": HOWTO_BODY, "status": "published"})
    assert fixed.status_code == 200 and fixed.get_json()["status"] == "published"
