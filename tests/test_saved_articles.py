"""Saved articles: the Save toggle on an article, the saved page, the API, who may save what."""
from sqlalchemy import func, select

from extensions import db
from kb import services
from kb.models import SavedArticle
from tests.factories import bearer, make_token, make_user
from tests.factories_kb import make_article, make_category


def make_library(app):
    """A lead, two agents, a published article and an agent's draft; returns their ids."""
    with app.app_context():
        lead = make_user("lead", role="lead")
        agent = make_user("agent")
        make_user("other")
        make_category("internet")
        published = make_article(agent, title="Router keeps rebooting", status="published", publisher=lead)
        second = make_article(agent, title="Modem DSL light blinking", status="published", publisher=lead)
        draft = make_article(agent, title="Unfinished draft")
        return {"published": published.id, "second": second.id, "draft": draft.id}


def saved_count(app, username="other"):
    from accounts.services import get_user
    with app.app_context():
        return db.session.scalar(select(func.count(SavedArticle.id))
                                 .where(SavedArticle.user_id == get_user(username).id))


def test_save_button_saves_and_the_article_page_then_says_saved(app, client, auth):
    ids = make_library(app)
    auth.login("other")
    page = client.get("/kb/%d" % ids["published"]).get_data(as_text=True)
    assert 'name="saved" value="1"' in page and ">Save<" in page
    response = client.post("/kb/%d/saved" % ids["published"], data={"saved": "1"})
    assert response.status_code == 302 and "/kb/%d/" % ids["published"] in response.location
    assert saved_count(app) == 1
    page = client.get("/kb/%d" % ids["published"]).get_data(as_text=True)
    assert 'name="saved" value="0"' in page and ">Saved for later<" in page


def test_saving_twice_keeps_one_saved_article(app, client, auth):
    ids = make_library(app)
    auth.login("other")
    for _time in range(2):
        client.post("/kb/%d/saved" % ids["published"], data={"saved": "1"})
    assert saved_count(app) == 1


def test_unsave_removes_it_and_returns_to_a_safe_next_page(app, client, auth):
    ids = make_library(app)
    auth.login("other")
    client.post("/kb/%d/saved" % ids["published"], data={"saved": "1"})
    response = client.post("/kb/%d/saved" % ids["published"], data={"saved": "0", "next": "/kb/saved"})
    assert response.status_code == 302 and response.location.endswith("/kb/saved")
    assert saved_count(app) == 0
    outside = client.post("/kb/%d/saved" % ids["published"], data={"saved": "0", "next": "https://evil.example/"})
    assert "evil.example" not in outside.location


def test_a_draft_the_reader_may_not_see_cannot_be_saved(app, client, auth):
    ids = make_library(app)
    auth.login("other")
    assert client.post("/kb/%d/saved" % ids["draft"], data={"saved": "1"}).status_code == 403
    assert saved_count(app) == 0


def test_saved_page_lists_mine_newest_first_with_a_remove_button(app, client, auth, clock):
    ids = make_library(app)
    auth.login("other")
    client.post("/kb/%d/saved" % ids["published"], data={"saved": "1"})
    clock.shift(60)
    client.post("/kb/%d/saved" % ids["second"], data={"saved": "1"})
    page = client.get("/kb/saved").get_data(as_text=True)
    assert page.index("Modem DSL light blinking") < page.index("Router keeps rebooting")
    assert "2 saved articles" in page and page.count('name="saved" value="0"') == 2
    auth.logout()
    auth.login("agent")
    assert "You have not saved any article yet" in client.get("/kb/saved").get_data(as_text=True)


def test_an_article_that_went_back_to_draft_leaves_the_saved_list(app, client, auth):
    from accounts.services import get_user
    ids = make_library(app)
    auth.login("other")
    client.post("/kb/%d/saved" % ids["published"], data={"saved": "1"})
    with app.app_context():
        article = services.get_article(ids["published"])
        article.status = "draft"  # as a lead taking it back would leave it
        db.session.commit()
        assert db.session.scalars(services.saved_articles(get_user("other"))).all() == []
    assert "Router keeps rebooting" not in client.get("/kb/saved").get_data(as_text=True)


def test_an_archived_saved_article_stays_listed_as_archived(app, client, auth):
    from accounts.services import get_user
    ids = make_library(app)
    auth.login("other")
    client.post("/kb/%d/saved" % ids["published"], data={"saved": "1"})
    with app.app_context():
        services.archive_article(services.get_article(ids["published"]), get_user("lead"))
        db.session.commit()
    page = client.get("/kb/saved").get_data(as_text=True)
    assert "Router keeps rebooting" in page and "Archived" in page


def test_saved_page_is_paginated(app, client, auth):
    from kb.views.saved import SAVED_PER_PAGE
    ids = make_library(app)
    from accounts.services import get_user
    with app.app_context():
        agent, lead, other = get_user("agent"), get_user("lead"), get_user("other")
        for number in range(SAVED_PER_PAGE):
            article = make_article(agent, title="Article %d" % number, status="published", publisher=lead)
            services.save_article(other, article)
        services.save_article(other, services.get_article(ids["published"]))
        db.session.commit()
    auth.login("other")
    first = client.get("/kb/saved").get_data(as_text=True)
    assert "Page 1 of 2" in first and "Router keeps rebooting" in first
    second = client.get("/kb/saved?page=2").get_data(as_text=True)
    assert "Article 0" in second and "Router keeps rebooting" not in second


def test_api_saves_lists_and_unsaves(app, client):
    ids = make_library(app)
    from accounts.services import get_user
    with app.app_context():
        headers = bearer(make_token(get_user("other")))
    url = "/api/v1/articles/%d/saved" % ids["published"]
    first = client.put(url, headers=headers)
    assert first.status_code == 201 and first.get_json() == {"article_id": ids["published"], "saved": True}
    assert client.put(url, headers=headers).status_code == 200
    listed = client.get("/api/v1/saved", headers=headers).get_json()
    assert listed["total"] == 1 and listed["page"] == 1
    [entry] = listed["saved"]
    assert entry["article_id"] == ids["published"] and entry["title"] == "Router keeps rebooting"
    assert entry["status"] == "published" and entry["saved_at"].endswith("Z")
    gone = client.delete(url, headers=headers)
    assert gone.status_code == 200 and gone.get_json()["saved"] is False
    assert client.get("/api/v1/saved", headers=headers).get_json()["total"] == 0


def test_api_refuses_unreadable_and_unknown_articles_and_anonymous_callers(app, client):
    ids = make_library(app)
    from accounts.services import get_user
    with app.app_context():
        headers = bearer(make_token(get_user("other")))
    assert client.put("/api/v1/articles/%d/saved" % ids["draft"], headers=headers).status_code == 403
    assert client.put("/api/v1/articles/999999/saved", headers=headers).status_code == 404
    assert client.get("/api/v1/saved").status_code == 401
    assert client.get("/api/v1/saved?per_page=0", headers=headers).status_code in (400, 422)


def test_the_page_script_gets_the_new_state_as_json(app, client, auth):
    ids = make_library(app)
    auth.login("other")
    url = "/kb/%d/saved" % ids["published"]
    saved = client.post(url, data={"saved": "1"}, headers={"Accept": "application/json"})
    assert saved.status_code == 200 and saved.get_json()["saved"] is True
    assert "Article saved" in saved.get_json()["message"]
    removed = client.post(url, data={"saved": "0"}, headers={"Accept": "application/json"})
    assert removed.get_json()["saved"] is False and saved_count(app) == 0
    # Nothing is left to flash on the next page.
    assert "Article saved" not in client.get("/kb/saved").get_data(as_text=True)
