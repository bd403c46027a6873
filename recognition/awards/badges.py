"""Badges: default definitions, awards by leads, automatic awards after events, admin changes."""
import re
import uuid

from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from accounts.notifications import Msgid, notify, record_audit
from accounts.permissions import require
from errors import Conflict, Invalid, NotFound
from extensions import db
from recognition.awards.models import BADGE_NAME_MAX_CHARS, BadgeAward, BadgeDefinition
from recognition.awards.notices import profile_path
from recognition.awards.rules import RULES, rules_for
from recognition.awards.titles import clean_reason


def N_(text):
    """Mark a string for translation where it is stored untranslated (translated on display)."""
    return text


# Icons are the SVG files in static/img/badges/.
BADGE_ICONS = ("article", "answers", "helpful", "trophy", "mentor", "streak", "hero", "heart",
               "book", "star")
SLUG_PATTERN = re.compile(r"^[a-z0-9][a-z0-9-]{1,63}$")
DESCRIPTION_MAX_CHARS = 500

DEFAULT_BADGES = (
    {"slug": "first-article", "name": N_("First article"),
     "description": N_("Published their first how-to article."),
     "icon": "article", "kind": "auto", "rule": "first_published_article"},
    {"slug": "trusted-answerer", "name": N_("Trusted answerer"),
     "description": N_("Ten of their answers were accepted by colleagues."),
     "icon": "answers", "kind": "auto", "rule": "accepted_answers"},
    {"slug": "helped-hundred", "name": N_("Helped a hundred times"),
     "description": N_("One of their articles was marked helpful 100 times."),
     "icon": "helpful", "kind": "auto", "rule": "helpful_article"},
    {"slug": "top-performer", "name": N_("Top performer"),
     "description": N_("Ranked first in a category for a quarter, from the resolution data."),
     "icon": "trophy", "kind": "auto", "rule": "top_performer"},
    {"slug": "goal-reached", "name": N_("Goal reached together"),
     "description": N_("A mentee of theirs reached the goal of the mentorship."),
     "icon": "mentor", "kind": "auto", "rule": "mentee_goal_reached"},
    {"slug": "verification-streak", "name": N_("30-day verification streak"),
     "description": N_("Verified articles on thirty days in a row, keeping answers fresh."),
     "icon": "streak", "kind": "auto", "rule": "verification_streak"},
    {"slug": "customer-hero", "name": N_("Customer hero"),
     "description": N_("Went the extra mile for a customer."),
     "icon": "hero", "kind": "manual", "rule": None, "repeatable": True},
    {"slug": "great-mentor", "name": N_("Great mentor"),
     "description": N_("Helped colleagues grow, patiently and generously."),
     "icon": "heart", "kind": "manual", "rule": None, "repeatable": True},
    {"slug": "knowledge-sharer", "name": N_("Knowledge sharer"),
     "description": N_("Got a trick out of their head and into the team's hands."),
     "icon": "book", "kind": "manual", "rule": None, "repeatable": True},
)
_DEFAULT_TEXTS = {text for badge in DEFAULT_BADGES for text in (badge["name"],
                                                                 badge["description"])}


def badge_text(text):
    """A badge's name or description in the reader's language (defaults are translated)."""
    return gettext(text) if text in _DEFAULT_TEXTS else text


def badge_param(badge):
    """The badge's name as a notification parameter: a default name is translated for each reader."""
    return Msgid(badge.name) if badge.name in _DEFAULT_TEXTS else badge.name


def ensure_default_badges():
    """Create the default definitions that are missing (admins' edits are kept); returns count."""
    existing = set(db.session.scalars(select(BadgeDefinition.slug)))
    created = 0
    for default in DEFAULT_BADGES:
        if default["slug"] not in existing:
            db.session.add(BadgeDefinition(repeatable=default.get("repeatable", False),
                                           **{key: value for key, value in default.items()
                                              if key != "repeatable"}))
            created += 1
    db.session.flush()
    return created


def list_badges(include_inactive=False):
    """Badge definitions, automatic first, then by name."""
    stmt = select(BadgeDefinition).order_by(BadgeDefinition.kind, BadgeDefinition.name)
    if not include_inactive:
        stmt = stmt.where(BadgeDefinition.active.is_(True))
    return db.session.scalars(stmt).all()


def get_badge(slug):
    return db.session.scalar(select(BadgeDefinition).where(
        BadgeDefinition.slug == (slug or "").strip().lower()))


def get_badge_or_404(slug):
    badge = get_badge(slug)
    if badge is None:
        raise NotFound(_l("No badge “%(badge)s”.", badge=str(slug)[:64]))
    return badge


def badges_of(user):
    """A person's badges, newest first."""
    return db.session.scalars(select(BadgeAward).where(BadgeAward.user_id == user.id)
                              .order_by(BadgeAward.awarded_at.desc(), BadgeAward.id.desc())).all()


def _holds(user, badge, award_key):
    return db.session.scalar(select(BadgeAward.id).where(
        BadgeAward.user_id == user.id, BadgeAward.badge_id == badge.id,
        BadgeAward.award_key == award_key).limit(1)) is not None


def _insert_award(award):
    """Store an award inside a SAVEPOINT; None when UNIQUE(user, badge, key) says it exists.

    The savepoint keeps the caller's transaction usable: the event that triggered the badge
    (a publication, an accepted answer) is committed whatever happens here.
    """
    try:
        with db.session.begin_nested():
            db.session.add(award)
    except IntegrityError:
        return None
    return award


