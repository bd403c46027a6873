"""What the resolution reader hands back: parsed rows, row errors and file-level errors."""
from typing import Any, NamedTuple


class ResolutionFileError(Exception):
    """The file as a whole cannot be read; nothing from it should be imported."""

    def __init__(self, message, *, byte_offset=None, row_number=None):
        super().__init__(message)
        self.message = message
        self.byte_offset = byte_offset
        self.row_number = row_number

    def __str__(self):
        return str(self.message)


class ParsedRow(NamedTuple):
    """A data row whose every value is valid; `values` holds every field (None if absent)."""

    row_number: int
    values: dict[str, Any]


class RowError(NamedTuple):
    """One reason a data row is rejected.

    `column` is the header as written in the file (None when the problem is the row's shape),
    `field` the canonical field name it maps to, `value` the offending cell text.
    """

    row_number: int
    column: str | None
    value: str | None
    message: Any
    field: str | None = None
