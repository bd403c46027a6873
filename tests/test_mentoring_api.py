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
