"""Reporting periods: whole days from `since` to `until` (inclusive, UTC) and their ISO weeks."""
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from flask_babel import lazy_gettext as _l

from errors import Invalid

# Longest period a page or the API will aggregate; a typing slip ("0202-01-01") is not a query.
MAX_PERIOD_DAYS = 3 * 366
# The dates a period may start or end on: resolution data is no older than 1970, and the weeks
# around year 1 or 9999 do not exist in Python's calendar.
EARLIEST_DATE, LATEST_DATE = date(1970, 1, 1), date(2100, 12, 31)


@dataclass(frozen=True)
class Period:
    """Dates `since` to `until`, both included, in UTC."""

    since: date
    until: date

    @property
    def start(self):
        """The first instant of the period (aware UTC)."""
        return datetime.combine(self.since, time.min, tzinfo=UTC)

    @property
    def end(self):
        """The first instant after the period (aware UTC)."""
        return datetime.combine(self.until + timedelta(days=1), time.min, tzinfo=UTC)

    @property
    def days(self):
        return (self.until - self.since).days + 1

    def full_weeks(self):
        """(first Monday, last Monday) of the ISO weeks lying wholly inside, or None when none does."""
        first = week_start(self.since)
        if first < self.since:
            first += timedelta(days=7)
        last = week_start(self.until + timedelta(days=1)) - timedelta(days=7)
        return (first, last) if first <= last else None

    def weeks(self):
        """Mondays of every ISO week the period touches, in order."""
        monday = week_start(self.since)
        weeks = []
        while monday <= self.until:
            weeks.append(monday)
            monday += timedelta(days=7)
        return weeks


def week_start(day):
    """Monday of the ISO week containing `day` (a date or datetime)."""
    if isinstance(day, datetime):
        day = day.date()
    return day - timedelta(days=day.weekday())


def week_label(monday):
    """ISO week label such as 2026-W07."""
    year, number, _weekday = monday.isocalendar()
    return f"{year}-W{number:02d}"


def week_monday(label):
    """The Monday of an ISO week label such as 2026-W07 (week_label's inverse)."""
    year, number = label.split("-W")
    return date.fromisocalendar(int(year), int(number), 1)


def today_utc():
    return datetime.now(UTC).date()


def default_period(days, today=None):
    """The last `days` days up to and including today."""
    until = today or today_utc()
    return Period(until - timedelta(days=days - 1), until)


def parse_period(since_text, until_text, default_days, today=None):
    """Build a Period from optional ISO date strings; missing ends default to the last `default_days`.

    :raises Invalid: a date that cannot be read or lies outside EARLIEST_DATE..LATEST_DATE, since
        after until, or a period over three years.
    """
    fallback = default_period(default_days, today)
    until = _parse_date("until", until_text) or fallback.until
    since = _parse_date("since", since_text) or until - timedelta(days=default_days - 1)
    if since > until:
        raise Invalid("since", _l("The start date must not be after the end date."))
    if (until - since).days + 1 > MAX_PERIOD_DAYS:
        raise Invalid("since", _l("Choose a period of at most %(days)d days.", days=MAX_PERIOD_DAYS))
    return Period(since, until)


def _parse_date(field, text):
    text = (text or "").strip()
    if not text:
        return None
    try:
        day = date.fromisoformat(text)
    except ValueError:
        try:
            day = datetime.fromisoformat(text).date()
        except ValueError:
            raise Invalid(field, _l("%(field)s must be a date such as 2026-03-31.", field=field)) from None
    if not EARLIEST_DATE <= day <= LATEST_DATE:
        raise Invalid(field, _l("%(field)s must be a date from %(earliest)s to %(latest)s.", field=field,
                                earliest=EARLIEST_DATE.isoformat(), latest=LATEST_DATE.isoformat()))
    return day
