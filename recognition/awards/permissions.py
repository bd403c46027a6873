"""Who may award, revoke and define recognition (registered with accounts.permissions)."""
from accounts.permissions import rule


@rule("title.award")
def _award_title(user, _person):
    """Leads and admins award and renew titles and see the candidates desk."""
    return user.has_role("lead")


@rule("title.revoke")
def _revoke_title(user, _person):
    return user.has_role("lead")


@rule("badge.award")
def _award_badge(user, _person):
    return user.has_role("lead")


@rule("badge.manage")
def _manage_badges(user, _obj):
    """Badge definitions are administrators' settings."""
    return user.has_role("admin")


@rule("kudos.give")
def _give_kudos(user, _person):
    return True
