"""Knowledge-base pages: lists, reading, writing, the lifecycle buttons, history, feedback."""
from html.parser import HTMLParser

import pytest
from sqlalchemy import func, select

from core.categories import Category, get_category
from extensions import db
from kb import services
from kb.models import Article, ArticleFlag
from tests.factories import flush_reads, make_user
from tests.factories_kb import HOWTO_BODY, make_article, make_category


@pytest.fixture(scope="module")
def people(module_transaction):
    """A lead and two agents of one team, and the internet and billing categories; gives the
    app (built once for the module, each test's changes rolled back)."""
    from accounts import services as accounts
    with module_transaction.app_context():
        make_user("lead", role="lead", team="Tehran")
        make_user("agent", team="Tehran")
        make_user("other", team="Tehran")
        accounts.save_team("Tehran", "lead")
        db.session.commit()
        make_category("internet")
        make_category("billing")
    return module_transaction


def new_article(app, author="agent", **kw):
    """Create an article as `author` (published ones by the lead); returns its id."""
    from accounts.services import get_user
    with app.app_context():
        publisher = get_user("lead") if kw.get("status") == "published" else None
        return make_article(get_user(author), publisher=publisher, **kw).id


def load(app, article_id):
    with app.app_context():
        article = db.session.get(Article, article_id)
        return {"status": article.status, "title": article.title, "revision": article.revision_number,
                "views": article.view_count, "helpful": article.helpful_count,
                "unhelpful": article.unhelpful_count, "body": article.body}


def article_count(app):
    with app.app_context():
        return db.session.scalar(select(func.count(Article.id)))


class ElementCollector(HTMLParser):
    """Every start tag with its attributes, inside the element with class `within`."""

    def __init__(self, within):
        super().__init__()
        self.within, self.depth, self.elements = within, 0, []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if self.depth:
            self.depth += 1
            self.elements.append((tag, attributes))
        elif self.within in (attributes.get("class") or "").split():
            self.depth = 1

    def handle_endtag(self, tag):
        if self.depth:
            self.depth -= 1


def form_data(**fields):
    data = {"title": "Modem DSL light blinking", "summary": "", "category": "internet",
            "lang": "en", "tags": "modem, dsl", "body": HOWTO_BODY, "note": "", "save": "Save"}
    data.update(fields)
    return data


# --- list ----------------------------------------------------------------------------------

def test_list_needs_sign_in(client, people):
    response = client.get("/kb/")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_list_shows_published_articles_but_not_others_drafts(client, auth, people):
    new_article(people, title="Published one", status="published")
    new_article(people, title="Secret draft")
    auth.login("other")
    page = client.get("/kb/").get_data(as_text=True)
    assert "Published one" in page and "Secret draft" not in page
    everything = client.get("/kb/?status=all").get_data(as_text=True)
    assert "Secret draft" not in everything


def test_author_finds_own_drafts(client, auth, people):
    new_article(people, title="My draft")
    auth.login("agent")
    assert "My draft" in client.get("/kb/?status=draft&mine=1").get_data(as_text=True)


@pytest.mark.parametrize("query, shown, hidden", [
    ("category=billing", "Refund twice", "Modem lights"),
    ("lang=fa", "چراغ مودم", "Modem lights"),
    ("tag=REFUND", "Refund twice", "Modem lights"),
    ("tag=nothing-like-this", None, "Modem lights"),
])
def test_list_filters(client, auth, people, query, shown, hidden):
    new_article(people, title="Modem lights", status="published", tags=["modem"])
    new_article(people, title="Refund twice", category="billing", status="published", tags=["refund"])
    new_article(people, title="چراغ مودم", lang="fa", status="published")
    auth.login("other")
    page = client.get("/kb/?" + query).get_data(as_text=True)
    assert hidden not in page
    if shown:
        assert shown in page


def test_list_is_paginated(client, auth, people):
    for number in range(23):
        new_article(people, title="Article number %02d" % number, status="published")
    auth.login("other")
    first = client.get("/kb/").get_data(as_text=True)
    second = client.get("/kb/?page=2").get_data(as_text=True)
    assert first.count("kb-list__item") == 20 and second.count("kb-list__item") == 3
    assert "Article number 22" in first and "Article number 00" in second


# --- reading -------------------------------------------------------------------------------

