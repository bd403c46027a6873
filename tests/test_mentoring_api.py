"""The mentoring API: suggested mentors, requests, mentorships, sessions; shapes and errors."""
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from accounts.models import AuditEntry, Notification
from accounts.services import get_user
from core.periods import today_utc
from extensions import db
from mentoring.mentorships.models import MentoringRequest, MentoringSession, Mentorship
from tests.factories import bearer, make_token
from tests.factories_mentoring import make_category, make_desk, make_profile, plant, start_mentorship


@pytest.fixture(scope="module")
def desk(module_transaction, module_clock):
    """Desk (lead; mia, ana, ben, cy) and Far (lead2; fay); ana and fay mentor billing, ana the best.

    Built once for the module, at FROZEN_NOW (module_clock); each test's changes are rolled back.
    """
    with module_transaction.app_context():
        people = make_desk()
        billing = make_category("billing")
        make_category("internet")
        plant("ana", "billing", 40, 38)
        plant("fay", "billing", 40, 32)
        plant("mia", "billing", 40, 24)
        make_profile(people["ana"], [billing], capacity=2)
        make_profile(people["fay"], [billing], capacity=1)
        return {name: make_token(person) for name, person in people.items()}


def count(app, model):
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


def test_suggested_mentors_come_best_first_with_the_reasons(client, desk):
    response = client.get("/api/v1/mentors?category=billing", headers=bearer(desk["mia"]))
    assert response.status_code == 200
    body = response.get_json()
    assert (body["category"], body["mentee"], body["total"], body["page"]) == ("billing", "mia", 2, 1)
    first = body["mentors"][0]
    assert [mentor["username"] for mentor in body["mentors"]] == ["ana", "fay"]
    assert {"username", "name", "score", "percentile", "remaining_capacity", "same_team", "reasons"} <= set(first)
    assert first["same_team"] is True and first["remaining_capacity"] == 2 and first["reasons"]
    assert body["mentors"][1]["same_team"] is False


def test_a_lead_asks_for_suggestions_for_a_team_member(client, desk):
    body = client.get("/api/v1/mentors?category=billing&mentee=ana", headers=bearer(desk["lead"])).get_json()
    assert body["mentee"] == "ana" and [mentor["username"] for mentor in body["mentors"]] == ["fay"]


@pytest.mark.parametrize("query, status, field", [
    ("category=nope", 422, "category"),
    ("", 400, "category"),
    ("category=billing&per_page=0", 400, "per_page"),
])
def test_bad_mentor_queries_get_clear_errors(client, desk, query, status, field):
    response = client.get("/api/v1/mentors?" + query, headers=bearer(desk["mia"]))
    assert response.status_code == status
    assert field in response.get_json()["error"]["fields"]


def test_the_api_needs_a_token(client, desk):
    response = client.get("/api/v1/mentors?category=billing")
    assert response.status_code == 401 and response.get_json()["error"]["code"] == "unauthorized"


def test_a_lead_assigns_a_mentorship_directly_and_it_is_audited(app, client, desk):
    response = client.post("/api/v1/mentorships", headers=bearer(desk["lead"]), json={
        "mentor": "ana", "mentee": "mia", "category": "billing",
        "goal": {"metric": "fcr", "target": 0.75}})
    assert response.status_code == 201
    body = response.get_json()
    assert (body["mentor"], body["mentee"], body["category"], body["status"]) == ("ana", "mia", "billing", "active")
    assert body["goal"]["metric"] == "fcr" and body["goal"]["target"] == 0.75
    # Measured, not typed: mia resolved 24 of her 40 contacts of the last twelve weeks.
    assert body["goal"]["baseline"] == 0.6
    assert body["start"] == today_utc().isoformat()
    assert body["planned_end"] == (today_utc() + timedelta(weeks=12)).isoformat()
    assert body["url"] == "/mentorships/%d" % body["id"]
    with app.app_context():
        entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "mentorship.assign"))
        assert entry.detail["mentor"] == "ana" and entry.detail["mentee"] == "mia"
        recipients = set(db.session.scalars(select(Notification.recipient_id).where(
            Notification.kind == "mentorship_assigned")))
        assert recipients == {get_user("ana").id, get_user("mia").id}


