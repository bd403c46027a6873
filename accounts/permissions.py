"""The one permission check, `can(user, action, obj)`, used by pages and the API alike.

Each domain registers the rules for its own actions with `@rule("article.publish")`. Whether a
user is an expert of a category is asked of the domains above through `expertise_asked`
(recognition answers from current titles); leads and admins count as experts everywhere.
"""
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from core.categories import Category
from core.signals import answers, expertise_asked
from errors import PermissionDenied
from extensions import db

_rules = {}


def rule(action):
    """Register the function deciding `action`: fn(user, obj) -> bool."""
    def register(fn):
        _rules[action] = fn
        return fn
    return register


def role_rule(role, *actions):
    """Register `actions` as allowed to `role` and the roles above it, whatever the object."""
    def decide(user, _obj):
        return user.has_role(role)
    for action in actions:
        rule(action)(decide)


def is_authenticated(user):
    return user is not None and getattr(user, "is_authenticated", False) and user.is_active


def is_expert(user, category_id):
    """True when `user` may act as an expert of the category: a lead, an admin or a title holder."""
    if not is_authenticated(user):
        return False
    if user.has_role("lead"):
        return True
    return any(answers(expertise_asked, user, category_id=category_id))


def expert_category_ids(user):
    """Ids of the categories `user` is an expert of; None means all of them (leads, admins)."""
    if not is_authenticated(user):
        return []
    if user.has_role("lead"):
        return None
    category_ids = db.session.scalars(select(Category.id).order_by(Category.id)).all()
    return [category_id for category_id in category_ids if is_expert(user, category_id)]


def can(user, action, obj=None):
    """Whether `user` may do `action` (on `obj`); unknown actions are refused."""
    if not is_authenticated(user):
        return False
    decide = _rules.get(action)
    if decide is None:
        return False
    return bool(decide(user, obj))


def require(user, action, obj=None):
    """Raise PermissionDenied unless can(user, action, obj)."""
    if not can(user, action, obj):
        raise PermissionDenied(_l("You do not have permission to do that."))


role_rule("admin", "admin.users", "admin.teams", "admin.webhooks")


@rule("user.view")
def _view_user(user, _obj):
    return True


@rule("user.view_stats")
def _view_user_stats(user, other):
    """Own numbers, the person's team lead, and admins."""
    if other is None or other.id == user.id or user.has_role("admin"):
        return True
    return user.has_role("lead") and other.team is not None and other.team.lead_id == user.id


role_rule("lead", "audit.view")
