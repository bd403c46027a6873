"""Mentor and mentorship API routes: suggestions, requests, mentorships, sessions and impact."""
from datetime import date

from flask import Blueprint, jsonify, request
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from accounts.permissions import require
from accounts.services import get_user
from core.api import api_login_required, iso_utc, json_body, page_args, string_field
from core.categories import require_category
from errors import Invalid, NotFound
from extensions import db
from mentoring.mentorships import services as mentorships

mentorships_api = Blueprint("mentorships_api", __name__, url_prefix="/api/v1")

GOAL_MEMBERS = frozenset({"metric", "target", "baseline", "text"})



def _person(data, name, required=True):
    """The user named by a username member of the body; Invalid when unknown."""
    username = string_field(data, name, required=required)
    if username is None:
        return None
    person = get_user(username)
    if person is None:
        raise Invalid(name, _l("No user called %(username)s.", username=username[:64]))
    return person


def _optional_body():
    """The request's JSON object, or {} when nothing was sent."""
    if not request.get_data(cache=True):
        return {}
    return json_body()


def _date(data, name):
    value = string_field(data, name)
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise Invalid(name, _l("%(field)s must be a date such as 2026-03-31.", field=name)) from None


def _goal(data, required=True):
    """The goal member: a string (a goal in words) or {"metric", "target", "baseline"?, "text"?}."""
    goal = data.get("goal")
    if goal is None:
        if required:
            raise Invalid("goal", _l("goal is required: a text, or {\"metric\", \"target\"}."))
        return None
    if isinstance(goal, str):
        return {"text": goal}
    if not isinstance(goal, dict):
        raise Invalid("goal", _l("goal must be a text or an object with metric and target."))
    unknown = sorted(set(goal) - GOAL_MEMBERS)
    if unknown:
        raise Invalid("goal", _l("Unknown goal member “%(field)s”.", field=unknown[0][:40]))
    return {name: goal.get(name) for name in GOAL_MEMBERS if name in goal}


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
    if metrics is None:
        return None
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


@mentorships_api.get("/mentors")
@api_login_required
def suggested_mentors():
    """Suggested mentors of ?category= for ?mentee= (default: the caller), best first."""
    require(current_user, "mentoring.find")
    category = require_category(request.args.get("category", ""))
    mentee = current_user
    if request.args.get("mentee"):
        mentee = get_user(request.args["mentee"])
        if mentee is None:
            raise NotFound(_l("No user called %(username)s.", username=request.args["mentee"][:64]))
    page, per_page = page_args()
    suggestions = mentorships.suggest_mentors(category, mentee)
    shown = suggestions[(page - 1) * per_page:page * per_page]
    return jsonify({"category": category.slug, "mentee": mentee.username, "total": len(suggestions),
                    "page": page, "per_page": per_page, "mentors": [item.as_json() for item in shown]})


@mentorships_api.post("/mentoring-requests")
@api_login_required
def create_request():
    """Ask for mentoring ({"category", "goal", "mentor"?}); a lead adds "mentee" to propose it."""
    data = json_body()
    mentee = _person(data, "mentee", required=False) or current_user
    item = mentorships.create_mentoring_request(
        current_user, mentee, string_field(data, "category", required=True), _goal(data),
        _person(data, "mentor", required=False))
    db.session.commit()
    return jsonify(request_json(item)), 201


def _request(request_id):
    item = mentorships.get_request_or_404(request_id)
    require(current_user, "mentoring_request.view", item)
    return item


@mentorships_api.get("/mentoring-requests/<int:request_id>")
@api_login_required
def get_request(request_id):
    return jsonify(request_json(_request(request_id)))


