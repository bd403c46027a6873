"""Contacts linked to the articles used on them: the CSV column `articles`, the uses API and
links that arrive before their contact (issue 15)."""
import re
from datetime import date

import pytest
from sqlalchemy import func, select

from core.periods import Period
from extensions import db
from recognition.impact.models import ArticleUse
from recognition.impact.services import linked_totals
from tests.conftest import DEMO_PASSWORD
from tests.factories import bearer, make_token, make_user
from tests.factories_kb import make_article
from tests.factories_kb import make_category as make_kb_category
from tests.factories_recognition import HEADER, csv_file, row, run_import

ARTICLES_HEADER = HEADER + ("articles",)


@pytest.fixture(scope="module")
def world_ids(module_transaction):
    """Agents sara and ali, a lead; category billing; two published articles (built once)."""
    with module_transaction.app_context():
        sara, _ali = make_user("sara"), make_user("ali")
        lead = make_user("lead", role="lead")
        make_kb_category("billing")
        first = make_article(sara, "billing", "Refund a double charge", status="published", publisher=lead)
        second = make_article(sara, "billing", "Explain the first bill", status="published", publisher=lead)
        tokens = {name: make_token(user) for name, user in (("sara", sara), ("lead", lead))}
        return {"first": first.id, "second": second.id, "tokens": tokens}


@pytest.fixture
def world(ctx, world_ids):
    return world_ids


def links():
    """(ticket, article id, agent username, source) of every link, in order."""
    return sorted(((use.ticket_id, use.article_id, use.agent.username if use.agent else None, use.source)
                   for use in db.session.scalars(select(ArticleUse))), key=lambda link: (link[0] or "", link[1:]))


def linked_row(ticket, articles, **kw):
    return row(ticket, **kw) + (articles,)


def test_the_articles_column_links_ids_and_urls_with_any_separator(world):
    first, second = world["first"], world["second"]
    summary = run_import(csv_file([
        linked_row("T1", f"{first};{second}"),
        linked_row("T2", f"https://knowhow.example.com/kb/{first}/refund-a-double-charge, {second}"),
        linked_row("T3", f"/kb/{second} http://h/api/v1/articles/{first}"),
        linked_row("T4", ""),
    ], header=ARTICLES_HEADER, delimiter="\t"))
    assert (summary.rows_imported, summary.rows_rejected) == (4, 0)
    assert links() == sorted([("T1", first, "sara", "csv"), ("T1", second, "sara", "csv"),
                              ("T2", first, "sara", "csv"), ("T2", second, "sara", "csv"),
                              ("T3", first, "sara", "csv"), ("T3", second, "sara", "csv")])
    db.session.expire_all()
    assert all(use.created_at.tzinfo is not None for use in db.session.scalars(select(ArticleUse)))


@pytest.mark.parametrize("header", ["article_ids", "KB Articles", "articles"])
def test_the_column_is_found_under_its_aliases(world, header):
    summary = run_import(csv_file([linked_row("T1", str(world["first"]))], header=HEADER + (header,)))
    assert summary.rows_imported == 1 and links() == [("T1", world["first"], "sara", "csv")]


def test_an_unknown_article_rejects_the_row_with_row_column_and_reason(world):
    summary = run_import(csv_file([linked_row("T1", str(world["first"])), linked_row("T2", f"{world['first']};999999"),
                                   linked_row("T3", "not-an-article")], header=ARTICLES_HEADER, delimiter="\t"))
    assert (summary.rows_imported, summary.rows_rejected) == (1, 2)
    (unknown, unreadable) = summary.errors
    assert (unknown["row"], unknown["column"], unknown["value"]) == (3, "articles", "999999")
    assert "Unknown article" in unknown["message"]
    assert (unreadable["row"], unreadable["column"]) == (4, "articles")
    assert "not an article" in unreadable["message"]
    assert links() == [("T1", world["first"], "sara", "csv")]


def test_reimporting_never_doubles_a_link_and_a_changed_list_replaces_the_files_links(world):
    first, second = world["first"], world["second"]
    run_import(csv_file([linked_row("T1", str(first))], header=ARTICLES_HEADER))
    again = run_import(csv_file([linked_row("T1", str(first))], header=ARTICLES_HEADER))
    assert (again.rows_duplicate, again.rows_updated) == (1, 0)
    assert links() == [("T1", first, "sara", "csv")]
    changed = run_import(csv_file([linked_row("T1", str(second))], header=ARTICLES_HEADER))
    assert (changed.rows_duplicate, changed.rows_updated) == (0, 1)
    assert links() == [("T1", second, "sara", "csv")]


def test_a_file_without_the_column_leaves_the_links_alone(world):
    run_import(csv_file([linked_row("T1", str(world["first"]))], header=ARTICLES_HEADER))
    summary = run_import(csv_file([row("T1", handle_seconds="320")]))
    assert summary.rows_updated == 1 and links() == [("T1", world["first"], "sara", "csv")]


def test_a_dry_run_checks_the_articles_but_links_nothing(world):
    summary = run_import(csv_file([linked_row("T1", str(world["first"])), linked_row("T2", "999999")],
                                  header=ARTICLES_HEADER), dry_run=True)
    assert (summary.rows_imported, summary.rows_rejected) == (1, 1)
    assert links() == []


