"""The recognition part of /api/v1: badges, titles, kudos and the profile's titles/badges/stats."""
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from accounts.models import AuditEntry, Notification
from accounts.services import get_user
from core.api import MAX_RECORD_ID as MAX_ROW_ID
from core.clock import utcnow
from extensions import db
from recognition.awards import services
from recognition.awards.models import BadgeAward, Kudos, Title
from tests.factories import bearer, make_token
from tests.factories_awards import make_category, make_people, make_title


@pytest.fixture(scope="module")
def tokens(module_transaction, module_clock):
    """Bearer tokens of the lead, the agents sara and omid, and the admin (built once for the
    module at FROZEN_NOW, each test's changes rolled back)."""
    with module_transaction.app_context():
        people = make_people()
        make_category("billing")
        return {name: make_token(user) for name, user in people.items()}


def rows_written(app):
    with app.app_context():
        return [db.session.scalar(select(func.count(model.id)))
                for model in (Title, BadgeAward, Kudos, Notification, AuditEntry)]


def assert_error(response, status, field=None):
    assert response.status_code == status
    error = response.get_json()["error"]
    assert set(error) == {"code", "message", "fields"} and error["message"]
    if field:
        assert field in error["fields"]


def test_badge_definitions_are_listed(client, tokens):
    body = client.get("/api/v1/badges", headers=bearer(tokens["omid"])).get_json()
    assert {"customer-hero", "first-article"} <= {badge["slug"] for badge in body}
    hero = next(badge for badge in body if badge["slug"] == "customer-hero")
    assert {"slug", "name", "description", "kind"} <= set(hero) and hero["kind"] == "manual"


def test_lead_awards_a_badge(client, tokens):
    response = client.post("/api/v1/users/sara/badges", headers=bearer(tokens["lead"]),
                           json={"badge": "customer-hero", "reason": "Calmed an angry caller"})
    assert response.status_code == 201
    assert response.get_json()["badge"] == "customer-hero"


def test_lead_awards_a_title_with_an_expiry_date(client, tokens):
    last_day = (utcnow() + timedelta(days=200)).date()
    response = client.post("/api/v1/users/sara/titles", headers=bearer(tokens["lead"]),
                           json={"title": "Billing Expert", "category": "billing",
                                 "reason": "Top FCR", "expires_at": last_day.isoformat()})
    body = response.get_json()
    assert response.status_code == 201
    assert body["title"] == "Billing Expert"
    assert body["expires_at"].startswith((last_day + timedelta(days=1)).isoformat())


def test_anyone_gives_kudos(client, tokens):
    response = client.post("/api/v1/kudos", headers=bearer(tokens["omid"]),
                           json={"to": "sara", "message": "Thanks for the PUK tip"})
    assert response.status_code == 201 and response.get_json()["to"] == "sara"


@pytest.mark.parametrize("path, body", [
    ("/api/v1/users/sara/badges", {"badge": "customer-hero", "reason": "Nice"}),
    ("/api/v1/users/sara/titles", {"category": "billing", "reason": "Nice"}),
    ("/api/v1/users/nobody/titles", {"category": "billing", "reason": "Nice"}),
])
def test_agent_gets_403_on_every_award_endpoint(app, client, tokens, path, body):
    assert_error(client.post(path, json=body, headers=bearer(tokens["omid"])), 403)
    assert rows_written(app) == [0, 0, 0, 0, 0]


@pytest.mark.parametrize("path, body, status, field", [
    ("/api/v1/users/sara/badges", {"badge": "nope", "reason": "Nice"}, 422, "badge"),
    ("/api/v1/users/nobody/badges", {"badge": "customer-hero", "reason": "Nice"}, 404, None),
    ("/api/v1/users/sara/badges", {"badge": "customer-hero", "reason": ""}, 422, "reason"),
    ("/api/v1/users/sara/badges", {"badge": "customer-hero"}, 422, "reason"),
    ("/api/v1/users/sara/badges", {"badge": 7, "reason": "Nice"}, 422, "badge"),
    ("/api/v1/users/sara/titles", {"category": "astrology", "reason": "Top"}, 422, "category"),
    ("/api/v1/users/sara/titles", {"category": "billing", "reason": " "}, 422, "reason"),
    ("/api/v1/users/sara/titles", {"category": "billing", "reason": "Top",
                                   "expires_at": "2020-01-01"}, 422, "expires_at"),
    ("/api/v1/users/sara/titles", {"category": "billing", "reason": "Top",
                                   "expires_at": "next year"}, 422, "expires_at"),
    ("/api/v1/users/nobody/titles", {"category": "billing", "reason": "Top"}, 404, None),
    ("/api/v1/kudos", {"to": "lead", "message": "Me again"}, 422, "to"),
    ("/api/v1/kudos", {"to": "nobody", "message": "Hi"}, 422, "to"),
    ("/api/v1/kudos", {"to": "sara", "message": ""}, 422, "message"),
])
def test_bad_input_gets_a_clear_error_and_writes_nothing(app, client, tokens, path, body, status,
                                                         field):
    assert_error(client.post(path, json=body, headers=bearer(tokens["lead"])), status, field)
    assert rows_written(app) == [0, 0, 0, 0, 0]


