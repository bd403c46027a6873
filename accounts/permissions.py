"""The one permission check, `can(user, action, obj)`, used by pages and the API alike.

Each domain registers the rules for its own actions with `@rule("article.publish")`. Whether a
user is an expert of a category comes from providers the recognition domain registers (current
titles); leads and admins count as experts everywhere.
"""
from flask_babel import lazy_gettext as _l

from errors import PermissionDenied

_rules = {}
_expert_providers = []


def rule(action):
    """Register the function deciding `action`: fn(user, obj) -> bool."""
    def register(fn):
        _rules[action] = fn
        return fn
    return register


def register_expert_provider(fn):
    """Add fn(user, category_id) -> bool, consulted by is_expert (e.g. current titles)."""
    if fn not in _expert_providers:
        _expert_providers.append(fn)


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
    return any(provider(user, category_id) for provider in _expert_providers)


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


role_rule("admin", "admin.users", "admin.teams")


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
