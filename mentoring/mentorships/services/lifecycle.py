"""Mentorships: starting one (a lead's assignment or an accepted request), closing it, its outcome."""
from dataclasses import dataclass
from datetime import timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import case, func, select

from accounts.models import Team, User
from accounts.notifications import notify, record_audit
from accounts.permissions import require
from core.categories import require_category
from core.periods import today_utc
from errors import Conflict, Invalid, NotFound
from extensions import db
from mentoring.mentorships.models import REASON_MAX_CHARS, MentoringRequest, MentorProfile, Mentorship
from mentoring.mentorships.permissions import may_manage
from mentoring.mentorships.services.goals import describe_goal, goal_outcome, metric_of, validate_goal
from mentoring.mentorships.services.impact import baseline_window, impact_windows, metrics_over
from mentoring.mentorships.services.notices import link
from recognition.awards.services import evaluate_badges

DEFAULT_WEEKS = 12
# How far a start may be back-dated (an arrangement made before it was recorded) or planned ahead.
START_PAST_DAYS = 366
START_AHEAD_DAYS = 90
MAX_LENGTH_DAYS = 366
CLOSE_OUTCOMES = ("completed", "ended_early")


def get_mentorship_or_404(mentorship_id):
    mentorship = db.session.get(Mentorship, mentorship_id)
    if mentorship is None:
        raise NotFound(_l("No such mentorship."))
    return mentorship


def mentorship_path(mentorship):
    return link("mentorships.mentorship", mentorship_id=mentorship.id)


def goal_summary(mentorship):
    """The goal in one line, e.g. "FCR 62% → 75%"."""
    return describe_goal(mentorship.goal_metric, mentorship.goal_target, mentorship.goal_baseline,
                         mentorship.goal_text)


def _dates(started_on, planned_end_on, today):
    started_on = started_on or today
    if not today - timedelta(days=START_PAST_DAYS) <= started_on <= today + timedelta(days=START_AHEAD_DAYS):
        raise Invalid("started_on", _l("The start must lie within the last year or the next %(days)d days.",
                                       days=START_AHEAD_DAYS))
    planned_end_on = planned_end_on or started_on + timedelta(weeks=DEFAULT_WEEKS)
    if planned_end_on <= started_on:
        raise Invalid("planned_end_on", _l("The planned end must be after the start."))
    if (planned_end_on - started_on).days > MAX_LENGTH_DAYS:
        raise Invalid("planned_end_on", _l("Plan a mentorship of a year at most; you can start another."))
    return started_on, planned_end_on


def _mentor_profile(mentor, category):
    """The mentor's usable profile, locked for the capacity check (PostgreSQL; SQLite serialises)."""
    profile = db.session.scalar(select(MentorProfile).where(MentorProfile.user_id == mentor.id)
                                .with_for_update())
    if profile is None or not profile.active or not profile.approved or not profile.covers(category):
        raise Invalid("mentor", _l("%(name)s has no active mentor profile for %(category)s.",
                                   name=mentor.name, category=category.local_name))
    return profile


def _goal_with_baseline(goal, mentee, category, started_on):
    goal = validate_goal(**(goal or {}))
    if goal.measurable and goal.baseline is None:
        # The starting point is measured, not typed: the twelve weeks before the start.
        metrics = metrics_over(mentee, category, baseline_window(started_on))
        baseline = getattr(metrics, metric_of(goal.metric).attribute)
        if baseline is not None:
            goal = validate_goal(goal.metric, goal.target, baseline, goal.text)
    return goal


