"""Impact: before/after windows at their exact edges, goal-met detection on completion, the badge."""
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from accounts.models import Notification
from core.periods import Period
from errors import Invalid
from extensions import db
from mentoring.mentorships import services as mentorships
from recognition.awards.models import BadgeAward
from tests.factories_mentoring import make_category, make_desk, plant_at, start_mentorship

START = date(2025, 3, 10)  # a Monday
TODAY = date(2025, 6, 30)


def at(day, hour=0, minute=0, second=0):
    return datetime(day.year, day.month, day.day, hour, minute, second, tzinfo=UTC)


BASELINE = (date(2024, 12, 16), date(2025, 3, 9))  # the twelve weeks before the start


@pytest.mark.parametrize("started_on, ended_on, today, before, since", [
    # "Before" is always the goal's baseline: twelve weeks, ending the day before the start.
    (START, None, date(2025, 3, 20), BASELINE, (START, date(2025, 3, 20))),
    (START, None, START, BASELINE, (START, START)),
    (START, None, date(2025, 12, 1), BASELINE, (START, date(2025, 12, 1))),
    # A closed mentorship ends on its end date, whatever today is.
    (START, date(2025, 4, 6), TODAY, BASELINE, (START, date(2025, 4, 6))),
    # Not started yet: no "since".
    (START, None, date(2025, 3, 9), BASELINE, None),
])
def test_impact_windows_cover_whole_days_either_side_of_the_start(started_on, ended_on, today, before, since):
    windows = mentorships.impact_windows(started_on, ended_on, today)
    assert windows.before == Period(*before)
    assert windows.since == (Period(*since) if since else None)


@pytest.fixture
def desk(ctx):
    people = make_desk()
    people["billing"] = make_category("billing")
    return people


def test_contacts_at_the_edges_fall_on_the_right_side_of_the_start(desk):
    mentorship = start_mentorship(desk["ana"], desk["mia"], desk["billing"], started_on=START,
                                  planned_end_on=START + timedelta(weeks=12), today=START)
    first_before = START - timedelta(weeks=12)
    plant_at("mia", "billing", [
        at(START),  # resolved: the first second of the start day is "since"
        at(START - timedelta(days=1), 23, 59, 59),  # unresolved: the last second before is "before"
        at(first_before),  # unresolved: the first second of the "before" window
        at(first_before - timedelta(days=1), 23, 59, 59),  # outside both windows
        at(START, 23, 59, 59),  # resolved, still the start day
        at(START + timedelta(days=1)),  # after "today": outside
    ], resolved=1)
    plant_at("mia", "billing", [at(START, 23, 59, 59)], resolved=1, prefix="late")
    impact = mentorships.measure_impact(mentorship, today=START)
    assert impact.windows.before == Period(first_before, START - timedelta(days=1))
    assert (impact.before.contacts, impact.before.fcr) == (2, 0.0)
    assert (impact.since.contacts, impact.since.fcr) == (3, pytest.approx(2 / 3))
    assert impact.start_week == "2025-W11"
    labels = [label for label, _metrics in impact.weekly]  # the twelve weeks before, then the start's
    assert (labels[0], labels[-1], len(labels)) == ("2024-W51", "2025-W11", 13)


