"""Searching for a reader: filters checked, hits re-checked against the database, the query logged.

The index may lag the database by a moment, or hold a document the reader may not see; so
every hit is looked up again through its document source (one query per type for a whole page)
and shown only if it is still searchable and the reader may open it. Stale hits are re-synced after the commit.
"""
import time
from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l
from markupsafe import Markup

from config import LANGUAGES
from core.categories import get_category
from errors import DomainError
from extensions import db
from search.documents import parse_key
from search.engine import IndexUnavailable
from search.index import current_search
from search.jobs import refresh_documents
from search.log import record_open, record_search
from search.ops import observe_search
from search.query import MAX_PAGE, MAX_PER_PAGE, MAX_QUERY_CHARS, clean_query_text
from search.sources import document_types, source_of
from search.sync import start_rebuild

# Longer text is refused rather than cut: it is a pasted document, not a search.
MAX_TYPED_CHARS = 1000
DEFAULT_PER_PAGE = 10
SUGGESTIONS = 8


class BadSearch(DomainError):
    """A search parameter out of range; a 400 naming the parameter."""

    status = 400
    code = "bad_request"

    def __init__(self, field_name, message):
        super().__init__(message, {field_name: message})
        self.field = field_name


@dataclass(frozen=True)
class SearchFilters:
    """Validated search parameters."""

    text: str
    type: str | None = None
    category: str | None = None
    lang: str | None = None
    page: int = 1
    per_page: int = DEFAULT_PER_PAGE


@dataclass(frozen=True)
class CategoryLabel:
    """What a result shows of its category, copied so that nothing reloads after the commit."""

    slug: str
    names: dict  # {locale: name}

    def display_name(self, locale):
        """The category's name in `locale` (as Category.display_name)."""
        return self.names.get(str(locale)) or self.names[None]

    @classmethod
    def of(cls, category):
        """The label of a Category row, with its name in every interface language."""
        names = {code: category.display_name(code) for code in LANGUAGES}
        names[None] = category.name
        return cls(category.slug, names)


@dataclass(frozen=True)
class FoundItem:
    """A hit the reader may open: what the index found, checked against the database."""

    key: str
    type: str
    id: int
    title: str
    url: str
    snippet: Markup
    category: CategoryLabel
    lang: str
    score: float
    note: str | None = None  # why it ranks a little higher (its source's note_of)
    # The other language versions of it that matched and the reader may open (folding.py).
    translations: tuple["FoundTranslation", ...] = ()


@dataclass(frozen=True)
class FoundTranslation:
    """Another version of a result, shown beneath it ("also in: ar, th")."""

    id: int
    lang: str
    url: str
    title: str


