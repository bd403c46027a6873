"""Streaming reader for resolution-data CSV files (SPEC section 6); no database access.

Usage::

    with open(path, "rb") as fileobj:
        resolution_file = read_resolutions(fileobj)      # may raise ResolutionFileError
        for item in resolution_file.rows():              # may raise ResolutionFileError
            if isinstance(item, ParsedRow): ...          # item.values: field -> value
            else: ...                                    # RowError; several per row possible
"""
from recognition.reader.header import FIELDS, OPTIONAL_FIELDS, REQUIRED_FIELDS
from recognition.reader.resolution_file import ResolutionFile, read_resolutions
from recognition.reader.results import ParsedRow, ResolutionFileError, RowError
from recognition.reader.values import CHANNELS, MAX_HANDLE_SECONDS

__all__ = [
    "CHANNELS",
    "FIELDS",
    "MAX_HANDLE_SECONDS",
    "OPTIONAL_FIELDS",
    "REQUIRED_FIELDS",
    "ParsedRow",
    "ResolutionFile",
    "ResolutionFileError",
    "RowError",
    "read_resolutions",
]