def test_article_page_shows_the_customer_box_and_content_direction(client, auth, people):
    article_id = new_article(people, status="published", lang="fa", title="چراغ DSL")
    auth.login("other")
    page = client.get("/kb/%d" % article_id).get_data(as_text=True)
    assert 'data-copy-target="kb-customer-text"' in page
    assert 'id="kb-customer-text" class="prose" dir="auto" lang="fa"' in page
    assert "expect a visit within 48 hours" in page
    assert '<h1 dir="auto" lang="fa">چراغ DSL</h1>' in page
    assert "Checked by" in page and "Next review due" in page


def test_reading_counts_a_view_except_for_the_author(client, auth, people):
    article_id = new_article(people, status="published")
    auth.login("agent")
    client.get("/kb/%d" % article_id)
    auth.logout()
    auth.login("other")
    client.get("/kb/%d/any-slug" % article_id)
    client.get("/kb/%d" % article_id)
    assert load(people, article_id)["views"] == 0  # buffered: reading wrote nothing
    assert flush_reads(people) == 1  # one counter, for the article
    assert load(people, article_id)["views"] == 2


def test_someone_elses_draft_is_forbidden(client, auth, people):
    article_id = new_article(people)
    auth.login("other")
    assert client.get("/kb/%d" % article_id).status_code == 403


def test_unknown_article_is_404(client, auth, people):
    auth.login("other")
    assert client.get("/kb/999").status_code == 404


def test_hostile_article_body_renders_no_script_in_the_page(client, auth, people):
    hostile = (
        "## What to tell the customer\n\n<script>alert(1)</script> [x](javascript:alert(2))\n\n"
        "<img src=x onerror=alert(3)> <a href=\"&#106;avascript:alert(4)\">y</a>\n\n"
        "![i](data:text/html;base64,PHNjcmlwdD4=) <svg onload=alert(5)></svg>\n"
        "[z](JaVaScRiPt:alert(6)){: onclick=\"alert(7)\" }\n"
    )
    article_id = new_article(people, status="published", body=hostile)
    auth.login("other")
    page = client.get("/kb/%d" % article_id).get_data(as_text=True)
    for region in ("kb-body", "kb-customer"):
        collector = ElementCollector(region)
        collector.feed(page)
        assert collector.elements, region
        for tag, attributes in collector.elements:
            assert tag not in ("script", "svg", "iframe", "object", "embed"), (region, tag)
            assert not any(name.startswith("on") or name == "style" for name in attributes)
            for name in ("href", "src"):
                value = (attributes.get(name) or "").strip().lower()
                assert not value.startswith(("javascript:", "data:", "vbscript:")), (tag, value)


# --- writing -------------------------------------------------------------------------------

def test_new_article_form_starts_from_the_howto_template_in_the_chosen_language(client, auth, people):
    auth.login("agent")
    page = client.get("/kb/new?lang=fa").get_data(as_text=True)
    assert "## آنچه باید به مشتری بگویید" in page
    assert '<option selected value="fa">' in page or 'value="fa" selected' in page


def test_agent_writes_a_draft(client, auth, people):
    auth.login("agent")
    response = client.post("/kb/new", data=form_data())
    assert response.status_code == 302
    with people.app_context():
        article = db.session.scalar(select(Article))
        assert article.status == "draft" and [t.name for t in article.tags] == ["dsl", "modem"]
        assert response.headers["Location"].endswith("/kb/%d/%s" % (article.id, article.slug))


def test_agent_saves_and_submits_for_review_in_one_step(client, auth, people):
    auth.login("agent")
    data = form_data(submit_review="Save and submit for review")
    del data["save"]
    client.post("/kb/new", data=data)
    with people.app_context():
        assert db.session.scalar(select(Article.status)) == "in_review"


def test_preview_button_renders_without_saving(client, auth, people):
    auth.login("agent")
    data = form_data(preview="Preview", body="**bold** <script>x()</script>")
    del data["save"]
    page = client.post("/kb/new", data=data).get_data(as_text=True)
    assert "<strong>bold</strong>" in page and "<script>x()" not in page
    assert article_count(people) == 0


