"""The knowledge-impact part of /api/v1: article uses, an article's impact, knowledge measures."""
from datetime import date

from flask import Blueprint
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from pydantic import ConfigDict, Field

from accounts.permissions import require
from accounts.services import get_team
from core.api import Answer, Line, Moment, Schema, iso_utc, line, operation
from core.categories import get_category_or_404
from errors import NotFound
from extensions import db
from kb import services as kb
from recognition.api import Day
from recognition.impact import measures, services, uses
from recognition.impact.models import TICKET_MAX_CHARS

impact_api = Blueprint("impact_api", __name__, url_prefix="/api/v1")


class UseIn(Schema):
    ticket_id: line(TICKET_MAX_CHARS, description="The contact's id in the ticketing system.")
    agent: line(150, description="Who used it (a username); leads only. Default: the caller.") | None = None


class UseOut(Answer):
    id: int
    article: int
    ticket_id: str | None
    agent: str | None
    source: str
    created_at: Moment | None
    contact_imported: bool = Field(description="Whether the contact's record is imported yet; "
                                               "the link joins it whenever it comes.")


class PeriodQuery(Schema):
    """?since=&until= (ISO dates, UTC, both included; default: the current period)."""

    model_config = ConfigDict(extra="ignore")

    since: Day | None = None
    until: Day | None = None


class ImpactOut(Answer):
    article: int
    since: date
    until: date
    contacts: int = Field(description="Contacts linked to the article in the period.")
    compared_contacts: int = Field(description="Of them, those whose agent had other contacts "
                                               "in the same category to compare with.")
    agents: int
    fcr: float | None
    baseline_fcr: float | None
    fcr_lift: float | None = Field(description="fcr − baseline_fcr, a fraction (0.15 = +15 points).")
    fcr_lift_ci: list[float] | None = Field(description="95 % interval [low, high] of fcr_lift.")
    aht_seconds: float | None
    baseline_aht_seconds: float | None
    csat: float | None
    baseline_csat: float | None
    reopen_rate: float | None
    baseline_reopen_rate: float | None
    verdict: str = Field(description="helps, hurts, no_clear_effect or too_few.")
    review_requested: bool = Field(description="A hurts verdict sent the article to review.")


class MeasuresQuery(PeriodQuery):
    """?team=&category=&since=&until= (default: every team and category, the current period)."""

    team: Line | None = Field(None, description="A team's name.")
    category: Line | None = Field(None, description="A category's slug or name.")


class WeekMeasureOut(Answer):
    week: str = Field(description="ISO week, e.g. 2026-W07.")
    contacts: int
    linked_contacts: int
    link_rate: float | None


class MeasuresOut(Answer):
    team: str | None
    category: str | None
    since: date
    until: date
    contacts: int
    linked_contacts: int
    link_rate: float | None = Field(description="Contacts with at least one article linked ÷ contacts.")
    links: int
    links_to_existing: int
    reuse_rate: float | None = Field(description="Links to articles older than the contact ÷ links.")
    contacts_in_helped_categories: int
    helped_share: float | None = Field(description="Share of contacts in categories with a helping article.")
    weeks: list[WeekMeasureOut]


def use_json(use):
    return {"id": use.id, "article": use.article_id, "ticket_id": use.ticket_id,
            "agent": use.agent.username if use.agent else None, "source": use.source,
            "created_at": iso_utc(use.created_at), "contact_imported": uses.contact_known(use.ticket_id)}


def _iso(day):
    return day.isoformat() if day else None


@impact_api.post("/articles/<int:article_id>/uses")
@operation(json=UseIn, ok=UseOut, status=201, answers={200: UseOut}, tags=["knowledge impact"])
def record_use(article_id, json):
    """Link a contact to the article (201; 200 when that ticket was already linked to it)."""
    article = kb.get_article(article_id)
    use, created = uses.record_use(article, current_user, json.ticket_id, json.agent, source="api")
    db.session.commit()
    return use_json(use), 201 if created else 200


@impact_api.get("/articles/<int:article_id>/impact")
@operation(query=PeriodQuery, ok=ImpactOut, tags=["knowledge impact"])
def article_impact(article_id, query):
    """What the article did to its contacts' outcomes over ?since=&until= (author, experts, leads)."""
    article = kb.get_article(article_id)
    require(current_user, "article.see_impact", article)
    period = services.impact_period(_iso(query.since), _iso(query.until))
    impact = services.article_impact(article, period)
    stored = services.stored_impact(article.id)
    body = services.impact_json(article, impact, stored is not None and stored.review_requested_at is not None)
    return {**body, "since": period.since.isoformat(), "until": period.until.isoformat()}


@impact_api.get("/knowledge/measures")
@operation(query=MeasuresQuery, ok=MeasuresOut, tags=["knowledge impact"])
def knowledge_measures(query):
    """Link rate, reuse and the share of contacts in helped categories, per team and category (leads)."""
    require(current_user, "team_metrics.view")
    team = get_team(query.team) if query.team else None
    if query.team and team is None:
        raise NotFound(_l("No team called %(team)s.", team=query.team[:80]))
    category = get_category_or_404(query.category) if query.category else None
    period = services.impact_period(_iso(query.since), _iso(query.until))
    found = measures.knowledge_measures(period, team_id=team.id if team else None,
                                        category_id=category.id if category else None)
    return {**found.as_json(), "team": team.name if team else None,
            "category": category.slug if category else None}