def _complete(desk, goal, since_resolved, since_contacts=25, handle_seconds=300, outcome="completed",
              actor=None, **close_options):
    mentorship = start_mentorship(desk["ana"], desk["mia"], desk["billing"], goal=goal, started_on=START,
                                  planned_end_on=START + timedelta(weeks=8), today=START)
    moments = [at(START + timedelta(days=number % 20), 9 + number // 20) for number in range(since_contacts)]
    plant_at("mia", "billing", moments, since_resolved, handle_seconds=handle_seconds)
    closed = mentorships.close_mentorship(actor or desk["lead"], mentorship, outcome, START + timedelta(weeks=4),
                                          today=TODAY, **close_options)
    db.session.commit()
    return closed


def goal_badges(desk):
    return db.session.scalars(select(BadgeAward).where(BadgeAward.user_id.in_(
        [desk["ana"].id, desk["mia"].id]))).all()


def kinds(user):
    return sorted(db.session.scalars(select(Notification.kind).where(Notification.recipient_id == user.id)))


def test_reaching_the_target_completes_with_the_goal_met_and_the_badge(desk):
    closed = _complete(desk, {"metric": "fcr", "target": 0.8}, since_resolved=22)
    assert closed.status == "completed" and closed.goal_met is True
    assert closed.outcome_value == pytest.approx(22 / 25)
    [award] = goal_badges(desk)
    assert award.user_id == desk["ana"].id and award.badge.slug == "goal-reached"
    assert award.award_key == "mentorship:%d" % closed.id and award.category_id == desk["billing"].id
    assert "mentoring_goal_reached" in kinds(desk["mia"])
    assert "mentoring_goal_reached" in kinds(desk["ana"]) and "badge_awarded" in kinds(desk["ana"])
    assert "mentoring_goal_reached" in kinds(desk["lead"])


def test_missing_the_target_completes_without_a_badge(desk):
    closed = _complete(desk, {"metric": "fcr", "target": 0.8}, since_resolved=15)
    assert closed.goal_met is False and closed.outcome_value == pytest.approx(0.6)
    assert goal_badges(desk) == []


def test_too_few_contacts_since_the_start_leave_the_goal_unmeasured(desk):
    closed = _complete(desk, {"metric": "fcr", "target": 0.8}, since_resolved=10,
                       since_contacts=mentorships.GOAL_MIN_SAMPLE - 1)
    assert closed.goal_met is None and goal_badges(desk) == []


def test_a_handle_time_goal_is_met_by_going_at_or_below_the_target(desk):
    closed = _complete(desk, {"metric": "aht", "target": 300}, since_resolved=20, handle_seconds=300)
    assert closed.goal_met is True and closed.outcome_value == 300


def test_ending_early_measures_but_never_counts_the_goal(desk):
    closed = _complete(desk, {"metric": "fcr", "target": 0.8}, since_resolved=25, outcome="ended_early")
    assert closed.status == "ended_early" and closed.goal_met is None
    assert closed.fcr_after == 1.0 and goal_badges(desk) == []


def test_a_goal_in_words_is_met_when_the_mentee_confirms_it(desk):
    closed = _complete(desk, {"text": "Explain refunds calmly"}, since_resolved=5, actor=desk["mia"],
                       goal_confirmed=True)
    assert closed.goal_met is True and len(goal_badges(desk)) == 1


def test_the_mentor_cannot_confirm_their_own_goal_in_words(desk):
    with pytest.raises(Invalid) as caught:
        _complete(desk, {"text": "Explain refunds calmly"}, since_resolved=5, actor=desk["ana"],
                  goal_confirmed=True)
    assert "goal_met" in caught.value.fields


@pytest.mark.parametrize("ended_on, field", [(START - timedelta(days=1), "ended_on"),
                                             (TODAY + timedelta(days=1), "ended_on")])
def test_an_end_date_before_the_start_or_in_the_future_is_refused(desk, ended_on, field):
    mentorship = start_mentorship(desk["ana"], desk["mia"], desk["billing"], started_on=START, today=START)
    with pytest.raises(Invalid) as caught:
        mentorships.close_mentorship(desk["lead"], mentorship, "completed", ended_on, today=TODAY)
    assert field in caught.value.fields
    db.session.rollback()
    assert mentorship.status == "active"


def test_the_baseline_is_measured_over_the_twelve_weeks_before_the_start(desk):
    moments = [at(START - timedelta(days=1 + number)) for number in range(10)]
    plant_at("mia", "billing", moments + [at(START - timedelta(weeks=12, days=1))], resolved=6)
    mentorship = start_mentorship(desk["ana"], desk["mia"], desk["billing"], goal={"metric": "fcr", "target": 0.9},
                                  started_on=START, today=START)
    # Six resolved of the ten inside the window; the eleventh contact is a day too early.
    assert mentorship.goal_baseline == pytest.approx(0.6)


def test_a_target_no_better_than_the_measured_baseline_is_refused(desk):
    plant_at("mia", "billing", [at(START - timedelta(days=2))], resolved=1)
    with pytest.raises(Invalid) as caught:
        start_mentorship(desk["ana"], desk["mia"], desk["billing"], goal={"metric": "fcr", "target": 0.9},
                         started_on=START, today=START)
    assert "goal_target" in caught.value.fields


def test_the_mentors_outcomes_add_up_their_mentorships(desk):
    _complete(desk, {"metric": "fcr", "target": 0.8}, since_resolved=22)
    start_mentorship(desk["ana"], desk["cy"], desk["billing"], started_on=START, today=START)
    outcomes = mentorships.mentor_outcomes(desk["ana"])
    assert (outcomes.mentees, outcomes.active, outcomes.completed) == (2, 1, 1)
    assert (outcomes.goals_measured, outcomes.goals_met) == (1, 1)
    # No contact before the start: no FCR change to average.
    assert outcomes.fcr_change is None