def test_duplicate_current_title_is_409_and_writes_nothing(app, client, tokens):
    body = {"category": "billing", "reason": "Top FCR"}
    assert client.post("/api/v1/users/sara/titles", json=body,
                       headers=bearer(tokens["lead"])).status_code == 201
    before = rows_written(app)
    assert_error(client.post("/api/v1/users/sara/titles", json=body,
                             headers=bearer(tokens["admin"])), 409, "category")
    assert rows_written(app) == before


def test_award_endpoints_need_a_token(client, tokens):
    assert_error(client.post("/api/v1/kudos", json={"to": "sara", "message": "Hi"}), 401)


def test_profile_api_has_titles_badges_and_stats(app, client, tokens):
    with app.app_context():
        billing = make_category("internet")
        make_title(get_user("sara"), billing, get_user("lead"))
        services.award_badge(get_user("lead"), get_user("sara"), "great-mentor", "Coached omid")
        services.give_kudos(get_user("omid"), get_user("sara"), "Thanks")
        db.session.commit()
    body = client.get("/api/v1/users/sara", headers=bearer(tokens["lead"])).get_json()
    assert [set(title) >= {"title", "category", "awarded_at", "expires_at"}
            for title in body["titles"]] == [True]
    assert body["titles"][0]["category"] == "internet"
    assert body["badges"] == [{"badge": "great-mentor", "name": "Great mentor",
                               "awarded_at": body["badges"][0]["awarded_at"],
                               "reason": "Coached omid", "awarded_by": "lead"}]
    assert body["stats"]["kudos_received"] == 1


def test_profile_stats_are_hidden_from_other_agents(client, tokens):
    body = client.get("/api/v1/users/sara", headers=bearer(tokens["omid"])).get_json()
    assert body["stats"] == {} and body["titles"] == [] and body["badges"] == []


RAW_SURROGATE = b'"Top \\ud800 FCR"'


@pytest.mark.parametrize("path, body, field", [
    ("/api/v1/users/sara/titles", {"category": "billing", "reason": "Top", "expires_at": "0001-01-01"},
     "expires_at"),
    ("/api/v1/users/sara/titles", {"category": "billing", "reason": "Top", "expires_at": "9999-12-31"},
     "expires_at"),
    ("/api/v1/users/sara/titles", {"category": "billing", "reason": "Top",
                                   "expires_at": "0001-01-01T00:00:00+14:00"}, "expires_at"),
    ("/api/v1/users/sara/titles", {"category": "billing", "reason": "Top",
                                   "expires_at": "9999-12-31T23:59:59-14:00"}, "expires_at"),
    ("/api/v1/users/sara/titles", {"category": "billing", "reason": "Top", "expires_at": "2026-02-30"},
     "expires_at"),
    ("/api/v1/users/sara/titles", {"category": "billing", "reason": "Top", "expires_at": True},
     "expires_at"),
    ("/api/v1/users/sara/titles", {"category": ["billing"], "reason": "Top"}, "category"),
    ("/api/v1/users/sara/titles", {"category": "billing", "reason": "\x00\x00"}, "reason"),
    ("/api/v1/users/sara/titles", {"category": "billing", "reason": "Top", "title": "x" * 161}, "title"),
    ("/api/v1/users/sara/titles", {"category": "billing", "reason": "Top", "expiry": "2027-01-01"},
     "expiry"),
    ("/api/v1/users/sara/badges", {"badge": "\u200b\x00", "reason": "Nice"}, "badge"),
    ("/api/v1/users/sara/badges", {"badge": "customer-hero", "reason": None}, "reason"),
    ("/api/v1/kudos", {"to": "sara", "message": "\x00\u200b "}, "message"),
    ("/api/v1/kudos", {"to": "\x00", "message": "Thanks"}, "to"),
    ("/api/v1/kudos", {"to": "sara", "message": "Thanks", "article_id": "12"}, "article_id"),
    ("/api/v1/kudos", {"to": "sara", "message": "Thanks", "article_id": True}, "article_id"),
    ("/api/v1/kudos", {"to": "sara", "message": "Thanks", "article_id": 2**63}, "article_id"),
    ("/api/v1/kudos", {"to": "sara", "message": "Thanks", "answer_id": 0}, "answer_id"),
    ("/api/v1/kudos", {"to": "sara", "message": "Thanks", "answer_id": 1.5}, "answer_id"),
    ("/api/v1/kudos", {"to": "sara", "message": "Thanks", "article_id": 2**31}, "article_id"),
])
def test_hostile_members_are_a_422_naming_them_and_write_nothing(app, client, tokens, path, body, field):
    assert_error(client.post(path, json=body, headers=bearer(tokens["lead"])), 422, field)
    assert rows_written(app) == [0, 0, 0, 0, 0]


