"""Mentoring pages: finding a mentor, the profile form and approval, a request through to a closed mentorship."""
from datetime import timedelta

import pytest
from flask import render_template
from sqlalchemy import func, select

from accounts.services import get_user
from core.periods import today_utc
from extensions import db
from mentoring.mentorships import services as mentorships
from mentoring.mentorships.models import MentoringRequest, MentorProfile, Mentorship
from tests.factories_awards import make_title
from tests.factories_mentoring import make_category, make_desk, make_profile, plant, start_mentorship


@pytest.fixture(scope="module")
def desk(module_transaction, module_clock):
    """Desk and Far (make_desk), billing contacts for ana, mia and ben, ana mentoring billing;
    gives the app (built once for the module at FROZEN_NOW, each test's changes rolled back)."""
    with module_transaction.app_context():
        people = make_desk()
        billing = make_category("billing")
        plant("ana", "billing", 40, 38)
        plant("mia", "billing", 40, 24)
        plant("ben", "billing", 40, 36)
        make_profile(people["ana"], [billing], capacity=2)
    return module_transaction


def test_the_nav_links_the_mentoring_pages(client, auth, desk):
    auth.login("mia")
    page = client.get("/mentors").get_data(as_text=True)
    assert 'href="/mentors"' in page and "Find a mentor" in page and "Who needs help" not in page


def test_the_find_page_shows_why_each_mentor_is_suggested(client, auth, desk):
    auth.login("mia")
    page = client.get("/mentors?category=billing").get_data(as_text=True)
    assert "Suggested mentors in" in page and "Ana" in page
    assert "rank 1 of 3" in page and "FCR 95%" in page and "2 free places" in page and "Same team (Desk)" in page
    assert "/mentoring/requests/new?category=billing&amp;mentor=ana" in page


def test_an_expert_opts_in_at_once_and_others_wait_for_a_lead(app, client, auth, desk):
    with app.app_context():
        make_title(get_user("ben"), mentorships.get_profile(get_user("ana")).categories[0], get_user("lead"))
    auth.login("ben")
    response = client.post("/mentoring/profile", data={"categories": ["billing"], "capacity": "2",
                                                       "availability": "Mornings", "bio": "I **love** refunds",
                                                       "active": "y"})
    assert response.status_code == 302
    auth.logout()
    auth.login("cy")
    client.post("/mentoring/profile", data={"categories": ["billing"], "capacity": "1", "active": "y"})
    with app.app_context():
        assert mentorships.get_profile(get_user("ben")).approved is True
        assert mentorships.get_profile(get_user("cy")).approved is False
    assert "Waiting for a lead" in client.get("/mentoring/profile").get_data(as_text=True)
    auth.logout()
    auth.login("lead")
    needs = client.get("/mentorships/needs-help").get_data(as_text=True)
    assert "Mentor profiles waiting for approval" in needs and "Cy" in needs
    assert "offers to mentor" in client.get("/notifications").get_data(as_text=True)
    assert client.post("/mentors/cy/approve", data={"back": "needs"}).status_code == 302
    with app.app_context():
        assert mentorships.get_profile(get_user("cy")).approved_by.username == "lead"


@pytest.mark.parametrize("data, field_message", [
    ({"categories": [], "capacity": "2"}, "Choose at least one category"),
    ({"categories": ["billing"], "capacity": "11"}, "1 to 10"),
    ({"categories": ["nope"], "capacity": "2"}, "Unknown category"),
])
def test_a_bad_profile_form_says_what_is_wrong_and_saves_nothing(app, client, auth, desk, data, field_message):
    auth.login("cy")
    response = client.post("/mentoring/profile", data=data)
    assert response.status_code == 200 and field_message in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count(MentorProfile.id))) == 1


def test_a_request_goes_from_the_form_to_an_active_mentorship_with_its_chart(app, client, auth, desk):
    auth.login("mia")
    form = client.get("/mentoring/requests/new?category=billing&mentor=ana").get_data(as_text=True)
    assert 'selected value="ana"' in form
    response = client.post("/mentoring/requests/new", data={
        "category": "billing", "mentee": "mia", "mentor": "ana", "goal_metric": "fcr", "goal_target": "75",
        "goal_text": "Fewer callbacks"})
    assert response.status_code == 302
    with app.app_context():
        request = db.session.scalar(select(MentoringRequest))
        assert (request.goal_metric, request.goal_target) == ("fcr", 0.75)  # typed in %, stored as a fraction
    auth.logout()
    auth.login("ana")
    waiting = client.get("/mentorships").get_data(as_text=True)
    assert "Requests waiting for you" in waiting and "Mia · Billing" in waiting and "FCR → 75%" in waiting
    response = client.post("/mentoring/requests/%d/accept" % request.id, data={
        "goal_metric": "fcr", "goal_target": "75", "goal_text": "Fewer callbacks"})
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "FCR 60% → 75%" in page and "<svg" in page and "Mentoring starts" in page and "Target 75%" in page


