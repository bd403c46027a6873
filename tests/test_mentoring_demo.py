"""The mentoring demo: experts' profiles, mentorships with sessions, a goal met for real, idempotent."""
from sqlalchemy import func, select

from demo.awards import load_awards
from demo.mentoring import PROFILES, load_mentoring
from demo.people import load_people
from demo.resolutions import load_resolutions
from extensions import db
from mentoring.models.mentorships import MentoringRequest, MentoringSession, MentorProfile, Mentorship
from mentoring.services import mentorships
from recognition.awards.models import BadgeAward
from tests.conftest import DEMO_PASSWORD


def test_demo_mentoring_loads_once_with_a_goal_met_from_the_data(clock, ctx):
    load_people(DEMO_PASSWORD)
    load_resolutions()
    load_awards()
    summary = load_mentoring()
    db.session.commit()
    assert summary == ["mentoring: 11 mentor profiles, 3 active and 1 completed mentorships, 1 open requests added"]
    profiles = db.session.scalars(select(MentorProfile)).all()
    assert len(profiles) == len(PROFILES) and all(profile.approved for profile in profiles)  # all experts
    completed = db.session.scalar(select(Mentorship).where(Mentorship.status == "completed"))
    assert (completed.mentor.username, completed.mentee.username, completed.category.slug) == (
        "reza", "emma", "accounts")
    # Measured again from the resolution data, the goal holds.
    impact = mentorships.measure_impact(completed)
    assert completed.goal_met is True and impact.since.fcr >= completed.goal_target > completed.goal_baseline
    assert db.session.scalar(select(BadgeAward).where(BadgeAward.user_id == completed.mentor_id,
                                                      BadgeAward.award_key == "mentorship:%d" % completed.id))
    assert db.session.scalar(select(func.count(Mentorship.id)).where(Mentorship.status == "active")) == 3
    assert db.session.scalar(select(func.count(MentoringSession.id))) == 9
    assert db.session.scalar(select(MentoringRequest.status).where(MentoringRequest.mentorship_id.is_(None))) == "open"
    assert load_mentoring() == ["mentoring: 0 mentor profiles, 0 active and 0 completed mentorships, "
                                "0 open requests added"]