@mentorships_api.post("/mentoring-requests/<int:request_id>/accept")
@api_login_required
def accept_request(request_id):
    """The mentor accepts ({"start"?, "planned_end"?, "goal"?}): 201 with the mentorship."""
    item = _request(request_id)
    data = _optional_body()
    mentorship = mentorships.accept_mentoring_request(current_user, item, _date(data, "start"),
                                                      _date(data, "planned_end"), _goal(data, required=False))
    db.session.commit()
    return jsonify(mentorship_json(mentorship)), 201


@mentorships_api.post("/mentoring-requests/<int:request_id>/decline")
@api_login_required
def decline_request(request_id):
    item = _request(request_id)
    reason = string_field(_optional_body(), "reason", default="")
    mentorships.decline_mentoring_request(current_user, item, reason)
    db.session.commit()
    return jsonify(request_json(item))


@mentorships_api.post("/mentoring-requests/<int:request_id>/withdraw")
@api_login_required
def withdraw_request(request_id):
    item = _request(request_id)
    mentorships.withdraw_mentoring_request(current_user, item)
    db.session.commit()
    return jsonify(request_json(item))


@mentorships_api.post("/mentorships")
@api_login_required
def create_mentorship():
    """{"mentor", "mentee", "category", "goal", "start"?, "planned_end"?, "request"?}: a lead assigns,
    or the mentor accepts the mentee's open request. 201 with the mentorship."""
    data = json_body()
    mentor, mentee = _person(data, "mentor"), _person(data, "mentee")
    category = string_field(data, "category", required=True)
    request_id = data.get("request")
    if request_id is not None and (isinstance(request_id, bool) or not isinstance(request_id, int)):
        raise Invalid("request", _l("request must be the id of a mentoring request."))
    item = mentorships.create_mentorship(
        current_user, mentor, mentee, category, _goal(data, required=False), _date(data, "start"),
        _date(data, "planned_end"), mentorships.get_request_or_404(request_id) if request_id else None)
    db.session.commit()
    return jsonify(mentorship_json(item)), 201


@mentorships_api.get("/mentorships/<int:mentorship_id>")
@api_login_required
def get_mentorship(mentorship_id):
    """The mentorship with its impact (private: mentor, mentee, the mentee's lead, admins)."""
    item = _mentorship(mentorship_id)
    return jsonify(mentorship_json(item, mentorships.measure_impact(item)))


@mentorships_api.get("/mentorships/<int:mentorship_id>/sessions")
@api_login_required
def list_sessions(mentorship_id):
    item = _mentorship(mentorship_id)
    sessions = mentorships.list_sessions(current_user, item)
    return jsonify({"mentorship_id": item.id, "total": len(sessions),
                    "sessions": [session_json(session) for session in sessions]})


@mentorships_api.post("/mentorships/<int:mentorship_id>/sessions")
@api_login_required
def log_session(mentorship_id):
    """{"date", "duration_minutes", "notes", "next_steps"?}: 201 with the session."""
    item = _mentorship(mentorship_id)
    data = json_body()
    held_on = _date(data, "date")
    if held_on is None:
        raise Invalid("date", _l("date is required."))
    session = mentorships.log_session(current_user, item, held_on, data.get("duration_minutes"),
                                      string_field(data, "notes", required=True),
                                      string_field(data, "next_steps", default=""))
    db.session.commit()
    return jsonify(session_json(session)), 201


@mentorships_api.post("/mentorships/<int:mentorship_id>/close")
@api_login_required
def close_mentorship(mentorship_id):
    """{"outcome": "completed"|"ended_early", "ended_on"?, "note"?, "goal_met"?}."""
    item = _mentorship(mentorship_id)
    data = json_body()
    confirmed = data.get("goal_met")
    if confirmed is not None and not isinstance(confirmed, bool):
        raise Invalid("goal_met", _l("goal_met must be true or false."))
    mentorships.close_mentorship(current_user, item, string_field(data, "outcome", required=True),
                                 _date(data, "ended_on"), string_field(data, "note", default=""), confirmed)
    db.session.commit()
    return jsonify(mentorship_json(item, mentorships.measure_impact(item)))
