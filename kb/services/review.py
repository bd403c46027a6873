"""What a category's experts have to look at: reviews, overdue articles and open flags, and the
daily reminder of the articles whose review date has passed."""
from sqlalchemy import or_, select
from sqlalchemy.orm import selectinload

from accounts.notifications import notify
from accounts.permissions import expert_category_ids
from core.clock import utcnow
from extensions import db
from kb.models import Article, ArticleFlag
from kb.services.lifecycle import category_experts


def _in_expert_categories(stmt, column, user):
    """Restrict `stmt` to the categories `user` is an expert of; None when there are none."""
    categories = expert_category_ids(user)
    if categories is None:
        return stmt
    if not categories:
        return None
    return stmt.where(column.in_(categories))


def _listed(stmt, limit):
    """The articles of `stmt` (None: none), their categories loaded with them, at most `limit`."""
    if stmt is None:
        return []
    stmt = stmt.options(selectinload(Article.category))
    return db.session.scalars(stmt if limit is None else stmt.limit(limit)).all()


def overdue_articles(user, now=None, limit=None):
    """Published articles whose review date has passed, in the user's categories, oldest first."""
    return _listed(_in_expert_categories(
        select(Article).where(Article.status == "published", Article.review_due < (now or utcnow()))
        .order_by(Article.review_due, Article.id), Article.category_id, user), limit)


def articles_awaiting_review(user, limit=None):
    """Articles in review in the user's categories, longest waiting first (not their own)."""
    return _listed(_in_expert_categories(
        select(Article).where(Article.status == "in_review", Article.author_id != user.id)
        .order_by(Article.updated_at, Article.id), Article.category_id, user), limit)


def open_flags(user):
    """Unresolved flags on articles in the user's categories, oldest first."""
    stmt = _in_expert_categories(
        select(ArticleFlag).join(Article, ArticleFlag.article_id == Article.id)
        .where(ArticleFlag.resolved_at.is_(None))
        .order_by(ArticleFlag.created_at, ArticleFlag.id), Article.category_id, user)
    return [] if stmt is None else db.session.scalars(stmt).all()


def remind_reviews_due(now=None):
    """Tell the author and the category's experts about each published article whose review date
    has passed, once per review date (a new verification brings a new date, and a new reminder);
    returns the articles reminded of."""
    due = db.session.scalars(
        select(Article).where(Article.status == "published", Article.review_due < (now or utcnow()),
                              or_(Article.review_reminded_for.is_(None),
                                  Article.review_reminded_for != Article.review_due))
        .order_by(Article.review_due, Article.id)).all()
    for article in due:
        people = [article.author] + category_experts(article.category_id, article.author)
        for person in {person.id: person for person in people if person is not None}.values():
            notify(person, "review_due", article.path, title=article.title,
                   category=article.category, date=article.review_due.date())
        article.review_reminded_for = article.review_due
    db.session.flush()
    return due
