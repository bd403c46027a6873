"""Metrics per agent, category, team and period: SQL aggregation checked against plain arithmetic."""
import statistics
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from accounts import services as accounts
from core.periods import Period, parse_period, week_start
from errors import Invalid
from extensions import db
from recognition.models import AgentCategoryWeek, ResolutionRecord
from recognition.services import agent_metrics, period_metrics, recompute_metrics, weekly_metrics
from recognition.services.metrics import median_handle_seconds, period_totals
from tests.factories import make_user
from tests.factories_recognition import csv_file, days_ago, make_category, planted_rows, row, run_import

START = datetime(2025, 3, 1, 8, 0, tzinfo=UTC)  # a Saturday


@pytest.fixture
def contacts(ctx):
    """Forty days of contacts for sara and ali (billing, internet), with varied values."""
    make_user("sara", team="Tehran")
    make_user("ali", team="Dubai")
    billing = make_category("billing")
    make_category("internet")
    rows = []
    for number in range(80):
        opened_at = START + timedelta(hours=12 * number)
        rows.append(row(
            f"T{number}", "sara" if number % 3 else "ali", "billing" if number % 4 else "internet",
            opened_at.isoformat(), str(120 + 7 * number), "1" if number % 5 else "0",
            reopened="1" if number % 7 == 0 else "0", nps=str(number % 11) if number % 2 else "",
            csat=str(1 + number % 5) if number % 4 == 1 else ""))
    run_import(csv_file(rows))
    return billing


def brute_force(since, until, **filters):
    """The period's figures computed in Python from every stored record."""
    chosen = [record for record in db.session.scalars(select(ResolutionRecord))
              if since <= record.opened_at.date() <= until
              and all(getattr(record, name) == value for name, value in filters.items())]
    surveyed = [record.nps for record in chosen if record.nps is not None]
    rated = [record.csat for record in chosen if record.csat is not None]
    return {
        "contacts": len(chosen),
        "fcr": sum(record.first_contact_resolution for record in chosen) / len(chosen),
        "reopen_rate": sum(bool(record.reopened) for record in chosen) / len(chosen),
        "aht_seconds": sum(record.handle_seconds for record in chosen) / len(chosen),
        "aht_median": statistics.median(record.handle_seconds for record in chosen),
        "nps": 100 * (sum(score >= 9 for score in surveyed) - sum(score <= 6 for score in surveyed))
        / len(surveyed) if surveyed else None,
        "nps_responses": len(surveyed),
        "csat": sum(rated) / len(rated) if rated else None,
        "csat_responses": len(rated),
    }


def as_dict(metrics):
    return {name: getattr(metrics, name) for name in (
        "contacts", "fcr", "reopen_rate", "aht_seconds", "aht_median", "nps", "nps_responses", "csat",
        "csat_responses")}


@pytest.mark.parametrize(("since", "until"), [
    (date(2025, 3, 1), date(2025, 4, 9)),  # everything
    (date(2025, 3, 5), date(2025, 3, 25)),  # starts and ends mid-week
    (date(2025, 3, 10), date(2025, 3, 23)),  # exactly two ISO weeks
    (date(2025, 3, 12), date(2025, 3, 14)),  # inside one week
])
def test_period_metrics_equal_plain_arithmetic_over_the_records(contacts, since, until):
    measured = as_dict(period_metrics(Period(since, until)))
    expected = brute_force(since, until)
    assert measured == pytest.approx(expected)


def test_period_metrics_filter_by_agent_and_category(contacts):
    sara = accounts.get_user("sara")
    measured = period_metrics(Period(date(2025, 3, 4), date(2025, 3, 30)), agent_id=sara.id,
                              category_id=contacts.id)
    assert as_dict(measured) == pytest.approx(
        brute_force(date(2025, 3, 4), date(2025, 3, 30), agent_id=sara.id, category_id=contacts.id))


def test_team_metrics_count_only_the_team_members(contacts):
    tehran = accounts.get_team("Tehran")
    sara = accounts.get_user("sara")
    period = Period(date(2025, 3, 1), date(2025, 4, 9))
    assert as_dict(period_metrics(period, team_id=tehran.id)) == as_dict(period_metrics(period, agent_id=sara.id))


def test_weekly_table_holds_the_sums_of_each_agent_category_and_week(contacts):
    sara = accounts.get_user("sara")
    week = date(2025, 3, 10)
    stored = db.session.scalar(select(AgentCategoryWeek).where(
        AgentCategoryWeek.agent_id == sara.id, AgentCategoryWeek.category_id == contacts.id,
        AgentCategoryWeek.week == week))
    records = list(db.session.scalars(select(ResolutionRecord).where(
        ResolutionRecord.agent_id == sara.id, ResolutionRecord.category_id == contacts.id,
        ResolutionRecord.week == week)))
    assert stored.contacts == len(records) > 0
    assert stored.handle_sum == sum(record.handle_seconds for record in records)
    assert stored.fcr_count == sum(record.first_contact_resolution for record in records)
    assert stored.nps_promoters == sum(1 for record in records if record.nps is not None and record.nps >= 9)
    assert stored.csat_responses == sum(1 for record in records if record.csat is not None)