def test_contacts_after_the_start_do_not_count_in_the_baseline(client, desk):
    start = (today_utc() - timedelta(days=41)).isoformat()  # mia's contacts begin 40 days ago
    body = client.post("/api/v1/mentorships", headers=bearer(desk["lead"]), json={
        "mentor": "ana", "mentee": "mia", "category": "billing", "start": start,
        "goal": {"metric": "fcr", "target": 0.75}}).get_json()
    assert body["goal"]["baseline"] is None and body["start"] == start


BAD_ASSIGNMENTS = [
    ({"mentor": "mia"}, 422, "mentee"),  # mentoring oneself
    ({"mentor": "fay", "setup": "fill_fay"}, 409, "mentor"),  # at capacity
    ({"category": "astrology"}, 422, "category"),
    ({"setup": "end_before_start"}, 422, "planned_end_on"),
    ({"goal": {"metric": "fcr", "target": 1.5}}, 422, "goal_target"),
    ({"goal": {"metric": "fcr", "target": 75}}, 422, "goal_target"),
    ({"goal": {"metric": "nps", "target": 120}}, 422, "goal_target"),
    ({"goal": {"metric": "csat", "target": 0.5}}, 422, "goal_target"),
    ({"goal": {"metric": "aht", "target": -5}}, 422, "goal_target"),
    ({"goal": {"metric": "speed", "target": 1}}, 422, "goal_metric"),
    ({"goal": {"metric": "fcr"}}, 422, "goal_target"),
    ({"goal": {"metric": "fcr", "target": "high"}}, 422, "goal_target"),
    ({"goal": ""}, 422, "goal"),
    ({"mentor": "ben"}, 422, "mentor"),  # no mentor profile
    ({"mentee": "nobody"}, 422, "mentee"),
    ({"start": "next week"}, 422, "start"),
]


@pytest.mark.parametrize("change, status, field", BAD_ASSIGNMENTS)
def test_bad_assignments_are_refused_with_the_field_and_nothing_is_written(app, client, desk, change, status,
                                                                          field):
    change = dict(change)
    setup = change.pop("setup", None)
    if setup == "fill_fay":
        with app.app_context():
            start_mentorship(get_user("fay"), get_user("cy"), "billing")
    elif setup == "end_before_start":
        change = {"start": (today_utc() - timedelta(days=3)).isoformat(),
                  "planned_end": (today_utc() - timedelta(days=4)).isoformat()}
    before = count(app, Mentorship), count(app, AuditEntry), count(app, Notification)
    body = {"mentor": "ana", "mentee": "mia", "category": "billing", "goal": {"metric": "fcr", "target": 0.8},
            **change}
    response = client.post("/api/v1/mentorships", headers=bearer(desk["lead"]), json=body)
    assert response.status_code == status, response.get_json()
    error = response.get_json()["error"]
    assert field in error["fields"] and error["message"]
    assert (count(app, Mentorship), count(app, AuditEntry), count(app, Notification)) == before


def test_an_agent_cannot_assign_mentorships(app, client, desk):
    response = client.post("/api/v1/mentorships", headers=bearer(desk["cy"]), json={
        "mentor": "ana", "mentee": "mia", "category": "billing", "goal": "Be faster"})
    assert response.status_code == 403 and count(app, Mentorship) == 0


def test_another_teams_lead_cannot_assign_for_this_team(app, client, desk):
    response = client.post("/api/v1/mentorships", headers=bearer(desk["lead2"]), json={
        "mentor": "fay", "mentee": "mia", "category": "billing", "goal": "Be faster"})
    assert response.status_code == 403 and count(app, Mentorship) == 0


