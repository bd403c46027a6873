"""JSON shapes of accounts objects, extended by other domains through registered providers.

Titles, badges and stats belong to the recognition domain; it registers a provider that adds
them, so accounts never imports it.
"""
_profile_providers = []


def register_profile_provider(fn):
    """Add fn(user, include_stats) -> dict of extra members for the user's JSON."""
    if fn not in _profile_providers:
        _profile_providers.append(fn)


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
    for provider in _profile_providers:
        body.update(provider(user, include_stats))
    if not include_stats:
        body["stats"] = {}
    return body
