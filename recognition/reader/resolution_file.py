"""Reading one resolution-data CSV file: read_resolutions and the ResolutionFile it returns."""
import csv
from datetime import UTC, datetime, timedelta
from itertools import chain

from flask_babel import lazy_gettext as _l

from core.text import clean_text, isolate
from recognition.reader.header import FIELDS, REQUIRED_FIELDS, map_columns, sniff_delimiter
from recognition.reader.results import ParsedRow, ResolutionFileError, RowError
from recognition.reader.source import (
    HEAD_SIZE,
    decode_error_offset,
    detect_encoding,
    not_decodable_error,
    open_text_stream,
    read_head,
)
from recognition.reader.tickets import TicketRegister
from recognition.reader.values import (
    TRIM_CHARS,
    InvalidValue,
    clean_cell,
    is_date_only,
    parse_articles,
    parse_channel,
    parse_csat,
    parse_flag,
    parse_handle_seconds,
    parse_nps,
    parse_text,
    parse_timestamp,
)

# Clocks and time zones of source systems differ; only dates beyond this are impossible.
FUTURE_TOLERANCE = timedelta(days=1)
# Cell text echoed back in an error report is cut to this length.
MAX_ERROR_VALUE_LENGTH = 200

_PARSERS = {
    "ticket_id": parse_text,
    "agent": parse_text,
    "category": parse_text,
    "opened_at": parse_timestamp,
    "handle_seconds": parse_handle_seconds,
    "first_contact_resolution": parse_flag,
    "closed_at": parse_timestamp,
    "channel": parse_channel,
    "reopened": parse_flag,
    "nps": parse_nps,
    "csat": parse_csat,
    "articles": parse_articles,
}


def read_resolutions(fileobj, *, encoding=None, now=None):
    """Open a resolution-data CSV (binary file object) for streaming; check encoding and header now.

    :param encoding: force a codec (utf-8, utf-16, cp1256); by default a BOM or strict UTF-8.
    :param now: reference time for rejecting future dates (default: the current UTC time).
    :raises ResolutionFileError: the file cannot be read at all (encoding, empty, header).
    """
    head = read_head(fileobj)
    name, codec, bom_length, warnings = detect_encoding(head, len(head) < HEAD_SIZE, encoding)
    source, text = open_text_stream(head, bom_length, codec, fileobj)
    # Undecodable bytes in the head surface below, with their offset, when the header is read.
    sample = head[bom_length:].decode(codec, errors="replace")
    return ResolutionFile(source, text, name, codec, sniff_delimiter(sample), now, warnings)


