"""Service metrics per agent, category, team and period, aggregated in SQL.

The weekly table (AgentCategoryWeek) holds sums and counts per agent, category and ISO week. A
period's totals add the weeks lying wholly inside it from that table to the contacts of its
partial first and last weeks read from the records themselves, in one UNION ALL ... GROUP BY,
so any since/until is exact while the bulk of the work reads pre-aggregated rows. Medians are
not additive: they are computed from the records with ROW_NUMBER() over the period (SQLite and
PostgreSQL both have window functions).
"""
from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import case, delete, func, insert, literal_column, or_, select, union_all

from accounts.models import User
from core.periods import week_start
from extensions import db
from recognition.models import AgentCategoryWeek, ResolutionRecord

# Weeks per DELETE/INSERT statement when refreshing: bounded parameter lists on any database.
REFRESH_WEEKS_PER_STATEMENT = 200

TOTAL_FIELDS = ("contacts", "fcr_count", "reopened_count", "handle_sum", "nps_promoters",
                "nps_detractors", "nps_responses", "csat_sum", "csat_responses")
GROUP_KEYS = ("agent_id", "category_id", "week")

_weekly = AgentCategoryWeek.__table__
_records = ResolutionRecord.__table__


@dataclass(frozen=True)
class Totals:
    """Additive totals of a set of contacts."""

    contacts: int = 0
    fcr_count: int = 0
    reopened_count: int = 0
    handle_sum: int = 0
    nps_promoters: int = 0
    nps_detractors: int = 0
    nps_responses: int = 0
    csat_sum: int = 0
    csat_responses: int = 0


@dataclass(frozen=True)
class Metrics:
    """Service metrics of a set of contacts; rates are fractions, None without data."""

    contacts: int
    fcr: float | None  # share resolved on first contact, 0..1
    reopen_rate: float | None  # share reopened, 0..1
    aht_seconds: float | None  # mean handle time
    aht_median: float | None  # median handle time (None when not computed)
    nps: float | None  # -100..100
    nps_responses: int
    csat: float | None  # mean answer, 1..5
    csat_responses: int


def metrics_from_totals(totals, aht_median=None):
    """Turn additive totals into rates and means."""
    contacts = totals.contacts
    return Metrics(
        contacts=contacts,
        fcr=totals.fcr_count / contacts if contacts else None,
        reopen_rate=totals.reopened_count / contacts if contacts else None,
        aht_seconds=totals.handle_sum / contacts if contacts else None,
        aht_median=aht_median,
        nps=(100.0 * (totals.nps_promoters - totals.nps_detractors) / totals.nps_responses
             if totals.nps_responses else None),
        nps_responses=totals.nps_responses,
        csat=totals.csat_sum / totals.csat_responses if totals.csat_responses else None,
        csat_responses=totals.csat_responses,
    )


# Refreshing the weekly table

def record_total_columns():
    """The TOTAL_FIELDS of a group of resolution records, as labelled SQL aggregates."""
    return (
        func.count().label("contacts"),
        func.sum(case((_records.c.first_contact_resolution, 1), else_=0)).label("fcr_count"),
        func.sum(case((_records.c.reopened, 1), else_=0)).label("reopened_count"),
        func.sum(_records.c.handle_seconds).label("handle_sum"),
        func.sum(case((_records.c.nps >= 9, 1), else_=0)).label("nps_promoters"),
        func.sum(case((_records.c.nps <= 6, 1), else_=0)).label("nps_detractors"),
        func.count(_records.c.nps).label("nps_responses"),
        func.coalesce(func.sum(_records.c.csat), 0).label("csat_sum"),
        func.count(_records.c.csat).label("csat_responses"),
    )


def in_period(period):
    """WHERE conditions of the records opened in the period (the week bounds let the (category,
    week) and (agent, week) indexes narrow the scan)."""
    return (_records.c.week >= week_start(period.since), _records.c.week <= week_start(period.until),
            _records.c.opened_at >= period.start, _records.c.opened_at < period.end)


def _record_totals():
    """SELECT agent, category, week and the totals of the records (before WHERE and GROUP BY)."""
    columns = (_records.c.agent_id, _records.c.category_id, _records.c.week)
    return select(*columns, *record_total_columns()).group_by(*columns)


def _insert_totals(where):
    source = _record_totals().where(*where)
    db.session.execute(insert(_weekly).from_select(list(GROUP_KEYS) + list(TOTAL_FIELDS), source))


def refresh_metrics(affected):
    """Recompute the weekly totals of the given (category id, week Monday) pairs from the records."""
    weeks_by_category = defaultdict(set)
    for category_id, week in affected:
        weeks_by_category[category_id].add(week)
    for category_id, weeks in sorted(weeks_by_category.items()):
        weeks = sorted(weeks)
        for start in range(0, len(weeks), REFRESH_WEEKS_PER_STATEMENT):
            part = weeks[start:start + REFRESH_WEEKS_PER_STATEMENT]
            db.session.execute(delete(_weekly).where(
                _weekly.c.category_id == category_id, _weekly.c.week.in_(part)))
            _insert_totals((_records.c.category_id == category_id, _records.c.week.in_(part)))


def recompute_metrics():
    """Rebuild the whole weekly table from the records; returns the number of weekly rows."""
    db.session.execute(delete(_weekly))
    _insert_totals(())
    return db.session.scalar(select(func.count()).select_from(_weekly))


