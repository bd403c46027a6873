"""The search part of /api/v1: full-text search and as-you-type title suggestions (SPEC 7)."""
from typing import Literal

from flask import Blueprint
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from pydantic import ConfigDict, Field, field_validator, model_validator

from accounts.permissions import require
from config import LANGUAGES
from core.api import Answer, ErrorBody, Line, Schema, operation
from search.people import MAX_PEOPLE, find_people
from search.people import MAX_TYPED_CHARS as MAX_NAME_CHARS
from search.query import MAX_PAGE, MAX_PER_PAGE
from search.service import DEFAULT_PER_PAGE, MAX_TYPED_CHARS, check_filters, search_content, suggest_titles

search_api = Blueprint("search_api", __name__, url_prefix="/api/v1")

RETRY_AFTER_SECONDS = 30
SEARCH_UNAVAILABLE = 503
DocumentType = Literal["article", "question"]


class SearchQuery(Schema):
    """?q=&type=&category=&lang=&page=&per_page=; a member sent empty counts as not sent."""

    model_config = ConfigDict(extra="ignore")

    q: str = Field(max_length=MAX_TYPED_CHARS, description="The text to search for.")
    type: DocumentType | None = None
    category: Line | None = None
    lang: Literal[tuple(LANGUAGES)] | None = None
    page: int = Field(1, ge=1, le=MAX_PAGE)
    per_page: int = Field(DEFAULT_PER_PAGE, ge=1, le=MAX_PER_PAGE)

    @model_validator(mode="before")
    @classmethod
    def _empty_is_unset(cls, data):
        if isinstance(data, dict):
            return {key: value for key, value in data.items() if value != "" or key == "q"}
        return data

    @field_validator("q")
    @classmethod
    def _something_to_search_for(cls, text):
        if not text.strip():  # invisible characters alone are searched (and find nothing)
            raise ValueError(_l("q is required: the text to search for."))
        return text


class AlsoFound(Answer):
    id: int
    lang: str
    url: str
    title: str


class SearchResult(Answer):
    type: DocumentType
    id: int
    title: str
    url: str
    snippet: str = Field(description="HTML: the matching passage, escaped, with <mark> around the words found.")
    category: str
    lang: str
    score: float
    note: str | None = Field(None, description="Why it ranks a little higher, e.g. proven to help customers.")
    translations: list[AlsoFound] | None = Field(
        None, description="Its versions in other languages that matched too, folded into this result "
                        "(the one shown is in the caller's language when that one matched); absent when none did.")


class SearchAnswer(Answer):
    query: str = Field(description="The text as searched, normalised.")
    total: int
    took_ms: float = Field(description="Server-side time of the search, in milliseconds.")
    suggestion: str | None = Field(description="A corrected spelling that finds more, if any.")
    page: int
    per_page: int
    results: list[SearchResult]


class SuggestQuery(Schema):
    model_config = ConfigDict(extra="ignore")

    q: str = Field("", description="What has been typed so far; long or odd text finds nothing.")


class Suggestion(Answer):
    type: DocumentType
    id: int
    title: str
    url: str


class SuggestAnswer(Answer):
    results: list[Suggestion]


class PeopleQuery(Schema):
    """?q=&page=&per_page= of the people picker."""

    model_config = ConfigDict(extra="ignore")

    q: str = Field(min_length=1, max_length=MAX_NAME_CHARS,
                   description="The start of a username, or of a word of a display name.")
    page: int = Field(1, ge=1, le=MAX_PAGE)
    per_page: int = Field(MAX_PEOPLE, ge=1, le=MAX_PEOPLE)


class Person(Answer):
    username: str
    name: str
    role: str
    team: str | None


class PeopleAnswer(Answer):
    people: list[Person]
    total: int
    page: int
    per_page: int


def found_json(item):
    """A search result as the API shows it; the snippet is HTML (escaped text and <mark>).
    `translations` is there only when other language versions were folded into it."""
    found = {"type": item.type, "id": item.id, "title": item.title, "url": item.url,
             "snippet": str(item.snippet), "category": item.category.slug, "lang": item.lang,
             "score": item.score, "note": None if item.note is None else str(item.note)}
    if item.translations:
        found["translations"] = [{"id": other.id, "lang": other.lang, "url": other.url, "title": other.title}
                                 for other in item.translations]
    return found


def _unavailable():
    """503 while the index is rebuilt, with when to try again."""
    message = _l("The search index is being rebuilt; try again in a minute.")
    body = {"error": {"code": "search_unavailable", "message": str(message), "fields": {}}}
    return body, SEARCH_UNAVAILABLE, {"Retry-After": str(RETRY_AFTER_SECONDS)}


@search_api.get("/search")
@operation(query=SearchQuery, ok=SearchAnswer, answers={SEARCH_UNAVAILABLE: ErrorBody}, tags=["search"])
def search(query):
    """Search articles and answered questions; took_ms is measured on the server."""
    require(current_user, "search.use")
    filters = check_filters(query.q, query.type, query.category, query.lang, query.page, query.per_page)
    outcome = search_content(current_user, filters, channel="api")  # the log is buffered: no write lock
    if outcome.state != "ok":
        return _unavailable()
    return {"query": outcome.query, "total": outcome.total, "took_ms": outcome.took_ms,
            "suggestion": outcome.suggestion, "page": filters.page, "per_page": filters.per_page,
            "results": [found_json(item) for item in outcome.items]}


@search_api.get("/suggest")
@operation(query=SuggestQuery, ok=SuggestAnswer, tags=["search"])
def suggest(query):
    """Titles matching what has been typed so far, for the header search box."""
    require(current_user, "search.use")
    return {"results": suggest_titles(current_user, query.q)}


@search_api.get("/people")
@operation(query=PeopleQuery, ok=PeopleAnswer, tags=["search"])
def people(query):
    """Active colleagues for a people picker, by username or by a word of their name."""
    found, total = find_people(query.q, limit=query.per_page, offset=(query.page - 1) * query.per_page)
    return {"people": [{"username": person.username, "name": person.name, "role": person.role,
                        "team": person.team.name if person.team else None} for person in found],
            "total": total, "page": query.page, "per_page": query.per_page}
