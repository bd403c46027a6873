"""Mentorship pages: mine, one mentorship (goal, impact, sessions), leads' assignment and needs."""
from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from accounts.permissions import can, require
from accounts.services import get_team, get_user
from core.categories import category_choices
from core.periods import today_utc
from core.views import committing
from errors import Invalid
from mentoring.mentorships import services as mentorships
from mentoring.mentorships.forms import AssignForm, CloseForm, ConfirmForm, SessionForm
from mentoring.mentorships.views import mentorship_pages
from mentoring.mentorships.views.context import (
    chosen_category,
    impact_chart,
    load_mentorship,
    managed_people,
    people_choices,
)
from recognition.services import list_teams, load_ranking_settings, team_led_by


@mentorship_pages.route("/mentorships")
@login_required
def my_mentorships():
    """The reader's mentorships as mentor and as mentee, requests to answer, their team's (leads)."""
    as_mentor, as_mentee = mentorships.mentorships_of(current_user)
    return render_template(
        "mentorships/mine.html", as_mentor=as_mentor, as_mentee=as_mentee,
        to_answer=mentorships.requests_for_mentor(current_user),
        my_requests=mentorships.requests_of_mentee(current_user), my_profile=mentorships.get_profile(current_user),
        team=mentorships.team_mentorships(current_user) if current_user.has_role("lead") else [])


def _render_mentorship(mentorship, session_form=None, close_form=None, status=200):
    impact = mentorships.measure_impact(mentorship)
    if session_form is None and can(current_user, "mentorship.log_session", mentorship):
        session_form = SessionForm(data={"held_on": today_utc(), "duration_minutes": 30})
    if close_form is None and can(current_user, "mentorship.close", mentorship):
        close_form = CloseForm(data={"ended_on": today_utc(), "outcome": "completed"})
    return render_template(
        "mentorships/mentorship.html", mentorship=mentorship, impact=impact, chart=impact_chart(impact, mentorship),
        sessions=mentorships.list_sessions(current_user, mentorship), session_form=session_form,
        close_form=close_form, goal_min_sample=mentorships.GOAL_MIN_SAMPLE), status


@mentorship_pages.route("/mentorships/<int:mentorship_id>")
@login_required
def mentorship(mentorship_id):
    """The goal, the mentee's numbers before and since the start with a chart, and the sessions."""
    return _render_mentorship(load_mentorship(mentorship_id))


@mentorship_pages.route("/mentorships/<int:mentorship_id>/sessions", methods=["POST"])
@login_required
def log_session(mentorship_id):
    """The mentor or mentee records a session."""
    item = load_mentorship(mentorship_id, "mentorship.log_session")
    form = SessionForm()
    if form.validate_on_submit():
        with committing(form, refusals=(Invalid,)) as change:
            mentorships.log_session(current_user, item, form.held_on.data, form.duration_minutes.data,
                                    form.notes.data, form.next_steps.data)
        if change.ok:
            flash(_("The session is logged."), "success")
            return redirect(url_for("mentorships.mentorship", mentorship_id=mentorship_id) + "#sessions")
    return _render_mentorship(item, session_form=form, status=422)


@mentorship_pages.route("/mentorships/<int:mentorship_id>/close", methods=["POST"])
@login_required
def close_mentorship(mentorship_id):
    """Complete the mentorship (the goal is measured) or end it early."""
    item = load_mentorship(mentorship_id, "mentorship.close")
    form = CloseForm()
    if form.validate_on_submit():
        with committing(form, refusals=(Invalid,)) as change:
            mentorships.close_mentorship(current_user, item, form.outcome.data, form.ended_on.data,
                                         form.note.data, form.goal_met.data)
        if change.ok:
            if item.goal_met:
                flash(_("Goal reached. Well done, both of you!"), "success")
            else:
                flash(_("The mentorship is closed."), "success")
            return redirect(url_for("mentorships.mentorship", mentorship_id=mentorship_id))
    return _render_mentorship(item, close_form=form, status=422)


def _assign_form():
    """The assignment form with its choices, and the suggested mentors for the chosen mentee and category."""
    form = AssignForm()
    if request.method == "GET":
        for name in ("mentor", "mentee", "category"):
            getattr(form, name).data = request.args.get(name, "")
        form.goal_metric.data = request.args.get("metric", "")
        form.goal_target.data = request.args.get("target", "")
    form.category.choices = category_choices(blank=_("Choose a category"))
    form.mentee.choices = people_choices(managed_people(current_user), blank=_("Choose a mentee"))
    category = chosen_category(form.category.data)
    suggestions = mentorships.suggest_mentors(category, get_user(form.mentee.data or "")) if category else []
    return form, category, suggestions


@mentorship_pages.route("/mentorships/new", methods=["GET", "POST"])
@login_required
def assign():
    """A lead sets up a mentorship for someone of their team directly."""
    require(current_user, "mentoring.needs_help")
    form, category, suggestions = _assign_form()
    if form.validate_on_submit():
        goal = form.goal()
        mentor, mentee = get_user(form.mentor.data or ""), get_user(form.mentee.data or "")
        if mentor is None:
            form.mentor.errors = list(form.mentor.errors) + [_("Choose a mentor.")]
        if mentee is None:
            form.mentee.errors = list(form.mentee.errors) + [_("Choose a mentee.")]
        if goal is not None and mentor is not None and mentee is not None:
            with committing(form) as change:
                item = mentorships.assign_mentorship(current_user, mentor, mentee, form.category.data, goal,
                                                     form.started_on.data, form.planned_end_on.data)
            if change.ok:
                flash(_("%(mentor)s now mentors %(mentee)s.", mentor=mentor.name, mentee=mentee.name), "success")
                return redirect(url_for("mentorships.mentorship", mentorship_id=item.id))
    return render_template("mentorships/assign.html", form=form, category=category, suggestions=suggestions)


@mentorship_pages.route("/mentorships/needs-help")
@login_required
def needs_help():
    """Leads: who needs help (well below the category median), and who can give it."""
    require(current_user, "mentoring.needs_help")
    team_name = request.args.get("team")
    own_team = team_led_by(current_user)
    if team_name is None:
        team = own_team
    else:
        team = get_team(team_name) if team_name != "all" else None
    category = chosen_category(request.args.get("category", "").strip()[:64])
    needs = mentorships.agents_needing_help([category] if category else None, team)
    return render_template(
        "mentorships/needs.html", needs=needs, team=team, teams=list_teams(), category=category,
        categories=category_choices(blank=_("All categories")), pending=mentorships.pending_profiles(),
        approve_form=ConfirmForm(), settings=load_ranking_settings(), gaps=mentorships.HELP_GAPS)
