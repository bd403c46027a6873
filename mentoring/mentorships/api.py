"""Mentor and mentorship API routes: suggestions, requests, mentorships, sessions and impact."""
from datetime import date
from typing import Annotated, Any, Literal

from flask import Blueprint
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from pydantic import Field, StrictBool, WithJsonSchema, model_validator

from accounts.permissions import require
from accounts.services import get_user
from core.api import Answer, Day, Line, Moment, Page, PageQuery, RecordId, Schema, Text, iso_utc, operation
from core.categories import require_category
from errors import Invalid, NotFound
from extensions import db
from mentoring.mentorships import services as mentorships
from mentoring.mentorships.models import MENTORSHIP_STATUSES, REQUEST_STATUSES
from mentoring.mentorships.services.lifecycle import CLOSE_OUTCOMES
from mentoring.mentorships.services.sessions import DURATION_RANGE

mentorships_api = Blueprint("mentorships_api", __name__, url_prefix="/api/v1")

TAGS = ["mentoring"]
# Goal numbers are checked by validate_goal, which names the member (goal_target) in its refusal.
GoalNumber = Annotated[Any, WithJsonSchema({"type": "number"})]


class MentorshipGoalIn(Schema):
    """A metric with a target ({"metric", "target", "baseline"?, "text"?}), or a goal in words."""

    metric: Line | None = Field(None, description="fcr, aht, nps or csat.")
    target: GoalNumber | None = Field(None, description="FCR 0..1, AHT seconds, NPS -100..100, CSAT 1..5.")
    baseline: GoalNumber | None = Field(None, description="Measured from the mentee's data when left out.")
    text: Text = ""

    @model_validator(mode="before")
    @classmethod
    def _words_or_object(cls, data):
        if isinstance(data, str):
            return {"text": data}
        if not isinstance(data, dict):
            raise ValueError(_l("goal must be a text or an object with metric and target."))
        return data


def _goal_in_words_too(schema):
    schema["anyOf"].insert(1, {"type": "string", "description": "A goal in words."})


Goal = Annotated[MentorshipGoalIn | None, Field(json_schema_extra=_goal_in_words_too)]


class MentorListQuery(PageQuery):
    category: Line
    mentee: Line | None = Field(None, description="Whom to find a mentor for (default: the caller).")


class MentoringRequestIn(Schema):
    category: Line
    goal: Goal = None
    mentor: Line | None = Field(None, description="The mentor asked; without one the best matches are told.")
    mentee: Line | None = Field(None, description="A lead proposes mentoring for this team member.")


class MentoringRequestAccept(Schema):
    start: Day | None = None
    planned_end: Day | None = None
    goal: Goal = Field(None, description="Another goal agreed with the mentee; the request's otherwise.")


class MentoringRequestDecline(Schema):
    reason: Text = ""


class MentorshipIn(Schema):
    mentor: Line
    mentee: Line
    category: Line
    goal: Goal = None
    start: Day | None = None
    planned_end: Day | None = None
    request: RecordId | None = Field(None, description="The mentoring request the mentor accepts.")


class MentoringSessionIn(Schema):
    date: Day
    duration_minutes: Annotated[int, Field(strict=True, ge=DURATION_RANGE[0], le=DURATION_RANGE[1])]
    notes: Text
    next_steps: Text = ""


class MentorshipClose(Schema):
    outcome: Literal[CLOSE_OUTCOMES]
    ended_on: Day | None = None
    note: Text = ""
    goal_met: StrictBool | None = Field(None, description="The mentee or their lead confirms a goal in words.")


class MentorOut(Answer):
    username: str
    name: str
    team: str | None
    score: float | None
    rank: int | None
    ranked_agents: int
    percentile: float | None
    contacts: int
    fcr: float | None
    remaining_capacity: int
    capacity: int
    same_team: bool
    expert_title: bool
    match_points: float
    availability: str
    reasons: list[str]


class MentorList(Page):
    category: str
    mentee: str
    mentors: list[MentorOut]


class MentorshipGoal(Answer):
    metric: str | None
    target: float | None
    baseline: float | None
    text: str


class MentoringRequestOut(Answer):
    id: int
    mentee: str
    category: str
    mentor: str | None
    proposed_by: str | None
    goal: MentorshipGoal
    status: Literal[REQUEST_STATUSES]
    created_at: Moment
    decided_at: Moment | None
    decline_reason: str | None
    mentorship_id: int | None


class MentorshipMetrics(Answer):
    contacts: int
    fcr: float | None
    aht_seconds: float | None
    nps: float | None
    csat: float | None
    nps_responses: int
    csat_responses: int


class MentorshipImpactWindow(Answer):
    since: date
    until: date
    metrics: MentorshipMetrics