@pytest.mark.parametrize("fields, message", [
    ({"title": ""}, "Enter a title."),
    ({"title": "x" * 201}, "at most 200 characters"),
    ({"category": "nowhere"}, "Unknown category"),
    ({"lang": "de"}, "Unknown language"),
    ({"body": ""}, "the body is empty"),
    ({"body": "x" * 200_001}, "at most 200000"),
    ({"body": "> " * 40 + "deep"}, "levels deep"),
])
def test_bad_article_form_shows_the_error_and_writes_nothing(client, auth, people, fields, message):
    auth.login("agent")
    response = client.post("/kb/new", data=form_data(**fields))
    assert response.status_code == 200
    assert message in response.get_data(as_text=True)
    assert article_count(people) == 0


def test_three_megabyte_form_is_refused_with_a_clear_message(client, auth, people):
    auth.login("agent")
    response = client.post("/kb/new", data=form_data(body="x" * (3 * 1024 * 1024)))
    assert response.status_code == 413
    page = response.get_data(as_text=True)
    assert "at most 200000 characters" in page and "xxxx" not in page
    assert article_count(people) == 0


def test_agent_cannot_publish_from_the_form(client, auth, people):
    auth.login("agent")
    data = form_data(publish="Save and publish")
    del data["save"]
    response = client.post("/kb/new", data=data)
    assert response.status_code == 403
    assert article_count(people) == 0


def test_lead_publishes_from_the_form(client, auth, people):
    auth.login("lead")
    data = form_data(publish="Save and publish")
    del data["save"]
    client.post("/kb/new", data=data)
    with people.app_context():
        article = db.session.scalar(select(Article))
        assert article.status == "published" and article.verifier.username == "lead"


def test_editing_someone_elses_draft_is_forbidden_and_changes_nothing(client, auth, people):
    article_id = new_article(people)
    auth.login("other")
    assert client.get("/kb/%d/edit" % article_id).status_code == 403
    response = client.post("/kb/%d/edit" % article_id, data=form_data(title="Taken over"))
    assert response.status_code == 403
    assert load(people, article_id)["title"] == "Modem DSL light blinking"


def test_edit_makes_a_new_revision(client, auth, people):
    article_id = new_article(people)
    auth.login("agent")
    page = client.get("/kb/%d/edit" % article_id).get_data(as_text=True)
    assert 'name="base_revision" type="hidden" value="1"' in page
    client.post("/kb/%d/edit" % article_id,
                data=form_data(title="Modem DSL light off", base_revision="1", note="Renamed"))
    assert load(people, article_id)["revision"] == 2


def test_edit_over_a_newer_revision_is_refused_on_the_form(client, auth, people):
    article_id = new_article(people, status="in_review")
    auth.login("lead")
    client.post("/kb/%d/edit" % article_id, data=form_data(title="Lead's fix", base_revision="1"))
    auth.logout()
    auth.login("agent")
    page = client.post("/kb/%d/edit" % article_id,
                       data=form_data(title="Agent's edit", base_revision="1")).get_data(as_text=True)
    assert "Someone saved revision 2" in page
    assert load(people, article_id)["title"] == "Lead's fix"


def test_live_preview_returns_sanitised_html(client, auth, people):
    auth.login("agent")
    response = client.post("/kb/preview", data={"body": "# Hi\n\n<img src=x onerror=alert(1)>"})
    assert response.status_code == 200
    html = response.get_json()["html"]
    assert "<h1>Hi</h1>" in html and "onerror" not in html


def test_live_preview_needs_the_csrf_header(csrf_app, people):
    client = csrf_app.test_client()
    login_page = client.get("/login").get_data(as_text=True)
    token = login_page.split('name="csrf-token" content="')[1].split('"')[0]
    client.post("/login", data={"username": "agent", "password": "correct-horse-battery",
                                "csrf_token": token})
    page = client.get("/kb/new").get_data(as_text=True)
    token = page.split('name="csrf-token" content="')[1].split('"')[0]
    assert client.post("/kb/preview", data={"body": "x"}).status_code == 400
    response = client.post("/kb/preview", data={"body": "**x**"}, headers={"X-CSRFToken": token})
    assert response.status_code == 200 and "<strong>x</strong>" in response.get_json()["html"]


# --- lifecycle buttons ---------------------------------------------------------------------

def test_author_submits_and_lead_publishes(client, auth, people):
    article_id = new_article(people)
    auth.login("agent")
    client.post("/kb/%d/submit" % article_id)
    assert load(people, article_id)["status"] == "in_review"
    auth.logout()
    auth.login("lead")
    assert "Send back to the author" in client.get("/kb/%d" % article_id).get_data(as_text=True)
    client.post("/kb/%d/publish" % article_id)
    assert load(people, article_id)["status"] == "published"


