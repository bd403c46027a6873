"""The one clock of the product: timezone-aware UTC now (tests set it with time-machine)."""
from datetime import UTC, datetime


def utcnow():
    """The current time, timezone-aware in UTC."""
    return datetime.now(UTC)