class MentorshipWeekMetrics(MentorshipMetrics):
    week: str


class MentorshipImpact(Answer):
    before: MentorshipImpactWindow
    since: MentorshipImpactWindow | None
    weekly: list[MentorshipWeekMetrics]


class MentorshipOut(Answer):
    id: int
    mentor: str
    mentee: str
    category: str
    goal: MentorshipGoal
    start: date
    planned_end: date
    ended_on: date | None
    status: Literal[MENTORSHIP_STATUSES]
    goal_met: bool | None
    outcome_value: float | None
    created_by: str | None
    url: str


class MentorshipWithImpact(MentorshipOut):
    impact: MentorshipImpact


class MentoringSessionOut(Answer):
    id: int
    date: date
    duration_minutes: int
    notes: str
    next_steps: str
    author: str | None
    created_at: Moment


class MentoringSessionList(Answer):
    mentorship_id: int
    total: int
    sessions: list[MentoringSessionOut]


def _person(username, field):
    """The user called `username` (None stays None); Invalid naming `field` when unknown."""
    if username is None:
        return None
    person = get_user(username)
    if person is None:
        raise Invalid(field, _l("No user called %(username)s.", username=username[:64]))
    return person


def _goal(goal):
    """The goal as the services take it ({"metric", "target", "baseline", "text"}), or None."""
    return None if goal is None else goal.model_dump()


def goal_json(item):
    return {"metric": item.goal_metric, "target": item.goal_target,
            "baseline": getattr(item, "goal_baseline", None), "text": item.goal_text}


def request_json(item):
    return {"id": item.id, "mentee": item.mentee.username, "category": item.category.slug,
            "mentor": item.preferred_mentor.username if item.preferred_mentor else None,
            "proposed_by": item.proposed_by.username if item.proposed_by else None,
            "goal": goal_json(item), "status": item.status, "created_at": iso_utc(item.created_at),
            "decided_at": iso_utc(item.decided_at), "decline_reason": item.decline_reason or None,
            "mentorship_id": item.mentorship_id}


def metrics_json(metrics):
    return {"contacts": metrics.contacts, "fcr": metrics.fcr, "aht_seconds": metrics.aht_seconds,
            "nps": metrics.nps, "csat": metrics.csat, "nps_responses": metrics.nps_responses,
            "csat_responses": metrics.csat_responses}


def impact_json(impact):
    before, since = impact.windows.before, impact.windows.since
    return {
        "before": {"since": before.since.isoformat(), "until": before.until.isoformat(),
                   "metrics": metrics_json(impact.before)},
        "since": None if since is None else {"since": since.since.isoformat(), "until": since.until.isoformat(),
                                             "metrics": metrics_json(impact.since)},
        "weekly": [{"week": label, **metrics_json(metrics)} for label, metrics in impact.weekly],
    }


def mentorship_json(item, impact=None):
    body = {
        "id": item.id, "mentor": item.mentor.username, "mentee": item.mentee.username,
        "category": item.category.slug, "goal": goal_json(item), "start": item.started_on.isoformat(),
        "planned_end": item.planned_end_on.isoformat(),
        "ended_on": item.ended_on.isoformat() if item.ended_on else None, "status": item.status,
        "goal_met": item.goal_met, "outcome_value": item.outcome_value,
        "created_by": item.created_by.username if item.created_by else None,
        "url": mentorships.mentorship_path(item),
    }
    if impact is not None:
        body["impact"] = impact_json(impact)
    return body


def session_json(item):
    return {"id": item.id, "date": item.held_on.isoformat(), "duration_minutes": item.duration_minutes,
            "notes": item.notes, "next_steps": item.next_steps,
            "author": item.author.username if item.author else None, "created_at": iso_utc(item.created_at)}


def _mentorship(mentorship_id):
    item = mentorships.get_mentorship_or_404(mentorship_id)
    require(current_user, "mentorship.view", item)
    return item


def _request(request_id):
    item = mentorships.get_request_or_404(request_id)
    require(current_user, "mentoring_request.view", item)
    return item


@mentorships_api.get("/mentors")
@operation(query=MentorListQuery, ok=MentorList, tags=TAGS)
def suggested_mentors(query):
    """Suggested mentors of the category for the mentee (default: the caller), best first."""
    require(current_user, "mentoring.find")
    category = require_category(query.category)
    mentee = current_user
    if query.mentee:
        mentee = get_user(query.mentee)
        if mentee is None:
            raise NotFound(_l("No user called %(username)s.", username=query.mentee[:64]))
    suggestions = mentorships.suggest_mentors(category, mentee)
    shown = suggestions[(query.page - 1) * query.per_page:query.page * query.per_page]
    return {"category": category.slug, "mentee": mentee.username, "total": len(suggestions),
            "page": query.page, "per_page": query.per_page, "mentors": [item.as_json() for item in shown]}


