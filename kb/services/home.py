"""What the agent's home page shows of the knowledge base: articles in my categories, my drafts,
the reviews due to me. Each list is one query (its categories loaded in one more), whatever its length."""
from collections import Counter

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from accounts.following.services import category_levels
from accounts.permissions import expert_category_ids
from core.signals import answers, work_categories_asked
from extensions import db
from kb.models import Article

HOME_LIST_SIZE = 5


def my_category_ids(user):
    """Ids of the categories `user` works in, closest first: the categories they watch, then
    those of their resolution data and titles (the domains above answer work_categories_asked) and
    those they are an expert of; never one they muted. Empty when nothing is known: the home page
    then shows every category."""
    weights = Counter()
    for found in answers(work_categories_asked, user):
        weights.update(found)
    experts_of = expert_category_ids(user)
    for category_id in experts_of or ():
        weights[category_id] += 1
    levels = category_levels(user)
    for category_id, level in levels.items():
        if level == "watching":
            weights[category_id] += max(weights.values(), default=0) + 1
    return [category_id for category_id, _weight in weights.most_common() if levels.get(category_id) != "muted"]


def _published(category_ids):
    # Published articles are everyone's to read (see visible_articles): no permission to check.
    stmt = select(Article).where(Article.status == "published").options(selectinload(Article.category))
    return stmt.where(Article.category_id.in_(category_ids)) if category_ids else stmt


def recent_articles(category_ids, limit=HOME_LIST_SIZE):
    """The latest published articles in the categories (all categories when none are given)."""
    return db.session.scalars(_published(category_ids)
                              .order_by(Article.published_at.desc(), Article.id.desc()).limit(limit)).all()


def popular_articles(category_ids, limit=HOME_LIST_SIZE):
    """The most read published articles in the categories (all when none), then the most helpful."""
    return db.session.scalars(_published(category_ids).where(Article.view_count > 0)
                              .order_by(Article.view_count.desc(), Article.helpful_count.desc(),
                                        Article.id.desc()).limit(limit)).all()


def my_drafts(user, limit=HOME_LIST_SIZE):
    """`user`'s own articles in draft or in review, last changed first."""
    return db.session.scalars(
        select(Article).where(Article.author_id == user.id, Article.status.in_(("draft", "in_review")))
        .options(selectinload(Article.category))
        .order_by(Article.updated_at.desc(), Article.id.desc()).limit(limit)).all()
