"""Who may do what in recognition: resolution data, titles, badges and kudos.

Each action has its own name so that the policy can change for one without the others; today
they all belong to leads (and admins, who rank above them). An agent's own performance page
uses accounts' "user.view_stats" (the person, their team lead, admins).
"""
from accounts.permissions import is_expert, role_rule, rule

LEAD_ACTIONS = (
    "resolutions.import",  # upload, preview, import; import history and rejected rows
    "performers.view",  # leaderboards, their CSV, title candidates: they compare people
    "team_metrics.view",  # team dashboards
    "score_settings.edit",  # weights and thresholds of the score
)


role_rule("lead", *LEAD_ACTIONS)

# Leads (and admins) award, renew and revoke titles, see the candidates desk and award badges;
# badge definitions are administrators' settings.
role_rule("lead", "title.award", "title.revoke", "badge.award")
role_rule("admin", "badge.manage")


@rule("kudos.give")
def _give_kudos(user, _person):
    return True


@rule("import_run.view")
def _view_import_run(user, run):
    """An import run's page: leads (and admins), and whoever started it."""
    return user.has_role("lead") or (run is not None and run.uploaded_by_id == user.id)


# An integration (or a lead) may say which agent used an article; agents record their own uses.
role_rule("lead", "article_use.record_for_others")


@rule("article.see_impact")
def _see_impact(user, article):
    """What an article does to its contacts is for its author, the category's experts and leads."""
    return (article.author_id is not None and article.author_id == user.id) or is_expert(
        user, article.category_id)
