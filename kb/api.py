"""The knowledge-base part of /api/v1: categories, articles, revisions and feedback."""
from typing import Literal

from flask import Blueprint, current_app, url_for
from flask_login import current_user
from pydantic import Field, StrictBool, model_validator

from accounts.permissions import require
from core import categories
from core.api import (
    MAX_PER_PAGE,
    Answer,
    Line,
    Moment,
    Page,
    PageQuery,
    RecordId,
    Schema,
    Text,
    Whole,
    iso_utc,
    operation,
    paginated,
)
from extensions import db
from kb import services
from security import body_limit

kb_api = Blueprint("kb_api", __name__, url_prefix="/api/v1")

# Members of the article JSON a client may send back unchanged in a PATCH; they are ignored.
READ_ONLY_FIELDS = frozenset({
    "id", "slug", "html", "author", "url", "created_at", "updated_at", "published_at",
    "verified_at", "verified_by", "review_due", "overdue", "view_count", "helpful_count",
    "unhelpful_count", "source_answer_id", "translation_group", "translations", "translated_from",
    "translated_from_revision", "translation_outdated",
})
Status = Literal["draft", "in_review", "published", "archived"]


class CategoryIn(Schema):
    name: Line
    slug: Line | None = None
    description: Text = ""
    translations: dict[Line, Line] | None = None


class CategoryOut(Answer):
    id: int
    slug: str
    name: str
    description: str | None
    translations: dict[str, str]


class CategoryList(Page):
    categories: list[CategoryOut]


class CategoryListQuery(PageQuery):
    per_page: int = Field(MAX_PER_PAGE, ge=1, le=MAX_PER_PAGE)


class ArticleListQuery(PageQuery):
    category: Line | None = None
    tag: Line | None = None
    status: Literal["draft", "in_review", "published", "archived", "all"] = "published"
    lang: Line | None = None


class ArticleIn(Schema):
    title: Line
    body: Text
    category: Line
    tags: list[Line] | None = None
    lang: Line = "en"
    summary: Text = ""
    status: Status | None = None
    note: Text = ""


class ArticleChange(Schema):
    """A PATCH: members left out stay as they are; `revision` refuses overwriting newer edits."""

    title: Line | None = None
    body: Text | None = None
    category: Line | None = None
    tags: list[Line] | None = None
    lang: Line | None = None
    summary: Text | None = None
    status: Status | None = None
    note: Text = ""
    revision: Whole | None = None

    @model_validator(mode="before")
    @classmethod
    def _ignore_read_only_members(cls, data):
        if isinstance(data, dict):
            return {key: value for key, value in data.items() if key not in READ_ONLY_FIELDS}
        return data


class TranslationOut(Answer):
    id: int
    lang: str
    url: str
    title: str
    status: Status
    outdated: bool


class TranslationLink(Schema):
    article_id: RecordId = Field(description="The article to link as a translation of this one: it must "
                                             "stand alone, in a language the group has no version in.")


class ArticleOut(Answer):
    id: int
    title: str
    slug: str
    summary: str | None
    body: str
    html: str
    category: str
    tags: list[str]
    lang: str
    status: Status
    revision: int
    author: str | None
    url: str
    created_at: Moment | None
    updated_at: Moment | None
    published_at: Moment | None
    verified_at: Moment | None
    verified_by: str | None
    review_due: Moment | None
    overdue: bool
    view_count: int
    helpful_count: int
    unhelpful_count: int
    source_answer_id: int | None
    translation_group: int
    translations: list[TranslationOut]
    translated_from: int | None
    translated_from_revision: int | None
    translation_outdated: bool


class ArticleList(Page):
    articles: list[ArticleOut]


class RevisionOut(Answer):
    number: int
    title: str
    summary: str | None
    body: str
    note: str | None
    author: str | None
    created_at: Moment | None


class RevisionList(Page):
    revisions: list[RevisionOut]


class FeedbackIn(Schema):
    helpful: StrictBool
    comment: Text = ""


class FeedbackOut(Answer):
    article_id: int
    helpful: bool
    comment: str | None
    helpful_count: int
    unhelpful_count: int


def category_json(category):
    """A category as the API shows it."""
    return {"id": category.id, "slug": category.slug, "name": category.name,
            "description": category.description, "translations": category.translations or {}}


def article_json(article):
    """An article as the API shows it (SPEC section 7)."""
    return {
        "id": article.id,
        "title": article.title,
        "slug": article.slug,
        "summary": article.summary,
        "body": article.body,
        "html": article.html,
        "category": article.category.slug,
        "tags": [tag.name for tag in article.tags],
        "lang": article.lang,
        "status": article.status,
        "revision": article.revision_number,
        "author": article.author.username if article.author else None,
        "url": url_for("kb.read", article_id=article.id, slug=article.slug),
        "created_at": iso_utc(article.created_at),
        "updated_at": iso_utc(article.updated_at),
        "published_at": iso_utc(article.published_at),
        "verified_at": iso_utc(article.verified_at),
        "verified_by": article.verifier.username if article.verifier else None,
        "review_due": iso_utc(article.review_due),
        "overdue": article.is_overdue(),
        "view_count": article.view_count,
        "helpful_count": article.helpful_count,
        "unhelpful_count": article.unhelpful_count,
        "source_answer_id": article.source_answer_id,
        "translation_group": article.group_key,
        "translations": [translation_json(other)
                         for other in services.visible_translations(article, current_user)],
        "translated_from": article.translated_from_id,
        "translated_from_revision": article.translated_from_revision,
        "translation_outdated": article.translation_outdated_at is not None,
    }