@pytest.mark.parametrize("action", ["publish", "archive", "verify", "send-back"])
def test_agent_is_refused_the_expert_actions(client, auth, people, action):
    article_id = new_article(people, status="in_review" if action in ("publish", "send-back") else "published")
    before = load(people, article_id)
    auth.login("other")
    assert client.post("/kb/%d/%s" % (article_id, action), data={"comment": "x"}).status_code == 403
    assert load(people, article_id) == before


def test_another_agent_cannot_submit_someone_elses_draft(client, auth, people):
    article_id = new_article(people)
    auth.login("other")
    assert client.post("/kb/%d/submit" % article_id).status_code == 403
    assert load(people, article_id)["status"] == "draft"


def test_send_back_with_a_comment_shows_it_to_the_author(client, auth, people):
    article_id = new_article(people, status="in_review")
    auth.login("lead")
    client.post("/kb/%d/send-back" % article_id, data={"comment": "Add the 48-hour promise."})
    auth.logout()
    auth.login("agent")
    assert load(people, article_id)["status"] == "draft"
    assert "Add the 48-hour promise." in client.get("/kb/%d" % article_id).get_data(as_text=True)


def test_send_back_without_a_comment_is_a_message_not_a_change(client, auth, people):
    article_id = new_article(people, status="in_review")
    auth.login("lead")
    response = client.post("/kb/%d/send-back" % article_id, data={"comment": ""},
                           follow_redirects=True)
    assert "Tell the author what to change." in response.get_data(as_text=True)
    assert load(people, article_id)["status"] == "in_review"


def test_overdue_article_is_marked_on_its_page(client, auth, people):
    from datetime import timedelta

    from core.clock import utcnow
    article_id = new_article(people, status="published")
    with people.app_context():
        db.session.get(Article, article_id).review_due = utcnow() - timedelta(days=2)
        db.session.commit()
    auth.login("other")
    page = client.get("/kb/%d" % article_id).get_data(as_text=True)
    assert "Review overdue since" in page


# --- history -------------------------------------------------------------------------------

def test_history_diff_and_restore(client, auth, people):
    article_id = new_article(people, status="published", body="Restart the modem.\n")
    auth.login("agent")
    client.post("/kb/%d/edit" % article_id, data=form_data(body="Restart the router.\n"))
    history = client.get("/kb/%d/history" % article_id).get_data(as_text=True)
    assert "#1" in history and "#2" in history
    diff = client.get("/kb/%d/diff?a=1&b=2" % article_id).get_data(as_text=True)
    assert "<del>modem</del><ins>router</ins>" in diff
    old = client.get("/kb/%d/revisions/1" % article_id).get_data(as_text=True)
    assert "Restart the modem." in old
    client.post("/kb/%d/revisions/1/restore" % article_id)
    assert load(people, article_id)["body"] == "Restart the modem.\n"
    assert load(people, article_id)["revision"] == 3


def test_history_lists_every_expert_check(client, auth, people):
    article_id = new_article(people, status="published")
    auth.login("lead")
    assert client.post("/kb/%d/verify" % article_id).status_code == 302
    history = client.get("/kb/%d/history" % article_id).get_data(as_text=True)
    checks = history.split('id="checks-heading"', 1)[1]
    assert checks.count("<li>Checked by") == 2  # publishing and verifying


def test_diff_of_unknown_revision_is_404(client, auth, people):
    article_id = new_article(people, status="published")
    auth.login("other")
    assert client.get("/kb/%d/diff?a=1&b=9" % article_id).status_code == 404


def test_another_agent_cannot_restore(client, auth, people):
    article_id = new_article(people, status="published")
    with people.app_context():
        from accounts.services import get_user
        services.update_article(db.session.get(Article, article_id), get_user("agent"), title="New")
        db.session.commit()
    auth.login("other")
    assert client.post("/kb/%d/revisions/1/restore" % article_id).status_code == 403
    assert load(people, article_id)["title"] == "New"


# --- feedback and flags --------------------------------------------------------------------

def test_reader_votes_and_changes_the_vote(client, auth, people):
    article_id = new_article(people, status="published")
    auth.login("other")
    client.post("/kb/%d/feedback" % article_id, data={"helpful": "yes"})
    client.post("/kb/%d/feedback" % article_id, data={"helpful": "no", "comment": "Old screens"})
    counts = load(people, article_id)
    assert (counts["helpful"], counts["unhelpful"]) == (0, 1)
    auth.logout()
    auth.login("agent")
    page = client.get("/kb/%d" % article_id).get_data(as_text=True)
    assert "Old screens" in page and "1 said no" in page


