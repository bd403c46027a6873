"""Pages: the Watching / Normal / Muted form on what can be followed, and "What I follow"."""
import hashlib
from dataclasses import dataclass

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from wtforms import RadioField

from accounts.following import services
from accounts.following.models import LEVELS
from accounts.views import accounts
from core.boundary import page_arg
from core.forms import Form
from core.views import committing
from errors import NotFound
from extensions import db
from security import safe_next

FOLLOWS_PER_PAGE = 30


def level_choices():
    return [(level, services.LEVEL_LABELS[level]) for level in LEVELS]


class FollowForm(Form):
    level = RadioField(_l("Notifications"), choices=level_choices, validate_choice=False)


@accounts.app_context_processor
def follow_helpers():
    """`follow_state(kind, id)` for the follow control of the pages that show a followable thing."""
    return {"follow_state": follow_state, "level_hints": services.LEVEL_HINTS,
            "follow_kind_labels": services.KIND_LABELS}


@dataclass
class FollowState:
    """What the follow control shows: the thing, the current level, its form and an id prefix."""

    target: services.Target
    level: str
    form: FollowForm
    dom_id: str


def state_of(target, level):
    digest = hashlib.sha1(("%s:%s" % (target.kind, target.key)).encode()).hexdigest()[:10]
    return FollowState(target, level, FollowForm(formdata=None, level=level), "follow-" + digest)


def follow_state(kind, ident):
    """The current user's FollowState on `kind`/`ident`, or None (signed out, unknown, unreadable)."""
    if not current_user.is_authenticated:
        return None
    try:
        target = services.find_target(current_user, kind, str(ident))
    except NotFound:
        return None
    return state_of(target, services.level_of(current_user, target))


@accounts.route("/follow/<kind>/<path:ident>", methods=["POST"])
@login_required
def set_follow(kind, ident):
    """Store the level chosen with a follow form, then back to the page it was on."""
    target = services.find_target(current_user, kind, ident)
    back = safe_next(request.form.get("next"), target.url)
    form = FollowForm()
    if form.validate_on_submit():
        with committing() as change:
            services.set_level(current_user, target, form.level.data)
        if change.ok:
            flash(_("Notifications for “%(title)s”: %(level)s.", title=target.title,
                    level=services.LEVEL_LABELS[form.level.data]), "success")
    else:
        flash(_("Nothing was changed: the form had expired. Choose again."), "error")
    return redirect(back)


@accounts.route("/account/following")
@login_required
def following():
    """What I follow: each chosen level, with the form to change it."""
    page = db.paginate(services.follows_of(current_user), page=page_arg(), per_page=FOLLOWS_PER_PAGE,
                       error_out=False)
    rows = []
    for follow in page.items:
        target = services.stored_target(current_user, follow)
        if target is not None:
            rows.append((follow, state_of(target, follow.level)))
    return render_template("accounts/following.html", page=page, rows=rows,
                           kind_labels=services.KIND_LABELS, level_labels=services.LEVEL_LABELS,
                           here=url_for("accounts.following", page=page.page))
