"""JSON shapes of accounts objects, completed by the domains above through a signal.

Titles, badges and stats belong to the recognition domain; it answers `profile_requested`
with them, so accounts never imports it.
"""
from core.signals import answers, profile_requested


def user_json(user, include_stats=False):
    """The SPEC's user object: username, name, role, team, titles, badges, stats."""
    body = {
        "username": user.username,
        "name": user.name,
        "role": user.role,
        "team": user.team.name if user.team else None,
        "locale": user.locale,
        "active": user.active,
        "titles": [],
        "badges": [],
        "stats": {},
    }
    for members in answers(profile_requested, user, include_stats=include_stats):
        body.update(members)
    if not include_stats:
        body["stats"] = {}
    return body