def test_a_request_is_sent_then_accepted_by_the_mentor_through_post_mentorships(app, client, desk):
    response = client.post("/api/v1/mentoring-requests", headers=bearer(desk["mia"]), json={
        "category": "billing", "mentor": "ana", "goal": "Explain refunds without callbacks"})
    assert response.status_code == 201
    request_body = response.get_json()
    assert (request_body["status"], request_body["mentor"], request_body["goal"]["text"]) == (
        "open", "ana", "Explain refunds without callbacks")
    with app.app_context():
        assert db.session.scalar(select(Notification.kind).where(
            Notification.recipient_id == get_user("ana").id)) == "mentoring_request_received"
    response = client.post("/api/v1/mentorships", headers=bearer(desk["ana"]), json={
        "mentor": "ana", "mentee": "mia", "category": "billing"})
    assert response.status_code == 201 and response.get_json()["goal"]["text"] == "Explain refunds without callbacks"
    accepted = client.get("/api/v1/mentoring-requests/%d" % request_body["id"], headers=bearer(desk["mia"]))
    assert accepted.get_json()["status"] == "accepted"
    assert accepted.get_json()["mentorship_id"] == response.get_json()["id"]


def test_a_mentor_without_a_request_cannot_start_a_mentorship(app, client, desk):
    response = client.post("/api/v1/mentorships", headers=bearer(desk["ana"]), json={
        "mentor": "ana", "mentee": "cy", "category": "billing", "goal": "x"})
    assert response.status_code == 403 and count(app, Mentorship) == 0


@pytest.mark.parametrize("body, status, field", [
    ({"category": "billing", "mentor": "mia", "goal": "x"}, 422, "mentor"),
    ({"category": "billing", "mentor": "ben", "goal": "x"}, 422, "mentor"),
    ({"category": "nope", "goal": "x"}, 422, "category"),
    ({"category": "billing", "goal": {"metric": "csat", "target": 6}}, 422, "goal_target"),
    ({"category": "billing"}, 422, "goal"),
    ({"category": "billing", "goal": "x", "mentee": "cy"}, 403, None),  # agents ask for themselves only
])
def test_bad_requests_are_refused(app, client, desk, body, status, field):
    response = client.post("/api/v1/mentoring-requests", headers=bearer(desk["mia"]), json=body)
    assert response.status_code == status
    if field:
        assert field in response.get_json()["error"]["fields"]
    assert count(app, MentoringRequest) == 0


def test_asking_a_mentor_at_capacity_is_a_conflict(app, client, desk):
    with app.app_context():
        start_mentorship(get_user("fay"), get_user("cy"), "billing")
    response = client.post("/api/v1/mentoring-requests", headers=bearer(desk["mia"]),
                           json={"category": "billing", "mentor": "fay", "goal": "x"})
    assert response.status_code == 409 and "mentor" in response.get_json()["error"]["fields"]


def test_a_second_open_request_in_the_category_is_a_conflict(client, desk):
    payload = {"category": "billing", "goal": "x"}
    assert client.post("/api/v1/mentoring-requests", headers=bearer(desk["mia"]), json=payload).status_code == 201
    again = client.post("/api/v1/mentoring-requests", headers=bearer(desk["mia"]), json=payload)
    assert again.status_code == 409


def test_an_open_request_is_announced_to_the_best_matches(app, client, desk):
    client.post("/api/v1/mentoring-requests", headers=bearer(desk["mia"]), json={"category": "billing", "goal": "x"})
    with app.app_context():
        told = set(db.session.scalars(select(Notification.recipient_id).where(
            Notification.kind == "mentoring_request_open")))
        assert told == {get_user("ana").id, get_user("fay").id}


def test_the_mentor_asked_declines_with_a_reason(client, desk):
    created = client.post("/api/v1/mentoring-requests", headers=bearer(desk["mia"]), json={
        "category": "billing", "mentor": "fay", "goal": "x"}).get_json()
    assert client.post("/api/v1/mentoring-requests/%d/decline" % created["id"], headers=bearer(desk["ana"]),
                       json={}).status_code == 403
    response = client.post("/api/v1/mentoring-requests/%d/decline" % created["id"], headers=bearer(desk["fay"]),
                           json={"reason": "Full this month"})
    assert response.status_code == 200
    assert (response.get_json()["status"], response.get_json()["decline_reason"]) == ("declined", "Full this month")


def _mentorship(app):
    with app.app_context():
        return start_mentorship(get_user("ana"), get_user("mia"), "billing",
                                started_on=today_utc() - timedelta(days=7)).id


