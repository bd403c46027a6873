"""The knowledge-impact part of /api/v1: article uses, an article's impact, knowledge measures."""
from datetime import date

from flask import Blueprint
from flask_login import current_user
from pydantic import ConfigDict, Field

from accounts.permissions import require
from core.api import Answer, Moment, Schema, iso_utc, line, operation
from extensions import db
from kb import services as kb
from recognition.api import Day
from recognition.impact import services, uses
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
