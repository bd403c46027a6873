"""CSV downloads: UTF-8 with a BOM (Excel reads it right) and safe from formula injection."""
import csv
import io
import re

from flask import Response, stream_with_context

# A text cell starting with one of these is a formula to a spreadsheet; a leading quote makes it
# text again. Numbers are written by us, never from user input, and stay numbers.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
BOM = "\ufeff"


def safe_cell(value):
    """The value as a CSV cell: None empty, text defused when it could start a formula."""
    if value is None:
        return ""
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


def csv_chunks(header, rows, rows_per_chunk=500):
    """Yield the CSV text (BOM first) in chunks of rows."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    buffer.write(BOM)
    writer.writerow([safe_cell(name) for name in header])
    for count, row in enumerate(rows, start=1):
        writer.writerow([safe_cell(value) for value in row])
        if count % rows_per_chunk == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def csv_response(filename, header, rows):
    """A streamed CSV download named `filename` (reduced to safe ASCII)."""
    filename = re.sub(r"[^A-Za-z0-9._-]+", "-", filename)
    body = (chunk.encode("utf-8") for chunk in csv_chunks(header, rows))
    return Response(stream_with_context(body), content_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": 'attachment; filename="%s"' % filename})
