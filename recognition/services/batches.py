"""Import history: batches, their rejected rows, and a look at a file before importing it."""
from dataclasses import dataclass, field
from itertools import islice

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from errors import Invalid, NotFound
from extensions import db
from recognition.models import ImportBatch, ImportRowError
from recognition.reader import ParsedRow, ResolutionFileError, read_resolutions
from recognition.services.directory import load_category_keys, load_usernames

PREVIEW_ROWS = 10
# Rows scanned at most for a preview: a file whose first rows are all bad still answers quickly.
PREVIEW_SCAN_LIMIT = 1000


def list_batches(page=1, per_page=25):
    """Batches, newest first, as a Flask-SQLAlchemy pagination."""
    return db.paginate(select(ImportBatch).order_by(ImportBatch.created_at.desc(), ImportBatch.id.desc()),
                       page=page, per_page=per_page, error_out=False)


def get_batch_or_404(batch_id):
    batch = db.session.get(ImportBatch, batch_id)
    if batch is None:
        raise NotFound(_l("No import with number %(batch)d.", batch=batch_id))
    return batch


def page_row_errors(batch, page=1, per_page=100):
    """The batch's rejected-row reasons, by row, as a pagination."""
    return db.paginate(
        select(ImportRowError).where(ImportRowError.batch_id == batch.id)
        .order_by(ImportRowError.row_number, ImportRowError.id),
        page=page, per_page=per_page, error_out=False)


def iter_row_errors(batch):
    """Every (row, column, value, message) of the batch, by row, streamed from the database."""
    statement = (select(ImportRowError.row_number, ImportRowError.column, ImportRowError.value,
                        ImportRowError.message)
                 .where(ImportRowError.batch_id == batch.id)
                 .order_by(ImportRowError.row_number, ImportRowError.id)
                 .execution_options(yield_per=2000))
    yield from db.session.execute(statement)


@dataclass
class PreviewRow:
    row_number: int
    values: dict
    errors: list = field(default_factory=list)  # [(column, value, message)]


@dataclass
class Preview:
    """The start of a file as the import would read it."""

    encoding: str
    delimiter: str
    columns: dict  # {field: header as written}
    warnings: list
    rows: list


def preview_resolutions(fileobj, *, encoding=None, limit=PREVIEW_ROWS, now=None):
    """Read the first `limit` data rows of a file without storing anything.

    Unknown agents and categories are flagged as the import would; a row the reader rejects
    shows its reasons.

    :raises Invalid: the file cannot be read (encoding, empty, header), field "file".
    """
    try:
        resolution_file = read_resolutions(fileobj, encoding=encoding, now=now)
        rows = _first_rows(resolution_file, limit)
    except ResolutionFileError as error:
        raise Invalid("file", error.message) from None
    return Preview(resolution_file.encoding, resolution_file.delimiter, dict(resolution_file.columns),
                   list(resolution_file.warnings), rows)


def _first_rows(resolution_file, limit):
    usernames, categories = load_usernames(), load_category_keys()
    rows = []
    for item in islice(resolution_file.rows(), PREVIEW_SCAN_LIMIT):
        if rows and rows[-1].row_number == item.row_number:
            rows[-1].errors.append((item.column, item.value, item.message))
            continue
        if len(rows) == limit:
            break
        if type(item) is ParsedRow:
            row = PreviewRow(item.row_number, item.values)
            if item.values["agent"].lower() not in usernames:
                row.errors.append((resolution_file.columns["agent"], item.values["agent"],
                                   _l("Unknown agent: no account has this username.")))
            if item.values["category"].casefold() not in categories:
                row.errors.append((resolution_file.columns["category"], item.values["category"],
                                   _l("Unknown category: no category has this slug or name.")))
        else:
            row = PreviewRow(item.row_number, {}, [(item.column, item.value, item.message)])
        rows.append(row)
    return rows
