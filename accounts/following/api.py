"""/api/v1/follows: the caller's level on a followable thing, and the list of their levels."""
from typing import Literal

from flask_login import current_user

from accounts.api import accounts_api
from accounts.following import services
from accounts.following.models import LEVELS
from core.api import Answer, Moment, Page, PageQuery, Schema, iso_utc, operation
from extensions import db

Level = Literal[LEVELS]
Kind = Literal[services.TARGET_KINDS]


class FollowIn(Schema):
    level: Level


class FollowOut(Answer):
    kind: Kind
    id: str
    title: str
    url: str
    level: Level
    chosen: bool  # False: the default (normal, or watching for the author or asker)
    updated_at: Moment | None


class FollowList(Page):
    follows: list[FollowOut]


def follow_json(target, level, row=None):
    return {"kind": target.kind, "id": target.id, "title": target.title, "url": target.url,
            "level": level, "chosen": row is not None,
            "updated_at": iso_utc(row.updated_at) if row is not None else None}


@accounts_api.get("/follows/<kind>/<ident>")
@operation(ok=FollowOut, tags=["accounts"])
def get_follow(kind, ident):
    """The caller's level on a category (slug), tag (name), article or question (id)."""
    target = services.find_target(current_user, kind, ident)
    row = services.chosen_level(current_user, target)
    return follow_json(target, services.level_of(current_user, target), row)


@accounts_api.put("/follows/<kind>/<ident>")
@operation(json=FollowIn, ok=FollowOut, tags=["accounts"])
def put_follow(kind, ident, json):
    """Set the caller's level: watching, normal or muted (only on what the caller may read)."""
    target = services.find_target(current_user, kind, ident)
    row = services.set_level(current_user, target, json.level)
    db.session.commit()
    return follow_json(target, row.level, row)


@accounts_api.get("/follows")
@operation(query=PageQuery, ok=FollowList, tags=["accounts"])
def list_follows(query):
    """The levels the caller chose, the latest changed first (things gone or hidden left out)."""
    page = db.paginate(services.follows_of(current_user), page=query.page, per_page=query.per_page,
                       error_out=False)
    follows = []
    for row in page.items:
        target = services.stored_target(current_user, row)
        if target is not None:
            follows.append(follow_json(target, row.level, row))
    return {"follows": follows, "total": page.total, "page": query.page, "per_page": query.per_page}
