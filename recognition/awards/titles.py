"""Expert titles: award, renew and revoke; who is an expert now; titles about to expire."""
from datetime import timedelta

from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from accounts.models import User
from accounts.notifications import notify, record_audit
from accounts.permissions import require
from core.categories import require_category
from core.clock import utcnow
from core.locale_format import format_date
from core.signals import title_awarded
from errors import Conflict, Invalid
from extensions import db
from recognition.awards import performance
from recognition.awards.models import REASON_MAX_CHARS, TITLE_NAME_MAX_CHARS, Title
from recognition.awards.notices import path_for, profile_path
from recognition.awards.terms import default_term, term_after

MAX_TERM_DAYS = 731
RENEWAL_WINDOW_DAYS = 30
EXPIRY_NOTICE_DAYS = 14


def title_label(title, locale="en"):
    """The title's name as shown: the lead's own wording, or "<Category> Expert — <term>"."""
    if title.name:
        return title.name
    return gettext("%(category)s Expert — %(term)s",
                   category=title.category.display_name(locale), term=title.term)


def clean_reason(reason, field="reason"):
    """The reason or note of an award or revocation: required, at most REASON_MAX_CHARS."""
    reason = (reason or "").strip() if isinstance(reason, str) else ""
    if not reason:
        raise Invalid(field, _l("Give a reason: the person and the audit log will see it."))
    if len(reason) > REASON_MAX_CHARS:
        raise Invalid(field, _l("A reason has at most %(n)d characters.", n=REASON_MAX_CHARS))
    return reason


def holds_current_title(user, category_id, now=None):
    """True while `user` holds a current (started, unexpired, unrevoked) title in the category."""
    if user is None or getattr(user, "id", None) is None or category_id is None:
        return False
    return holds_current_title_by_id(user.id, category_id, now)


def holds_current_title_by_id(user_id, category_id, now=None):
    """The same check by ids (the resolution-data candidates list skips current holders)."""
    now = now or utcnow()
    return db.session.scalar(select(Title.id).where(
        Title.user_id == user_id, Title.category_id == category_id, Title.revoked_at.is_(None),
        Title.starts_at <= now, Title.expires_at > now).limit(1)) is not None


def titles_of(user, include_revoked=False):
    """A person's titles, newest term first; revoked ones only when asked (leads see them)."""
    stmt = select(Title).where(Title.user_id == user.id)
    if not include_revoked:
        stmt = stmt.where(Title.revoked_at.is_(None))
    return db.session.scalars(stmt.order_by(Title.expires_at.desc(), Title.id.desc())).all()


def current_titles(category=None, now=None):
    """Every current title (optionally of one category), by category and holder."""
    now = now or utcnow()
    stmt = (select(Title).join(User, User.id == Title.user_id)
            .where(Title.revoked_at.is_(None), Title.starts_at <= now, Title.expires_at > now))
    if category is not None:
        stmt = stmt.where(Title.category_id == category.id)
    return db.session.scalars(stmt.order_by(Title.category_id, User.username)).all()


def _validate_expiry(expires_at, starts_at):
    if expires_at.tzinfo is None:
        raise Invalid("expires_at", _l("Give the expiry date with a time zone (UTC)."))
    if expires_at <= max(starts_at, utcnow()):
        raise Invalid("expires_at", _l("The expiry date must be in the future."))
    if expires_at - starts_at > timedelta(days=MAX_TERM_DAYS):
        raise Invalid("expires_at", _l("A title lasts at most two years; renew it after that."))


def _overlapping_title(user, category, starts_at, expires_at):
    return db.session.scalar(select(Title).where(
        Title.user_id == user.id, Title.category_id == category.id, Title.revoked_at.is_(None),
        Title.starts_at < expires_at, Title.expires_at > starts_at).limit(1))