@pytest.mark.parametrize("path, body", [
    ("/api/v1/users/sara/titles", b'{"category": "billing", "reason": %s}' % RAW_SURROGATE),
    ("/api/v1/users/sara/badges", b'{"badge": "customer-hero", "reason": %s}' % RAW_SURROGATE),
    ("/api/v1/kudos", b'{"to": "sara", "message": %s}' % RAW_SURROGATE),
])
def test_a_lone_surrogate_is_refused_and_writes_nothing(app, client, tokens, path, body):
    response = client.post(path, data=body, content_type="application/json", headers=bearer(tokens["lead"]))
    assert_error(response, 400)
    assert "surrogate" in response.get_json()["error"]["message"]
    assert rows_written(app) == [0, 0, 0, 0, 0]


@pytest.mark.parametrize("body", ["[]", '"kudos"', "not json"])
def test_a_body_that_is_not_a_json_object_is_a_400(app, client, tokens, body):
    assert_error(client.post("/api/v1/kudos", data=body, content_type="application/json",
                             headers=bearer(tokens["lead"])), 400)
    assert rows_written(app) == [0, 0, 0, 0, 0]


def test_title_expiry_as_a_time_with_an_offset_is_stored_in_utc(client, tokens):
    moment = (utcnow() + timedelta(days=100)).replace(hour=1, minute=30, second=0, microsecond=0)
    response = client.post("/api/v1/users/sara/titles", headers=bearer(tokens["lead"]), json={
        "category": "billing", "reason": "Top FCR", "expires_at": moment.strftime("%Y-%m-%dT%H:%M:%S+03:30")})
    assert response.status_code == 201
    assert response.get_json()["expires_at"] == (moment - timedelta(hours=3, minutes=30)).strftime(
        "%Y-%m-%dT%H:%M:%SZ")


def test_control_and_bidi_characters_are_removed_from_one_line_members(client, tokens):
    response = client.post("/api/v1/users/sara/titles", headers=bearer(tokens["lead"]), json={
        "category": "billing\x00", "reason": "Top\x00 FCR", "title": "\u202eBilling\x07 Expert\u202c"})
    body = response.get_json()
    assert response.status_code == 201
    assert (body["title"], body["category"], body["reason"]) == ("Billing Expert", "billing", "Top FCR")


def test_kudos_for_an_article_id_beyond_any_row_is_refused_on_the_member(app, client, tokens):
    response = client.post("/api/v1/kudos", headers=bearer(tokens["omid"]),
                           json={"to": "sara", "message": "Thanks", "article_id": MAX_ROW_ID})
    assert_error(response, 422, "article_id")
    assert rows_written(app) == [0, 0, 0, 0, 0]


def test_badge_list_answers_the_documented_shape(client, tokens):
    document = client.get("/api/v1/openapi.json").get_json()
    listed = document["paths"]["/api/v1/badges"]["get"]["responses"]["200"]["content"]["application/json"]
    schema = document["components"]["schemas"][listed["schema"]["$ref"].split("/")[-1]]
    assert schema["type"] == "array"
    body = client.get("/api/v1/badges", headers=bearer(tokens["omid"])).get_json()
    assert all(badge["kind"] in ("auto", "manual") and isinstance(badge["repeatable"], bool) for badge in body)


def test_optional_members_sent_empty_count_as_not_sent(client, tokens):
    title = client.post("/api/v1/users/sara/titles", headers=bearer(tokens["lead"]),
                        json={"category": "billing", "reason": "Top FCR", "expires_at": ""})
    kudos = client.post("/api/v1/kudos", headers=bearer(tokens["omid"]),
                        json={"to": "sara", "message": "Thanks", "article_id": "", "answer_id": None})
    assert title.status_code == 201 and title.get_json()["expires_at"]
    assert kudos.status_code == 201 and kudos.get_json()["article_id"] is None
