"""A mentee's numbers in the mentorship's category before the start and since, from resolution data.

Windows are whole UTC days (core.periods): "since" runs from the start date, included, to
the end of the mentorship (or today); "before" is the twelve weeks ending the day before the
start, the same window as the goal's baseline, so that a page never shows two baselines. A
contact opened at 00:00 on the start date is "since"; one opened at 23:59:59 the day before is
"before".
"""
from dataclasses import dataclass
from datetime import timedelta

from core.periods import Period, today_utc, week_label, week_start
from recognition.services import agent_metrics, weekly_metrics

# The baseline, of a goal and of the impact table: the mentee's value over the twelve weeks before the start.
BASELINE_WEEKS = 12


@dataclass(frozen=True)
class ImpactWindows:
    before: Period
    since: Period | None  # None while the mentorship has not started


@dataclass(frozen=True)
class Impact:
    """Metrics before and since the start, and the weekly values for the chart."""

    windows: ImpactWindows
    before: object  # recognition.services.Metrics
    since: object | None
    weekly: list  # [(ISO week label, Metrics)] from the first "before" week to the last "since" week
    start_week: str  # the ISO week label of the start, where the chart marks it


def impact_windows(started_on, ended_on=None, today=None):
    """The (before, since) windows of a mentorship that started on `started_on`."""
    today = today or today_utc()
    last = min(ended_on or today, today)
    since = Period(started_on, last) if last >= started_on else None
    return ImpactWindows(baseline_window(started_on), since)


def baseline_window(started_on):
    """The twelve weeks before the start, over which a goal's baseline is measured."""
    return Period(started_on - timedelta(days=7 * BASELINE_WEEKS), started_on - timedelta(days=1))


def metrics_over(mentee, category, period):
    """The mentee's Metrics in the category over a period."""
    return agent_metrics(mentee, category, period.since, period.until)


def measure_impact(mentorship, today=None):
    """The Impact of a mentorship: the mentee's metrics before and since, and by week."""
    windows = impact_windows(mentorship.started_on, mentorship.ended_on, today)
    before = metrics_over(mentorship.mentee, mentorship.category, windows.before)
    since = metrics_over(mentorship.mentee, mentorship.category, windows.since) if windows.since else None
    charted = Period(windows.before.since, windows.since.until if windows.since else windows.before.until)
    weekly = [(week_label(week), metrics) for week, metrics in weekly_metrics(
        charted, category_id=mentorship.category_id, agent_id=mentorship.mentee_id)]
    return Impact(windows, before, since, weekly, week_label(week_start(mentorship.started_on)))
