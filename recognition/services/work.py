"""The categories a person works in: where their recent contacts were, and where they hold a title."""
from datetime import timedelta

from sqlalchemy import func, select

from core.clock import utcnow
from core.periods import week_start
from extensions import db
from recognition.awards.models import Title
from recognition.models import AgentCategoryWeek

WORK_WEEKS = 13  # a quarter of contacts says what someone works on now
TITLE_WEIGHT = 10**9  # a current title puts its category before any count of contacts


def work_categories(user, now=None):
    """{category id: weight}: the person's contacts per category in the last WORK_WEEKS weeks,
    plus TITLE_WEIGHT for each category they hold a current title in."""
    now = now or utcnow()
    since = week_start(now) - timedelta(weeks=WORK_WEEKS)
    weights = dict(db.session.execute(
        select(AgentCategoryWeek.category_id, func.sum(AgentCategoryWeek.contacts))
        .where(AgentCategoryWeek.agent_id == user.id, AgentCategoryWeek.week >= since)
        .group_by(AgentCategoryWeek.category_id)).all())
    weights = {category_id: int(contacts or 0) for category_id, contacts in weights.items() if contacts}
    titled = db.session.scalars(select(Title.category_id).where(
        Title.user_id == user.id, Title.revoked_at.is_(None), Title.starts_at <= now, Title.expires_at > now))
    for category_id in titled:
        weights[category_id] = weights.get(category_id, 0) + TITLE_WEIGHT
    return weights


def answer_work_categories(user):
    """work_categories_asked receiver: the categories from resolution data and titles (None: none)."""
    return work_categories(user) or None