def award_badge(lead, user, badge, reason):
    """A lead gives a manual badge with a reason.

    :raises Invalid: unknown, automatic or retired badge; empty reason; own or inactive account.
    :raises Conflict: the person already holds this (non-repeatable) badge.
    """
    require(lead, "badge.award", user)
    if not isinstance(badge, BadgeDefinition):
        found = get_badge(badge) if isinstance(badge, str) else None
        if found is None:
            raise Invalid("badge", _l("Unknown badge “%(badge)s”.", badge=str(badge)[:64]))
        badge = found
    if badge.kind != "manual" or not badge.active:
        raise Invalid("badge", _l("“%(badge)s” is not a badge leads award by hand.",
                                  badge=badge_text(badge.name)))
    reason = clean_reason(reason)
    if user.id == lead.id:
        raise Invalid("username", _l("Badges are given by someone else: ask another lead."))
    if not user.active:
        raise Invalid("username", _l("%(name)s's account is deactivated.", name=user.name))
    award_key = uuid.uuid4().hex if badge.repeatable else ""
    conflict = Conflict("badge", _l("%(name)s already has the badge “%(badge)s”.",
                                    name=user.name, badge=badge_text(badge.name)))
    if not badge.repeatable and _holds(user, badge, award_key):
        raise conflict
    award = _insert_award(BadgeAward(user=user, badge=badge, award_key=award_key, reason=reason,
                                     awarded_by=lead))
    if award is None:
        raise conflict
    notify(user, "badge_awarded_by", profile_path(user), actor=lead, badge=badge_param(badge),
           reason=reason)
    record_audit(lead, "badge.award", award, "%s: %s" % (user.username, badge.name),
                 user=user.username, badge=badge.slug, reason=reason)
    return award


def evaluate_badges(user, event, **context):
    """Award every automatic badge that `event` now satisfies for `user`; returns the new awards.

    Safe to call as often as events happen, also concurrently: each badge is stored once.
    Context carries what the event is about (article=…, category=…, rank=…, mentorship_id=…).
    """
    if user is None or getattr(user, "id", None) is None:
        return []
    names = rules_for(event)
    if not names:
        return []
    badges = db.session.scalars(select(BadgeDefinition).where(
        BadgeDefinition.kind == "auto", BadgeDefinition.active.is_(True),
        BadgeDefinition.rule.in_(names)).order_by(BadgeDefinition.id)).all()
    awarded = []
    for badge in badges:
        for earned in RULES[badge.rule].check(user, context):
            if _holds(user, badge, earned.award_key):
                continue
            award = _insert_award(BadgeAward(user=user, badge=badge, award_key=earned.award_key,
                                             reason=earned.reason[:1000], event=event,
                                             category_id=earned.category_id))
            if award is None:
                continue
            notify(user, "badge_awarded", profile_path(user), badge=badge_param(badge))
            record_audit(None, "badge.auto_award", award, "%s: %s" % (user.username, badge.name),
                         user=user.username, badge=badge.slug, event=event, key=earned.award_key)
            awarded.append(award)
    return awarded


def save_badge_definition(admin, slug, name, description="", icon="star", repeatable=False,
                          active=True, badge=None):
    """Create a manual badge, or change a definition's wording, icon and whether it is in use.

    An automatic badge's rule and kind come from the code and cannot be changed here.
    """
    require(admin, "badge.manage")
    name = (name or "").strip()
    description = (description or "").strip()
    if not name:
        raise Invalid("name", _l("Give the badge a name."))
    if len(name) > BADGE_NAME_MAX_CHARS:
        raise Invalid("name", _l("A badge name has at most %(n)d characters.",
                                 n=BADGE_NAME_MAX_CHARS))
    if len(description) > DESCRIPTION_MAX_CHARS:
        raise Invalid("description", _l("A description has at most %(n)d characters.",
                                        n=DESCRIPTION_MAX_CHARS))
    if icon not in BADGE_ICONS:
        raise Invalid("icon", _l("Choose one of the icons."))
    if badge is None:
        slug = (slug or "").strip().lower()
        if not SLUG_PATTERN.match(slug):
            raise Invalid("slug", _l("A slug has 2 to 64 lower-case letters, digits or dashes."))
        if get_badge(slug) is not None:
            raise Conflict("slug", _l("A badge called “%(slug)s” exists already.", slug=slug))
        badge = BadgeDefinition(slug=slug, kind="manual", rule=None)
        db.session.add(badge)
        action = "badge.define"
    else:
        action = "badge.update"
    before = {"name": badge.name, "description": badge.description, "icon": badge.icon,
              "repeatable": badge.repeatable, "active": badge.active}
    badge.name, badge.description, badge.icon = name, description, icon
    badge.repeatable = bool(repeatable) if badge.kind == "manual" else False
    badge.active = bool(active)
    db.session.flush()
    record_audit(admin, action, badge, badge.slug, before=str(before) if action == "badge.update"
                 else None, name=name, icon=icon, active=badge.active, repeatable=badge.repeatable)
    return badge


def badge_holders_count(badge):
    """How many awards of this badge exist (shown on the definitions page)."""
    return db.session.scalar(select(db.func.count(BadgeAward.id))
                             .where(BadgeAward.badge_id == badge.id))