@mentorships_api.post("/mentoring-requests")
@operation(json=MentoringRequestIn, ok=MentoringRequestOut, status=201, tags=TAGS)
def create_request(json):
    """Ask for mentoring in a category (a mentor may be named); a lead adds "mentee" to propose it."""
    mentee = _person(json.mentee, "mentee") or current_user
    item = mentorships.create_mentoring_request(current_user, mentee, json.category, _goal(json.goal),
                                                _person(json.mentor, "mentor"))
    db.session.commit()
    return request_json(item), 201


@mentorships_api.get("/mentoring-requests/<int:request_id>")
@operation(ok=MentoringRequestOut, tags=TAGS)
def get_request(request_id):
    """A mentoring request (its mentee, the mentor asked, the lead who proposed it, admins)."""
    return request_json(_request(request_id))


@mentorships_api.post("/mentoring-requests/<int:request_id>/accept")
@operation(body_required=False, json=MentoringRequestAccept, ok=MentorshipOut, status=201, tags=TAGS)
def accept_request(request_id, json):
    """The mentor accepts, optionally with dates and another goal: 201 with the mentorship."""
    item = _request(request_id)
    mentorship = mentorships.accept_mentoring_request(current_user, item, json.start, json.planned_end,
                                                      _goal(json.goal))
    db.session.commit()
    return mentorship_json(mentorship), 201


@mentorships_api.post("/mentoring-requests/<int:request_id>/decline")
@operation(body_required=False, json=MentoringRequestDecline, ok=MentoringRequestOut, tags=TAGS)
def decline_request(request_id, json):
    """The mentor asked declines, optionally saying why."""
    item = _request(request_id)
    mentorships.decline_mentoring_request(current_user, item, json.reason)
    db.session.commit()
    return request_json(item)


@mentorships_api.post("/mentoring-requests/<int:request_id>/withdraw")
@operation(ok=MentoringRequestOut, tags=TAGS)
def withdraw_request(request_id):
    """The mentee (or the lead who proposed it) withdraws an open request."""
    item = _request(request_id)
    mentorships.withdraw_mentoring_request(current_user, item)
    db.session.commit()
    return request_json(item)


@mentorships_api.post("/mentorships")
@operation(json=MentorshipIn, ok=MentorshipOut, status=201, tags=TAGS)
def create_mentorship(json):
    """A lead assigns a mentorship, or the mentor accepts the mentee's open request: 201 with it."""
    mentor, mentee = _person(json.mentor, "mentor"), _person(json.mentee, "mentee")
    request = mentorships.get_request_or_404(json.request) if json.request is not None else None
    item = mentorships.create_mentorship(current_user, mentor, mentee, json.category, _goal(json.goal),
                                         json.start, json.planned_end, request)
    db.session.commit()
    return mentorship_json(item), 201


@mentorships_api.get("/mentorships/<int:mentorship_id>")
@operation(ok=MentorshipWithImpact, tags=TAGS)
def get_mentorship(mentorship_id):
    """The mentorship with its impact (private: mentor, mentee, the mentee's lead, admins)."""
    item = _mentorship(mentorship_id)
    return mentorship_json(item, mentorships.measure_impact(item))


@mentorships_api.get("/mentorships/<int:mentorship_id>/sessions")
@operation(ok=MentoringSessionList, tags=TAGS)
def list_sessions(mentorship_id):
    """The mentorship's sessions, newest first (as private as the mentorship)."""
    item = _mentorship(mentorship_id)
    sessions = mentorships.list_sessions(current_user, item)
    return {"mentorship_id": item.id, "total": len(sessions),
            "sessions": [session_json(session) for session in sessions]}


@mentorships_api.post("/mentorships/<int:mentorship_id>/sessions")
@operation(json=MentoringSessionIn, ok=MentoringSessionOut, status=201, tags=TAGS)
def log_session(mentorship_id, json):
    """The mentor or the mentee logs a session; the other one is told. 201 with the session."""
    item = _mentorship(mentorship_id)
    session = mentorships.log_session(current_user, item, json.date, json.duration_minutes, json.notes,
                                      json.next_steps)
    db.session.commit()
    return session_json(session), 201


@mentorships_api.post("/mentorships/<int:mentorship_id>/close")
@operation(json=MentorshipClose, ok=MentorshipWithImpact, tags=TAGS)
def close_mentorship(mentorship_id, json):
    """Complete the mentorship (its goal measured) or end it early; returns it with its impact."""
    item = _mentorship(mentorship_id)
    mentorships.close_mentorship(current_user, item, json.outcome, json.ended_on, json.note, json.goal_met)
    db.session.commit()
    return mentorship_json(item, mentorships.measure_impact(item))
