"""The knowledge-base part of /api/v1: shapes, permissions and every error case."""
import pytest
from sqlalchemy import func, select

from core.categories import Category
from extensions import db
from kb.models import Article, ArticleFeedback
from tests.factories import bearer, make_token, make_user
from tests.factories_kb import HOWTO_BODY, make_article, make_category

ERROR_KEYS = {"code", "message", "fields"}


@pytest.fixture(scope="module")
def tokens(module_transaction):
    """Bearer tokens for a lead and two agents of one team; the internet category (built once
    for the module, each test's changes rolled back)."""
    from accounts import services as accounts
    with module_transaction.app_context():
        users = {"lead": make_user("lead", role="lead", team="Tehran"),
                 "agent": make_user("agent", team="Tehran"),
                 "other": make_user("other", team="Tehran")}
        accounts.save_team("Tehran", "lead")
        db.session.commit()
        make_category("internet")
        return {name: bearer(make_token(user)) for name, user in users.items()}


def new_article(app, author="agent", **kw):
    from accounts.services import get_user
    with app.app_context():
        publisher = get_user("lead") if kw.get("status") == "published" else None
        return make_article(get_user(author), publisher=publisher, **kw).id


def counts(app):
    with app.app_context():
        return (db.session.scalar(select(func.count(Article.id))),
                db.session.scalar(select(func.count(Category.id))),
                db.session.scalar(select(func.count(ArticleFeedback.id))))


def snapshot(app, article_id):
    with app.app_context():
        article = db.session.get(Article, article_id)
        return (article.title, article.body, article.status, article.revision_number)


def error_of(response, status, field=None):
    assert response.status_code == status, response.get_data(as_text=True)
    body = response.get_json()
    assert set(body) == {"error"} and set(body["error"]) == ERROR_KEYS
    assert body["error"]["message"]
    if field:
        assert field in body["error"]["fields"], body
    return body["error"]


def article_payload(**fields):
    payload = {"title": "Modem DSL light blinking", "body": HOWTO_BODY, "category": "internet"}
    payload.update(fields)
    return payload


# --- authentication ------------------------------------------------------------------------

@pytest.mark.parametrize("method, path", [
    ("get", "/api/v1/categories"), ("post", "/api/v1/categories"), ("get", "/api/v1/articles"),
    ("post", "/api/v1/articles"), ("get", "/api/v1/articles/1"), ("patch", "/api/v1/articles/1"),
    ("get", "/api/v1/articles/1/revisions"), ("post", "/api/v1/articles/1/feedback"),
])
def test_every_endpoint_needs_a_token(client, tokens, method, path):
    error_of(getattr(client, method)(path, json={}), 401)


# --- categories ----------------------------------------------------------------------------

def test_anyone_lists_categories(client, tokens):
    body = client.get("/api/v1/categories", headers=tokens["agent"]).get_json()
    assert body["total"] == 1
    assert body["categories"][0]["slug"] == "internet"
    assert set(body["categories"][0]) == {"id", "slug", "name", "description", "translations"}


def test_lead_creates_a_category(app, client, tokens):
    response = client.post("/api/v1/categories", headers=tokens["lead"],
                           json={"name": "Billing & refunds", "translations": {"fa": "صورت‌حساب"}})
    assert response.status_code == 201
    assert response.get_json()["slug"] == "billing-refunds"
    assert response.get_json()["translations"] == {"fa": "صورت‌حساب"}


def test_agent_cannot_create_a_category(app, client, tokens):
    error_of(client.post("/api/v1/categories", headers=tokens["agent"], json={"name": "TV"}), 403)
    assert counts(app)[1] == 1


@pytest.mark.parametrize("payload, status, field", [
    ({"name": "Internet"}, 409, "name"),
    ({"name": "Other", "slug": "internet"}, 409, "slug"),
    ({}, 422, "name"),
    ({"name": 5}, 422, "name"),
    ({"name": "TV", "slug": "T V"}, 422, "slug"),
    ({"name": "TV", "translations": ["fa"]}, 422, "translations"),
])
def test_bad_categories_are_refused(app, client, tokens, payload, status, field):
    error_of(client.post("/api/v1/categories", headers=tokens["lead"], json=payload), status, field)
    assert counts(app)[1] == 1


