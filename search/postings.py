"""Posting lists of an index segment as arrays in one file beside it, mapped by every process.

Decoding Whoosh's postings into numpy arrays (vector.py) costs each gunicorn worker its own copy:
hundreds of megabytes at 20,000 documents, mostly the Python objects around a hundred thousand
small arrays. A rebuild instead records every posting Whoosh's writer is given (the same
document numbers and weights, nothing analysed twice) and writes, per field, the segment's terms
in byte order and their postings as flat arrays into ``<segment id>.knowhow_postings``. Readers
map the file read-only: the pages live once in the page cache, shared by every worker, and a
term's postings are slices of it. The name follows Whoosh's segment file pattern, so Whoosh
deletes the file with its segment.

File layout: ``KNOWHOW-POSTINGS 1\\n``, an 8-byte little-endian header length, a JSON header
{"fields": {field: {array: [dtype, offset, count]}}} and the arrays, each 64-byte aligned:
``terms`` (the UTF-8 terms one after another), ``term_starts`` (n + 1 offsets into terms),
``prefixes`` (each term's first 16 bytes, for numpy's binary search), ``starts`` (n + 1 offsets
into ids and weights), ``ids`` (int32) and ``weights`` (float32).
"""

import json
import mmap
import os
import uuid
from array import array
from bisect import bisect_left

import numpy as np

FILE_SUFFIX = ".knowhow_postings"
_MAGIC = b"KNOWHOW-POSTINGS 1\n"
_ALIGN = 64
_PREFIX = 16


def postings_path(directory: str, segment_id: str) -> str:
    return os.path.join(directory, segment_id + FILE_SUFFIX)


class _FieldRecorder:
    """One field's postings in the order they come: term numbers, document numbers, weights."""

    def __init__(self):
        self.numbers = {}  # term bytes → the order it was first seen in
        self.terms = array("i")
        self.ids = array("i")
        self.weights = array("f")

    def arrays(self) -> dict[str, np.ndarray]:
        seen = list(self.numbers)
        order = sorted(range(len(seen)), key=seen.__getitem__)  # byte order, as Whoosh's lexicon
        rank = np.empty(len(seen), dtype=np.int64)
        rank[order] = np.arange(len(seen))
        keys = rank[np.frombuffer(self.terms, dtype=np.int32)]
        by_term = np.argsort(keys, kind="stable")  # within a term, documents stay in order
        sorted_terms = [seen[index] for index in order]
        lengths = np.fromiter(map(len, sorted_terms), dtype=np.int64, count=len(sorted_terms))
        return {
            "terms": np.frombuffer(b"".join(sorted_terms), dtype=np.uint8),
            "term_starts": np.concatenate(([0], np.cumsum(lengths))),
            "prefixes": np.array(sorted_terms, dtype="S%d" % _PREFIX),  # longer terms are cut
            "starts": np.concatenate(([0], np.cumsum(np.bincount(keys, minlength=len(seen))))),
            "ids": np.frombuffer(self.ids, dtype=np.int32)[by_term],
            "weights": np.frombuffer(self.weights, dtype=np.float32)[by_term],
        }


