"""The knowledge base's document source for search: published articles."""
from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from accounts.permissions import can
from core.clock import utcnow
from core.markdown import markdown_to_text
from kb.models import Article
from search.documents import BASE_BOOST, VERIFIED_BOOST, helpful_boost, make_key, recency_boost
from search.sources import DocumentSource

ARTICLE = "article"


def article_boost(article, now):
    """Ranking lift of an article: verified and not overdue, found helpful, recently updated,
    proven to help customers (a small, configurable lift: KNOWHOW_IMPACT_SEARCH_BOOST)."""
    boost = BASE_BOOST + recency_boost(article.updated_at, now)
    if article.verified_at is not None and not article.is_overdue(now):
        boost += VERIFIED_BOOST
    boost += helpful_boost(article.helpful_count or 0, article.unhelpful_count or 0)
    if article.impact_lift is not None:
        boost += current_app.config["IMPACT_SEARCH_BOOST"]
    return round(max(0.0, boost), 4)


def proven_note(article):
    """Why a proven article ranks a little higher, shown beside the result."""
    if article.impact_lift is None:
        return None
    return _l("Proven: first-contact resolution %(points)s points when used",
              points="%+d" % round(article.impact_lift * 100))


def article_document(article, now=None):
    """The search document of a published article."""
    body = markdown_to_text(article.body or "")
    if article.summary:
        body = article.summary + "\n" + body
    return {
        "key": make_key(ARTICLE, article.id), "type": ARTICLE, "id": article.id,
        "title": article.title, "body": body, "category": article.category.slug,
        "lang": article.lang, "tags": [tag.name for tag in article.tags],
        "boost": article_boost(article, now or utcnow()), "updated_at": article.updated_at,
        # The translations of one article are one result (search/folding.py).
        "group": (make_key("article-group", article.translation_group_id)
                  if article.translation_group_id is not None else None),
    }


def searchable_articles(ids=None):
    """Select statement of the published articles (those with `ids`), with what documents need."""
    stmt = (select(Article).where(Article.status == "published")
            .options(selectinload(Article.category), selectinload(Article.tags))
            .order_by(Article.id))
    if ids is not None:
        stmt = stmt.where(Article.id.in_(list(ids)))
    return stmt


def published_articles_for_results(ids):
    """The published articles among `ids`, with only the category a result shows."""
    return (select(Article).options(joinedload(Article.category))
            .where(Article.id.in_(list(ids)), Article.status == "published"))


ARTICLES = DocumentSource(
    kind=ARTICLE,
    select_searchable=searchable_articles,
    make_document=article_document,
    may_open=lambda user, article: can(user, "article.view", article),
    url_of=lambda article: article.path,
    # Tags live in the article_tag association table: a change of tags dirties the Article.
    tables={"article": "id"},
    select_results=published_articles_for_results,
    note_of=proven_note,
)