def test_weekly_metrics_list_every_week_with_empty_weeks_as_zero(contacts):
    weeks = weekly_metrics(Period(date(2025, 2, 17), date(2025, 3, 16)))
    assert [week for week, _metrics in weeks] == [date(2025, 2, 17), date(2025, 2, 24), date(2025, 3, 3),
                                                  date(2025, 3, 10)]
    assert weeks[0][1].contacts == 0 and weeks[0][1].fcr is None
    # Saturday 1 March and Sunday 2 March belong to the week of Monday 24 February.
    assert weeks[1][1].contacts == 4


def test_median_handle_time_averages_the_two_middle_values_of_an_even_count(ctx):
    make_user("sara")
    make_category("billing")
    run_import(csv_file([row(f"T{n}", handle_seconds=str(seconds), opened_at=f"2025-03-0{n + 1}")
                         for n, seconds in enumerate((100, 400, 200, 1000))]))
    period = Period(date(2025, 3, 1), date(2025, 3, 9))
    assert median_handle_seconds(period) == {(): 300.0}
    run_import(csv_file([row("T9", handle_seconds="250", opened_at="2025-03-08")]))
    assert median_handle_seconds(period) == {(): 250.0}


def test_grouped_totals_and_medians_are_per_agent(contacts):
    period = Period(date(2025, 3, 1), date(2025, 4, 9))
    totals = period_totals(period, ("agent_id",))
    medians = median_handle_seconds(period, ("agent_id",))
    for (agent_id,), total in totals.items():
        assert total.contacts == brute_force(period.since, period.until, agent_id=agent_id)["contacts"]
        assert medians[(agent_id,)] == brute_force(period.since, period.until, agent_id=agent_id)["aht_median"]


def test_recompute_rebuilds_the_same_weekly_table(contacts):
    before = db.session.execute(select(AgentCategoryWeek.__table__).order_by(
        AgentCategoryWeek.category_id, AgentCategoryWeek.week, AgentCategoryWeek.agent_id)).all()
    db.session.execute(AgentCategoryWeek.__table__.delete())
    assert recompute_metrics() == len(before)
    after = db.session.execute(select(AgentCategoryWeek.__table__).order_by(
        AgentCategoryWeek.category_id, AgentCategoryWeek.week, AgentCategoryWeek.agent_id)).all()
    assert after == before


def test_agent_metrics_accepts_a_category_object_id_or_slug(contacts):
    sara = accounts.get_user("sara")
    since, until = date(2025, 3, 1), date(2025, 4, 9)
    by_object = agent_metrics(sara, contacts, since, until)
    assert agent_metrics(sara, contacts.id, since, until) == by_object == agent_metrics(sara, "BILLING", since, until)
    assert by_object.contacts == brute_force(since, until, agent_id=sara.id, category_id=contacts.id)["contacts"]


def test_agent_metrics_default_to_the_last_90_days(ctx):
    sara = make_user("sara")
    make_category("billing")
    rows = planted_rows("sara", "billing", 10, 10, start=days_ago(10), prefix="recent")
    rows += planted_rows("sara", "billing", 5, 0, start=days_ago(120), prefix="old")
    run_import(csv_file(rows))
    recent = agent_metrics(sara)
    assert (recent.contacts, recent.fcr) == (10, 1.0)


def test_agent_without_contacts_has_empty_metrics(contacts):
    nobody = make_user("nobody")
    metrics = agent_metrics(nobody, since=date(2025, 3, 1), until=date(2025, 4, 9))
    assert metrics.contacts == 0 and metrics.fcr is None and metrics.aht_median is None


def test_week_start_is_the_iso_monday():
    assert week_start(date(2025, 3, 2)) == date(2025, 2, 24)  # Sunday
    assert week_start(datetime(2025, 3, 3, 23, 59, tzinfo=UTC)) == date(2025, 3, 3)


def test_period_full_weeks_lie_wholly_inside():
    assert Period(date(2025, 3, 5), date(2025, 3, 25)).full_weeks() == (date(2025, 3, 10), date(2025, 3, 17))
    assert Period(date(2025, 3, 11), date(2025, 3, 15)).full_weeks() is None


@pytest.mark.parametrize(("since", "until"), [("2025-13-01", None), ("2025-03-10", "2025-03-01"),
                                              ("2020-01-01", "2025-01-01"), ("soon", None)])
def test_bad_periods_are_refused(since, until):
    with pytest.raises(Invalid):
        parse_period(since, until, 90)


def test_missing_period_ends_default_to_the_last_days():
    period = parse_period(None, "2025-03-31", 90)
    assert (period.since, period.until, period.days) == (date(2025, 1, 1), date(2025, 3, 31), 90)