def test_author_cannot_vote_on_own_article(client, auth, people):
    article_id = new_article(people, status="published")
    auth.login("agent")
    assert client.post("/kb/%d/feedback" % article_id, data={"helpful": "yes"}).status_code == 403


def test_vote_without_an_answer_is_a_message(client, auth, people):
    article_id = new_article(people, status="published")
    auth.login("other")
    response = client.post("/kb/%d/feedback" % article_id, data={}, follow_redirects=True)
    assert "Choose Yes or No." in response.get_data(as_text=True)
    assert load(people, article_id)["helpful"] == 0


def test_flag_and_resolve_from_the_review_queue(client, auth, people):
    article_id = new_article(people, status="published")
    auth.login("other")
    client.post("/kb/%d/flag" % article_id, data={"reason": "The fee changed to $20."})
    auth.logout()
    auth.login("lead")
    queue = client.get("/kb/review").get_data(as_text=True)
    assert "The fee changed to $20." in queue
    with people.app_context():
        flag_id = db.session.scalar(select(ArticleFlag.id))
    response = client.post("/kb/flags/%d/resolve" % flag_id, data={"note": "Updated", "next": "/kb/review"})
    assert response.headers["Location"].endswith("/kb/review")
    assert "No open flags." in client.get("/kb/review").get_data(as_text=True)


def test_agent_cannot_resolve_a_flag(client, auth, people):
    article_id = new_article(people, status="published")
    auth.login("other")
    client.post("/kb/%d/flag" % article_id, data={"reason": "The fee changed to $20."})
    with people.app_context():
        flag_id = db.session.scalar(select(ArticleFlag.id))
    assert client.post("/kb/flags/%d/resolve" % flag_id, data={"note": "x"}).status_code == 403


def test_review_queue_is_for_experts_and_leads(client, auth, people):
    auth.login("other")
    assert client.get("/kb/review").status_code == 403


def test_review_queue_lists_waiting_and_overdue_articles(client, auth, people):
    from datetime import timedelta

    from core.clock import utcnow
    new_article(people, title="Waiting one", status="in_review")
    late_id = new_article(people, title="Late one", status="published")
    with people.app_context():
        db.session.get(Article, late_id).review_due = utcnow() - timedelta(days=5)
        db.session.commit()
    auth.login("lead")
    page = client.get("/kb/review").get_data(as_text=True)
    assert "Waiting one" in page and "Late one" in page


# --- categories ----------------------------------------------------------------------------

def test_categories_page_is_for_leads(client, auth, people):
    auth.login("agent")
    assert client.get("/kb/categories").status_code == 403
    assert client.post("/kb/categories", data={"name": "TV"}).status_code == 403


def test_lead_adds_and_renames_a_category(client, auth, people):
    auth.login("lead")
    client.post("/kb/categories", data={"name": "TV & streaming", "slug": "", "name_fa": "تلویزیون"})
    client.post("/kb/categories/tv-streaming/edit", data={"name": "TV", "name_fa": "تلویزیون"})
    with people.app_context():
        category = get_category("tv-streaming")
        assert category.name == "TV" and category.translations == {"fa": "تلویزیون"}


def test_duplicate_category_shows_the_error(client, auth, people):
    auth.login("lead")
    page = client.post("/kb/categories", data={"name": "Internet"}).get_data(as_text=True)
    assert "There is already a category called" in page
    with people.app_context():
        assert db.session.scalar(select(func.count(Category.id))) == 2


def test_still_right_from_the_review_queue_clears_the_overdue_mark(client, auth, people):
    from datetime import timedelta

    from core.clock import utcnow
    article_id = new_article(people, title="Late one", status="published")
    with people.app_context():
        db.session.get(Article, article_id).review_due = utcnow() - timedelta(days=5)
        db.session.commit()
    auth.login("lead")
    response = client.post("/kb/%d/verify" % article_id, data={"next": "/kb/review"})
    assert response.headers["Location"].endswith("/kb/review")
    assert "Late one" not in client.get("/kb/review").get_data(as_text=True)
    with people.app_context():
        assert not db.session.get(Article, article_id).is_overdue()
