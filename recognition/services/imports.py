"""Importing resolution-data files (SPEC section 6): streamed in chunks, in one transaction.

Each chunk of accepted rows costs three statements whatever its size: one SELECT of the tickets
already stored, one bulk INSERT of the new ones (COPY on PostgreSQL) and one UPDATE executemany
of the changed ones. Agents and categories are matched against dictionaries loaded once. Everything happens in
the caller's transaction (the view or command commits once), inside a savepoint, so that a file
found unreadable half-way leaves only its failed batch record, and an import interrupted by an
exception leaves nothing at all once the caller rolls back. The weekly metrics of the weeks it
touched are refreshed in the same transaction, or (pages and the API) by a job after the commit.
"""
import hashlib
from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_ngettext
from sqlalchemy import insert, select, text

from accounts import services as accounts
from core.clock import utcnow
from core.text import clean_line, replace_lone_surrogates
from errors import Conflict, Invalid
from extensions import db
from jobs import job, queue_after_commit
from recognition.impact import services as impact
from recognition.impact.links import FileLinks
from recognition.models import ImportBatch, ImportRowError
from recognition.reader import ParsedRow, ResolutionFileError, RowError, read_resolutions
from recognition.services.directory import load_category_keys, load_usernames
from recognition.services.metrics import refresh_metrics
from recognition.services.record_store import COMPARED_END, RecordStore

# Rows written per round trip: large enough to amortise the statements, small enough that a
# chunk's rows and parameters stay a few megabytes.
CHUNK_ROWS = 5000
# Errors listed in an import summary; the batch page and its CSV list every one.
SUMMARY_ERROR_LIMIT = 1000
MAX_FILENAME_LENGTH = 255
# Any fixed number: the PostgreSQL advisory lock that imports take in turn.
IMPORT_LOCK_KEY = 5_060_601

_row_errors = ImportRowError.__table__


class UnreadableFile(Invalid):
    """The file as a whole could not be read; only its failed batch record was kept."""

    def __init__(self, message, batch_id):
        super().__init__("file", message)
        self.batch_id = batch_id


@dataclass
class ImportSummary:
    """What an import did, in the shape of SPEC section 7 (`as_json`)."""

    batch_id: int
    dry_run: bool
    rows_total: int
    rows_imported: int
    rows_updated: int
    rows_duplicate: int
    rows_rejected: int
    agents_created: int
    encoding: str
    delimiter: str
    warnings: list = field(default_factory=list)
    errors: list = field(default_factory=list)
    errors_truncated: bool = False  # more row errors are stored than `errors` lists

    def as_json(self):
        return {
            "batch_id": self.batch_id,
            "dry_run": self.dry_run,
            "rows_total": self.rows_total,
            "rows_imported": self.rows_imported,
            "rows_updated": self.rows_updated,
            "rows_duplicate": self.rows_duplicate,
            "rows_rejected": self.rows_rejected,
            "agents_created": self.agents_created,
            "encoding": self.encoding,
            "delimiter": self.delimiter,
            "warnings": list(self.warnings),
            "errors": list(self.errors),
            "errors_truncated": self.errors_truncated,
        }


def import_resolutions(fileobj, *, filename, user, dry_run=False, create_agents=False, encoding=None,
                       progress=None, source="web", now=None, metrics_later=False):
    """Import a resolution-data CSV (binary file object); never commits.

    :param user: the uploader (None from the command line).
    :param dry_run: check and count everything, store only the batch and its row errors.
    :param create_agents: create inactive agent accounts for unknown usernames.
    :param encoding: force utf-8, utf-16 or cp1256; by default a BOM or strict UTF-8.
    :param progress: called as progress(bytes_read, rows_read) after each chunk; an exception it
        raises aborts the import (the caller then rolls back and nothing of it remains).
    :param metrics_later: refresh the weekly metrics in a job queued after the commit instead of
        inside this transaction (pages and the API; the command line and the demo keep them inline).
    :raises UnreadableFile: the file could not be read; its failed batch is in the session.
    """
    if not dry_run:
        _wait_for_other_imports()
    # The name as given (a path on the command line may hold bytes that are not UTF-8).
    filename = clean_line(replace_lone_surrogates(filename or ""))
    batch = ImportBatch(filename=filename[:MAX_FILENAME_LENGTH], uploaded_by=user,
                        source=source, dry_run=dry_run, create_agents=create_agents)
    db.session.add(batch)
    db.session.flush()
    hashing = _HashingReader(fileobj)
    run = _ImportRun(batch, create_agents=create_agents, dry_run=dry_run, metrics_later=metrics_later)
    try:
        with db.session.begin_nested():
            run.read_file(hashing, encoding, now, progress or _ignore_progress)
    except ResolutionFileError as error:
        batch.status = "failed"
        batch.message = str(error.message)
        batch.sha256 = hashing.hexdigest()
        batch.finished_at = utcnow()
        db.session.flush()
        raise UnreadableFile(str(error.message), batch.id) from None
    batch.sha256 = hashing.hexdigest()
    batch.warnings = [str(warning) for warning in run.warnings] + _earlier_import_warning(batch)
    batch.status = "finished"
    batch.finished_at = utcnow()
    db.session.flush()
    return summarize_batch(batch)