def test_a_target_outside_its_range_is_shown_on_the_form(app, client, auth, desk):
    auth.login("mia")
    response = client.post("/mentoring/requests/new", data={
        "category": "billing", "mentee": "mia", "goal_metric": "fcr", "goal_target": "120"})
    assert response.status_code == 200
    assert "must be between 0% and 100%" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count(MentoringRequest.id))) == 0


def test_a_lead_assigns_from_the_needs_page_prefill(app, client, auth, desk):
    auth.login("lead")
    needs = client.get("/mentorships/needs-help").get_data(as_text=True)
    assert "Mia" in needs and "/mentorships/new?mentee=mia&amp;category=billing&amp;mentor=ana" in needs
    form = client.get("/mentorships/new?mentee=mia&category=billing&mentor=ana&metric=fcr&target=90")
    assert 'name="mentor"' in form.get_data(as_text=True) and 'value="ana"' in form.get_data(as_text=True)
    response = client.post("/mentorships/new", data={
        "mentee": "mia", "category": "billing", "mentor": "ana", "goal_metric": "fcr", "goal_target": "90"})
    assert response.status_code == 302
    with app.app_context():
        assert db.session.scalar(select(Mentorship)).goal_target == 0.9


def test_mentoring_oneself_is_refused_on_the_assignment_form(app, client, auth, desk):
    auth.login("lead")
    response = client.post("/mentorships/new", data={
        "mentee": "ana", "category": "billing", "mentor": "ana", "goal_text": "x"})
    assert "Nobody can mentor themselves" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count(Mentorship.id))) == 0


def test_agents_cannot_open_the_leads_pages(client, auth, desk):
    auth.login("mia")
    assert client.get("/mentorships/needs-help").status_code == 403
    assert client.get("/mentorships/new").status_code == 403


def test_closing_a_mentorship_on_its_page(app, client, auth, desk):
    with app.app_context():
        mentorship_id = start_mentorship(get_user("ana"), get_user("mia"), "billing",
                                         started_on=today_utc() - timedelta(days=10)).id
    auth.login("ana")
    response = client.post("/mentorships/%d/close" % mentorship_id, data={
        "outcome": "completed", "ended_on": today_utc().isoformat(), "note": "Done"})
    assert response.status_code == 302
    page = client.get("/mentorships/%d" % mentorship_id).get_data(as_text=True)
    assert "Completed" in page and "Close the mentorship" not in page


def test_the_profile_section_shows_a_mentors_outcomes(app, desk):
    with app.app_context(), app.test_request_context():
        html = render_template("mentorships/_profile_section.html", person=get_user("ana"))
        assert "Mentors in:" in html and "billing".capitalize() in html and "No mentorships yet." in html
        assert render_template("mentorships/_profile_section.html", person=get_user("mia")).strip() == ""


@pytest.mark.parametrize("path", ["/mentors", "/mentors?category=billing", "/mentoring/profile", "/mentorships",
                                  "/mentoring/requests/new", "/mentoring/requests/new?category=billing",
                                  "/mentors/ana"])
def test_every_mentoring_page_renders_in_persian_right_to_left(app, client, auth, desk, path):
    auth.login("mia")
    client.post("/language", data={"locale": "fa"})
    response = client.get(path)
    assert response.status_code == 200
    assert 'dir="rtl"' in response.get_data(as_text=True)


def test_the_assignment_form_takes_any_mentor_typed_with_the_people_picker(app, client, auth, desk):
    auth.login("lead")
    page = client.get("/mentorships/new?mentee=mia&category=billing").get_data(as_text=True)
    mentor = page.split('name="mentor"')[0].rsplit("<input", 1)[1] + page.split('name="mentor"')[1].split(">")[0]
    assert "data-people-picker" in mentor
    response = client.post("/mentorships/new", data={
        "mentee": "mia", "category": "billing", "mentor": "nobody-here", "goal_text": "Faster billing"})
    assert "Choose a mentor." in response.get_data(as_text=True)
    response = client.post("/mentorships/new", data={
        "mentee": "mia", "category": "billing", "mentor": "ana", "goal_text": "Faster billing"})
    assert response.status_code == 302


def test_one_contact_since_the_start_is_too_few_to_show_a_rate(app, client, auth, desk):
    """Not "since the start 100 %" from one resolved contact: the page says it is too few, and the
    goal's baseline and the impact table's "before" are one window, so one figure."""
    with app.app_context():
        mentorship = start_mentorship(get_user("ana"), get_user("mia"), "billing",
                                      goal={"metric": "fcr", "target": 0.9},
                                      started_on=today_utc() - timedelta(days=2))
        mentorship_id, baseline = mentorship.id, mentorship.goal_baseline
        plant("mia", "billing", 1, 1, days_back=1, prefix="since-start")
        before = mentorships.measure_impact(mentorship).before.fcr
    assert baseline == pytest.approx(before)
    auth.login("ana")
    page = client.get("/mentorships/%d" % mentorship_id).get_data(as_text=True)
    assert "Too few contacts yet (1 of 20)" in page
    goal_and_table = page.split('id="goal-heading"', 1)[1].split("</table>", 1)[0]
    assert "100%" not in goal_and_table