def test_non_json_body_is_400(client, tokens):
    response = client.post("/api/v1/categories", headers=tokens["lead"], data="name=TV",
                           content_type="application/x-www-form-urlencoded")
    error_of(response, 400)


# --- creating articles ---------------------------------------------------------------------

def test_agent_creates_a_draft(client, tokens):
    response = client.post("/api/v1/articles", headers=tokens["agent"],
                           json=article_payload(tags=["modem", "DSL"], lang="en", summary="Short"))
    assert response.status_code == 201
    body = response.get_json()
    assert {"id", "title", "body", "html", "category", "tags", "lang", "status", "revision",
            "author", "url", "summary", "created_at", "updated_at", "verified_at", "review_due",
            "helpful_count", "unhelpful_count"} <= set(body)
    assert body["status"] == "draft" and body["revision"] == 1 and body["author"] == "agent"
    assert body["category"] == "internet" and body["tags"] == ["DSL", "modem"]
    assert body["url"] == "/kb/%d/modem-dsl-light-blinking" % body["id"]
    assert response.headers["Location"].endswith("/api/v1/articles/%d" % body["id"])
    assert "<strong>expect a visit within 48 hours</strong>" in body["html"]
    assert body["created_at"].endswith("Z") and body["verified_at"] is None


def test_agent_submits_for_review_on_create(client, tokens):
    response = client.post("/api/v1/articles", headers=tokens["agent"],
                           json=article_payload(status="in_review"))
    assert response.get_json()["status"] == "in_review"


def test_agent_cannot_publish_and_nothing_is_written(app, client, tokens):
    response = client.post("/api/v1/articles", headers=tokens["agent"],
                           json=article_payload(status="published"))
    error_of(response, 403, "status")
    assert counts(app)[0] == 0


def test_lead_publishes_on_create(client, tokens):
    body = client.post("/api/v1/articles", headers=tokens["lead"],
                       json=article_payload(status="published")).get_json()
    assert body["status"] == "published" and body["verified_by"] == "lead"
    assert body["verified_at"] and body["review_due"] > body["verified_at"]


@pytest.mark.parametrize("payload, field", [
    (article_payload(title=""), "title"),
    (article_payload(title="   "), "title"),
    (article_payload(title="x" * 201), "title"),
    (article_payload(title=42), "title"),
    ({"body": HOWTO_BODY, "category": "internet"}, "title"),
    (article_payload(body=""), "body"),
    (article_payload(body="x" * (300 * 1024)), "body"),
    (article_payload(category="nowhere"), "category"),
    ({"title": "T", "body": HOWTO_BODY}, "category"),
    (article_payload(lang="de"), "lang"),
    (article_payload(status="archived"), "status"),
    (article_payload(status="sideways"), "status"),
    (article_payload(tags="modem"), "tags"),
    (article_payload(tags=[1, 2]), "tags"),
    (article_payload(colour="red"), "colour"),
])
def test_bad_articles_are_422_naming_the_field_and_nothing_is_written(app, client, tokens,
                                                                      payload, field):
    error_of(client.post("/api/v1/articles", headers=tokens["lead"], json=payload), 422, field)
    assert counts(app)[0] == 0


def test_three_megabyte_body_is_413_and_nothing_is_written(app, client, tokens):
    response = client.post("/api/v1/articles", headers=tokens["agent"],
                           json=article_payload(body="x" * (3 * 1024 * 1024)))
    error = error_of(response, 413)
    # Refused before it is parsed: the message gives the limit in characters.
    assert error["code"] == "too_large" and "200000 characters" in error["message"]
    assert counts(app)[0] == 0


# --- reading and listing -------------------------------------------------------------------

def test_get_article_returns_sanitised_html(app, client, tokens):
    article_id = new_article(app, status="published",
                             body="Hi <script>alert(1)</script>[x](javascript:alert(1))\n")
    body = client.get("/api/v1/articles/%d" % article_id, headers=tokens["other"]).get_json()
    assert "<script" not in body["html"] and "javascript:" not in body["html"]
    assert body["body"].startswith("Hi <script>")


