"""The demo year of resolutions: realistic, deterministic, with the intended experts on top; and
the mentoring demo, whose goal is measured from that year (one 40,000-contact import for both)."""
import pytest
from sqlalchemy import func, select

from demo.awards import load_awards
from demo.mentoring import PROFILES, load_mentoring
from demo.people import load_people
from demo.resolutions import CONTACTS, EXPERTS, generate_csv, load_resolutions
from extensions import db
from mentoring.mentorships import services as mentorships
from mentoring.mentorships.models import MentoringRequest, MentoringSession, MentorProfile, Mentorship
from recognition.awards.models import BadgeAward
from recognition.models import ImportBatch, ResolutionRecord
from recognition.services import rank_performers
from tests.conftest import DEMO_PASSWORD


@pytest.fixture(scope="module")
def demo_year(module_transaction, module_clock):
    """The demo people and their year of contacts, loaded once for the module (at FROZEN_NOW;
    each test's changes are rolled back); gives what load_resolutions said."""
    with module_transaction.app_context():
        load_people(DEMO_PASSWORD)
        summary = load_resolutions()
        db.session.commit()
        return summary


def test_demo_file_is_the_same_for_the_same_day(clock):
    assert generate_csv(contacts=500) == generate_csv(contacts=500)


def test_demo_loads_quickly_once_with_each_category_led_by_its_experts(demo_year, ctx):
    [batch_id] = db.session.scalars(select(ImportBatch.id)).all()
    assert demo_year == ["resolutions: %d contacts imported, 0 rejected (batch %d)" % (CONTACTS, batch_id)]
    for slug, experts in EXPERTS.items():
        leaders = [row.username for row in rank_performers(slug).ranked[:len(experts)]]
        assert sorted(leaders) == sorted(experts), slug
    assert load_resolutions()[0].endswith("already loaded")
    assert db.session.scalar(select(func.count(ResolutionRecord.id))) == CONTACTS


def test_demo_mentoring_loads_once_with_a_goal_met_from_the_data(demo_year, ctx):
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