def begin_mentorship(created_by, mentor, mentee, category, goal, started_on=None, planned_end_on=None,
                     today=None):
    """Validate and store a new active mentorship (callers check who may start it).

    :param goal: {"metric", "target", "baseline", "text"} (any may be missing); see validate_goal.
    :raises Invalid: self-mentoring, an inactive person, no mentor profile for the category, bad
        dates, a bad goal. :raises Conflict: the mentor has no free place, or the mentee already has
        an active mentorship in the category.
    """
    today = today or today_utc()
    category = require_category(category)
    if mentor.id == mentee.id:
        raise Invalid("mentee", _l("Nobody can mentor themselves: choose another mentor."))
    for field, person in (("mentee", mentee), ("mentor", mentor)):
        if not person.active:
            raise Invalid(field, _l("%(name)s's account is deactivated.", name=person.name))
    started_on, planned_end_on = _dates(started_on, planned_end_on, today)
    goal = _goal_with_baseline(goal, mentee, category, started_on)
    profile = _mentor_profile(mentor, category)
    current = db.session.scalar(select(Mentorship).where(
        Mentorship.mentee_id == mentee.id, Mentorship.category_id == category.id,
        Mentorship.status == "active").limit(1))
    if current is not None:
        raise Conflict("mentee", _l("%(mentee)s is already mentored in %(category)s by %(mentor)s.",
                                    mentee=mentee.name, category=category.local_name, mentor=current.mentor.name))
    active = db.session.scalar(select(func.count(Mentorship.id)).where(
        Mentorship.mentor_id == mentor.id, Mentorship.status == "active"))
    if active >= profile.capacity:
        raise Conflict("mentor", _l("%(name)s already mentors %(active)d of %(capacity)d colleagues: no free "
                                    "place.", name=mentor.name, active=active, capacity=profile.capacity))
    mentorship = Mentorship(
        mentor=mentor, mentee=mentee, category=category, created_by=created_by, goal_text=goal.text,
        goal_metric=goal.metric, goal_target=goal.target, goal_baseline=goal.baseline,
        started_on=started_on, planned_end_on=planned_end_on, status="active")
    db.session.add(mentorship)
    db.session.flush()
    return mentorship


def open_requests_of(mentee, category):
    return db.session.scalars(select(MentoringRequest).where(
        MentoringRequest.mentee_id == mentee.id, MentoringRequest.category_id == category.id,
        MentoringRequest.status == "open").order_by(MentoringRequest.id)).all()


def settle_requests(requests, mentorship, decided_by, now):
    """Mark open requests as answered by the new mentorship."""
    for request in requests:
        request.status, request.mentorship = "accepted", mentorship
        request.decided_by, request.decided_at = decided_by, now


def assign_mentorship(lead, mentor, mentee, category, goal, started_on=None, planned_end_on=None, today=None):
    """A lead (of the mentee's team) or an admin sets up a mentorship directly; audited."""
    require(lead, "mentorship.assign", mentee)
    mentorship = begin_mentorship(lead, mentor, mentee, category, goal, started_on, planned_end_on, today)
    settle_requests(open_requests_of(mentee, mentorship.category), mentorship, lead, mentorship.created_at)
    record_audit(lead, "mentorship.assign", mentorship,
                 "%s mentors %s in %s" % (mentor.username, mentee.username, mentorship.category.slug),
                 mentor=mentor.username, mentee=mentee.username, category=mentorship.category.slug,
                 goal=goal_summary(mentorship), started_on=mentorship.started_on.isoformat(),
                 planned_end_on=mentorship.planned_end_on.isoformat())
    for person in (mentor, mentee):
        notify(person, "mentorship_assigned", mentorship_path(mentorship), actor=lead,
               category=mentorship.category, mentor=mentor.name, mentee=mentee.name)
    db.session.flush()
    return mentorship


def _measure_outcome(mentorship, today):
    """Store FCR and the goal metric before and since the start; return whether the goal was met."""
    windows = impact_windows(mentorship.started_on, mentorship.ended_on, today)
    before = metrics_over(mentorship.mentee, mentorship.category, windows.before)
    since = metrics_over(mentorship.mentee, mentorship.category, windows.since)
    mentorship.fcr_before, mentorship.fcr_after = before.fcr, since.fcr
    if not mentorship.has_metric_goal:
        return None
    mentorship.outcome_value, met = goal_outcome(mentorship.goal_metric, mentorship.goal_target, since)
    return met