def test_unknown_article_is_404(client, tokens):
    error_of(client.get("/api/v1/articles/999", headers=tokens["agent"]), 404)


def test_someone_elses_draft_is_403(app, client, tokens):
    article_id = new_article(app)
    error_of(client.get("/api/v1/articles/%d" % article_id, headers=tokens["other"]), 403)
    assert client.get("/api/v1/articles/%d" % article_id, headers=tokens["lead"]).status_code == 200


def test_list_articles_is_paginated_and_filtered(app, client, tokens):
    for number in range(3):
        new_article(app, title="Published %d" % number, status="published")
    new_article(app, title="Draft")
    body = client.get("/api/v1/articles?per_page=2&page=2", headers=tokens["other"]).get_json()
    assert body["total"] == 3 and len(body["articles"]) == 1 and body["page"] == 2
    assert client.get("/api/v1/articles?tag=nothing", headers=tokens["other"]).get_json()["total"] == 0
    error_of(client.get("/api/v1/articles?per_page=1000", headers=tokens["other"]), 400, "per_page")
    error_of(client.get("/api/v1/articles?category=nowhere", headers=tokens["other"]), 422, "category")
    error_of(client.get("/api/v1/articles?status=odd", headers=tokens["other"]), 400, "status")


def test_revisions_are_listed_newest_first(app, client, tokens):
    article_id = new_article(app)
    client.patch("/api/v1/articles/%d" % article_id, headers=tokens["agent"],
                 json={"title": "Second title", "note": "Renamed"})
    body = client.get("/api/v1/articles/%d/revisions" % article_id, headers=tokens["agent"]).get_json()
    assert [r["number"] for r in body["revisions"]] == [2, 1]
    assert body["revisions"][0]["note"] == "Renamed" and body["revisions"][0]["author"] == "agent"
    error_of(client.get("/api/v1/articles/%d/revisions" % article_id, headers=tokens["other"]), 403)


# --- changing articles ---------------------------------------------------------------------

def test_author_patches_own_draft(app, client, tokens):
    article_id = new_article(app)
    response = client.patch("/api/v1/articles/%d" % article_id, headers=tokens["agent"],
                            json={"title": "Modem lights", "tags": ["modem"], "revision": 1})
    assert response.status_code == 200
    body = response.get_json()
    assert body["title"] == "Modem lights" and body["revision"] == 2 and body["tags"] == ["modem"]


def test_round_tripped_article_json_is_accepted(app, client, tokens):
    article_id = new_article(app)
    body = client.get("/api/v1/articles/%d" % article_id, headers=tokens["agent"]).get_json()
    body["title"] = "Changed"
    assert client.patch("/api/v1/articles/%d" % article_id, headers=tokens["agent"],
                        json=body).status_code == 200


def test_editing_someone_elses_draft_is_403_and_changes_nothing(app, client, tokens):
    article_id = new_article(app)
    before = snapshot(app, article_id)
    error_of(client.patch("/api/v1/articles/%d" % article_id, headers=tokens["other"],
                          json={"title": "Mine"}), 403)
    assert snapshot(app, article_id) == before


def test_stale_revision_is_409(app, client, tokens):
    article_id = new_article(app, status="in_review")
    client.patch("/api/v1/articles/%d" % article_id, headers=tokens["lead"], json={"title": "Lead"})
    error_of(client.patch("/api/v1/articles/%d" % article_id, headers=tokens["agent"],
                          json={"title": "Agent", "revision": 1}), 409, "revision")
    assert snapshot(app, article_id)[0] == "Lead"


def test_agent_cannot_publish_by_patch_and_nothing_is_written(app, client, tokens):
    article_id = new_article(app, status="in_review")
    before = snapshot(app, article_id)
    error_of(client.patch("/api/v1/articles/%d" % article_id, headers=tokens["agent"],
                          json={"title": "Sneaky", "status": "published"}), 403, "status")
    assert snapshot(app, article_id) == before


