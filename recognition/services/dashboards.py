"""What the team dashboard and an agent's performance page show, gathered in one call each."""
from dataclasses import dataclass

from sqlalchemy import select

from accounts.models import Team, User
from core.categories import list_categories
from extensions import db
from recognition.services.metrics import (
    Metrics,
    grouped_metrics,
    metrics_from_totals,
    period_metrics,
    period_totals,
    weekly_metrics,
)
from recognition.services.performers import CategoryStrength, category_strength
from recognition.services.score_settings import load_ranking_settings


@dataclass
class TeamDashboard:
    """A team's (or everyone's) metrics over a period, by week and by agent."""

    period: object
    team: Team | None
    category: object | None
    totals: Metrics
    weekly: list  # [(week Monday, Metrics)]
    weekly_everyone: list | None  # the same for all teams, to compare with (None without a team)
    agents: list  # [(User, Metrics)], most contacts first
    min_contacts: int


def team_dashboard(period, team=None, category=None):
    """The dashboard of `team` (None: all agents), optionally limited to one category."""
    team_id = team.id if team is not None else None
    category_id = category.id if category is not None else None
    by_agent = grouped_metrics(period, "agent_id", category_id=category_id, team_id=team_id)
    users = {user.id: user for user in db.session.scalars(
        select(User).where(User.id.in_(list(by_agent))))} if by_agent else {}
    agents = sorted(((users[agent_id], metrics) for agent_id, metrics in by_agent.items()),
                    key=lambda item: (-item[1].contacts, item[0].username))
    return TeamDashboard(
        period=period, team=team, category=category,
        totals=period_metrics(period, category_id=category_id, team_id=team_id),
        weekly=weekly_metrics(period, category_id=category_id, team_id=team_id),
        weekly_everyone=weekly_metrics(period, category_id=category_id) if team is not None else None,
        agents=agents, min_contacts=load_ranking_settings().score.min_contacts)


@dataclass
class CategoryLine:
    """One category of an agent's page: their metrics and their standing among its agents."""

    category: object
    metrics: Metrics
    strength: CategoryStrength


@dataclass
class AgentDashboard:
    """A person's metrics over a period: overall or in one category, by category and by week."""

    user: User
    period: object
    category: object | None
    totals: Metrics
    categories: list  # [CategoryLine], most contacts first
    weekly: list  # [(week Monday, Metrics)] of the person
    weekly_peers: list  # the same for all agents (in the category, when one is chosen)


def agent_dashboard(user, period, category=None):
    """The performance page of `user` over `period`, optionally focused on one category."""
    category_id = category.id if category is not None else None
    by_category = grouped_metrics(period, "category_id", agent_id=user.id)
    known = {item.id: item for item in list_categories()}
    lines = [CategoryLine(known[category_key], metrics,
                          category_strength(user, known[category_key], period.since, period.until))
             for category_key, metrics in by_category.items()]
    lines.sort(key=lambda line: (-line.metrics.contacts, line.category.name))
    return AgentDashboard(
        user=user, period=period, category=category,
        totals=period_metrics(period, category_id=category_id, agent_id=user.id),
        categories=lines,
        weekly=weekly_metrics(period, category_id=category_id, agent_id=user.id),
        weekly_peers=weekly_metrics(period, category_id=category_id))


def agent_weekly_rows(user, period):
    """[(Category, week Monday, Metrics)] of a person, by category then week (for CSV export)."""
    totals = period_totals(period, ("category_id", "week"), agent_id=user.id)
    known = {item.id: item for item in list_categories()}
    rows = [(known[category_id], week, metrics_from_totals(total))
            for (category_id, week), total in totals.items()]
    rows.sort(key=lambda row: (row[0].name, row[1]))
    return rows