def _wait_for_other_imports():
    """Serialise imports on PostgreSQL, where two of them writing the same new ticket would
    otherwise collide on its unique id; SQLite already gives one writer the whole database."""
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": IMPORT_LOCK_KEY})


def summarize_batch(batch, error_limit=SUMMARY_ERROR_LIMIT):
    """The ImportSummary of a stored batch, with its first `error_limit` row errors."""
    errors = db.session.execute(
        select(ImportRowError.row_number, ImportRowError.column, ImportRowError.value,
               ImportRowError.message)
        .where(ImportRowError.batch_id == batch.id)
        .order_by(ImportRowError.row_number, ImportRowError.id)
        .limit(error_limit + 1)
    ).all()
    return ImportSummary(
        batch_id=batch.id, dry_run=batch.dry_run, rows_total=batch.rows_total,
        rows_imported=batch.rows_imported, rows_updated=batch.rows_updated,
        rows_duplicate=batch.rows_duplicate, rows_rejected=batch.rows_rejected,
        agents_created=batch.agents_created, encoding=batch.encoding, delimiter=batch.delimiter,
        warnings=list(batch.warnings or []),
        errors=[{"row": row, "column": column, "value": value, "message": message}
                for row, column, value, message in errors[:error_limit]],
        errors_truncated=len(errors) > error_limit)


def _ignore_progress(_bytes_read, _rows_read):
    pass


class _HashingReader:
    """A binary file object that hashes and counts the bytes read through it."""

    def __init__(self, fileobj):
        self._fileobj = fileobj
        self._digest = hashlib.sha256()

    def read(self, size=-1):
        chunk = self._fileobj.read(size)
        if chunk:
            self._digest.update(chunk)
        return chunk

    def hexdigest(self):
        return self._digest.hexdigest()


