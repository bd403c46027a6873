"""The recognition awards part of /api/v1: badges, titles and kudos (SPEC section 7)."""
import re
from datetime import UTC, date, datetime
from typing import Annotated, Any, Literal

from flask import Blueprint
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from pydantic import AfterValidator, BeforeValidator, Field, RootModel, WithJsonSchema, field_validator

from accounts.permissions import require
from accounts.services import get_user, get_user_or_404
from core.api import Answer, Line, Moment, RecordId, Schema, Text, iso_utc, line, operation
from errors import Invalid
from extensions import db, limiter
from recognition.awards import services
from recognition.awards.models import TITLE_NAME_MAX_CHARS
from recognition.awards.terms import through_day
from security import bearer_token

awards_api = Blueprint("awards_api", __name__, url_prefix="/api/v1")

# Flask-Limiter's burst guard in front of the service's hourly limit (KUDOS_PER_HOUR).
KUDOS_ROUTE_LIMIT = "20 per minute"
# Expiry dates a lead may mean; anything outside is a typing slip, refused before any arithmetic.
EARLIEST_YEAR, LATEST_YEAR = 1970, 2100
_ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


def _empty_is_unset(value):
    """An optional member sent as "" counts as not sent (as it always has here)."""
    return None if isinstance(value, str) and value == "" else value


def _day_as_expiry(value):
    """An ISO date means "through that day": the next midnight, UTC."""
    if isinstance(value, str) and _ISO_DAY.fullmatch(value.strip()):
        try:
            day = date.fromisoformat(value.strip())
        except ValueError:
            raise ValueError(_l("expires_at must be an ISO 8601 date, e.g. 2026-12-31.")) from None
        return through_day(_in_range(day))
    return value


def _in_range(moment):
    if not EARLIEST_YEAR <= moment.year <= LATEST_YEAR:
        raise ValueError(_l("expires_at must be a date from %(first)d to %(last)d.",
                            first=EARLIEST_YEAR, last=LATEST_YEAR))
    return moment


def _as_utc(moment):
    """Naive times are UTC; others are converted to it."""
    _in_range(moment)
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


Expiry = Annotated[datetime, BeforeValidator(_day_as_expiry), AfterValidator(_as_utc), WithJsonSchema({
    "anyOf": [{"type": "string", "format": "date"}, {"type": "string", "format": "date-time"}],
    "description": "An ISO 8601 date (the title lasts through that day, UTC) or date-time; "
                   "naive times are UTC.",
})]


class BadgeDefinitionOut(Answer):
    slug: str
    name: str
    description: str
    kind: Literal["auto", "manual"]
    icon: str
    repeatable: bool


class BadgeDefinitionList(RootModel[list[BadgeDefinitionOut]]):
    """Every badge in use."""


class BadgeAwardIn(Schema):
    badge: Line = Field(description="The badge's slug (a manual badge).")
    reason: Text = ""


class BadgeAwardOut(Answer):
    id: int
    badge: str
    name: str
    user: str
    awarded_at: Moment
    reason: str
    awarded_by: str | None


class TitleIn(Schema):
    title: line(TITLE_NAME_MAX_CHARS) = Field("", description="The lead's own wording; by default "
                                                                "\"<Category> Expert — <term>\".")
    category: Line
    reason: Text = ""
    expires_at: Expiry | None = None

    _empty_expiry_is_unset = field_validator("expires_at", mode="before")(_empty_is_unset)


class TitleOut(Answer):
    id: int
    title: str
    category: str
    user: str
    reason: str
    awarded_by: str | None
    awarded_at: Moment
    starts_at: Moment
    expires_at: Moment
    evidence: dict[str, Any] = Field(description="The awardee's ranking line when the title was awarded.")
    current: bool


class KudosIn(Schema):
    to: Line = Field(description="The username of the person thanked.")
    message: Text = ""
    article_id: RecordId | None = None
    answer_id: RecordId | None = None

    # A number in a string is refused all the same.
    _empty_id_is_unset = field_validator("article_id", "answer_id", mode="before")(_empty_is_unset)


class KudosOut(Answer):
    id: int
    sender: str = Field(alias="from")
    to: str
    message: str
    article_id: int | None
    answer_id: int | None
    created_at: Moment


def badge_definition_json(badge):
    return {"slug": badge.slug, "name": services.badge_text(badge.name),
            "description": services.badge_text(badge.description), "kind": badge.kind,
            "icon": badge.icon, "repeatable": badge.repeatable}


def badge_award_json(award):
    return {"id": award.id, "badge": award.badge.slug, "name": services.badge_text(award.badge.name),
            "user": award.user.username, "awarded_at": iso_utc(award.awarded_at),
            "reason": award.reason,
            "awarded_by": award.awarded_by.username if award.awarded_by else None}


def title_json(title):
    return {"id": title.id, "title": services.title_label(title), "category": title.category.slug,
            "user": title.user.username, "reason": title.reason,
            "awarded_by": title.awarded_by.username if title.awarded_by else None,
            "awarded_at": iso_utc(title.awarded_at), "starts_at": iso_utc(title.starts_at),
            "expires_at": iso_utc(title.expires_at), "evidence": title.evidence,
            "current": title.is_current()}


def kudos_json(kudos):
    return {"id": kudos.id, "from": kudos.sender.username, "to": kudos.recipient.username,
            "message": kudos.message, "article_id": kudos.article_id, "answer_id": kudos.answer_id,
            "created_at": iso_utc(kudos.created_at)}


def _kudos_sender_key():
    return "kudos:%s" % (getattr(current_user, "id", None) or bearer_token() or "anonymous")


@awards_api.get("/badges")
@operation(ok=BadgeDefinitionList, tags=["recognition"])
def list_badges():
    """Badge definitions in use."""
    return [badge_definition_json(badge) for badge in services.list_badges()]


@awards_api.post("/users/<username>/badges")
@operation(json=BadgeAwardIn, ok=BadgeAwardOut, status=201, tags=["recognition"])
def award_badge(username, json):
    """A lead gives a manual badge: {"badge", "reason"}."""
    require(current_user, "badge.award")
    user = get_user_or_404(username)
    award = services.award_badge(current_user, user, json.badge, json.reason)
    db.session.commit()
    return badge_award_json(award), 201


@awards_api.post("/users/<username>/titles")
@operation(json=TitleIn, ok=TitleOut, status=201, tags=["recognition"])
def award_title(username, json):
    """A lead awards an expert title: {"title", "category", "reason", "expires_at"?}."""
    require(current_user, "title.award")
    user = get_user_or_404(username)
    title = services.award_title(current_user, user, json.category, json.reason, name=json.title,
                                 expires_at=json.expires_at)
    db.session.commit()
    return title_json(title), 201


@awards_api.post("/kudos")
@operation(json=KudosIn, ok=KudosOut, status=201, tags=["recognition"])
@limiter.limit(KUDOS_ROUTE_LIMIT, key_func=_kudos_sender_key)
def give_kudos(json):
    """Thank a colleague: {"to", "message", "article_id"?, "answer_id"?}."""
    recipient = get_user(json.to)
    if recipient is None:
        raise Invalid("to", _l("No user called %(username)s.", username=json.to[:64]))
    kudos = services.give_kudos(current_user, recipient, json.message,
                                article_id=json.article_id, answer_id=json.answer_id)
    db.session.commit()
    return kudos_json(kudos), 201
