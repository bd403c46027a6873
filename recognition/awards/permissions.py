"""Who may award, revoke and define recognition (registered with accounts.permissions)."""
from accounts.permissions import role_rule, rule


# Leads (and admins) award, renew and revoke titles, see the candidates desk and award badges;
# badge definitions are administrators' settings.
role_rule("lead", "title.award", "title.revoke", "badge.award")
role_rule("admin", "badge.manage")


@rule("kudos.give")
def _give_kudos(user, _person):
    return True
