"""The search log: every query and the result opened from it, and the content gaps they reveal."""
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import case, func, or_, select, update

from accounts.permissions import expert_category_ids
from core.categories import Category
from core.clock import utcnow
from extensions import db
from search.models import KEY_MAX_CHARS, QUERY_MAX_CHARS, SearchLog

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


def record_search(user, outcome, channel="page"):
    """Log a search (normalised text, filters, result count, who, when, how long); returns its id."""
    filters = outcome.filters
    best_category = outcome.items[0].category.slug if outcome.items else None
    entry = SearchLog(user_id=getattr(user, "id", None), text=outcome.query[:QUERY_MAX_CHARS],
                      type_filter=filters.type, category_filter=filters.category,
                      lang_filter=filters.lang, channel=channel, category=filters.category or best_category,
                      result_count=outcome.total, took_ms=float(outcome.took_ms))
    db.session.add(entry)
    db.session.flush()
    return entry.id


def record_open(log_id, user, key):
    """Note that `user` opened result `key` of their search `log_id` (someone else's log: ignored)."""
    if not isinstance(log_id, int) or user is None:
        return False
    result = db.session.execute(
        update(SearchLog).where(SearchLog.id == log_id, SearchLog.user_id == user.id)
        .values(opened_key=str(key)[:KEY_MAX_CHARS], opened_at=utcnow())
        .execution_options(synchronize_session=False))
    return result.rowcount == 1


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
