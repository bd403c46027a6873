"""Recognition pages: the feed, kudos, the leads' titles desk, badges and their definitions."""
from datetime import timedelta

from flask import flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required

from accounts.models import Team
from accounts.permissions import can, require
from accounts.services import get_team, get_user
from core.boundary import page_arg
from core.categories import get_category, list_categories
from core.clock import utcnow
from core.views import committing
from errors import Conflict, Invalid, show_on_form
from extensions import db, limiter
from recognition.awards import performance, services
from recognition.awards.api import KUDOS_ROUTE_LIMIT
from recognition.awards.forms import AwardBadgeForm, AwardTitleForm, BadgeDefinitionForm, KudosForm, TitleReasonForm
from recognition.awards.terms import default_term, through_day
from recognition.views import recognition

FEED_PAGE_SIZE = 25
HOME_FEED_SIZE = 8


def _kudos_page_key():
    return "kudos:%s" % getattr(current_user, "id", "anonymous")


@recognition.route("/feed")
@login_required
def feed():
    """Titles, badges and kudos as they happen, by team and category."""
    team = get_team(request.args.get("team", "")) if request.args.get("team") else None
    category = get_category(request.args.get("category", "")) if request.args.get("category") else None
    feed_page = services.recognition_feed(limit=FEED_PAGE_SIZE, team=team, category=category,
                                          page=page_arg())
    teams = db.session.scalars(db.select(Team).order_by(Team.name)).all()
    return render_template("recognition/awards/feed.html", feed=feed_page, teams=teams, team=team,
                           categories=list_categories(), category=category)


@recognition.route("/kudos/new", methods=["GET", "POST"])
@login_required
@limiter.limit(KUDOS_ROUTE_LIMIT, methods=["POST"], key_func=_kudos_page_key)
def give_kudos():
    """Thank a colleague, optionally for an article or an answer."""
    form = KudosForm(to=request.args.get("to", ""), article_id=request.args.get("article", ""),
                     answer_id=request.args.get("answer", ""))
    if form.validate_on_submit():
        recipient = get_user(form.to.data)
        try:
            if recipient is None:
                raise Invalid("to", _("No user called %(username)s.", username=form.to.data))
            services.give_kudos(current_user, recipient, form.message.data,
                                article_id=form.article_id.data or None,
                                answer_id=form.answer_id.data or None)
        except (Invalid, services.TooManyKudos) as error:
            db.session.rollback()
            show_on_form(form, error)
        else:
            db.session.commit()
            flash(_("Thank you! %(name)s will see your kudos.", name=recipient.name), "success")
            return redirect(url_for("accounts.profile", username=recipient.username))
    return render_template("recognition/awards/kudos_form.html", form=form)


@recognition.route("/titles")
@login_required
def titles():
    """The leads' desk: candidates from the ranking with their evidence, renewals, holders."""
    require(current_user, "title.award")
    categories = list_categories()
    chosen = get_category(request.args.get("category", "")) if request.args.get("category") else None
    candidates = [(category, performance.candidates(category))
                  for category in ([chosen] if chosen else categories)]
    label, expires_at = default_term(utcnow())
    return render_template("recognition/awards/titles.html", categories=categories, chosen=chosen,
                           candidates=candidates, term_label=label,
                           term_until=(expires_at - timedelta(days=1)).date(),
                           due=services.titles_due_for_renewal(), holders=services.current_titles(),
                           award_form=AwardTitleForm(), reason_form=TitleReasonForm(),
                           locale=str(get_locale() or "en"))


def _back_to_desk():
    return redirect(url_for("recognition.titles", category=request.args.get("category") or None))


def _flash_error(error):
    for message in (error.fields or {None: error.message}).values():
        flash(str(message), "error")


@recognition.post("/titles/award")
@login_required
def award_title():
    """Award a candidate the title for the term, with the lead's note."""
    require(current_user, "title.award")
    form = AwardTitleForm()
    if not form.validate_on_submit():
        flash(_("Choose a person and a category, and keep the note short."), "error")
        return _back_to_desk()
    person = get_user(form.username.data)
    if person is None:  # typed on the form for anyone: say so on the desk, not a 404 page
        flash(_("No user called %(username)s.", username=form.username.data), "error")
        return _back_to_desk()
    try:
        title = services.award_title(
            current_user, person, form.category.data,
            form.reason.data, name=form.title.data,
            expires_at=through_day(form.expires_at.data) if form.expires_at.data else None)
    except (Invalid, Conflict) as error:
        db.session.rollback()
        _flash_error(error)
    else:
        db.session.commit()
        flash(_("%(name)s is now “%(title)s”.", name=title.user.name,
                title=services.title_label(title, str(get_locale()))), "success")
    return _back_to_desk()


