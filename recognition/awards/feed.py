"""The recognition feed: titles, badges and kudos as they happen, newest first."""
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from accounts.models import User
from extensions import db
from recognition.awards.models import BadgeAward, Kudos, Title

MAX_FEED_PAGE = 50


@dataclass(frozen=True)
class FeedItem:
    """One moment of recognition: `kind` is "title", "badge" or "kudos"; `subject` the row."""

    kind: str
    at: datetime
    person: User
    subject: object


@dataclass(frozen=True)
class FeedPage:
    items: list
    page: int
    has_next: bool


def _newest(stmt, time_column, id_column, person_column, team, category_column, category, count):
    stmt = stmt.join(User, User.id == person_column)
    if team is not None:
        stmt = stmt.where(User.team_id == team.id)
    if category is not None:
        stmt = stmt.where(category_column == category.id)
    return db.session.scalars(stmt.order_by(time_column.desc(), id_column.desc())
                              .limit(count)).all()


def recognition_feed(limit=20, page=1, team=None, category=None):
    """A page of the feed, optionally only one team's people or one category."""
    page = max(1, min(int(page), MAX_FEED_PAGE))
    wanted = page * limit + 1
    titles = _newest(
        select(Title).where(Title.revoked_at.is_(None))
        .options(selectinload(Title.user), selectinload(Title.category),
                 selectinload(Title.awarded_by)),
        Title.awarded_at, Title.id, Title.user_id, team, Title.category_id, category, wanted)
    awards = _newest(
        select(BadgeAward).options(selectinload(BadgeAward.user), selectinload(BadgeAward.badge),
                                   selectinload(BadgeAward.awarded_by),
                                   selectinload(BadgeAward.category)),
        BadgeAward.awarded_at, BadgeAward.id, BadgeAward.user_id, team, BadgeAward.category_id,
        category, wanted)
    kudos = _newest(
        select(Kudos).options(selectinload(Kudos.recipient), selectinload(Kudos.sender),
                              selectinload(Kudos.category)),
        Kudos.created_at, Kudos.id, Kudos.recipient_id, team, Kudos.category_id, category, wanted)
    items = ([FeedItem("title", title.awarded_at, title.user, title) for title in titles]
             + [FeedItem("badge", award.awarded_at, award.user, award) for award in awards]
             + [FeedItem("kudos", item.created_at, item.recipient, item) for item in kudos])
    items.sort(key=lambda item: (item.at, item.kind, item.subject.id), reverse=True)
    start = (page - 1) * limit
    return FeedPage(items[start:start + limit], page, len(items) > start + limit)