def translation_json(article):
    """Another language version of an article, as its translations list shows it."""
    return {"id": article.id, "lang": article.lang, "title": article.title, "status": article.status,
            "url": url_for("kb.read", article_id=article.id, slug=article.slug),
            "outdated": article.translation_outdated_at is not None}


def revision_json(revision):
    """A revision as the API shows it (its Markdown, not its HTML)."""
    return {"number": revision.number, "title": revision.title, "summary": revision.summary,
            "body": revision.body, "note": revision.note,
            "author": revision.author.username if revision.author else None,
            "created_at": iso_utc(revision.created_at)}


@kb_api.get("/categories")
@operation(query=CategoryListQuery, ok=CategoryList, tags=["knowledge base"])
def list_categories(query):
    """Every category."""
    require(current_user, "article.list")
    return paginated(categories.select_categories(), "categories", category_json, query)


@kb_api.post("/categories")
@operation(json=CategoryIn, ok=CategoryOut, status=201, tags=["knowledge base"])
def create_category(json):
    """Add a category (leads and admins)."""
    require(current_user, "category.manage")
    category = categories.create_category(json.name, json.slug, json.description, json.translations)
    db.session.commit()
    return category_json(category), 201


@kb_api.get("/articles")
@operation(query=ArticleListQuery, ok=ArticleList, tags=["knowledge base"])
def list_articles(query):
    """Articles the caller may see, filtered like the list page."""
    require(current_user, "article.list")
    category = categories.require_category(query.category) if query.category else None
    stmt = services.list_articles(current_user, category=category, tag=query.tag,
                                  status=query.status, lang=query.lang or None)
    return paginated(stmt, "articles", article_json, query)


@kb_api.post("/articles")
@body_limit(services.article_request_bytes, services.too_much_text)
@operation(json=ArticleIn, ok=ArticleOut, status=201, tags=["knowledge base"])
def create_article(json):
    """Write an article; publishing needs expert rights in its category."""
    require(current_user, "article.create")
    article = services.create_article(
        current_user, json.title, json.body, json.category, tags=json.tags or (), lang=json.lang,
        summary=json.summary, status=json.status, note=json.note,
        review_interval_days=current_app.config["REVIEW_INTERVAL_DAYS"])
    db.session.commit()
    return article_json(article), 201, {"Location": url_for("kb_api.get_article", article_id=article.id)}


@kb_api.get("/articles/<int:article_id>")
@operation(ok=ArticleOut, tags=["knowledge base"])
def get_article(article_id):
    """One article with its sanitised HTML."""
    article = services.get_article(article_id)
    require(current_user, "article.view", article)
    return article_json(article)


@kb_api.patch("/articles/<int:article_id>")
@body_limit(services.article_request_bytes, services.too_much_text)
@operation(json=ArticleChange, ok=ArticleOut, tags=["knowledge base"])
def update_article(article_id, json):
    """Change an article (a new revision); send "revision" to refuse overwriting newer edits."""
    article = services.get_article(article_id)
    require(current_user, "article.edit", article)
    services.update_article(
        article, current_user, title=json.title, body=json.body, summary=json.summary,
        category=json.category, tags=json.tags, lang=json.lang, status=json.status, note=json.note,
        base_revision=json.revision, review_interval_days=current_app.config["REVIEW_INTERVAL_DAYS"])
    db.session.commit()
    return article_json(article)


@kb_api.get("/articles/<int:article_id>/revisions")
@operation(query=PageQuery, ok=RevisionList, tags=["knowledge base"])
def list_revisions(article_id, query):
    """The article's revisions, newest first."""
    article = services.get_article(article_id)
    require(current_user, "article.view", article)
    return paginated(services.list_revisions(article), "revisions", revision_json, query)


@kb_api.post("/articles/<int:article_id>/feedback")
@operation(json=FeedbackIn, ok=FeedbackOut, status=201, answers={200: FeedbackOut},
           tags=["knowledge base"])
def give_feedback(article_id, json):
    """Record or change the caller's "Did this solve it?" vote (201 the first time, then 200)."""
    article = services.get_article(article_id)
    require(current_user, "article.view", article)
    vote, created = services.record_feedback(article, current_user, json.helpful, json.comment)
    db.session.commit()
    body = {"article_id": article.id, "helpful": vote.helpful, "comment": vote.comment,
            "helpful_count": article.helpful_count, "unhelpful_count": article.unhelpful_count}
    return body, 201 if created else 200


@kb_api.post("/articles/<int:article_id>/translations")
@operation(json=TranslationLink, ok=ArticleOut, status=201, tags=["knowledge base"])
def link_translation(article_id, json):
    """Link an existing article as a translation of this one (who may edit both); answers this one."""
    article = services.get_article(article_id)
    require(current_user, "article.edit", article)
    services.link_translation(article, services.get_article(json.article_id), current_user)
    db.session.commit()
    return article_json(article), 201


@kb_api.delete("/articles/<int:article_id>/translations/<int:other_id>")
@operation(ok=ArticleOut, tags=["knowledge base"])
def unlink_translation(article_id, other_id):
    """Take article `other_id` out of this article's translations; it stands alone again."""
    article = services.get_article(article_id)
    require(current_user, "article.edit", article)
    services.unlink_translation(article, services.get_article(other_id), current_user)
    db.session.commit()
    return article_json(article)