def _change_title(title_id, change, done_message):
    """Renew or revoke a title with the reason from the form, back to the desk."""
    form = TitleReasonForm()
    try:
        change(current_user, services.get_title_or_404(title_id),
               form.reason.data if form.validate_on_submit() else "")
    except (Invalid, Conflict) as error:
        db.session.rollback()
        _flash_error(error)
    else:
        db.session.commit()
        flash(done_message, "success")
    return _back_to_desk()


@recognition.post("/titles/<int:title_id>/renew")
@login_required
def renew_title(title_id):
    """Renew a title for the next term."""
    require(current_user, "title.award")
    return _change_title(title_id, services.renew_title, _("Title renewed for the next term."))


@recognition.post("/titles/<int:title_id>/revoke")
@login_required
def revoke_title(title_id):
    """End a title now, with a reason kept in the history and the audit log."""
    require(current_user, "title.revoke")
    return _change_title(title_id, services.revoke_title, _("Title revoked."))


@recognition.route("/badges")
@login_required
def badges():
    """Every badge and how it is earned; leads award, admins edit definitions."""
    definitions = services.list_badges(include_inactive=can(current_user, "badge.manage"))
    return render_template("recognition/awards/badges.html", definitions=definitions)


@recognition.route("/badges/award", methods=["GET", "POST"])
@login_required
def award_badge():
    """A lead gives a manual badge with a reason."""
    require(current_user, "badge.award")
    form = AwardBadgeForm(username=request.args.get("to", ""), badge=request.args.get("badge"))
    form.badge.choices = [(badge.slug, services.badge_text(badge.name))
                          for badge in services.list_badges() if badge.kind == "manual"]
    if form.validate_on_submit():
        with committing(form) as change:
            user = get_user(form.username.data)
            if user is None:
                raise Invalid("username", _("No user called %(username)s.",
                                            username=form.username.data))
            award = services.award_badge(current_user, user, form.badge.data, form.reason.data)
        if change.ok:
            flash(_("%(name)s received the badge “%(badge)s”.", name=user.name,
                    badge=services.badge_text(award.badge.name)), "success")
            return redirect(url_for("accounts.profile", username=user.username))
    return render_template("recognition/awards/award_badge.html", form=form)


def _definition_form(badge=None):
    form = BadgeDefinitionForm(obj=badge)
    form.icon.choices = [(icon, icon) for icon in services.BADGE_ICONS]
    return form


@recognition.route("/badges/new", methods=["GET", "POST"])
@login_required
def new_badge():
    """Define a new manual badge (administrators)."""
    require(current_user, "badge.manage")
    return _save_definition(_definition_form(), None)


@recognition.route("/badges/<slug>/edit", methods=["GET", "POST"])
@login_required
def edit_badge(slug):
    """Change a badge's wording, icon or whether it is in use (administrators)."""
    require(current_user, "badge.manage")
    badge = services.get_badge_or_404(slug)
    return _save_definition(_definition_form(badge), badge)


def _save_definition(form, badge):
    if form.validate_on_submit():
        with committing(form) as change:
            services.save_badge_definition(current_user, form.slug.data, form.name.data,
                                           form.description.data, form.icon.data,
                                           form.repeatable.data, form.active.data, badge=badge)
        if change.ok:
            flash(_("Badge saved."), "success")
            return redirect(url_for("recognition.badges"))
    return render_template("recognition/awards/badge_form.html", form=form, badge=badge)


def page_sections(_sender, page):
    """page_sections_asked receiver: recognition's part of the home page and of profiles."""
    return {"home": [(20, "recognition/awards/_home_feed.html")],
            "profile": [(10, "recognition/awards/_profile.html")]}.get(page)


@recognition.app_context_processor
def _recognition_sections():
    """Recognition's parts of the home and profile pages, and the lazy data they show."""
    def recognition_feed(limit=HOME_FEED_SIZE):
        return services.recognition_feed(limit=limit).items

    def recognition_profile(person):
        return services.profile_recognition(person, current_user, list_categories())

    return {"recognition_feed": recognition_feed,
            "recognition_profile": recognition_profile,
            "badge_text": services.badge_text,
            "user_can": lambda action, obj=None: can(current_user, action, obj),
            "title_label": services.title_label}

