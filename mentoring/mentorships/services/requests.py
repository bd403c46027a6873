"""Mentoring requests: an agent asks (or a lead proposes), a mentor accepts or declines."""
from flask_babel import lazy_gettext as _l
from sqlalchemy import or_, select

from accounts.notifications import notify
from accounts.permissions import can, require
from core.categories import require_category
from core.clock import utcnow
from errors import Conflict, Invalid, NotFound, PermissionDenied
from extensions import db
from mentoring.mentorships.models import REASON_MAX_CHARS, MentoringRequest, Mentorship
from mentoring.mentorships.services.goals import validate_goal
from mentoring.mentorships.services.lifecycle import (
    assign_mentorship,
    begin_mentorship,
    mentorship_path,
    open_requests_of,
    settle_requests,
)
from mentoring.mentorships.services.matching import MentorPool
from mentoring.mentorships.services.notices import link
from mentoring.mentorships.services.profiles import get_profile

# Without a preferred mentor, the request is announced to this many of the best matches.
ANNOUNCE_TO = 3


def get_request_or_404(request_id):
    request = db.session.get(MentoringRequest, request_id)
    if request is None:
        raise NotFound(_l("No such mentoring request."))
    return request


def request_path(request):
    return link("mentorships.request_detail", request_id=request.id)


def create_mentoring_request(actor, mentee, category, goal, preferred_mentor=None):
    """An agent asks for mentoring in a category, or a lead proposes it for a team member.

    The preferred mentor is told; without one, the best matches are. Nothing is started until a
    mentor accepts.
    :raises Invalid: unknown category, a bad goal, oneself as mentor, a mentor without a profile for
        the category. :raises Conflict: the mentor has no free place, an open request or an
        active mentorship in the category already exists.
    """
    require(actor, "mentoring.request", mentee)
    category = require_category(category)
    goal = validate_goal(**(goal or {}))
    pool = MentorPool(category)
    if preferred_mentor is not None:
        if preferred_mentor.id == mentee.id:
            raise Invalid("mentor", _l("Nobody can mentor themselves: choose another mentor."))
        profile = next((item for item in pool.profiles if item.user_id == preferred_mentor.id), None)
        if profile is None:
            raise Invalid("mentor", _l("%(name)s has no active mentor profile for %(category)s.",
                                       name=preferred_mentor.name, category=category.local_name))
        if pool.free_places(profile) <= 0:
            raise Conflict("mentor", _l("%(name)s has no free place at the moment: choose another mentor.",
                                        name=preferred_mentor.name))
    if open_requests_of(mentee, category):
        raise Conflict("category", _l("There is already an open mentoring request in %(category)s.",
                                      category=category.local_name))
    if db.session.scalar(select(Mentorship.id).where(
            Mentorship.mentee_id == mentee.id, Mentorship.category_id == category.id,
            Mentorship.status == "active").limit(1)) is not None:
        raise Conflict("category", _l("%(name)s is already mentored in %(category)s.", name=mentee.name,
                                      category=category.local_name))
    request = MentoringRequest(
        mentee=mentee, category=category, preferred_mentor=preferred_mentor,
        proposed_by=actor if actor.id != mentee.id else None, goal_text=goal.text,
        goal_metric=goal.metric, goal_target=goal.target, status="open")
    db.session.add(request)
    db.session.flush()
    path = request_path(request)
    if preferred_mentor is not None:
        notify(preferred_mentor, "mentoring_request_received", path, actor=mentee, category=category)
    else:
        for suggestion in pool.suggest(mentee)[:ANNOUNCE_TO]:
            notify(suggestion.user, "mentoring_request_open", path, mentee=mentee.name, category=category)
    if request.proposed_by is not None:
        notify(mentee, "mentoring_proposed", path, actor=actor, category=category)
    return request