def test_lead_publishes_by_patch(app, client, tokens):
    article_id = new_article(app, status="in_review")
    body = client.patch("/api/v1/articles/%d" % article_id, headers=tokens["lead"],
                        json={"status": "published"}).get_json()
    assert body["status"] == "published" and body["verified_by"] == "lead"


@pytest.mark.parametrize("payload, status, field", [
    ({"status": "in_review"}, 409, "status"),
    ({"status": "nonsense"}, 422, "status"),
    ({"lang": "xx"}, 422, "lang"),
    ({"category": "nowhere"}, 422, "category"),
    ({"title": ""}, 422, "title"),
    ({"revision": "1"}, 422, "revision"),
    ({"body": "x" * (300 * 1024)}, 422, "body"),
])
def test_bad_patches_are_refused_and_change_nothing(app, client, tokens, payload, status, field):
    article_id = new_article(app, status="published")
    before = snapshot(app, article_id)
    error_of(client.patch("/api/v1/articles/%d" % article_id, headers=tokens["agent"], json=payload),
             status, field)
    assert snapshot(app, article_id) == before


def test_patch_of_unknown_article_is_404(client, tokens):
    error_of(client.patch("/api/v1/articles/999", headers=tokens["agent"], json={"title": "x"}), 404)


def test_patch_with_three_megabytes_is_413(app, client, tokens):
    article_id = new_article(app)
    before = snapshot(app, article_id)
    error_of(client.patch("/api/v1/articles/%d" % article_id, headers=tokens["agent"],
                          json={"body": "x" * (3 * 1024 * 1024)}), 413)
    assert snapshot(app, article_id) == before


# --- feedback ------------------------------------------------------------------------------

def test_feedback_is_created_then_changed(app, client, tokens):
    article_id = new_article(app, status="published")
    url = "/api/v1/articles/%d/feedback" % article_id
    first = client.post(url, headers=tokens["other"], json={"helpful": True})
    assert first.status_code == 201 and first.get_json()["helpful_count"] == 1
    second = client.post(url, headers=tokens["other"], json={"helpful": False, "comment": "Outdated"})
    assert second.status_code == 200
    assert second.get_json() == {"article_id": article_id, "helpful": False, "comment": "Outdated",
                                 "helpful_count": 0, "unhelpful_count": 1}
    assert counts(app)[2] == 1


@pytest.mark.parametrize("payload, field", [
    ({}, "helpful"), ({"helpful": "yes"}, "helpful"), ({"helpful": 1}, "helpful"),
    ({"helpful": True, "comment": 3}, "comment"), ({"helpful": True, "comment": "x" * 1001}, "comment"),
])
def test_bad_feedback_is_422(app, client, tokens, payload, field):
    article_id = new_article(app, status="published")
    error_of(client.post("/api/v1/articles/%d/feedback" % article_id, headers=tokens["other"],
                         json=payload), 422, field)
    assert counts(app)[2] == 0


def test_author_feedback_is_403(app, client, tokens):
    article_id = new_article(app, status="published")
    error_of(client.post("/api/v1/articles/%d/feedback" % article_id, headers=tokens["agent"],
                         json={"helpful": True}), 403)


def test_feedback_on_an_article_in_review_is_409(app, client, tokens):
    article_id = new_article(app, status="in_review")
    error_of(client.post("/api/v1/articles/%d/feedback" % article_id, headers=tokens["lead"],
                         json={"helpful": True}), 409)


def test_feedback_on_unknown_article_is_404(client, tokens):
    error_of(client.post("/api/v1/articles/999/feedback", headers=tokens["agent"],
                         json={"helpful": True}), 404)


def test_a_long_persian_article_sent_escaped_is_not_refused_for_its_size(app, client, tokens):
    """199,000 Persian characters are about 1.2 MB as JSON \\u escapes: over the app-wide
    default body limit, within the article's own."""
    body = article_payload()["body"] + "\n\n" + "ش" * 190_000
    response = client.post("/api/v1/articles", headers=tokens["agent"], json=article_payload(body=body))
    assert response.status_code == 201, response.get_data(as_text=True)[:300]
    assert len(response.get_json()["body"]) == len(body)