@dataclass
class SearchOutcome:
    """A page of checked results; state is "ok", or "rebuilding" when the index is unavailable."""

    filters: SearchFilters
    query: str
    total: int
    items: list[FoundItem] = field(default_factory=list)
    suggestion: str | None = None
    took_ms: float = 0.0
    state: str = "ok"
    log_ref: str | None = None

    # The attributes of a Flask-SQLAlchemy pagination, so the shared pager macro can show it.
    @property
    def page(self):
        return self.filters.page

    @property
    def pages(self):
        """How many pages the results fill, at most the last page the engine serves."""
        return min(MAX_PAGE, -(-self.total // self.filters.per_page))

    @property
    def has_prev(self):
        return self.page > 1

    @property
    def has_next(self):
        return self.page < self.pages

    @property
    def prev_num(self):
        return self.page - 1

    @property
    def next_num(self):
        return self.page + 1


def _whole_number(value, name, low, high, default):
    if value is None or value == "":
        return default
    try:
        number = int(value)
    except (TypeError, ValueError):
        number = None
    if number is None or not low <= number <= high:
        raise BadSearch(name, _l("%(name)s must be a whole number from %(low)d to %(high)d.",
                                 name=name, low=low, high=high))
    return number


def check_filters(text, type=None, category=None, lang=None, page=None, per_page=None):
    """SearchFilters from raw request values; BadSearch (400) names the first bad one."""
    text = text if isinstance(text, str) else ""
    if len(text) > MAX_TYPED_CHARS:
        raise BadSearch("q", _l("The search text is too long: type a few words (at most %(n)d characters).",
                                n=MAX_QUERY_CHARS))
    if type and type not in document_types():
        raise BadSearch("type", _l("type must be “article” or “question”."))
    if lang and lang not in LANGUAGES:
        raise BadSearch("lang", _l("lang must be one of %(choices)s.", choices=", ".join(LANGUAGES)))
    slug = None
    if category:
        found = get_category(category[:200])
        if found is None:
            raise BadSearch("category", _l("Unknown category “%(category)s”.", category=category[:80]))
        slug = found.slug
    return SearchFilters(text, type or None, slug, lang or None,
                         _whole_number(page, "page", 1, MAX_PAGE, 1),
                         _whole_number(per_page, "per_page", 1, MAX_PER_PAGE, DEFAULT_PER_PAGE))


def _rows_by_id(source, ids):
    if not ids:
        return {}
    select_rows = source.select_results or source.select_searchable
    return {row.id: row for row in db.session.scalars(select_rows(ids))}


def visible_targets(user, keys):
    """{key: (type, row)} for the keys still searchable that `user` may open.

    Also returns the keys no longer searchable in the database (stale in the index).
    """
    ids = {}
    for key in keys:
        parsed = parse_key(key)
        if parsed is not None and source_of(parsed[0]) is not None:
            ids.setdefault(parsed[0], []).append(parsed[1])
    rows = {kind: _rows_by_id(source_of(kind), kind_ids) for kind, kind_ids in ids.items()}
    visible, stale = {}, []
    for key in keys:
        parsed = parse_key(key)
        target = rows.get(parsed[0], {}).get(parsed[1]) if parsed else None
        if target is None:
            stale.append(key)
        elif source_of(parsed[0]).may_open(user, target):
            visible[key] = (parsed[0], target)
    return visible, stale


def _url_of(kind, target):
    return source_of(kind).url_of(target)


def _note_of(kind, target):
    note_of = source_of(kind).note_of
    return None if note_of is None else note_of(target)


def _index_unavailable(search):
    if search.auto_rebuild:
        from flask import current_app

        start_rebuild(current_app._get_current_object())
    return "rebuilding"


def _shown_versions(hit, visible):
    """(the version of a hit to show, the others) among those the reader may open: the engine's
    choice, else the first other one when the reader may not open it."""
    versions = [hit.key] + [other.key for other in hit.translations]
    opened = [key for key in versions if key in visible]
    return (opened[0], opened[1:]) if opened else (None, [])


def search_content(user, filters, log=True, channel="page", reader_lang=None):
    """Search articles and answered questions for `user`; logs the query unless `log` is false.

    :param channel: where the search came from for the log, "page" or "api".
    :param reader_lang: the reader's interface language: of the versions of one document that
        match, the one in it is shown (default: the user's language).
    """
    started = time.perf_counter()
    search = current_search()
    outcome = SearchOutcome(filters, clean_query_text(filters.text), 0)
    if not outcome.query:
        return outcome
    reader_lang = reader_lang or getattr(user, "locale", None)
    try:
        result = search.engine.search(outcome.query, type=filters.type, category=filters.category,
                                      lang=filters.lang, page=filters.page, per_page=filters.per_page,
                                      reader_lang=reader_lang)
    except IndexUnavailable:
        outcome.state = _index_unavailable(search)
        return outcome
    visible, stale = visible_targets(user, [key for hit in result.hits
                                            for key in (hit.key, *(other.key for other in hit.translations))])
    if stale:  # the index is behind the database: have them read again, off the request
        refresh_documents(stale)
    for hit in result.hits:
        shown, others = _shown_versions(hit, visible)
        if shown is not None:
            kind, target = visible[shown]
            snippet = Markup(hit.snippet) if shown == hit.key else Markup("")
            outcome.items.append(FoundItem(
                shown, kind, target.id, target.title, _url_of(kind, target), snippet,
                CategoryLabel.of(target.category), target.lang, hit.score, _note_of(kind, target),
                tuple(FoundTranslation(visible[key][1].id, visible[key][1].lang, _url_of(*visible[key]),
                                       visible[key][1].title) for key in others)))
    outcome.total = max(len(outcome.items), result.total - (len(result.hits) - len(outcome.items)))
    outcome.suggestion = result.suggestion
    took = time.perf_counter() - started
    outcome.took_ms = round(took * 1000, 2)
    observe_search("search", took)
    if log and filters.page == 1:  # later pages are the same search
        outcome.log_ref = record_search(user, outcome, channel)
    return outcome


def suggest_titles(user, prefix, limit=SUGGESTIONS):
    """As-you-type: titles of articles and answered questions starting with what was typed."""
    if not isinstance(prefix, str) or len(prefix) > MAX_TYPED_CHARS:
        return []
    started = time.perf_counter()
    search = current_search()
    try:
        found = search.engine.suggest(clean_query_text(prefix), limit=limit)
    except IndexUnavailable:
        _index_unavailable(search)
        return []
    visible, _stale = visible_targets(user, [suggestion.key for suggestion in found])
    observe_search("suggest", time.perf_counter() - started)
    return [{"type": kind, "id": target.id, "title": target.title, "url": _url_of(kind, target)}
            for kind, target in (visible[s.key] for s in found if s.key in visible)]


def open_result(user, key, log_ref=None):
    """The URL of result `key` if it is still searchable and `user` may open it (else None).

    The opening is recorded on the user's search `log_ref`, for the content gaps.
    """
    visible, _stale = visible_targets(user, [key])
    if key not in visible:
        return None
    record_open(log_ref, user, key)
    kind, target = visible[key]
    return _url_of(kind, target)