def test_a_session_is_logged_through_the_api(app, client, desk):
    mentorship_id = _mentorship(app)
    response = client.post("/api/v1/mentorships/%d/sessions" % mentorship_id, headers=bearer(desk["ana"]), json={
        "date": today_utc().isoformat(), "duration_minutes": 45, "notes": "Refund script", "next_steps": "Try it"})
    assert response.status_code == 201
    body = response.get_json()
    assert (body["duration_minutes"], body["notes"], body["author"]) == (45, "Refund script", "ana")


@pytest.mark.parametrize("change, field", [
    ({"duration_minutes": 0}, "duration_minutes"),
    ({"duration_minutes": 481}, "duration_minutes"),
    ({"duration_minutes": "30"}, "duration_minutes"),
    ({"date": "2000-01-01"}, "held_on"),
    ({"notes": "   "}, "notes"),
    ({"date": None}, "date"),
])
def test_bad_sessions_are_refused(app, client, desk, change, field):
    mentorship_id = _mentorship(app)
    body = {"date": today_utc().isoformat(), "duration_minutes": 30, "notes": "ok", **change}
    response = client.post("/api/v1/mentorships/%d/sessions" % mentorship_id, headers=bearer(desk["ana"]), json=body)
    assert response.status_code == 422 and field in response.get_json()["error"]["fields"]
    assert count(app, MentoringSession) == 0


def test_closing_through_the_api_reports_the_outcome_and_impact(app, client, desk):
    mentorship_id = _mentorship(app)
    response = client.post("/api/v1/mentorships/%d/close" % mentorship_id, headers=bearer(desk["lead"]),
                           json={"outcome": "ended_early", "note": "Moved team"})
    assert response.status_code == 200
    body = response.get_json()
    assert body["status"] == "ended_early" and body["goal_met"] is None
    assert body["ended_on"] == today_utc().isoformat()
    assert set(body["impact"]) == {"before", "since", "weekly"}
    assert body["impact"]["since"]["until"] == today_utc().isoformat()
    again = client.post("/api/v1/mentorships/%d/close" % mentorship_id, headers=bearer(desk["lead"]),
                        json={"outcome": "completed"})
    assert again.status_code == 403


def test_unknown_mentorships_are_404(client, desk):
    response = client.get("/api/v1/mentorships/999", headers=bearer(desk["admin"]))
    assert response.status_code == 404 and response.get_json()["error"]["code"] == "not_found"


# --- hostile input -------------------------------------------------------------------------

def assign(client, desk, **change):
    body = {"mentor": "ana", "mentee": "mia", "category": "billing", "goal": {"metric": "fcr", "target": 0.8},
            **change}
    return client.post("/api/v1/mentorships", headers=bearer(desk["lead"]), json=body)


@pytest.mark.parametrize("field, value", [
    ("start", "0001-01-01"),
    ("start", "9999-12-31"),
    ("start", 0),
    ("start", 1779184800),
    ("start", "2026-02-30"),
    ("planned_end", "9999-12-31"),
    ("planned_end", "0001-01-01"),
])
def test_dates_outside_a_sane_range_or_not_written_as_dates_are_422(app, client, desk, field, value):
    response = assign(client, desk, **{field: value})
    assert response.status_code == 422, response.get_json()
    error = response.get_json()["error"]
    assert field in error["fields"] and error["message"]
    assert count(app, Mentorship) == 0


def test_the_range_refusal_says_which_dates_are_taken(client, desk):
    error = assign(client, desk, start="0001-01-01").get_json()["error"]
    assert "1970-01-01" in error["fields"]["start"] and "2100-12-31" in error["fields"]["start"]


@pytest.mark.parametrize("change, field", [
    ({"request": 2**31}, "request"),
    ({"request": 2**63}, "request"),
    ({"request": "5"}, "request"),
    ({"request": True}, "request"),
    ({"goal": 5}, "goal"),
    ({"goal": ["fcr", 0.8]}, "goal"),
    ({"goal": {"metric": "fcr", "target": 0.8, "colour": "red"}}, "goal"),
    ({"mentor": None}, "mentor"),
    ({"mentee": 7}, "mentee"),
    ({"category": ["billing"]}, "category"),
    ({"colour": "red"}, "colour"),
])
def test_members_of_the_wrong_type_are_422_and_nothing_is_written(app, client, desk, change, field):
    before = count(app, Mentorship), count(app, AuditEntry), count(app, Notification)
    response = assign(client, desk, **change)
    assert response.status_code == 422, response.get_json()
    assert field in response.get_json()["error"]["fields"]
    assert (count(app, Mentorship), count(app, AuditEntry), count(app, Notification)) == before