def accept_mentoring_request(mentor, request, started_on=None, planned_end_on=None, goal=None, today=None):
    """The mentor accepts: the mentorship starts, with the request's goal unless they agree another."""
    require(mentor, "mentoring_request.accept", request)
    if goal is None:
        goal = {"metric": request.goal_metric, "target": request.goal_target, "text": request.goal_text}
    mentorship = begin_mentorship(mentor, mentor, request.mentee, request.category, goal, started_on,
                                  planned_end_on, today)
    settle_requests([request], mentorship, mentor, utcnow())
    notify(request.mentee, "mentoring_request_accepted", mentorship_path(mentorship), actor=mentor,
           category=request.category)
    if request.proposed_by is not None:
        notify(request.proposed_by, "mentoring_request_accepted", mentorship_path(mentorship), actor=mentor,
               category=request.category)
    db.session.flush()
    return mentorship


def decline_mentoring_request(mentor, request, reason=""):
    """The mentor asked for declines, optionally saying why; the mentee can ask someone else."""
    require(mentor, "mentoring_request.decline", request)
    reason = (reason or "").strip()
    if len(reason) > REASON_MAX_CHARS:
        raise Invalid("reason", _l("Keep the reason to %(count)d characters.", count=REASON_MAX_CHARS))
    request.status, request.decline_reason = "declined", reason
    request.decided_by, request.decided_at = mentor, utcnow()
    for person in (request.mentee, request.proposed_by):
        notify(person, "mentoring_request_declined", request_path(request), actor=mentor,
               category=request.category, reason=reason)
    db.session.flush()
    return request


def withdraw_mentoring_request(actor, request):
    """The mentee (or the lead who proposed it) withdraws an open request."""
    require(actor, "mentoring_request.withdraw", request)
    request.status, request.decided_by, request.decided_at = "withdrawn", actor, utcnow()
    db.session.flush()
    return request


def create_mentorship(actor, mentor, mentee, category, goal=None, started_on=None, planned_end_on=None,
                      request=None, today=None):
    """POST /mentorships: a lead assigns directly, or the mentor accepts the mentee's open request.

    :raises PermissionDenied: neither the mentee's lead (or an admin) nor a mentor with a request
        to accept. Other errors as begin_mentorship.
    """
    if can(actor, "mentorship.assign", mentee):
        if goal is None:
            raise Invalid("goal", _l("Give a goal: a metric with a target, or a few words."))
        return assign_mentorship(actor, mentor, mentee, category, goal, started_on, planned_end_on, today)
    if actor.id != mentor.id:
        raise PermissionDenied(_l("A lead starts mentorships for their team; a mentor accepts requests."))
    category = require_category(category)
    if request is None:
        request = next((item for item in open_requests_of(mentee, category)
                        if can(actor, "mentoring_request.accept", item)), None)
    if request is None or request.mentee_id != mentee.id or request.category_id != category.id:
        raise PermissionDenied(_l("%(name)s has no open request in %(category)s for you to accept.",
                                  name=mentee.name, category=category.local_name))
    return accept_mentoring_request(actor, request, started_on, planned_end_on, goal, today)


def requests_for_mentor(user):
    """Open requests the person can answer: asked of them, or of any mentor of their categories."""
    profile = get_profile(user)
    category_ids = [category.id for category in profile.categories] if profile and profile.approved \
        and profile.active else []
    addressed = MentoringRequest.preferred_mentor_id == user.id
    open_to_all = (MentoringRequest.preferred_mentor_id.is_(None)
                   & MentoringRequest.category_id.in_(category_ids) & (MentoringRequest.mentee_id != user.id))
    return db.session.scalars(select(MentoringRequest).where(
        MentoringRequest.status == "open", or_(addressed, open_to_all))
        .order_by(MentoringRequest.created_at, MentoringRequest.id)).all()


def requests_of_mentee(user, limit=20):
    """The person's own requests, newest first."""
    return db.session.scalars(select(MentoringRequest).where(MentoringRequest.mentee_id == user.id)
                              .order_by(MentoringRequest.created_at.desc(), MentoringRequest.id.desc())
                              .limit(limit)).all()