def test_the_api_links_a_contact_once_for_the_caller(world, client):
    url = "/api/v1/articles/%d/uses" % world["first"]
    created = client.post(url, json={"ticket_id": "T9"}, headers=bearer(world["tokens"]["sara"]))
    assert created.status_code == 201, created.get_json()
    body = created.get_json()
    assert (body["article"], body["ticket_id"], body["agent"], body["source"]) == (world["first"], "T9", "sara", "api")
    again = client.post(url, json={"ticket_id": " T9 "}, headers=bearer(world["tokens"]["sara"]))
    assert again.status_code == 200 and again.get_json()["id"] == body["id"]
    assert links() == [("T9", world["first"], "sara", "api")]


def test_an_agent_cannot_record_a_use_for_someone_else(world, client):
    response = client.post("/api/v1/articles/%d/uses" % world["first"], json={"ticket_id": "T9", "agent": "ali"},
                           headers=bearer(world["tokens"]["sara"]))
    assert response.status_code == 403 and "agent" in response.get_json()["error"]["fields"]
    assert links() == []


def test_a_lead_records_a_use_for_a_named_agent(world, client):
    response = client.post("/api/v1/articles/%d/uses" % world["first"], json={"ticket_id": "T9", "agent": "ali"},
                           headers=bearer(world["tokens"]["lead"]))
    assert response.status_code == 201 and response.get_json()["agent"] == "ali"
    assert links() == [("T9", world["first"], "ali", "api")]


@pytest.mark.parametrize("payload, field", [
    ({"ticket_id": "T9", "agent": "nobody"}, "agent"),
    ({"ticket_id": "   "}, "ticket_id"),
    ({"ticket_id": "x" * 201}, "ticket_id"),
    ({}, "ticket_id"),
    ({"ticket_id": "T9", "extra": 1}, "extra"),
])
def test_bad_uses_are_refused_naming_the_field(world, client, payload, field):
    response = client.post("/api/v1/articles/%d/uses" % world["first"], json=payload,
                           headers=bearer(world["tokens"]["lead"]))
    assert response.status_code == 422 and field in response.get_json()["error"]["fields"]
    assert links() == []


def test_a_use_of_a_missing_article_is_a_404(world, client):
    response = client.post("/api/v1/articles/999999/uses", json={"ticket_id": "T9"},
                           headers=bearer(world["tokens"]["sara"]))
    assert response.status_code == 404


def test_a_link_made_before_its_contact_joins_it_when_the_contact_arrives(world, client):
    url = "/api/v1/articles/%d/uses" % world["first"]
    early = client.post(url, json={"ticket_id": "T7"}, headers=bearer(world["tokens"]["sara"])).get_json()
    assert early["contact_imported"] is False
    run_import(csv_file([row("T7")]))
    again = client.post(url, json={"ticket_id": "T7"}, headers=bearer(world["tokens"]["sara"])).get_json()
    assert again["id"] == early["id"] and again["contact_imported"] is True
    totals = linked_totals(Period(date(2025, 3, 1), date(2025, 3, 31)))
    assert [(key[0], value.contacts) for key, value in totals.items()] == [(world["first"], 1)]


def test_a_file_naming_an_article_already_linked_by_the_api_keeps_one_link(world, client):
    client.post("/api/v1/articles/%d/uses" % world["first"], json={"ticket_id": "T1"},
                headers=bearer(world["tokens"]["sara"]))
    run_import(csv_file([linked_row("T1", str(world["first"]))], header=ARTICLES_HEADER))
    run_import(csv_file([linked_row("T1", "")], header=ARTICLES_HEADER))
    assert links() == [("T1", world["first"], "sara", "api")]
    assert db.session.scalar(select(func.count()).select_from(ArticleUse)) == 1


def article_page(client, article_id):
    return client.get("/kb/%d" % article_id).get_data(as_text=True)


def test_the_article_page_records_a_use_with_one_click(world, client, auth):
    auth.login("ali")
    page = article_page(client, world["first"])
    assert 'action="/recognition/articles/%d/uses"' % world["first"] in page
    assert '<label for="used-ticket">' in page and 'id="used-ticket"' in page
    response = client.post("/recognition/articles/%d/uses" % world["first"], data={"ticket_id": "T5"})
    assert response.status_code == 302 and response.headers["Location"].endswith("#used")
    client.post("/recognition/articles/%d/uses" % world["first"], data={"ticket_id": ""})
    assert links() == [(None, world["first"], "ali", "page"), ("T5", world["first"], "ali", "page")]


def links_in(app):
    with app.app_context():
        return links()


def test_the_use_form_needs_its_csrf_token(world_ids, csrf_app):
    # No application context around the requests: Flask-WTF keeps each request's token in `g`.
    world = world_ids
    client = csrf_app.test_client()
    login_page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', login_page).group(1)
    client.post("/login", data={"username": "ali", "password": DEMO_PASSWORD, "csrf_token": token})
    page = article_page(client, world["first"])
    token = re.search(r'name="csrf_token" value="([^"]+)"', page[page.index('id="used"'):]).group(1)
    url = "/recognition/articles/%d/uses" % world["first"]
    assert client.post(url, data={"ticket_id": "T6"}).status_code == 400
    assert links_in(csrf_app) == []
    assert client.post(url, data={"ticket_id": "T5", "csrf_token": token}).status_code == 302
    assert links_in(csrf_app) == [("T5", world["first"], "ali", "page")]


def test_a_ticket_id_too_long_is_refused_on_the_page_and_said_why(world, client, auth):
    auth.login("ali")
    response = client.post("/recognition/articles/%d/uses" % world["first"], data={"ticket_id": "x" * 300},
                           follow_redirects=True)
    assert response.status_code == 200 and links() == []
    assert "Longer than 200 characters" in response.get_data(as_text=True)
