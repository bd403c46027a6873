"""Saved articles: the bookmarks a reader keeps to find an article again during a call."""
from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from accounts.permissions import require
from extensions import db
from kb.models import Article, SavedArticle
from kb.services.articles import visible_articles


def save_article(user, article):
    """Save `article` for `user` (who must be allowed to read it); saving it again changes
    nothing. Returns True when it was not saved before."""
    require(user, "article.view", article)
    if is_saved(user, article):
        return False
    try:
        with db.session.begin_nested():  # a second request saving it at the same moment
            db.session.add(SavedArticle(user_id=user.id, article_id=article.id))
    except IntegrityError:
        return False
    return True


def unsave_article(user, article):
    """Remove `article` from `user`'s saved articles; True when it was saved."""
    result = db.session.execute(delete(SavedArticle).where(
        SavedArticle.user_id == user.id, SavedArticle.article_id == article.id))
    return bool(result.rowcount)


def is_saved(user, article):
    """Whether `user` saved `article`."""
    return db.session.scalar(select(SavedArticle.id).where(
        SavedArticle.user_id == user.id, SavedArticle.article_id == article.id)) is not None


def saved_articles(user):
    """Select statement of `user`'s saved articles that they may still read, newest save first.

    A saved article that went back to a draft its reader may not see is left out; an archived
    one stays (its page says it is archived).
    """
    return (select(SavedArticle).join(Article, SavedArticle.article_id == Article.id)
            .where(SavedArticle.user_id == user.id, visible_articles(user))
            .options(selectinload(SavedArticle.article).selectinload(Article.category))
            .order_by(SavedArticle.created_at.desc(), SavedArticle.id.desc()))
