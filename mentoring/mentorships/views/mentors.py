"""Mentor pages: find a mentor by category, one's own mentor profile, a mentor's page, approval."""
from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from accounts.permissions import can, require
from accounts.services import get_user_or_404
from core.categories import category_choices
from core.views import committing
from extensions import db
from mentoring.mentorships import services as mentorships
from mentoring.mentorships.forms import ConfirmForm, MentorProfileForm
from mentoring.mentorships.views import mentorship_pages
from mentoring.mentorships.views.context import chosen_category


@mentorship_pages.route("/mentors")
@login_required
def mentors():
    """Find a mentor: suggestions for the chosen category with the reasons, or the directory."""
    require(current_user, "mentoring.find")
    category = chosen_category(request.args.get("category", "").strip()[:64])
    suggestions = mentorships.suggest_mentors(category, current_user) if category else []
    return render_template(
        "mentorships/find.html", category=category, suggestions=suggestions,
        categories=category_choices(), directory=[] if category else mentorships.mentor_profiles(),
        my_profile=mentorships.get_profile(current_user))


@mentorship_pages.route("/mentoring/profile", methods=["GET", "POST"])
@login_required
def my_profile():
    """Offer to mentor: categories, capacity, availability and a short bio."""
    require(current_user, "mentor_profile.edit", current_user)
    profile = mentorships.get_profile(current_user)
    form = MentorProfileForm(obj=profile if request.method == "GET" else None)
    form.categories.choices = category_choices()
    if request.method == "GET" and profile is not None:
        form.categories.data = [category.slug for category in profile.categories]
    if form.validate_on_submit():
        with committing(form) as change:
            profile = mentorships.save_mentor_profile(
                current_user, form.categories.data, form.capacity.data, form.availability.data,
                form.bio.data, form.active.data)
        if change.ok:
            if profile.approved:
                flash(_("Your mentor profile is saved."), "success")
            else:
                flash(_("Your mentor profile is saved. A lead approves it before colleagues can pick you."),
                      "success")
            return redirect(url_for("mentorships.my_profile"))
    return render_template("mentorships/profile_form.html", form=form, profile=profile,
                           free_places=mentorships.remaining_capacity(profile) if profile else None)


@mentorship_pages.route("/mentors/<username>")
@login_required
def mentor_profile(username):
    """A mentor's page: categories, room, availability, bio and their mentees' outcomes."""
    require(current_user, "mentoring.find")
    person = get_user_or_404(username)
    profile = mentorships.get_profile_or_404(person)
    return render_template(
        "mentorships/mentor.html", person=person, profile=profile,
        free_places=mentorships.remaining_capacity(profile), outcomes=mentorships.mentor_outcomes(person),
        approve_form=ConfirmForm() if not profile.approved and can(current_user, "mentor_profile.approve",
                                                                    profile) else None)


@mentorship_pages.route("/mentors/<username>/approve", methods=["POST"])
@login_required
def approve_profile(username):
    """A lead approves a mentor who holds no expert title in their categories."""
    profile = mentorships.get_profile_or_404(get_user_or_404(username))
    require(current_user, "mentor_profile.approve", profile)
    if ConfirmForm().validate_on_submit():
        mentorships.approve_mentor_profile(current_user, profile)
        db.session.commit()
        flash(_("%(name)s can now be chosen as a mentor.", name=profile.user.name), "success")
    if request.form.get("back") == "needs":
        return redirect(url_for("mentorships.needs_help"))
    return redirect(url_for("mentorships.mentor_profile", username=username))
