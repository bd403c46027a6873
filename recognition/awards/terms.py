"""Title terms: calendar quarters such as "2026 Q4", and the default expiry of a new title."""
from datetime import UTC, datetime, timedelta

# A title awarded this close to the end of a quarter runs to the end of the next one instead,
# so that a late award is not a title for a week.
MIN_TERM_DAYS = 30


def quarter_bounds(moment):
    """(start, end) of the calendar quarter containing `moment`, as aware UTC datetimes."""
    moment = moment.astimezone(UTC)
    first_month = 3 * ((moment.month - 1) // 3) + 1
    start = datetime(moment.year, first_month, 1, tzinfo=UTC)
    if first_month == 10:
        end = datetime(moment.year + 1, 1, 1, tzinfo=UTC)
    else:
        end = datetime(moment.year, first_month + 3, 1, tzinfo=UTC)
    return start, end


def quarter_label(moment):
    """The quarter containing `moment` as a term name, e.g. "2026 Q4"."""
    moment = moment.astimezone(UTC)
    return "%d Q%d" % (moment.year, (moment.month - 1) // 3 + 1)


def period_key(moment):
    """The quarter containing `moment` as a key for per-period badges, e.g. "2026-Q4"."""
    return quarter_label(moment).replace(" ", "-")


def default_term(now):
    """(label, expires_at) of a title awarded at `now`: the current quarter, or the next one
    when fewer than MIN_TERM_DAYS remain."""
    _start, end = quarter_bounds(now)
    if end - now < timedelta(days=MIN_TERM_DAYS):
        _start, end = quarter_bounds(end)
        return quarter_label(_start), end
    return quarter_label(now), end


def term_after(expires_at):
    """(label, starts_at, expires_at) of the term that follows a title expiring at `expires_at`."""
    start, end = quarter_bounds(expires_at)
    if start != expires_at:
        # A custom expiry inside a quarter: the renewal runs to the end of that quarter.
        return quarter_label(expires_at), expires_at, end
    return quarter_label(start), start, end


def previous_quarter(now):
    """(label, start, end) of the last complete quarter before `now`."""
    start, _end = quarter_bounds(now)
    previous_start, previous_end = quarter_bounds(start - timedelta(days=1))
    return quarter_label(previous_start), previous_start, previous_end


def through_day(day):
    """The expiry of something valid through `day` (a date): the next midnight, UTC."""
    return datetime.combine(day + timedelta(days=1), datetime.min.time(), tzinfo=UTC)