def close_mentorship(actor, mentorship, outcome, ended_on=None, note="", goal_confirmed=None, today=None):
    """Complete a mentorship (measuring the goal) or end it early; a reached goal earns the badge.

    A metric goal is measured from resolution data since the start; a goal in words is confirmed
    by the mentee or their lead (the mentor cannot confirm their own success).
    :raises Invalid: unknown outcome, an end date before the start or in the future, a long note,
        a mentor confirming a goal in words.
    """
    require(actor, "mentorship.close", mentorship)
    today = today or today_utc()
    if outcome not in CLOSE_OUTCOMES:
        raise Invalid("outcome", _l("Choose whether the mentorship was completed or ended early."))
    ended_on = ended_on or today
    if ended_on < mentorship.started_on:
        raise Invalid("ended_on", _l("The end cannot be before the start (%(date)s).",
                                     date=mentorship.started_on.isoformat()))
    if ended_on > today:
        raise Invalid("ended_on", _l("The end cannot be in the future."))
    note = (note or "").strip()
    if len(note) > REASON_MAX_CHARS:
        raise Invalid("note", _l("Keep the note to %(count)d characters.", count=REASON_MAX_CHARS))
    if goal_confirmed and not mentorship.has_metric_goal and actor.id != mentorship.mentee_id \
            and not may_manage(actor, mentorship.mentee):
        raise Invalid("goal_met", _l("The mentee or their lead confirms that a goal in words was reached."))
    mentorship.status, mentorship.ended_on, mentorship.end_note = outcome, ended_on, note
    met = _measure_outcome(mentorship, today)
    if outcome == "completed":
        # A goal in words left unconfirmed stays unknown (None), not "missed".
        mentorship.goal_met = met if mentorship.has_metric_goal else (True if goal_confirmed else None)
    record_audit(actor, "mentorship." + outcome, mentorship,
                 "%s → %s (%s): %s" % (mentorship.mentor.username, mentorship.mentee.username,
                                       mentorship.category.slug, outcome),
                 goal_met=mentorship.goal_met, outcome_value=mentorship.outcome_value)
    for person in (mentorship.mentor, mentorship.mentee):
        notify(person, "mentorship_closed", mentorship_path(mentorship), actor=actor,
               category=mentorship.category)
    if mentorship.goal_met:
        _celebrate_goal(mentorship)
    db.session.flush()
    return mentorship


def _celebrate_goal(mentorship):
    """The mentor earns the "goal reached" badge; mentor, mentee and the mentee's lead hear of it.

    The badge rule describes the mentor's achievement ("a mentee of theirs reached the goal"), so
    only the mentor is evaluated; the mentee's credit is the notification and the outcome.
    """
    summary = goal_summary(mentorship)
    evaluate_badges(mentorship.mentor, "mentee_goal_reached", mentorship_id=mentorship.id,
                    category_id=mentorship.category_id, goal=summary)
    team = mentorship.mentee.team
    for person in {mentorship.mentor, mentorship.mentee, team.lead if team else None} - {None}:
        notify(person, "mentoring_goal_reached", mentorship_path(mentorship), mentee=mentorship.mentee.name,
               category=mentorship.category, goal=summary)


def _by_status_then_start():
    return (case((Mentorship.status == "active", 0), else_=1), Mentorship.started_on.desc(),
            Mentorship.id.desc())


def mentorships_of(user):
    """(as mentor, as mentee): the person's mentorships, active first, newest start first."""
    def of(column):
        return db.session.scalars(select(Mentorship).where(column == user.id)
                                  .order_by(*_by_status_then_start())).all()
    return of(Mentorship.mentor_id), of(Mentorship.mentee_id)


def team_mentorships(lead):
    """Mentorships whose mentee is on a team the person leads, active first."""
    return db.session.scalars(
        select(Mentorship).join(User, User.id == Mentorship.mentee_id).join(Team, Team.id == User.team_id)
        .where(Team.lead_id == lead.id).order_by(*_by_status_then_start())).all()


@dataclass(frozen=True)
class MentorOutcomes:
    """What a mentor's mentorships came to: counts, goals met, and the mean FCR change."""

    mentees: int
    active: int
    completed: int
    ended_early: int
    goals_measured: int
    goals_met: int
    fcr_change: float | None  # mean of (FCR since − FCR before) over closed mentorships with data

    @property
    def any(self):
        return self.mentees > 0


def mentor_outcomes(user):
    """The mentor's outcomes, aggregated in one query."""
    closed = Mentorship.status.in_(CLOSE_OUTCOMES)
    both = (Mentorship.fcr_before.is_not(None)) & (Mentorship.fcr_after.is_not(None))
    row = db.session.execute(select(
        func.count(func.distinct(Mentorship.mentee_id)),
        func.coalesce(func.sum(case((Mentorship.status == "active", 1), else_=0)), 0),
        func.coalesce(func.sum(case((Mentorship.status == "completed", 1), else_=0)), 0),
        func.coalesce(func.sum(case((Mentorship.status == "ended_early", 1), else_=0)), 0),
        func.coalesce(func.sum(case((Mentorship.goal_met.is_not(None), 1), else_=0)), 0),
        func.coalesce(func.sum(case((Mentorship.goal_met.is_(True), 1), else_=0)), 0),
        func.avg(case((closed & both, Mentorship.fcr_after - Mentorship.fcr_before), else_=None)),
    ).where(Mentorship.mentor_id == user.id)).one()
    return MentorOutcomes(*(int(value) for value in row[:6]),
                          fcr_change=None if row[6] is None else float(row[6]))
