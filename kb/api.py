"""The knowledge-base part of /api/v1: categories, articles, revisions and feedback."""
from flask import Blueprint, current_app, jsonify, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from accounts.permissions import require
from core import categories
from core.api import api_login_required, iso_utc, json_body, paginated, refuse_bodies_over, string_field
from errors import Invalid
from extensions import db
from kb import services

kb_api = Blueprint("kb_api", __name__, url_prefix="/api/v1")

# A 200 KB article fits several times over even with every character \u-escaped; anything
# larger is refused before it is parsed.
MAX_ARTICLE_REQUEST_BYTES = 1024 * 1024
# Members of the article JSON a client may send back unchanged in a PATCH; they are ignored.
READ_ONLY_FIELDS = frozenset({
    "id", "slug", "html", "author", "url", "created_at", "updated_at", "published_at",
    "verified_at", "verified_by", "review_due", "overdue", "view_count", "helpful_count",
    "unhelpful_count", "source_answer_id",
})
EDITABLE_FIELDS = frozenset({"title", "body", "summary", "category", "tags", "lang", "status",
                             "note", "revision"})


@kb_api.before_request
def _refuse_oversized_requests():
    if request.method in ("POST", "PATCH", "PUT"):
        refuse_bodies_over(MAX_ARTICLE_REQUEST_BYTES, _l(
            "The request is too large (%(size)d KB). An article body may have at most "
            "%(limit)d KB of Markdown."), limit=services.BODY_MAX_BYTES // 1024)



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
    }


def revision_json(revision):
    """A revision as the API shows it (its Markdown, not its HTML)."""
    return {"number": revision.number, "title": revision.title, "summary": revision.summary,
            "body": revision.body, "note": revision.note,
            "author": revision.author.username if revision.author else None,
            "created_at": iso_utc(revision.created_at)}


def _tags_field(data):
    tags = data.get("tags")
    if tags is None:
        return None
    if not isinstance(tags, list):
        raise Invalid("tags", _l("tags must be a list of strings."))
    return tags


def _revision_field(data):
    revision = data.get("revision")
    if revision is not None and (not isinstance(revision, int) or isinstance(revision, bool)):
        raise Invalid("revision", _l("revision must be a whole number."))
    return revision


def _reject_unknown_fields(data, allowed):
    unknown = sorted(set(data) - allowed - READ_ONLY_FIELDS)
    if unknown:
        raise Invalid(unknown[0], _l("Unknown field “%(field)s”.", field=unknown[0][:40]))


@kb_api.get("/categories")
@api_login_required
def list_categories():
    """Every category."""
    require(current_user, "article.list")
    return jsonify(paginated(categories.select_categories(), "categories", category_json,
                              default_per_page=100))


@kb_api.post("/categories")
@api_login_required
def create_category():
    """Add a category (leads and admins)."""
    require(current_user, "category.manage")
    data = json_body()
    translations = data.get("translations")
    if translations is not None and not isinstance(translations, dict):
        raise Invalid("translations", _l("translations must map language codes to names."))
    category = categories.create_category(
        string_field(data, "name", required=True), string_field(data, "slug"),
        string_field(data, "description", default=""), translations)
    db.session.commit()
    return jsonify(category_json(category)), 201


@kb_api.get("/articles")
@api_login_required
def list_articles():
    """Articles the caller may see, filtered like the list page."""
    require(current_user, "article.list")
    category = None
    if request.args.get("category"):
        category = categories.require_category(request.args["category"])
    status = request.args.get("status", "published")
    if status not in services.STATUS_LABELS and status != "all":
        raise Invalid("status", _l("Unknown status “%(status)s”.", status=status[:20]))
    stmt = services.list_articles(current_user, category=category, tag=request.args.get("tag"),
                                  status=status, lang=request.args.get("lang") or None)
    return jsonify(paginated(stmt, "articles", article_json))


@kb_api.post("/articles")
@api_login_required
def create_article():
    """Write an article; publishing needs expert rights in its category."""
    require(current_user, "article.create")
    data = json_body()
    _reject_unknown_fields(data, EDITABLE_FIELDS - {"revision"})
    article = services.create_article(
        current_user, string_field(data, "title", required=True),
        string_field(data, "body", required=True), string_field(data, "category", required=True),
        tags=_tags_field(data) or (), lang=string_field(data, "lang", default="en"),
        summary=string_field(data, "summary", default=""), status=string_field(data, "status"),
        note=string_field(data, "note", default=""),
        review_interval_days=current_app.config["REVIEW_INTERVAL_DAYS"])
    db.session.commit()
    response = jsonify(article_json(article))
    response.headers["Location"] = url_for("kb_api.get_article", article_id=article.id)
    return response, 201


@kb_api.get("/articles/<int:article_id>")
@api_login_required
def get_article(article_id):
    """One article with its sanitised HTML."""
    article = services.get_article(article_id)
    require(current_user, "article.view", article)
    return jsonify(article_json(article))


@kb_api.patch("/articles/<int:article_id>")
@api_login_required
def update_article(article_id):
    """Change an article (a new revision); send "revision" to refuse overwriting newer edits."""
    article = services.get_article(article_id)
    require(current_user, "article.edit", article)
    data = json_body()
    _reject_unknown_fields(data, EDITABLE_FIELDS)
    services.update_article(
        article, current_user, title=string_field(data, "title"), body=string_field(data, "body"),
        summary=string_field(data, "summary"), category=string_field(data, "category"),
        tags=_tags_field(data), lang=string_field(data, "lang"),
        status=string_field(data, "status"), note=string_field(data, "note", default=""),
        base_revision=_revision_field(data),
        review_interval_days=current_app.config["REVIEW_INTERVAL_DAYS"])
    db.session.commit()
    return jsonify(article_json(article))


@kb_api.get("/articles/<int:article_id>/revisions")
@api_login_required
def list_revisions(article_id):
    """The article's revisions, newest first."""
    article = services.get_article(article_id)
    require(current_user, "article.view", article)
    return jsonify(paginated(services.list_revisions(article), "revisions", revision_json))


@kb_api.post("/articles/<int:article_id>/feedback")
@api_login_required
def give_feedback(article_id):
    """Record or change the caller's "Did this solve it?" vote."""
    article = services.get_article(article_id)
    require(current_user, "article.view", article)
    data = json_body()
    if "helpful" not in data:
        raise Invalid("helpful", _l("helpful is required: true or false."))
    vote, created = services.record_feedback(article, current_user, data["helpful"],
                                             string_field(data, "comment", default=""))
    db.session.commit()
    body = {"article_id": article.id, "helpful": vote.helpful, "comment": vote.comment,
            "helpful_count": article.helpful_count, "unhelpful_count": article.unhelpful_count}
    return jsonify(body), 201 if created else 200