def test_an_unknown_request_is_404(app, client, desk):
    response = assign(client, desk, request=2**31 - 1)
    assert response.status_code == 404 and count(app, Mentorship) == 0


def test_a_goal_in_words_is_cleaned_like_any_text(client, desk):
    body = assign(client, desk, goal="\x00Explain refunds\x07 without callbacks").get_json()
    assert body["goal"] == {"metric": None, "target": None, "baseline": None,
                            "text": "Explain refunds without callbacks"}


def test_a_lone_surrogate_in_a_goal_is_400(app, client, desk):
    response = client.post("/api/v1/mentorships", headers=bearer(desk["lead"]), content_type="application/json",
                           data='{"mentor": "ana", "mentee": "mia", "category": "billing", "goal": "\\ud83d"}')
    assert response.status_code == 400 and "surrogate" in response.get_json()["error"]["message"]
    assert count(app, Mentorship) == 0


@pytest.mark.parametrize("change, field", [
    ({"notes": "\x00\x00"}, "notes"),
    ({"notes": "\u200b\u2060"}, "notes"),
    ({"notes": ["Refunds"]}, "notes"),
    ({"date": "9999-12-31"}, "date"),
    ({"date": "0001-01-01"}, "date"),
    ({"date": 20260519}, "date"),
    ({"duration_minutes": 30.5}, "duration_minutes"),
    ({"duration_minutes": True}, "duration_minutes"),
    ({"duration_minutes": 2**63}, "duration_minutes"),
    ({"next_steps": 3}, "next_steps"),
])
def test_hostile_sessions_are_422_and_nothing_is_written(app, client, desk, change, field):
    mentorship_id = _mentorship(app)
    body = {"date": today_utc().isoformat(), "duration_minutes": 30, "notes": "ok", **change}
    response = client.post("/api/v1/mentorships/%d/sessions" % mentorship_id, headers=bearer(desk["ana"]), json=body)
    assert response.status_code == 422, response.get_json()
    assert field in response.get_json()["error"]["fields"]
    assert count(app, MentoringSession) == 0


def test_controls_are_removed_from_session_notes(app, client, desk):
    mentorship_id = _mentorship(app)
    response = client.post("/api/v1/mentorships/%d/sessions" % mentorship_id, headers=bearer(desk["ana"]), json={
        "date": today_utc().isoformat(), "duration_minutes": 30, "notes": "Refund\x00 script\r\nrole play"})
    assert response.status_code == 201 and response.get_json()["notes"] == "Refund script\nrole play"


@pytest.mark.parametrize("body, field", [
    ({"outcome": "maybe"}, "outcome"),
    ({}, "outcome"),
    ({"outcome": "completed", "ended_on": "0001-01-01"}, "ended_on"),
    ({"outcome": "completed", "ended_on": "9999-12-31"}, "ended_on"),
    ({"outcome": "completed", "goal_met": "yes"}, "goal_met"),
    ({"outcome": "completed", "goal_met": 1}, "goal_met"),
])
def test_bad_closings_are_422_and_the_mentorship_stays_active(app, client, desk, body, field):
    mentorship_id = _mentorship(app)
    response = client.post("/api/v1/mentorships/%d/close" % mentorship_id, headers=bearer(desk["lead"]), json=body)
    assert response.status_code == 422 and field in response.get_json()["error"]["fields"]
    with app.app_context():
        assert db.session.get(Mentorship, mentorship_id).status == "active"


@pytest.mark.parametrize("query, field", [
    ("category=billing&page=0", "page"),
    ("category=billing&page=" + "9" * 30, "page"),
    ("category=billing&per_page=-5", "per_page"),
    ("category=billing&per_page=1000000000", "per_page"),
    ("category=" + "b" * 501, "category"),
])
def test_bad_mentor_pages_are_400(client, desk, query, field):
    response = client.get("/api/v1/mentors?" + query, headers=bearer(desk["mia"]))
    assert response.status_code == 400 and field in response.get_json()["error"]["fields"]


