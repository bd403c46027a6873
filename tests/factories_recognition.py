"""Builders for resolution-data tests: categories, CSV files and planted contacts."""
import io
from datetime import timedelta

from core.categories import Category
from core.clock import utcnow
from extensions import db
from recognition.services import import_resolutions

HEADER = ("ticket_id", "agent", "category", "opened_at", "handle_seconds", "first_contact_resolution",
          "closed_at", "channel", "reopened", "nps", "csat")


def make_category(slug, name=None):
    """Create and commit a category."""
    category = Category(slug=slug, name=name or slug.capitalize())
    db.session.add(category)
    db.session.commit()
    return category


def row(ticket, agent="sara", category="billing", opened_at="2025-03-04T10:00:00", handle_seconds="300",
        fcr="1", closed_at="", channel="phone", reopened="0", nps="", csat=""):
    """One data row in HEADER order, every value as text."""
    return (ticket, agent, category, opened_at, handle_seconds, fcr, closed_at, channel, reopened, nps, csat)


def csv_text(rows, header=HEADER, delimiter=","):
    """CSV text with a header line; cells are joined as given (no quoting)."""
    lines = [delimiter.join(header)] + [delimiter.join(cells) for cells in rows]
    return "\r\n".join(lines) + "\r\n"


def csv_file(rows, header=HEADER, delimiter=",", encoding="utf-8"):
    """A binary file object holding the CSV encoded as asked (e.g. "utf-8-sig", "utf-16", "cp1256")."""
    return io.BytesIO(csv_text(rows, header, delimiter).encode(encoding))


def run_import(fileobj, user=None, filename="resolutions.csv", **options):
    """Import through the service and commit, as the CLI does; returns the summary."""
    summary = import_resolutions(fileobj, filename=filename, user=user, source="cli", **options)
    db.session.commit()
    return summary


def planted_rows(agent, category, contacts, resolved, handle_seconds=300, *, start, prefix=None,
                 reopened=0, nps=None, csat=None):
    """`contacts` rows for one agent: the first `resolved` resolved on first contact, the first
    `reopened` reopened; one contact an hour from `start` (an aware datetime)."""
    prefix = prefix or f"{agent}-{category}"
    rows = []
    for number in range(contacts):
        opened_at = start + timedelta(hours=number)
        rows.append(row(f"{prefix}-{number}", agent, category, opened_at.isoformat(), str(handle_seconds),
                        "1" if number < resolved else "0", reopened="1" if number < reopened else "0",
                        nps="" if nps is None else str(nps), csat="" if csat is None else str(csat)))
    return rows


def days_ago(days):
    """Midnight UTC `days` days before today."""
    today = utcnow().replace(hour=0, minute=0, second=0, microsecond=0)
    return today - timedelta(days=days)
