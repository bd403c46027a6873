"""A company sign-in's groups turned into a Knowhow role and team through the configured maps.

A map is a sequence of (group, role or team) pairs (config.parse_group_map). A map entry's group
matches a group the provider reports when they are equal ignoring case, or when the entry names
the group's common name and the provider gives its DN (cn=knowhow-admins,ou=groups,...) or its
path (Keycloak's /knowhow/admins). An empty map leaves that part of the user to Knowhow.
"""
from accounts.models import ROLE_RANK

DEFAULT_ROLE = "agent"


def group_names(group):
    """The names a reported group answers to, in lower case: as reported, its common name when it
    is a DN, its last segment when it is a path."""
    text = str(group).strip()
    names = {text.casefold()}
    if "=" in text:
        names.add(text.split(",", 1)[0].partition("=")[2].strip().casefold())
    if "/" in text:
        names.add(text.rstrip("/").rsplit("/", 1)[-1].casefold())
    names.discard("")
    return names


def _matches(entries, groups):
    """The targets of the map entries that the groups match, in the map's order."""
    known = set().union(*(group_names(group) for group in groups)) if groups else set()
    return [target for group, target in entries if group.strip().casefold() in known]


def role_for(groups, role_map):
    """The highest role the groups are given; `DEFAULT_ROLE` when none, None when no map is set."""
    if not role_map:
        return None
    return max(_matches(role_map, groups), key=ROLE_RANK.__getitem__, default=DEFAULT_ROLE)


def team_for(groups, team_map):
    """The team of the first map entry the groups match; "" (no team) when none, None when no map
    is set."""
    if not team_map:
        return None
    return next(iter(_matches(team_map, groups)), "")