def award_title(lead, user, category, reason, name="", expires_at=None, starts_at=None,
                evidence=None, renewal_of=None):
    """Give `user` an expert title in `category` until `expires_at` (default: the term's end).

    The awardee's metrics at this moment are stored as evidence unless given.
    :raises PermissionDenied: `lead` may not award titles.
    :raises Invalid: bad category, reason, name or expiry; an inactive or own account.
    :raises Conflict: the person already holds a title in the category for that time.
    """
    require(lead, "title.award", user)
    category = require_category(category)
    reason = clean_reason(reason)
    name = (name or "").strip() if isinstance(name, str) else ""
    if len(name) > TITLE_NAME_MAX_CHARS:
        raise Invalid("title", _l("A title has at most %(n)d characters.", n=TITLE_NAME_MAX_CHARS))
    if not user.active:
        raise Invalid("username", _l("%(name)s's account is deactivated.", name=user.name))
    if user.id == lead.id:
        raise Invalid("username", _l("Titles are awarded by someone else: ask another lead."))
    now = utcnow()
    starts_at = starts_at or now
    term, default_expiry = default_term(starts_at)
    if expires_at is None:
        expires_at = default_expiry
    _validate_expiry(expires_at, starts_at)
    if expires_at != default_expiry:
        last_day = (expires_at - timedelta(microseconds=1)).date()
        term = "%s – %s" % (starts_at.date().isoformat(), last_day.isoformat())
    # Two leads clicking "award" at once: the row lock makes the second one see the first title.
    db.session.execute(select(User.id).where(User.id == user.id).with_for_update())
    held = _overlapping_title(user, category, starts_at, expires_at)
    if held is not None:
        raise Conflict("category", _l(
            "%(name)s already holds a title in %(category)s until %(date)s.",
            name=user.name, category=category.local_name, date=format_date(held.valid_through)))
    title = Title(user=user, category=category, name=name, term=term, reason=reason,
                  evidence=evidence if evidence is not None
                  else performance.evidence_snapshot(user, category),
                  awarded_by=lead, awarded_at=now, starts_at=starts_at, expires_at=expires_at,
                  renewal_of_id=renewal_of.id if renewal_of is not None else None)
    db.session.add(title)
    db.session.flush()
    label = title_label(title)
    notify(user, "title_awarded", profile_path(user), actor=lead, title=label)
    record_audit(lead, "title.renew" if renewal_of is not None else "title.award", title,
                 "%s: %s" % (user.username, label), user=user.username, category=category.slug,
                 expires_at=expires_at.isoformat(), reason=reason)
    title_awarded.send(title)
    return title


def renew_title(lead, title, reason):
    """Award the same title for the term after it, so the expert keeps their rights."""
    if title.revoked_at is not None:
        raise Conflict("title", _l("A revoked title cannot be renewed; award a new one."))
    now = utcnow()
    if title.expires_at <= now:
        return award_title(lead, title.user, title.category, reason, renewal_of=title)
    _label, starts_at, expires_at = term_after(title.expires_at)
    return award_title(lead, title.user, title.category, reason, starts_at=starts_at,
                       expires_at=expires_at, renewal_of=title)


def revoke_title(lead, title, reason):
    """End a title now, with a reason; it stays in the person's history as revoked."""
    require(lead, "title.revoke", title.user)
    reason = clean_reason(reason)
    if title.revoked_at is not None:
        raise Conflict("title", _l("This title was already revoked."))
    title.revoked_at = utcnow()
    title.revoked_by = lead
    title.revoke_reason = reason
    db.session.flush()
    label = title_label(title)
    notify(title.user, "title_revoked", profile_path(title.user), actor=lead, title=label,
           reason=reason)
    record_audit(lead, "title.revoke", title, "%s: %s" % (title.user.username, label),
                 user=title.user.username, category=title.category.slug, reason=reason)
    return title


def titles_due_for_renewal(now=None, within_days=RENEWAL_WINDOW_DAYS):
    """Current titles expiring within the window that have no renewal yet, soonest first."""
    now = now or utcnow()
    renewed = select(Title.renewal_of_id).where(Title.renewal_of_id.is_not(None),
                                                Title.revoked_at.is_(None))
    return db.session.scalars(select(Title).where(
        Title.revoked_at.is_(None), Title.starts_at <= now, Title.expires_at > now,
        Title.expires_at <= now + timedelta(days=within_days), Title.id.not_in(renewed))
        .order_by(Title.expires_at, Title.id)).all()


def notify_expiring_titles(now=None, within_days=EXPIRY_NOTICE_DAYS):
    """Tell holders (and their team lead) once that their title expires soon; returns the count."""
    titles = [title for title in titles_due_for_renewal(now, within_days)
              if title.expiry_notified_at is None]
    for title in titles:
        label = title_label(title)
        date = title.valid_through
        notify(title.user, "title_expiring", profile_path(title.user), title=label, date=date)
        team = title.user.team
        if team is not None and team.lead is not None:
            notify(team.lead, "title_expiring_lead", path_for("recognition.titles"), title=label, date=date,
                   holder=title.user.name)
        title.expiry_notified_at = now or utcnow()
    db.session.flush()
    return len(titles)

