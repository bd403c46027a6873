"""Saved articles in /api/v1: my saved articles, and saving or unsaving one (on kb_api)."""
from flask import url_for
from flask_login import current_user

from accounts.permissions import require
from core.api import Answer, Moment, Page, PageQuery, iso_utc, operation, paginated
from extensions import db
from kb import services
from kb.api import Status, kb_api


class SavedOut(Answer):
    article_id: int
    title: str
    url: str
    category: str
    lang: str
    status: Status
    saved_at: Moment | None


class SavedList(Page):
    saved: list[SavedOut]


class SavedState(Answer):
    article_id: int
    saved: bool


def saved_json(entry):
    """A saved article as the API shows it."""
    article = entry.article
    return {"article_id": article.id, "title": article.title,
            "url": url_for("kb.read", article_id=article.id, slug=article.slug),
            "category": article.category.slug, "lang": article.lang, "status": article.status,
            "saved_at": iso_utc(entry.created_at)}


@kb_api.get("/saved")
@operation(query=PageQuery, ok=SavedList, tags=["knowledge base"])
def list_saved(query):
    """My saved articles that I may still read, newest save first."""
    require(current_user, "article.list")
    return paginated(services.saved_articles(current_user), "saved", saved_json, query)


@kb_api.put("/articles/<int:article_id>/saved")
@operation(ok=SavedState, status=201, answers={200: SavedState}, tags=["knowledge base"])
def save_article(article_id):
    """Save the article (201 the first time, 200 when it was saved already)."""
    article = services.get_article(article_id)
    created = services.save_article(current_user, article)
    db.session.commit()
    return {"article_id": article.id, "saved": True}, 201 if created else 200


@kb_api.delete("/articles/<int:article_id>/saved")
@operation(ok=SavedState, tags=["knowledge base"])
def unsave_article(article_id):
    """Remove the article from my saved articles (saying so even when it was not saved)."""
    article = services.get_article(article_id)
    require(current_user, "article.view", article)
    services.unsave_article(current_user, article)
    db.session.commit()
    return {"article_id": article.id, "saved": False}