def _open_request(client, desk, **fields):
    response = client.post("/api/v1/mentoring-requests", headers=bearer(desk["mia"]), json={
        "category": "billing", "mentor": "ana", "goal": "Explain refunds", **fields})
    assert response.status_code == 201
    return response.get_json()["id"]


def test_the_mentor_accepts_a_request_without_a_body(client, desk):
    request_id = _open_request(client, desk)
    response = client.post("/api/v1/mentoring-requests/%d/accept" % request_id, headers=bearer(desk["ana"]))
    assert response.status_code == 201
    body = response.get_json()
    assert (body["mentor"], body["mentee"], body["goal"]["text"]) == ("ana", "mia", "Explain refunds")
    assert body["start"] == today_utc().isoformat()


def test_the_mentor_accepts_with_dates_and_another_goal(client, desk):
    request_id = _open_request(client, desk)
    start = (today_utc() + timedelta(days=7)).isoformat()
    response = client.post("/api/v1/mentoring-requests/%d/accept" % request_id, headers=bearer(desk["ana"]),
                           json={"start": start, "goal": {"metric": "csat", "target": 4.5}})
    assert response.status_code == 201
    assert response.get_json()["start"] == start and response.get_json()["goal"]["metric"] == "csat"


@pytest.mark.parametrize("body", [{"start": "9999-12-31"}, {"goal": 5}, {"mentor": "fay"}])
def test_a_bad_acceptance_is_422_and_the_request_stays_open(app, client, desk, body):
    request_id = _open_request(client, desk)
    response = client.post("/api/v1/mentoring-requests/%d/accept" % request_id, headers=bearer(desk["ana"]),
                           json=body)
    assert response.status_code == 422 and count(app, Mentorship) == 0
    with app.app_context():
        assert db.session.get(MentoringRequest, request_id).status == "open"


def test_the_mentor_declines_without_a_body(client, desk):
    request_id = _open_request(client, desk)
    response = client.post("/api/v1/mentoring-requests/%d/decline" % request_id, headers=bearer(desk["ana"]))
    assert response.status_code == 200
    assert (response.get_json()["status"], response.get_json()["decline_reason"]) == ("declined", None)


def test_a_decline_reason_that_is_not_text_is_422(app, client, desk):
    request_id = _open_request(client, desk)
    response = client.post("/api/v1/mentoring-requests/%d/decline" % request_id, headers=bearer(desk["ana"]),
                           json={"reason": ["busy"]})
    assert response.status_code == 422 and "reason" in response.get_json()["error"]["fields"]
    with app.app_context():
        assert db.session.get(MentoringRequest, request_id).status == "open"


def test_the_mentee_withdraws_a_request(client, desk):
    request_id = _open_request(client, desk)
    response = client.post("/api/v1/mentoring-requests/%d/withdraw" % request_id, headers=bearer(desk["mia"]))
    assert response.status_code == 200 and response.get_json()["status"] == "withdrawn"


def test_the_document_lists_the_mentoring_operations(client, desk):
    document = client.get("/api/v1/openapi.json").get_json()
    paths = document["paths"]
    for path in ("/api/v1/mentors", "/api/v1/mentoring-requests", "/api/v1/mentoring-requests/{request_id}",
                 "/api/v1/mentorships", "/api/v1/mentorships/{mentorship_id}/sessions",
                 "/api/v1/mentorships/{mentorship_id}/close"):
        assert path in paths, path
    mentors = paths["/api/v1/mentors"]["get"]
    category = next(item for item in mentors["parameters"] if item["name"] == "category")
    assert category["required"] is True
    assert paths["/api/v1/mentoring-requests/{request_id}/decline"]["post"]["requestBody"]["required"] is False
    schemas = document["components"]["schemas"]
    goal = schemas["MentorshipIn"]["properties"]["goal"]["anyOf"]
    assert goal[1]["type"] == "string" and goal[0]["$ref"].endswith("MentorshipGoalIn")
    assert schemas["MentoringSessionIn"]["properties"]["date"]["format"] == "date"
    assert set(schemas["MentorshipWithImpact"]["required"]) >= {"impact", "goal", "start", "status"}