class _ImportRun:
    """The state of one import while its rows stream by."""

    def __init__(self, batch, *, create_agents, dry_run, metrics_later):
        self.batch = batch
        self.metrics_later = metrics_later
        self.create_agents = create_agents
        self.dry_run = dry_run
        self.warnings = []
        self.usernames = load_usernames()
        self.categories = load_category_keys()
        self.refused_agents = {}  # username -> why it could not be used
        self.affected = set()  # (category_id, stored week) whose metrics must be recomputed
        self.store = None
        self.links = None  # FileLinks when the file has an `articles` column
        self.pending_errors = []
        self.last_rejected_row = None
        self.counts = dict.fromkeys(("imported", "updated", "duplicate", "rejected", "agents"), 0)

    def read_file(self, fileobj, encoding, now, progress):
        # Taken inside the caller's savepoint: asking the session for its connection is what
        # emits the SAVEPOINT, and the driver-level writes must come after it.
        self.store = RecordStore()
        resolution_file = read_resolutions(fileobj, encoding=encoding, now=now)
        self.batch.encoding = resolution_file.encoding
        self.batch.delimiter = resolution_file.delimiter
        self.columns = resolution_file.columns
        if "articles" in self.columns:
            self.links = FileLinks()
        chunk = []
        seen = 0
        for item in resolution_file.rows():
            seen += 1
            if type(item) is ParsedRow:
                chunk.append(item)
                if len(chunk) >= CHUNK_ROWS:
                    self.write_chunk(chunk)
                    chunk = []
            else:
                self.reject(item)
            if seen % CHUNK_ROWS == 0:
                progress(resolution_file.bytes_read, resolution_file.rows_read)
        self.write_chunk(chunk)
        self.flush_errors()
        progress(resolution_file.bytes_read, resolution_file.rows_read)
        if not self.dry_run:
            weeks = sorted({(category_id, self.store.week_of(week)) for category_id, week in self.affected})
            impacts = bool(self.affected) or self.links is not None
            if self.metrics_later:  # queued in the savepoint: an unreadable file forgets it
                queue_after_commit(refresh_after_import, weeks, impacts)
            else:
                refresh_metrics(weeks)
                if impacts:
                    impact.recompute_impacts()  # what the articles did, over the new outcomes
        self.warnings = resolution_file.warnings + self.warnings
        batch = self.batch
        batch.rows_total = resolution_file.rows_read
        batch.rows_imported = self.counts["imported"]
        batch.rows_updated = self.counts["updated"]
        batch.rows_duplicate = self.counts["duplicate"]
        batch.rows_rejected = self.counts["rejected"]
        batch.agents_created = self.counts["agents"]

    def reject(self, error):
        if error.row_number != self.last_rejected_row:
            self.last_rejected_row = error.row_number
            self.counts["rejected"] += 1
        self.pending_errors.append({
            "batch_id": self.batch.id, "row_number": error.row_number, "column": error.column,
            "value": error.value, "message": str(error.message)})
        if len(self.pending_errors) >= CHUNK_ROWS:
            self.flush_errors()

    def flush_errors(self):
        if self.pending_errors:
            db.session.execute(insert(_row_errors), self.pending_errors)
            self.pending_errors = []

    def write_chunk(self, rows):
        """Insert the chunk's new tickets, update its changed ones, count its identical ones;
        bring the links of its contacts to the articles it names in line with the file."""
        resolved = [(row, self.resolve(row)) for row in rows]
        records = [record for _row, record in resolved if record is not None]
        if not records:
            return
        store = self.store
        stored = {row[0]: row for row in store.stored(record[0] for record in records)}
        links = None
        if self.links is not None:
            links = self.links.plan({record[0]: (record[1], row.values["articles"] or ())
                                     for row, record in resolved if record is not None})
        inserts, updates = [], []
        affected = self.affected
        for record in records:
            old = stored.get(record[0])
            if old is None:
                inserts.append(record)
            elif old[1:COMPARED_END] == record[1:COMPARED_END]:
                # The same contact with other articles is a change, though not of its metrics.
                self.counts["updated" if links and record[0] in links.changed else "duplicate"] += 1
                continue
            else:
                updates.append((record, old[-1]))
                affected.add((old[2], old[-2]))
            affected.add((record[2], record[-1]))
        self.counts["imported"] += len(inserts)
        self.counts["updated"] += len(updates)
        if not self.dry_run:
            store.insert(inserts, self.batch.id)
            store.update(updates, self.batch.id)
            if links is not None:
                links.write(store)

    def resolve(self, row):
        """The record to store for an accepted row (a tuple in RECORD_COLUMNS order, values as
        the database driver stores them), or None when its agent or category is unknown."""
        values = row.values
        agent_id = self.usernames.get(values["agent"].lower())
        if agent_id is None:
            agent_id = self.agent_for_unknown(values["agent"])
        category_id = self.categories.get(values["category"].casefold())
        unknown_articles = self.links.unknown(values["articles"]) if values["articles"] else ()
        if agent_id is None or category_id is None or unknown_articles:
            if agent_id is None:
                self.reject(RowError(row.row_number, self.columns["agent"], values["agent"],
                                     self.refused_agents[values["agent"].lower()], "agent"))
            if category_id is None:
                self.reject(RowError(row.row_number, self.columns["category"], values["category"], _l(
                    "Unknown category: no category has this slug or name."), "category"))
            if unknown_articles:
                self.reject(RowError(
                    row.row_number, self.columns["articles"], ", ".join(map(str, unknown_articles)),
                    lazy_ngettext("Unknown article: no article has the id %(ids)s.",
                                  "Unknown articles: no article has the ids %(ids)s.",
                                  len(unknown_articles), ids=", ".join(map(str, unknown_articles))),
                    "articles"))
            return None
        moment = self.store.moment
        opened_at, closed_at = values["opened_at"], values["closed_at"]
        return (
            values["ticket_id"], agent_id, category_id, values["channel"], moment(opened_at),
            None if closed_at is None else moment(closed_at), values["handle_seconds"],
            values["first_contact_resolution"], values["reopened"], values["nps"], values["csat"],
            self.store.week(opened_at),
        )

    def agent_for_unknown(self, username):
        """Create (or, in a dry run, pretend to create) an inactive agent; None when not allowed."""
        key = username.lower()
        if key in self.refused_agents:
            return None
        if not self.create_agents:
            self.refused_agents[key] = _l(
                "Unknown agent: no account has this username (import with \"create agents\" to"
                " add inactive accounts).")
            return None
        if self.dry_run:
            # A stand-in id that matches no stored record, so the row counts as new or changed.
            self.usernames[key] = -1 - self.counts["agents"]
        else:
            try:
                self.usernames[key] = accounts.create_user(username, role="agent", active=False).id
            except (Invalid, Conflict) as error:
                self.refused_agents[key] = _l("Cannot create this agent: %(reason)s",
                                              reason=error.message)
                return None
        self.counts["agents"] += 1
        return self.usernames[key]


def _earlier_import_warning(batch):
    """A warning when the very same file was already imported."""
    earlier = db.session.scalars(
        select(ImportBatch)
        .where(ImportBatch.sha256 == batch.sha256, ImportBatch.id != batch.id,
               ImportBatch.status == "finished", ImportBatch.dry_run.is_(False))
        .order_by(ImportBatch.id.desc())
    ).first()
    if earlier is None:
        return []
    return [str(_l("The same file was already imported on %(date)s (batch %(batch)d).",
                   date=earlier.created_at.strftime("%Y-%m-%d %H:%M UTC"), batch=earlier.id))]


@job()
def refresh_after_import(weeks, impacts):
    """The job an import queues after its commit: the metrics of the weeks it changed, and then
    the articles' impact over the new outcomes when any changed."""
    refresh_metrics(weeks)
    if impacts:
        impact.recompute_impacts()
    db.session.commit()
