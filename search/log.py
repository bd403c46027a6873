"""The search log: every query and the result opened from it, and the content gaps they reveal.

Both are written through the read buffer (core/read_buffer.py), so a search takes no write lock;
the content gaps are as recent as the last flush (seconds).
"""
import re
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import case, func, insert, or_, select, update

from accounts.permissions import expert_category_ids
from core.categories import Category
from core.clock import utcnow
from core.read_buffer import buffer_row
from extensions import db
from search.models import KEY_MAX_CHARS, QUERY_MAX_CHARS, REF_CHARS, SearchLog

GAP_DAYS = 90
GAPS_PER_CATEGORY = 20
GAP_ROWS_READ = 5000


@dataclass(frozen=True)
class ContentGap:
    """A query agents keep running that finds nothing, or nothing they open."""

    text: str
    searches: int
    without_results: int
    last_searched: object


@dataclass(frozen=True)
class CategoryGaps:
    """The content gaps of one category (category None: searches no category could be given)."""

    category: Category | None
    gaps: list[ContentGap]


SEARCH_LOG = "search-log"
SEARCH_OPENS = "search-opens"
# An opening whose search is not written yet (buffered by another process) waits this long.
OPEN_WAITS_FOR_ITS_SEARCH = timedelta(minutes=2)
_REF = re.compile(r"[0-9a-f]{%d}" % REF_CHARS)


def record_search(user, outcome, channel="page"):
    """Log a search (normalised text, filters, result count, who, when, how long); returns the
    reference of its entry. The entry is buffered (core/read_buffer.py): searching takes no lock."""
    filters = outcome.filters
    best_category = outcome.items[0].category.slug if outcome.items else None
    ref = uuid.uuid4().hex
    buffer_row(SEARCH_LOG, {
        "ref": ref, "user_id": getattr(user, "id", None), "text": outcome.query[:QUERY_MAX_CHARS],
        "type_filter": filters.type, "category_filter": filters.category, "lang_filter": filters.lang,
        "channel": channel, "category": filters.category or best_category,
        "result_count": outcome.total, "took_ms": float(outcome.took_ms), "created_at": utcnow()})
    return ref


def record_open(log_ref, user, key):
    """Note that `user` opened result `key` of their search `log_ref` (buffered, like the log);
    False when there is no such reference."""
    if not isinstance(log_ref, str) or not _REF.fullmatch(log_ref) or user is None:
        return False
    return buffer_row(SEARCH_OPENS, {"ref": log_ref, "user_id": user.id, "key": str(key)[:KEY_MAX_CHARS],
                                     "opened_at": utcnow()})


def write_search_log(session, entries):
    """The read buffer's sink of searches: insert the entries, in the order they were run."""
    session.execute(insert(SearchLog), entries)


def write_search_opens(session, opens):
    """The read buffer's sink of opened results: each recorded on its search, when that search is
    the user's (someone else's: ignored). Returns the openings whose search is not written yet
    (another process still holds it), for the next flush, until they are too old to wait for."""
    waiting = []
    for opening in opens:
        result = session.execute(
            update(SearchLog).where(SearchLog.ref == opening["ref"], SearchLog.user_id == opening["user_id"])
            .values(opened_key=opening["key"], opened_at=opening["opened_at"])
            .execution_options(synchronize_session=False))
        if result.rowcount:
            continue
        exists = session.scalar(select(SearchLog.id).where(SearchLog.ref == opening["ref"]))
        if exists is None and utcnow() - opening["opened_at"] < OPEN_WAITS_FOR_ITS_SEARCH:
            waiting.append(opening)
    return waiting


def _visible_slugs(user):
    category_ids = expert_category_ids(user)
    if category_ids is None:
        return None
    if not category_ids:
        return []
    return list(db.session.scalars(select(Category.slug).where(Category.id.in_(category_ids))))


def content_gaps(user, days=GAP_DAYS, per_category=GAPS_PER_CATEGORY, now=None):
    """Per category `user` is an expert of (all for leads), the commonest queries that found nothing
    or whose results nobody opened from the search page (API clients cannot say what they opened).
    """
    since = (now or utcnow()) - timedelta(days=days)
    opened = func.count(SearchLog.opened_key)
    searches = func.count(SearchLog.id)
    without_results = func.sum(case((SearchLog.result_count == 0, 1), else_=0))
    on_the_page = func.sum(case((SearchLog.channel == "page", 1), else_=0))
    stmt = (select(SearchLog.category, SearchLog.text, searches.label("searches"),
                   without_results.label("without_results"),
                   func.max(SearchLog.created_at).label("last_searched"))
            .where(SearchLog.created_at >= since, SearchLog.text != "")
            .group_by(SearchLog.category, SearchLog.text)
            .having(opened == 0, or_(without_results > 0, on_the_page > 0))
            .order_by(searches.desc(), func.max(SearchLog.created_at).desc(), SearchLog.text)
            .limit(GAP_ROWS_READ))
    slugs = _visible_slugs(user)
    if slugs is not None:
        stmt = stmt.where(or_(SearchLog.category.in_(slugs), SearchLog.category.is_(None)))
    by_category = {}
    for row in db.session.execute(stmt):
        gaps = by_category.setdefault(row.category, [])
        if len(gaps) < per_category:
            gaps.append(ContentGap(row.text, row.searches, int(row.without_results or 0),
                                   _as_utc(row.last_searched)))
    categories = {category.slug: category for category in db.session.scalars(
        select(Category).where(Category.slug.in_([slug for slug in by_category if slug])))}
    listed = [CategoryGaps(categories.get(slug), gaps) for slug, gaps in by_category.items()
              if slug is None or slug in categories]
    return sorted(listed, key=lambda group: (group.category is None,
                                             group.category.name.casefold() if group.category else ""))


def _as_utc(moment):
    # max() over the column comes back through the column type on PostgreSQL but not on SQLite.
    if isinstance(moment, str):
        moment = datetime.fromisoformat(moment)
    if moment is not None and moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment


def searches_leading_to(key, limit=10):
    """[(search text, times a result was opened)] of the searches whose reader opened the
    document `key` ("article:12"), most frequent first; and how often it was opened in all."""
    opened = func.count(SearchLog.id)
    rows = db.session.execute(select(SearchLog.text, opened).where(SearchLog.opened_key == key)
                              .group_by(SearchLog.text).order_by(opened.desc(), SearchLog.text)
                              .limit(limit)).all()
    total = db.session.scalar(select(func.count(SearchLog.id)).where(SearchLog.opened_key == key))
    return [(text, count) for text, count in rows], total
