"""Reading and writing resolution records at driver level, for imports of a million rows.

SQLAlchemy's per-row parameter processing costs more than SQLite's own work when a file has a
million rows, so the import sends plain tuples to the driver: executemany on SQLite, COPY on
PostgreSQL (psycopg). The values are converted here exactly as SQLAlchemy would store them
(SQLite: "YYYY-MM-DD HH:MM:SS.ffffff" strings for timestamps, ISO dates; PostgreSQL: naive UTC
datetimes), so the ORM reads the rows back unchanged, and stored rows fetched the same way
compare equal to incoming ones.
"""
from datetime import date

from core.periods import week_start
from extensions import db

# Order of a record tuple; the stored-row tuple adds the record id at the end.
RECORD_COLUMNS = ("ticket_id", "agent_id", "category_id", "channel", "opened_at", "closed_at",
                  "handle_seconds", "first_contact_resolution", "reopened", "nps", "csat", "week")
# record[1:COMPARED_END] decides whether a stored contact equals an imported one (the week
# follows from opened_at).
COMPARED_END = RECORD_COLUMNS.index("week")
TABLE = "resolution_record"


def _sqlite_moment(value):
    # SQLAlchemy's SQLite storage format, "YYYY-MM-DD HH:MM:SS.ffffff", at C speed.
    return value.replace(tzinfo=None).isoformat(" ", "microseconds")


def _naive_moment(value):
    return value.replace(tzinfo=None)


class RecordStore:
    """The driver-level statements of one import, bound to the session's current connection."""

    def __init__(self):
        self.connection = db.session.connection()
        self.sqlite = self.connection.dialect.name == "sqlite"
        mark = "?" if self.connection.dialect.paramstyle == "qmark" else "%s"
        self.mark = mark
        columns = ", ".join(RECORD_COLUMNS)
        self.insert_sql = (f"INSERT INTO {TABLE} ({columns}, batch_id)"
                           f" VALUES ({', '.join([mark] * (len(RECORD_COLUMNS) + 1))})")
        assignments = ", ".join(f"{name} = {mark}" for name in RECORD_COLUMNS[1:] + ("batch_id",))
        self.update_sql = f"UPDATE {TABLE} SET {assignments} WHERE id = {mark}"
        self.select_sql = f"SELECT {columns}, id FROM {TABLE} WHERE ticket_id IN "
        self.copy_sql = (f"COPY {TABLE} ({columns}, batch_id) FROM STDIN"
                         if self.connection.dialect.driver == "psycopg" else None)
        # moment(aware UTC datetime) -> the value the driver stores; called twice per row.
        self.moment = _sqlite_moment if self.sqlite else _naive_moment
        self._weeks = {}

    def week(self, opened_at):
        """The stored `week` (Monday of the ISO week, as the driver stores a date) of a contact."""
        day = opened_at.date()
        stored = self._weeks.get(day)
        if stored is None:
            monday = week_start(day)
            stored = self._weeks[day] = monday.isoformat() if self.sqlite else monday
        return stored

    def week_of(self, stored):
        """The date of a stored week value."""
        return date.fromisoformat(stored) if isinstance(stored, str) else stored

    def stored(self, ticket_ids):
        """Stored rows (record tuple + id) of the given tickets."""
        ticket_ids = list(ticket_ids)
        placeholders = "(" + ", ".join([self.mark] * len(ticket_ids)) + ")"
        rows = self.connection.exec_driver_sql(self.select_sql + placeholders, tuple(ticket_ids))
        return [tuple(row) for row in rows]

    def insert(self, records, batch_id):
        if not records:
            return
        if self.copy_sql:
            # PostgreSQL takes a COPY several times faster than a round trip per row.
            with self.connection.connection.driver_connection.cursor() as cursor:
                with cursor.copy(self.copy_sql) as copy:
                    for record in records:
                        copy.write_row(record + (batch_id,))
        else:
            self.connection.exec_driver_sql(self.insert_sql, [record + (batch_id,) for record in records])

    def update(self, changes, batch_id):
        """Apply (record, id) pairs."""
        if changes:
            self.connection.exec_driver_sql(
                self.update_sql, [record[1:] + (batch_id, record_id) for record, record_id in changes])