class PostingsRecorder:
    """Records the postings a Whoosh segment writer adds, for the chosen fields.

    ``recorder.attach(writer)`` wraps the writer's posting pool (Whoosh 2.7.4, pinned): every
    posting of a document passes through ``pool.add((field, term bytes, docnum, weight, value))``.
    """

    def __init__(self, fieldnames):
        self.fields = {name: _FieldRecorder() for name in fieldnames}

    def attach(self, writer) -> None:
        add = writer.pool.add
        fields = self.fields

        def add_and_record(posting):
            recorder = fields.get(posting[0])
            if recorder is not None:
                term = posting[1]
                number = recorder.numbers.get(term)
                if number is None:
                    number = recorder.numbers[term] = len(recorder.numbers)
                recorder.terms.append(number)
                recorder.ids.append(posting[2])
                recorder.weights.append(posting[3])
            add(posting)

        writer.pool.add = add_and_record

    def write(self, path: str) -> None:
        """Write the recorded postings to path (atomically: a reader sees all of it or no file)."""
        header, blobs, offset = {"fields": {}}, [], 0
        for name, recorder in self.fields.items():
            entries = header["fields"][name] = {}
            for array_name, values in recorder.arrays().items():
                entries[array_name] = [values.dtype.str, offset, len(values)]
                blobs.append((offset, values))
                offset += -(-values.nbytes // _ALIGN) * _ALIGN
        encoded = json.dumps(header).encode()
        start = -(-(len(_MAGIC) + 8 + len(encoded)) // _ALIGN) * _ALIGN
        temporary = os.path.join(os.path.dirname(path), ".%s-%s" % (os.path.basename(path), uuid.uuid4().hex))
        with open(temporary, "wb") as target:
            target.write(_MAGIC + len(encoded).to_bytes(8, "little") + encoded)
            for array_offset, values in blobs:
                target.seek(start + array_offset)
                target.write(values.tobytes())
            target.truncate(start + offset)
        os.replace(temporary, path)


class _Terms:
    """The sorted terms of one field as a sequence of bytes, read from the map (for bisect)."""

    def __init__(self, mapped, base: int, starts: np.ndarray):
        # The offsets stay a view of the map: a list of them would be a private copy per worker.
        self._mapped, self._base, self._starts = mapped, base, starts

    def __len__(self):
        return len(self._starts) - 1

    def __getitem__(self, index):
        return self._mapped[self._base + int(self._starts[index]):self._base + int(self._starts[index + 1])]


class SegmentPostings:
    """The mapped postings file of one segment."""

    def __init__(self, path: str):
        with open(path, "rb") as source:
            self._mapped = mmap.mmap(source.fileno(), 0, access=mmap.ACCESS_READ)
        if self._mapped[:len(_MAGIC)] != _MAGIC:
            raise ValueError("%s is not a postings file" % path)
        length = int.from_bytes(self._mapped[len(_MAGIC):len(_MAGIC) + 8], "little")
        header = json.loads(self._mapped[len(_MAGIC) + 8:len(_MAGIC) + 8 + length])
        start = -(-(len(_MAGIC) + 8 + length) // _ALIGN) * _ALIGN
        self._fields = {}
        for name, entries in header["fields"].items():
            arrays = {array_name: np.frombuffer(self._mapped, dtype=dtype, count=count, offset=start + offset)
                      for array_name, (dtype, offset, count) in entries.items()}
            terms = _Terms(self._mapped, start + entries["terms"][1], arrays["term_starts"])
            self._fields[name] = (terms, arrays["prefixes"], arrays["starts"], arrays["ids"], arrays["weights"])

    @classmethod
    def find(cls, directory: str, segment_id: str):
        """The segment's postings file, or None when it has none (or one that cannot be read)."""
        try:
            return cls(postings_path(directory, segment_id))
        except (OSError, ValueError, KeyError):
            return None

    def has_field(self, fieldname: str) -> bool:
        return fieldname in self._fields

    def postings(self, fieldname: str, text: str):
        """(document numbers, weights) of the term, read-only views of the map; None if absent."""
        terms, prefixes, starts, ids, weights = self._fields[fieldname]
        term = text.encode("utf-8")
        # numpy finds the terms that begin alike in C; bisect orders the few that share 16 bytes.
        low = int(prefixes.searchsorted(term[:_PREFIX], "left"))
        high = int(prefixes.searchsorted(term[:_PREFIX], "right"))
        index = bisect_left(terms, term, low, high)
        if index == high or terms[index] != term:
            return None
        begin, end = int(starts[index]), int(starts[index + 1])
        return ids[begin:end], weights[begin:end]
