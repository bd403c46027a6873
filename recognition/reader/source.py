"""Byte side of the resolution reader: encoding detection and a streaming, decoding text source."""
import codecs
import io

from flask_babel import lazy_gettext as _l

from recognition.reader.results import ResolutionFileError

# Detection looks at this much of the file; the rest is only ever streamed.
HEAD_SIZE = 64 * 1024
# Bytes decoded per step of the text stream: large enough to keep per-call overhead negligible.
CHUNK_SIZE = 256 * 1024

# Byte-order marks in the order they must be tested (none is a prefix of a later one).
_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig", "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le", "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be", "utf-16-be"),
)

# Python codec name -> codec actually used once any BOM has been removed.
_SUPPORTED_CODECS = {
    "utf-8": "utf-8",
    "utf-8-sig": "utf-8",
    # Windows writes "Unicode" text little-endian; a BOM, when present, overrides this.
    "utf-16": "utf-16-le",
    "utf-16-le": "utf-16-le",
    "utf-16-be": "utf-16-be",
    "cp1256": "cp1256",
}


class DecodingSource(io.RawIOBase):
    """Serve the already-read head of a binary file, then the rest of it, counting bytes served.

    The count lets a decode error deep in the stream be reported with its absolute byte offset.
    """

    def __init__(self, head, start, fileobj):
        super().__init__()
        self._head = head
        self._head_position = start
        self._fileobj = fileobj
        self.position = start

    def readable(self):
        return True

    def read(self, size=-1):
        if self._head_position < len(self._head):
            end = len(self._head) if size is None or size < 0 else self._head_position + size
            chunk = self._head[self._head_position:end]
            self._head_position += len(chunk)
        else:
            chunk = self._fileobj.read(size) or b""
        self.position += len(chunk)
        return chunk

    # TextIOWrapper prefers read1; a short read is fine for it.
    read1 = read

    def readinto(self, buffer):
        chunk = self.read(len(buffer))
        buffer[: len(chunk)] = chunk
        return len(chunk)


def read_head(fileobj):
    """Read up to HEAD_SIZE bytes, tolerating short reads from upload streams."""
    parts = []
    remaining = HEAD_SIZE
    while remaining > 0:
        chunk = fileobj.read(remaining)
        if chunk is None or not chunk:
            break
        if not isinstance(chunk, bytes | bytearray):
            raise TypeError("read_resolutions needs a binary file object (open the file with 'rb')")
        parts.append(bytes(chunk))
        remaining -= len(chunk)
    return b"".join(parts)


def detect_encoding(head, at_eof, encoding=None):
    """Return (reported encoding name, codec to decode with, BOM length, warnings) for a file head.

    :raises ResolutionFileError: unsupported encoding, or no encoding given and the head is not
        UTF-8 (we never guess Windows-1256: a wrong guess would import garbled names).
    """
    warnings = []
    codec = _resolve_codec(encoding) if encoding else None
    for bom, reported, bom_codec in _BOMS:
        if head.startswith(bom):
            if codec and _family(codec) != _family(bom_codec):
                warnings.append(_l(
                    "The file starts with a %(found)s byte-order mark, so it was read as %(found)s"
                    " instead of %(requested)s.", found=reported, requested=encoding))
            return reported, bom_codec, len(bom), warnings
    if codec:
        return codec, codec, 0, warnings
    if b"\x00" in head:
        raise ResolutionFileError(_l(
            "The file contains NUL bytes (first at byte %(offset)d): it looks like UTF-16 without"
            " a byte-order mark. Save it as UTF-8, or import it with --encoding utf-16-le.",
            offset=head.index(b"\x00")), byte_offset=head.index(b"\x00"))
    try:
        # A multi-byte character cut at the end of the head is not an error unless the file ends.
        codecs.getincrementaldecoder("utf-8")("strict").decode(head, final=at_eof)
    except UnicodeDecodeError as exc:
        raise not_decodable_error("utf-8", exc.start) from None
    return "utf-8", "utf-8", 0, warnings


def _family(codec):
    return "utf-16" if codec.startswith("utf-16") else codec


def _resolve_codec(encoding):
    try:
        name = codecs.lookup(encoding).name
    except LookupError:
        name = None
    if name not in _SUPPORTED_CODECS:
        raise ResolutionFileError(_l(
            "Unsupported encoding %(encoding)s: use utf-8, utf-16 or cp1256 (Windows-1256).",
            encoding=encoding))
    return _SUPPORTED_CODECS[name]


def not_decodable_error(codec, byte_offset):
    """Build the file-level error for bytes that the chosen encoding cannot decode."""
    if codec == "utf-8":
        message = _l(
            "The file is not UTF-8: the byte at offset %(offset)d is not valid UTF-8. If it was"
            " saved as Windows-1256 (Arabic/Persian Windows), import it with --encoding cp1256."
            " Nothing was imported.", offset=byte_offset)
    else:
        message = _l(
            "The file cannot be decoded as %(encoding)s: the byte at offset %(offset)d is invalid."
            " Nothing was imported.", encoding=codec, offset=byte_offset)
    return ResolutionFileError(message, byte_offset=byte_offset)


def open_text_stream(head, bom_length, codec, fileobj):
    """Return (source, text stream) decoding head-then-rest incrementally, newlines untranslated."""
    source = DecodingSource(head, bom_length, fileobj)
    # newline="" hands the csv module the raw line endings, as it requires.
    text = io.TextIOWrapper(source, encoding=codec, errors="strict", newline="")
    text._CHUNK_SIZE = CHUNK_SIZE
    return source, text


def decode_error_offset(source, exc):
    """Absolute byte offset of a UnicodeDecodeError raised while streaming from `source`.

    The decoder's input (exc.object) always ends at the last byte served so far, so the bad byte
    sits len(exc.object) - exc.start bytes before the source's position.
    """
    return max(0, source.position - len(exc.object) + exc.start)
