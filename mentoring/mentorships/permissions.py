"""Who may do what with mentor profiles, mentoring requests and mentorships.

A mentorship and its session notes are private to the mentor, the mentee, the mentee's team lead
and administrators: not other agents, not other teams' leads.
"""
from sqlalchemy import select

from accounts.permissions import rule
from extensions import db
from mentoring.mentorships.models import MentorProfile, mentor_profile_category


def leads_team_of(user, person):
    """True when `user` is the team lead of `person`'s team."""
    return person is not None and person.team is not None and person.team.lead_id == user.id


def may_manage(user, person):
    """Administrators, and the lead of the person's team, set up mentoring for them."""
    return user.has_role("admin") or (user.has_role("lead") and leads_team_of(user, person))


def mentors_in(user, category_id):
    """True when `user` has an active, approved mentor profile covering the category."""
    return db.session.scalar(
        select(MentorProfile.id)
        .join(mentor_profile_category, mentor_profile_category.c.profile_id == MentorProfile.id)
        .where(MentorProfile.user_id == user.id, MentorProfile.active.is_(True),
               MentorProfile.approved_at.is_not(None), mentor_profile_category.c.category_id == category_id)
        .limit(1)) is not None


@rule("mentoring.find")
def _find_mentors(user, _obj):
    return True


@rule("mentor_profile.edit")
def _edit_profile(user, person):
    """Everyone offers to mentor for themselves only."""
    return person is not None and person.id == user.id


@rule("mentor_profile.approve")
def _approve_profile(user, profile):
    return user.has_role("lead") and (profile is None or profile.user_id != user.id)


@rule("mentoring.request")
def _request_mentoring(user, mentee):
    """An agent asks for themselves; a lead (or an admin) proposes for someone of their team."""
    return mentee is not None and (mentee.id == user.id or may_manage(user, mentee))


@rule("mentoring_request.view")
def _view_request(user, request):
    if request.mentee_id == user.id or user.id in (request.preferred_mentor_id, request.proposed_by_id):
        return True
    if may_manage(user, request.mentee):
        return True
    return (request.status == "open" and request.preferred_mentor_id is None
            and mentors_in(user, request.category_id))


@rule("mentoring_request.accept")
def _accept_request(user, request):
    """The mentor asked for, or, when nobody in particular was asked, any mentor of the category."""
    if request.status != "open" or request.mentee_id == user.id:
        return False
    if request.preferred_mentor_id is not None:
        return request.preferred_mentor_id == user.id
    return mentors_in(user, request.category_id)


@rule("mentoring_request.decline")
def _decline_request(user, request):
    return request.status == "open" and request.preferred_mentor_id == user.id


@rule("mentoring_request.withdraw")
def _withdraw_request(user, request):
    if request.status != "open":
        return False
    return request.mentee_id == user.id or request.proposed_by_id == user.id or may_manage(user, request.mentee)


@rule("mentorship.assign")
def _assign_mentorship(user, mentee):
    return mentee is not None and may_manage(user, mentee)


@rule("mentorship.view")
def _view_mentorship(user, mentorship):
    """The goal, the sessions and the mentee's numbers: mentor, mentee, the mentee's lead, admins."""
    return (user.id in (mentorship.mentor_id, mentorship.mentee_id) or user.has_role("admin")
            or (user.has_role("lead") and leads_team_of(user, mentorship.mentee)))


@rule("mentorship.log_session")
def _log_session(user, mentorship):
    return mentorship.status == "active" and user.id in (mentorship.mentor_id, mentorship.mentee_id)


@rule("mentorship.close")
def _close_mentorship(user, mentorship):
    """The mentor, the mentee, the mentee's lead and admins complete or end a mentorship."""
    return mentorship.status == "active" and (
        user.id in (mentorship.mentor_id, mentorship.mentee_id) or may_manage(user, mentorship.mentee))


@rule("mentoring.needs_help")
def _see_needs(user, _obj):
    """Comparing agents' numbers is for leads, as on the leaderboard."""
    return user.has_role("lead")
