"""The search part of /api/v1: full-text search and as-you-type title suggestions (SPEC 7)."""
from flask import Blueprint, jsonify, request
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from accounts.permissions import require
from core.api import api_login_required
from database import begin_write
from errors import json_error
from extensions import db
from search.service import BadSearch, check_filters, search_content, suggest_titles

search_api = Blueprint("search_api", __name__, url_prefix="/api/v1")

RETRY_AFTER_SECONDS = 30


def found_json(item):
    """A search result as the API shows it; the snippet is HTML (escaped text and <mark>)."""
    return {"type": item.type, "id": item.id, "title": item.title, "url": item.url,
            "snippet": str(item.snippet), "category": item.category.slug, "lang": item.lang,
            "score": item.score}


@search_api.get("/search")
@api_login_required
def search():
    """Search articles and answered questions; took_ms is measured on the server."""
    require(current_user, "search.use")
    args = request.args
    if not args.get("q", "").strip():
        raise BadSearch("q", _l("q is required: the text to search for."))
    filters = check_filters(args["q"], args.get("type"), args.get("category"), args.get("lang"),
                            args.get("page"), args.get("per_page"))
    begin_write()  # the query is logged: take the write lock before reading
    outcome = search_content(current_user, filters, channel="api")
    if outcome.state != "ok":
        response, status = json_error(503, _l("The search index is being rebuilt; try again in a minute."),
                                      code="search_unavailable")
        response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response, status
    db.session.commit()
    return jsonify({"query": outcome.query, "total": outcome.total, "took_ms": outcome.took_ms,
                    "suggestion": outcome.suggestion, "page": filters.page, "per_page": filters.per_page,
                    "results": [found_json(item) for item in outcome.items]})


@search_api.get("/suggest")
@api_login_required
def suggest():
    """Titles matching what has been typed so far, for the header search box."""
    require(current_user, "search.use")
    return jsonify({"results": suggest_titles(current_user, request.args.get("q", ""))})
