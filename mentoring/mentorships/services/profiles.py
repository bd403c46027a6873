"""Mentor profiles: opting in with categories and capacity, leads' approval, free places."""
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from accounts.models import User
from accounts.notifications import notify, record_audit
from accounts.permissions import is_expert, require
from core.categories import Category, require_category
from core.clock import utcnow
from errors import Invalid, NotFound
from extensions import db
from mentoring.mentorships.models import AVAILABILITY_MAX_CHARS, MentorProfile, Mentorship
from mentoring.mentorships.services.notices import link

CAPACITY_RANGE = (1, 10)
BIO_MAX_CHARS = 5000


def get_profile(user):
    """The person's mentor profile, or None."""
    return db.session.scalar(select(MentorProfile).where(MentorProfile.user_id == user.id))


def get_profile_or_404(user):
    profile = get_profile(user)
    if profile is None:
        raise NotFound(_l("%(name)s has no mentor profile.", name=user.name))
    return profile


def active_mentee_counts(user_ids):
    """{mentor id: number of active mentorships} for the given people (absent means none)."""
    if not user_ids:
        return {}
    return dict(db.session.execute(
        select(Mentorship.mentor_id, func.count(Mentorship.id))
        .where(Mentorship.mentor_id.in_(list(user_ids)), Mentorship.status == "active")
        .group_by(Mentorship.mentor_id)).all())


def remaining_capacity(profile):
    """Free places: capacity minus active mentorships, never below zero."""
    return max(0, profile.capacity - active_mentee_counts([profile.user_id]).get(profile.user_id, 0))


def _capacity(value):
    low, high = CAPACITY_RANGE
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise Invalid("capacity", _l("Capacity is the number of mentees at once: %(low)d to %(high)d.",
                                     low=low, high=high))
    return value


def _categories(values):
    categories = []
    for value in values or ():
        category = require_category(value, field="categories")
        if all(category.id != known.id for known in categories):
            categories.append(category)
    if not categories:
        raise Invalid("categories", _l("Choose at least one category you can mentor in."))
    return categories


def _team_lead(user):
    return user.team.lead if user.team is not None and user.team.lead is not None else None


def save_mentor_profile(user, categories, capacity, availability="", bio="", active=True, actor=None):
    """Create or change the person's mentor profile.

    An expert of every chosen category is approved at once; anyone else waits for a lead (their
    team lead is told). Adding a category one is not an expert of asks for approval again.
    :raises Invalid: no category, an unknown one, capacity outside 1..10, texts over their limits.
    """
    require(actor or user, "mentor_profile.edit", user)
    chosen = _categories(categories)
    capacity = _capacity(capacity)
    availability = (availability or "").strip()
    if len(availability) > AVAILABILITY_MAX_CHARS:
        raise Invalid("availability", _l("Keep availability to %(count)d characters.",
                                         count=AVAILABILITY_MAX_CHARS))
    bio = (bio or "").strip()
    if len(bio) > BIO_MAX_CHARS:
        raise Invalid("bio", _l("Keep the bio to %(count)d characters.", count=BIO_MAX_CHARS))
    profile = get_profile(user)
    previous = set() if profile is None else {category.id for category in profile.categories}
    if profile is None:
        profile = MentorProfile(user=user)
        db.session.add(profile)
    profile.categories = chosen
    profile.capacity, profile.availability, profile.bio = capacity, availability, bio
    profile.active = bool(active)
    profile.updated_at = utcnow()
    new_ids = {category.id for category in chosen}
    if all(is_expert(user, category_id) for category_id in new_ids):
        if not profile.approved:
            profile.approved_by, profile.approved_at = user, utcnow()
    elif not (profile.approved and new_ids <= previous) and (profile.approved or new_ids != previous):
        # New, or asking for more than was approved: a lead looks at it (once per change).
        profile.approved_by, profile.approved_at = None, None
        notify(_team_lead(user), "mentor_profile_pending", link("mentorships.needs_help"), actor=user,
               categories=", ".join(category.name for category in chosen))
    db.session.flush()
    return profile


def approve_mentor_profile(lead, profile):
    """A lead approves someone who is not an expert of their categories as a mentor."""
    require(lead, "mentor_profile.approve", profile)
    if profile.approved:
        return profile
    profile.approved_by, profile.approved_at = lead, utcnow()
    notify(profile.user, "mentor_profile_approved", link("mentorships.my_profile"), actor=lead)
    record_audit(lead, "mentor_profile.approve", profile, "%s approved as a mentor" % profile.user.username,
                 user=profile.user.username,
                 categories=", ".join(category.slug for category in profile.categories))
    db.session.flush()
    return profile


def pending_profiles():
    """Active profiles waiting for a lead's approval, oldest first."""
    return db.session.scalars(
        select(MentorProfile).join(User, User.id == MentorProfile.user_id)
        .where(MentorProfile.approved_at.is_(None), MentorProfile.active.is_(True), User.active.is_(True))
        .order_by(MentorProfile.updated_at, MentorProfile.id)).all()


def mentor_profiles(category=None):
    """Active, approved profiles of active people (covering `category` when given), by name."""
    stmt = (select(MentorProfile).join(User, User.id == MentorProfile.user_id)
            .where(MentorProfile.active.is_(True), MentorProfile.approved_at.is_not(None),
                   User.active.is_(True))
            .order_by(User.display_name, User.username))
    if category is not None:
        stmt = stmt.where(MentorProfile.categories.any(Category.id == category.id))
    return db.session.scalars(stmt).all()
