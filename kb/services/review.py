"""What a category's experts have to look at: reviews, overdue articles and open flags."""
from sqlalchemy import select

from accounts.permissions import expert_category_ids
from core.clock import utcnow
from extensions import db
from kb.models import Article, ArticleFlag


def _in_expert_categories(stmt, column, user):
    """Restrict `stmt` to the categories `user` is an expert of; None when there are none."""
    categories = expert_category_ids(user)
    if categories is None:
        return stmt
    if not categories:
        return None
    return stmt.where(column.in_(categories))


def overdue_articles(user, now=None):
    """Published articles whose review date has passed, in the user's categories, oldest first."""
    stmt = _in_expert_categories(
        select(Article).where(Article.status == "published", Article.review_due < (now or utcnow()))
        .order_by(Article.review_due, Article.id), Article.category_id, user)
    return [] if stmt is None else db.session.scalars(stmt).all()


def articles_awaiting_review(user):
    """Articles in review in the user's categories, longest waiting first (not their own)."""
    stmt = _in_expert_categories(
        select(Article).where(Article.status == "in_review", Article.author_id != user.id)
        .order_by(Article.updated_at, Article.id), Article.category_id, user)
    return [] if stmt is None else db.session.scalars(stmt).all()


def open_flags(user):
    """Unresolved flags on articles in the user's categories, oldest first."""
    stmt = _in_expert_categories(
        select(ArticleFlag).join(Article, ArticleFlag.article_id == Article.id)
        .where(ArticleFlag.resolved_at.is_(None))
        .order_by(ArticleFlag.created_at, ArticleFlag.id), Article.category_id, user)
    return [] if stmt is None else db.session.scalars(stmt).all()