class ResolutionFile:
    """A resolution-data CSV whose header has been read; its rows are streamed by rows().

    Attributes: `encoding` (utf-8, utf-8-sig, utf-16-le, utf-16-be or cp1256), `delimiter`,
    `columns` ({field: header as written}), `warnings` (user-facing), `has_rows`,
    `rows_read` (non-blank data rows seen so far) and `bytes_read` (for a progress bar).
    """

    def __init__(self, source, text, encoding, codec, delimiter, now, warnings):
        self.encoding = encoding
        self.delimiter = delimiter
        self.warnings = list(warnings)
        self.rows_read = 0
        self._source = source
        self._codec = codec
        now = now or datetime.now(UTC)
        self._latest = (now if now.tzinfo else now.replace(tzinfo=UTC)) + FUTURE_TOLERANCE
        self._tickets = TicketRegister()
        self._started = False
        reader = csv.reader(text, delimiter=delimiter, quotechar='"', doublequote=True,
                            skipinitialspace=False, strict=False)
        self._records = self._read_records(reader)
        first = next(self._records, None)
        if first is None:
            raise ResolutionFileError(_l("The file is empty: it has no header and no rows."))
        indexes, self.columns, ignored = map_columns(first[1])
        self._indexes = indexes
        self._width = len(first[1])
        self._plan = tuple(
            (field, indexes[field], self.columns[field], _PARSERS[field], field in REQUIRED_FIELDS)
            for field in FIELDS if field in indexes
        )
        if ignored:
            self.warnings.append(_l("Ignored unknown column(s): %(columns)s.",
                                    columns=", ".join(isolate(column) for column in ignored)))
        # Peek at the first data row so that a header-only file is known before importing.
        self._first_row = next(self._records, None)
        self.has_rows = self._first_row is not None
        if not self.has_rows:
            self.warnings.append(_l("The file has a header but no data rows: nothing to import."))

    @property
    def bytes_read(self):
        """Bytes consumed from the file so far (read ahead of the rows by up to one chunk)."""
        return self._source.position

    def rows(self):
        """Yield ParsedRow for each valid data row, and one RowError per problem of a bad row.

        A rejected row yields one or more consecutive RowError with the same row_number (count
        distinct row numbers for a rejected-row total). Blank lines are skipped. A ticket id seen
        on an earlier accepted row is rejected as a duplicate. The file is streamed: rows() can
        be iterated once, and may raise ResolutionFileError part-way (bytes that do not decode):
        the caller must then discard everything read from this file.
        """
        if self._started:
            raise RuntimeError("ResolutionFile.rows() can be iterated only once (it streams)")
        self._started = True
        return self._iterate_rows()

    def _iterate_rows(self):
        pending = (self._first_row,) if self._first_row else ()
        for row_number, record in chain(pending, self._records):
            outcome = self._parse_record(row_number, record)
            if outcome is None:
                continue
            self.rows_read += 1
            if type(outcome) is ParsedRow:
                yield outcome
            else:
                yield from outcome

    def _read_records(self, reader):
        """Yield (spreadsheet row number, cells) for each non-blank CSV record."""
        row_number = 0
        try:
            for record in reader:
                row_number += 1
                if not any(record):
                    continue
                if not clean_cell(record[0]) and not any(clean_cell(cell) for cell in record):
                    continue
                yield row_number, record
        except UnicodeDecodeError as exc:
            raise not_decodable_error(self._codec, decode_error_offset(self._source, exc)) from None
        except csv.Error:
            raise ResolutionFileError(_l(
                "Row %(row)d cannot be read: a quoted value is never closed or is too long."
                " Nothing was imported.", row=row_number + 1), row_number=row_number + 1) from None

    def _parse_record(self, row_number, record):
        """Return a ParsedRow, a list of RowError, or None for a row of blank cells."""
        if len(record) != self._width:
            return [RowError(row_number, None, _shorten(self.delimiter.join(record)), _l(
                "The row has %(found)d values but the header has %(expected)d columns.",
                found=len(record), expected=self._width))]
        values = dict.fromkeys(FIELDS)
        errors = []
        for field, index, column, parse, required in self._plan:
            text = record[index].strip(TRIM_CHARS)  # clean_cell inlined: the hottest line
            if not text:
                if required:
                    errors.append(
                        RowError(row_number, column, "", _l("A value is required."), field))
                continue
            try:
                values[field] = parse(text)
            except InvalidValue as exc:
                errors.append(RowError(row_number, column, _shorten(text), exc.message, field))
        errors += self._check_dates(row_number, record, values)
        if errors:
            return errors
        first_row = self._tickets.record(values["ticket_id"], row_number)
        if first_row is not None:
            return [RowError(row_number, self.columns["ticket_id"], _shorten(values["ticket_id"]),
                             _l("Duplicate ticket in this file (first seen on row %(row)d).",
                                row=first_row), "ticket_id")]
        return ParsedRow(row_number, values)

    def _check_dates(self, row_number, record, values):
        opened_at, closed_at = values["opened_at"], values["closed_at"]
        if closed_at is None and (opened_at is None or opened_at <= self._latest):
            return []
        errors = []
        for field, moment in (("opened_at", opened_at), ("closed_at", closed_at)):
            if moment is not None and moment > self._latest:
                errors.append(self._date_error(row_number, record, field, _l(
                    "The date is more than a day in the future.")))
        if closed_at is not None and opened_at is not None and not errors:
            closed_text = clean_cell(record[self._indexes["closed_at"]])
            # A bare closing date means "some time that day", so compare days only.
            if (closed_at.date() < opened_at.date() if is_date_only(closed_text)
                    else closed_at < opened_at):
                errors.append(self._date_error(row_number, record, "closed_at", _l(
                    "Closed before it was opened (%(opened)s).", opened=isolate(opened_at.isoformat()))))
        return errors

    def _date_error(self, row_number, record, field, message):
        text = clean_cell(record[self._indexes[field]])
        return RowError(row_number, self.columns[field], _shorten(text), message, field)


def _shorten(text):
    """A cell as an error report shows it: without control characters, at most 200 characters."""
    text = clean_text(text)
    if len(text) <= MAX_ERROR_VALUE_LENGTH:
        return text
    return text[: MAX_ERROR_VALUE_LENGTH - 1] + "…"