# Reading totals for a period

def in_scope(statement, table, category_id=None, agent_id=None, team_id=None):
    """`statement` limited to a category, an agent and a team's agents (None: no limit)."""
    if category_id is not None:
        statement = statement.where(table.c.category_id == category_id)
    if agent_id is not None:
        statement = statement.where(table.c.agent_id == agent_id)
    if team_id is not None:
        statement = statement.where(table.c.agent_id.in_(select(User.id).where(User.team_id == team_id)))
    return statement


def _period_parts(period, category_id, agent_id, team_id):
    """SELECTs of per-row totals: whole weeks from the weekly table, partial weeks from records."""
    full = period.full_weeks()
    parts = []
    if full is not None:
        parts.append(in_scope(
            select(*(_weekly.c[name] for name in GROUP_KEYS + TOTAL_FIELDS))
            .where(_weekly.c.week >= full[0], _weekly.c.week <= full[1]),
            _weekly, category_id, agent_id, team_id))
    edges = select(
        _records.c.agent_id, _records.c.category_id, _records.c.week,
        literal_column("1").label("contacts"),
        case((_records.c.first_contact_resolution, 1), else_=0).label("fcr_count"),
        case((_records.c.reopened, 1), else_=0).label("reopened_count"),
        _records.c.handle_seconds.label("handle_sum"),
        case((_records.c.nps >= 9, 1), else_=0).label("nps_promoters"),
        case((_records.c.nps <= 6, 1), else_=0).label("nps_detractors"),
        case((_records.c.nps.is_not(None), 1), else_=0).label("nps_responses"),
        func.coalesce(_records.c.csat, 0).label("csat_sum"),
        case((_records.c.csat.is_not(None), 1), else_=0).label("csat_responses"),
    ).where(*in_period(period))
    if full is not None:
        edges = edges.where(or_(_records.c.week < full[0], _records.c.week > full[1]))
    parts.append(in_scope(edges, _records, category_id, agent_id, team_id))
    return parts


def period_totals(period, group_by=(), *, category_id=None, agent_id=None, team_id=None):
    """{key: Totals} for the period, grouped by some of agent_id, category_id, week.

    The key is a tuple of the group_by values (the empty tuple without grouping).
    """
    parts = _period_parts(period, category_id, agent_id, team_id)
    rows = union_all(*parts).subquery() if len(parts) > 1 else parts[0].subquery()
    keys = [rows.c[name] for name in group_by]
    statement = select(*keys, *(func.sum(rows.c[name]).label(name) for name in TOTAL_FIELDS))
    if keys:
        statement = statement.group_by(*keys).order_by(*keys)
    result = {}
    for row in db.session.execute(statement):
        totals = Totals(*(int(value or 0) for value in row[len(keys):]))
        if totals.contacts:
            result[tuple(row[:len(keys)])] = totals
    return result


def median_handle_seconds(period, group_by=(), *, category_id=None, agent_id=None, team_id=None):
    """{key: median handle seconds} of the period's contacts, grouped like period_totals."""
    partition = [_records.c[name] for name in group_by]
    ranked = in_scope(
        select(*partition, _records.c.handle_seconds,
               func.row_number().over(partition_by=partition or None,
                                      order_by=_records.c.handle_seconds).label("position"),
               func.count().over(partition_by=partition or None).label("total"))
        .where(*in_period(period)),
        _records, category_id, agent_id, team_id).subquery()
    keys = [ranked.c[name] for name in group_by]
    # The middle row, or the two middle rows of an even count, averaged.
    statement = select(*keys, func.avg(ranked.c.handle_seconds)).where(or_(
        ranked.c.position == (ranked.c.total + 1) // 2, ranked.c.position == (ranked.c.total + 2) // 2))
    if keys:
        statement = statement.group_by(*keys)
    return {tuple(row[:-1]): float(row[-1]) for row in db.session.execute(statement) if row[-1] is not None}


def period_metrics(period, *, category_id=None, agent_id=None, team_id=None):
    """Metrics (with the median AHT) of all contacts in the period matching the filters."""
    scope = {"category_id": category_id, "agent_id": agent_id, "team_id": team_id}
    totals = period_totals(period, **scope).get((), Totals())
    median = median_handle_seconds(period, **scope).get(()) if totals.contacts else None
    return metrics_from_totals(totals, median)


def grouped_metrics(period, key, *, category_id=None, agent_id=None, team_id=None):
    """{agent_id or category_id: Metrics with median} for the period, one entry per value of `key`."""
    scope = {"category_id": category_id, "agent_id": agent_id, "team_id": team_id}
    totals = period_totals(period, (key,), **scope)
    medians = median_handle_seconds(period, (key,), **scope) if totals else {}
    return {value: metrics_from_totals(total, medians.get((value,))) for (value,), total in totals.items()}


def weekly_metrics(period, *, category_id=None, agent_id=None, team_id=None):
    """[(week Monday, Metrics)] for every week the period touches; weeks without contacts have 0."""
    totals = period_totals(period, ("week",), category_id=category_id, agent_id=agent_id,
                           team_id=team_id)
    return [(week, metrics_from_totals(totals.get((week,), Totals()))) for week in period.weeks()]

