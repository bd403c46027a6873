"""The accounts part of /api/v1: creating users and reading profiles."""
from typing import Literal

from flask import Blueprint
from flask_login import current_user
from pydantic import ConfigDict, with_config
from typing_extensions import TypedDict  # pydantic needs it for TypedDict before Python 3.12

from accounts import services
from accounts.models import ROLES
from accounts.permissions import can, require
from accounts.serializers import user_json
from config import LANGUAGES
from core.api import Answer, Moment, Schema, line, operation
from extensions import db

accounts_api = Blueprint("accounts_api", __name__, url_prefix="/api/v1")

Role = Literal[ROLES]
Locale = Literal[tuple(LANGUAGES)]


class UserIn(Schema):
    """A new account; without a password it signs in only once one is set."""

    username: line(64)
    name: line(120) = ""
    role: Role = "agent"
    team: line(80) | None = None
    locale: Locale = "en"
    # Kept exactly as typed: a password is never cleaned, only checked for its length.
    password: str | None = None
    email: line(254) | None = None


class ProfileTitle(Answer):
    title: str
    category: str
    awarded_at: Moment
    expires_at: Moment
    current: bool


class ProfileBadge(Answer):
    badge: str
    name: str
    awarded_at: Moment
    reason: str
    awarded_by: str | None


class ProfilePerformance(Answer):
    """The person's resolution metrics over the current period, in all categories."""

    contacts: int
    fcr: float | None
    reopen_rate: float | None
    aht_seconds: float | None
    aht_median: float | None
    nps: float | None
    nps_responses: int
    csat: float | None
    csat_responses: int


@with_config(ConfigDict(extra="allow"))
class ProfileStats(TypedDict, total=False):
    """Contribution counts (and performance), present only for those who may see them."""

    articles_published: int
    helpful_votes_received: int
    answers: int
    accepted_answers: int
    kudos_received: int
    performance: ProfilePerformance


class UserOut(Answer):
    username: str
    name: str
    role: Role
    team: str | None
    locale: str
    active: bool
    titles: list[ProfileTitle]
    badges: list[ProfileBadge]
    stats: ProfileStats


@accounts_api.post("/users")
@operation(json=UserIn, ok=UserOut, status=201, tags=["accounts"])
def create_user(json):
    """Create a user (admins)."""
    require(current_user, "admin.users")
    user = services.create_user(
        json.username, role=json.role, password=json.password, display_name=json.name,
        team=json.team or None, locale=json.locale, email=json.email or None)
    db.session.commit()
    return user_json(user, include_stats=True), 201


@accounts_api.get("/users/<username>")
@operation(ok=UserOut, tags=["accounts"])
def get_user(username):
    """A person's public profile: role, team, titles, badges and (when allowed) stats."""
    user = services.get_user_or_404(username)
    return user_json(user, include_stats=can(current_user, "user.view_stats", user))
