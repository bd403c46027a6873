"""Session notes and mentorship pages are private to mentor, mentee, the mentee's lead (and admins)."""
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from core.periods import today_utc
from extensions import db
from mentoring.mentorships import services as mentorships
from mentoring.mentorships.models import MentoringSession
from tests.factories import bearer, make_token, make_user
from tests.factories_mentoring import make_category, make_desk, start_mentorship

NOTE = "Mia rehearsed the refund promise script"


@pytest.fixture(scope="module")
def mentorship_id(module_transaction, module_clock):
    """ana (Desk) mentors mia (Desk, led by `lead`) with one logged session; `lead2` leads Far
    (built once for the module at FROZEN_NOW, each test's changes rolled back)."""
    with module_transaction.app_context():
        people = make_desk()
        make_user("outsider")
        category = make_category("billing")
        item = start_mentorship(people["ana"], people["mia"], category,
                                started_on=today_utc() - timedelta(days=7))
        mentorships.log_session(people["ana"], item, today_utc(), 30, NOTE, "Try it on 5 calls")
        db.session.commit()
        return item.id


ALLOWED = ("ana", "mia", "lead", "admin")
DENIED = ("cy", "outsider", "lead2")


@pytest.mark.parametrize("username", ALLOWED)
def test_mentor_mentee_their_lead_and_admins_read_the_session_notes(client, auth, mentorship_id, username):
    auth.login(username)
    page = client.get("/mentorships/%d" % mentorship_id)
    assert page.status_code == 200 and NOTE in page.get_data(as_text=True)


@pytest.mark.parametrize("username", DENIED)
def test_other_agents_and_other_leads_get_403_on_the_page(client, auth, mentorship_id, username):
    auth.login(username)
    page = client.get("/mentorships/%d" % mentorship_id)
    assert page.status_code == 403 and NOTE not in page.get_data(as_text=True)


@pytest.mark.parametrize("username, status", [(name, 200) for name in ALLOWED] + [(name, 403) for name in DENIED])
def test_the_sessions_api_is_as_private_as_the_page(app, client, mentorship_id, username, status):
    with app.app_context():
        from accounts.services import get_user
        token = make_token(get_user(username))
    for path in ("/api/v1/mentorships/%d/sessions", "/api/v1/mentorships/%d"):
        response = client.get(path % mentorship_id, headers=bearer(token))
        assert response.status_code == status
        assert (NOTE in response.get_data(as_text=True)) is (status == 200 and "sessions" in path)
    if status == 403:
        assert response.get_json()["error"]["code"] == "forbidden"


@pytest.mark.parametrize("username", ("cy", "lead2", "lead"))
def test_only_mentor_and_mentee_log_sessions(app, client, auth, mentorship_id, username):
    auth.login(username)
    response = client.post("/mentorships/%d/sessions" % mentorship_id,
                           data={"held_on": today_utc().isoformat(), "duration_minutes": "30", "notes": "Sneaky"})
    assert response.status_code == 403
    with app.app_context():
        assert db.session.scalar(select(func.count(MentoringSession.id))) == 1


def test_the_mentee_logs_a_session_and_the_mentor_is_told(app, client, auth, mentorship_id):
    auth.login("mia")
    response = client.post("/mentorships/%d/sessions" % mentorship_id, data={
        "held_on": today_utc().isoformat(), "duration_minutes": "45", "notes": "**Practised** refunds",
        "next_steps": "Read the article"})
    assert response.status_code == 302
    page = client.get("/mentorships/%d" % mentorship_id).get_data(as_text=True)
    assert "<strong>Practised</strong> refunds" in page
    auth.logout()
    auth.login("ana")
    assert "logged the mentoring session" in client.get("/notifications").get_data(as_text=True)


def test_hostile_markdown_in_notes_is_sanitised(app, client, auth, mentorship_id):
    auth.login("ana")
    client.post("/mentorships/%d/sessions" % mentorship_id, data={
        "held_on": today_utc().isoformat(), "duration_minutes": "10",
        "notes": "<script>alert(1)</script>[x](javascript:alert(2))"})
    page = client.get("/mentorships/%d" % mentorship_id).get_data(as_text=True)
    assert "<script>alert(1)" not in page and "javascript:alert" not in page


def test_other_leads_cannot_assign_or_close_for_a_team_they_do_not_lead(app, client, auth, mentorship_id):
    auth.login("lead2")
    response = client.post("/mentorships/%d/close" % mentorship_id, data={"outcome": "completed"})
    assert response.status_code == 403
    with app.app_context():
        assert mentorships.get_mentorship_or_404(mentorship_id).status == "active"
