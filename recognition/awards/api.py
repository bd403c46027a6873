"""The recognition awards part of /api/v1: badges, titles and kudos (SPEC section 7)."""
from datetime import UTC, date, datetime

from flask import Blueprint, jsonify
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from accounts.permissions import require
from accounts.services import get_user, get_user_or_404
from core.api import api_login_required, iso_utc, json_body, string_field
from errors import Invalid
from extensions import db, limiter
from recognition.awards import services
from recognition.awards.terms import through_day
from security import bearer_token

# cli_group=None puts this blueprint's commands (cli.py) at the top level: `flask notify-…`.
awards_api = Blueprint("awards_api", __name__, url_prefix="/api/v1")

# Flask-Limiter's burst guard in front of the service's hourly limit (KUDOS_PER_HOUR).
KUDOS_ROUTE_LIMIT = "20 per minute"


def parse_expiry(value):
    """An ISO 8601 date or date-time; a date means "through that day", naive times are UTC."""
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise Invalid("expires_at", _l("expires_at must be an ISO 8601 date, e.g. 2026-12-31."))
    text = value.strip()
    try:
        if len(text) == 10:
            return through_day(date.fromisoformat(text))
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise Invalid("expires_at", _l("expires_at must be an ISO 8601 date, e.g. 2026-12-31.")) \
            from None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)



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
@api_login_required
def list_badges():
    """Badge definitions in use."""
    return jsonify([badge_definition_json(badge) for badge in services.list_badges()])


@awards_api.post("/users/<username>/badges")
@api_login_required
def award_badge(username):
    """A lead gives a manual badge: {"badge", "reason"}."""
    require(current_user, "badge.award")
    user = get_user_or_404(username)
    data = json_body()
    award = services.award_badge(current_user, user, string_field(data, "badge", required=True),
                                 string_field(data, "reason", default=""))
    db.session.commit()
    return jsonify(badge_award_json(award)), 201


@awards_api.post("/users/<username>/titles")
@api_login_required
def award_title(username):
    """A lead awards an expert title: {"title", "category", "reason", "expires_at"?}."""
    require(current_user, "title.award")
    user = get_user_or_404(username)
    data = json_body()
    title = services.award_title(
        current_user, user, string_field(data, "category", required=True),
        string_field(data, "reason", default=""), name=string_field(data, "title", default=""),
        expires_at=parse_expiry(data.get("expires_at")))
    db.session.commit()
    return jsonify(title_json(title)), 201


@awards_api.post("/kudos")
@api_login_required
@limiter.limit(KUDOS_ROUTE_LIMIT, key_func=_kudos_sender_key)
def give_kudos():
    """Thank a colleague: {"to", "message", "article_id"?, "answer_id"?}."""
    data = json_body()
    username = string_field(data, "to", required=True)
    recipient = get_user(username)
    if recipient is None:
        raise Invalid("to", _l("No user called %(username)s.", username=username[:64]))
    kudos = services.give_kudos(current_user, recipient, string_field(data, "message", default=""),
                                article_id=data.get("article_id"), answer_id=data.get("answer_id"))
    db.session.commit()
    return jsonify(kudos_json(kudos)), 201
