"""Mentoring request pages: asking (or proposing), and the mentor's accept or decline."""
from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from accounts.permissions import can
from accounts.services import get_user
from core.categories import category_choices
from core.views import committing
from errors import Invalid
from extensions import db
from mentoring.mentorships import services as mentorships
from mentoring.mentorships.forms import AcceptForm, ConfirmForm, DeclineForm, MentoringRequestForm
from mentoring.mentorships.views import mentorship_pages
from mentoring.mentorships.views.context import chosen_category, load_request, managed_people, people_choices


def _person(username):
    return get_user(username) if username else None


def _request_form():
    """The request form with its choices, the chosen category and its suggested mentors."""
    form = MentoringRequestForm()
    if request.method == "GET":
        form.category.data = request.args.get("category", "")
        form.mentor.data = request.args.get("mentor", "")
        form.mentee.data = request.args.get("mentee", current_user.username)
        form.goal_metric.data = request.args.get("metric", "")
        form.goal_target.data = request.args.get("target", "")
    form.category.choices = category_choices(blank=_("Choose a category"))
    people = [current_user] + [person for person in managed_people(current_user) if person.id != current_user.id]
    form.mentee.choices = people_choices(people)
    category = chosen_category(form.category.data)
    suggestions = mentorships.suggest_mentors(category, _person(form.mentee.data) or current_user) \
        if category else []
    form.mentor.choices = people_choices([item.user for item in suggestions],
                                         blank=_("Any mentor of the category (the best matches are told)"))
    return form, category, suggestions, len(people) > 1


@mentorship_pages.route("/mentoring/requests/new", methods=["GET", "POST"])
@login_required
def new_request():
    """Ask for mentoring in a category with a goal; a lead may propose it for a team member."""
    form, category, suggestions, can_propose = _request_form()
    if form.validate_on_submit():
        goal = form.goal()
        mentee = _person(form.mentee.data) or current_user
        if goal is not None:
            with committing(form) as change:
                mentoring_request = mentorships.create_mentoring_request(
                    current_user, mentee, form.category.data, goal, _person(form.mentor.data))
            if change.ok:
                flash(_("Your request is sent."), "success")
                return redirect(url_for("mentorships.request_detail", request_id=mentoring_request.id))
    return render_template("mentorships/request_form.html", form=form, category=category, suggestions=suggestions,
                           can_propose=can_propose)


@mentorship_pages.route("/mentoring/requests/<int:request_id>")
@login_required
def request_detail(request_id):
    """A request with its goal, and the answers the reader may give."""
    mentoring_request = load_request(request_id)
    accept_form = None
    if can(current_user, "mentoring_request.accept", mentoring_request):
        accept_form = AcceptForm(data={
            "goal_metric": mentoring_request.goal_metric or "",
            "goal_target": _target_text(mentoring_request.goal_metric, mentoring_request.goal_target),
            "goal_text": mentoring_request.goal_text})
    return render_template(
        "mentorships/request.html", item=mentoring_request, accept_form=accept_form,
        decline_form=DeclineForm() if can(current_user, "mentoring_request.decline", mentoring_request) else None,
        withdraw_form=ConfirmForm() if can(current_user, "mentoring_request.withdraw", mentoring_request)
        else None)


def _target_text(metric, target):
    """A stored target as typed in the form (FCR in %)."""
    if target is None:
        return ""
    return "%g" % round(target * 100 if metric == "fcr" else target, 2)


@mentorship_pages.route("/mentoring/requests/<int:request_id>/accept", methods=["POST"])
@login_required
def accept_request(request_id):
    """The mentor accepts: the mentorship starts."""
    mentoring_request = load_request(request_id)
    form = AcceptForm()
    if form.validate_on_submit():
        goal = form.goal()
        if goal is not None:
            with committing(form) as change:
                mentorship = mentorships.accept_mentoring_request(
                    current_user, mentoring_request, form.started_on.data, form.planned_end_on.data, goal)
            if change.ok:
                flash(_("The mentorship has started."), "success")
                return redirect(url_for("mentorships.mentorship", mentorship_id=mentorship.id))
    return render_template("mentorships/request.html", item=mentoring_request, accept_form=form,
                           decline_form=None, withdraw_form=None), 422


@mentorship_pages.route("/mentoring/requests/<int:request_id>/decline", methods=["POST"])
@login_required
def decline_request(request_id):
    """The mentor asked for declines."""
    mentoring_request = load_request(request_id)
    form = DeclineForm()
    if form.validate_on_submit():
        try:
            mentorships.decline_mentoring_request(current_user, mentoring_request, form.reason.data)
        except Invalid as error:
            db.session.rollback()
            flash(str(error.message), "error")
        else:
            db.session.commit()
            flash(_("The request is declined; %(name)s is told.", name=mentoring_request.mentee.name), "success")
    return redirect(url_for("mentorships.request_detail", request_id=request_id))


@mentorship_pages.route("/mentoring/requests/<int:request_id>/withdraw", methods=["POST"])
@login_required
def withdraw_request(request_id):
    """The mentee (or the proposing lead) withdraws an open request."""
    mentoring_request = load_request(request_id)
    if ConfirmForm().validate_on_submit():
        mentorships.withdraw_mentoring_request(current_user, mentoring_request)
        db.session.commit()
        flash(_("The request is withdrawn."), "success")
    return redirect(url_for("mentorships.my_mentorships"))
