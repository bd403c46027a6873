"""The search index on disk: Whoosh schema, generations swapped atomically, bounded write-lock waits.

Layout of ``index_dir``::

    index_dir/current -> gen-<time>-<random>   symlink to the live Whoosh index
    index_dir/gen-...                          the live index and the one it replaced
    index_dir/building-...                     a rebuild in progress

A rebuild writes a complete new index into ``building-…``, renames it to ``gen-…`` and then
points ``current`` at it by renaming a fresh symlink over the old one (``os.replace``, atomic on
POSIX), so every search sees either the old or the new index, never a half-built one. Searchers
resolve ``current`` before each query and reopen when it moved. The replaced generation is kept
until the next rebuild so that searches already running on it can finish.

Segments are written as separate files, not Whoosh's default compound file: opening a compound
segment copies each of its parts into memory (hundreds of megabytes at 50,000 documents), and
every write opens the segments again to find the documents it replaces. The files are read
through mmap (MappedStorage): a read is a memory copy, not a seek and a system call.

Writers wait a bounded time for Whoosh's write lock and then raise ``IndexBusy`` rather than
lose a write (Whoosh's AsyncWriter would drop it silently). A rebuild holds the old generation's
write lock for its whole run, so incremental writes made meanwhile fail with ``IndexBusy`` (the
caller queues them and retries) instead of landing in the generation about to be replaced.
"""

import mmap
import os
import shutil
import time
import uuid
import warnings
from datetime import datetime

from flask_babel import lazy_gettext as _l
from whoosh import formats
from whoosh.columns import NumericColumn
from whoosh.fields import COLUMN, DATETIME, ID, KEYWORD, STORED, TEXT, Schema
from whoosh.filedb.filestore import FileStorage
from whoosh.filedb.structfile import StructFile
from whoosh.index import TOC, FileIndex
from whoosh.reading import EmptyReader, MultiReader, SegmentReader
from whoosh.writing import LockError

from search.analysis import exact_analyzer, text_analyzer, title_prefix_analyzer
from search.build import PARALLEL_FROM, write_segments
from search.build import build_processes as build_processes_default
from search.vector import word_pairs

_TEXT_ANALYZER = text_analyzer()
_EXACT_ANALYZER = exact_analyzer()
_CURRENT = "current"
_STALE_BUILD_SECONDS = 3600
_TOC_READ_ATTEMPTS = 5
# Written into every generation; a generation of another format is rebuilt, not read: version 2
# added the pairs field, without which quoted phrases would find nothing.
_FORMAT_FILE = "knowhow-format"
INDEX_FORMAT = "2"


class SearchError(Exception):
    """Base class of search engine errors; str() is a translated message."""


class IndexBusy(SearchError):
    """The index stayed locked by another writer for longer than the allowed wait."""


class LockBusy(SearchError):
    """A named lock of the index (engine.lock) is held elsewhere, and the caller would not wait."""


class IndexUnavailable(SearchError):
    """The index is missing or cannot be read; rebuild it (flask reindex)."""

    def __init__(self, message, detail: str | None = None):
        super().__init__(message)
        self.detail = detail  # what Whoosh reported, for the log


class PairsField(KEYWORD):
    """The pairs field: only which documents hold each pair is kept, no counts or positions."""

    def __init__(self):
        # Scorable only for the column of field lengths it brings: without one, Whoosh 2.7.4 looks
        # for that column on disk once per posting written (a sixth of a rebuild's time).
        super().__init__(scorable=True)
        self.format = formats.Existence()


def build_schema() -> Schema:
    """Whoosh schema of the search index.

    Queries match one ``content`` field (title, body and tags together): one posting list per
    word keeps matching fast. ``title`` is indexed again to rank title matches higher, ``spelling``
    holds the unstemmed words for typo correction, ``pairs`` each two neighbouring content words
    for quoted phrases (vector.py), ``title_prefix`` serves as-you-type.
    """
    return Schema(
        key=ID(stored=True, unique=True),
        type=ID(stored=True),
        id=STORED(),
        category=ID(stored=True),
        lang=ID(stored=True),
        # The group of versions this document is one of (folding.py); absent for one alone.
        group=ID(stored=True),
        title=TEXT(analyzer=text_analyzer(), stored=True, phrase=False, field_boost=3.0),
        content=TEXT(analyzer=text_analyzer()),
        body=STORED(),
        spelling=TEXT(analyzer=exact_analyzer(), phrase=False),
        pairs=PairsField(),
        title_prefix=TEXT(analyzer=title_prefix_analyzer(), phrase=False),
        # A float column, not NUMERIC(float, sortable=True): that one cannot write its default in 2.7.4.
        boost=COLUMN(NumericColumn("f", default=0.0)),
        updated_at=DATETIME(stored=True),
    )


# The fields whose postings a rebuild writes into its segment's postings file (postings.py): all
# that vector.py matches on; key and spelling are only looked up through Whoosh.
MAPPED_FIELDS = ("content", "title", "title_prefix", "pairs", "type", "category", "lang")


def document_fields(doc: dict) -> dict:
    """Whoosh fields for a document: a dict with key, type, id, title, body, category, lang, tags,
    boost (≥ 0; scores are multiplied by 1 + boost), updated_at and optionally group."""
    title = doc.get("title") or ""
    body = doc.get("body") or ""
    texts = (title, body, " ".join(doc.get("tags") or ()))
    title_words = [token.text for token in _TEXT_ANALYZER(title)]
    words = title_words + [token.text for text in texts[1:] for token in _TEXT_ANALYZER(text)]
    boost = max(0.0, float(doc.get("boost") or 0.0))
    fields = {
        "key": str(doc["key"]),
        "type": str(doc["type"]),
        "id": int(doc["id"]),
        # Pre-analysed word lists, from the same analyzers the schema names, so that each text
        # is analysed once (split_words caches each text for the other analyzers): the title is
        # indexed as its words and stored as written.
        "title": title_words,
        "_stored_title": title,
        "body": body,
        "content": words,
        "pairs": word_pairs(words),
        "spelling": [token.text for text in texts for token in _EXACT_ANALYZER(text)],
        "title_prefix": title,
        "boost": boost,
        # Suggestions rank by posting weight alone, so the boost is written into those weights.
        "_title_prefix_boost": 1.0 + boost,
    }
    for name in ("category", "lang", "group"):
        if doc.get(name):
            fields[name] = str(doc[name])
    if isinstance(doc.get("updated_at"), datetime):
        fields["updated_at"] = doc["updated_at"]
    return fields


class MappedFile(StructFile):
    """A read-only Whoosh file over a memory map; get() slices, so it does not move a shared position."""

    def get(self, position, length):
        return self.file[position:position + length]


class MappedStorage(FileStorage):
    """Whoosh's FileStorage, reading existing files through mmap."""

    def open_file(self, name, **kwargs):
        with open(self._fpath(name), "rb") as source:
            if not os.fstat(source.fileno()).st_size:  # an empty file cannot be mapped
                return super().open_file(name, **kwargs)
            mapped = mmap.mmap(source.fileno(), 0, access=mmap.ACCESS_READ)
        return MappedFile(mapped, name=name, **kwargs)


def read_format(path: str) -> str | None:
    """The format written in a generation: "1" for one written before formats were; None if path is
    no directory (the missing index is reported by whoever opens it)."""
    try:
        with open(os.path.join(path, _FORMAT_FILE)) as marker:
            return marker.read().strip()
    except FileNotFoundError:
        return "1" if os.path.isdir(path) else None


def unreadable_index(path: str, failure: list) -> IndexUnavailable:
    """The IndexUnavailable for an index Whoosh failed to read; failure holds the only reference to the error.

    Whoosh leaves the table-of-contents file open when it cannot parse it, referenced from the
    failed call's frames. Dropping the error here frees those frames and closes the file at once,
    and the ResourceWarning about Whoosh's leak is not ours to report.
    """
    detail = repr(failure[0])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ResourceWarning)
        failure.clear()
    return IndexUnavailable(_l("The search index at %(path)s cannot be read.", path=path), detail)


class IndexStore:
    """The generations of one Whoosh index under index_dir (layout in the module docstring)."""

    def __init__(self, index_dir, schema: Schema, lock_wait: float, build_processes: int | None = None,
                 parallel_from: int = PARALLEL_FROM):
        self.index_dir = os.path.abspath(str(index_dir))
        self.schema = schema
        self.lock_wait = lock_wait
        # A rebuild of at least parallel_from documents is written by this many processes (build.py).
        self.build_processes = build_processes or build_processes_default()
        self.parallel_from = parallel_from

    def current_path(self) -> str:
        """Directory of the live generation; raises IndexUnavailable when there is none."""
        link = os.path.join(self.index_dir, _CURRENT)
        if not os.path.lexists(link):
            raise IndexUnavailable(_l("There is no search index at %(path)s.", path=self.index_dir))
        return os.path.realpath(link)

    def open(self, path: str):
        """Open the Whoosh index of a generation; raises IndexUnavailable when it cannot be read
        or was built in another format."""
        if read_format(path) not in (INDEX_FORMAT, None):
            raise IndexUnavailable(_l("The search index at %(path)s was built by another version of Knowhow "
                                      "and must be rebuilt.", path=path))
        try:
            return FileIndex(MappedStorage(path), schema=self.schema)
        except Exception as error:  # a missing, truncated or foreign index: all mean "rebuild it"
            failure = [error]
        raise unreadable_index(path, failure)

    def open_reader(self, ix, previous=None):
        """A reader of ix's latest commit that reuses previous's readers of unchanged segments.

        Whoosh's own refresh looks reusable segment readers up by the wrong key and reopens every
        segment after each write (about 170 ms for 50,000 documents). A segment is unchanged when
        its id and its number of deleted documents are the same; previous's other segment
        readers are closed, so previous must not be used afterwards.
        """
        reusable = {}
        for leaf, _offset in previous.leaf_readers() if previous is not None else ():
            segment = leaf.segment()
            if segment is not None:  # None: the reader of an empty index
                reusable[(segment.segment_id(), segment.deleted_count())] = leaf
        for attempt in range(_TOC_READ_ATTEMPTS):
            try:
                toc = TOC.read(ix.storage, ix.indexname, schema=self.schema)
                break
            except OSError:  # a writer removed a file just as we read; Whoosh retries the same way
                if attempt == _TOC_READ_ATTEMPTS - 1:
                    raise
                time.sleep(0.05)
        readers = []
        for segment in toc.segments:
            key = (segment.segment_id(), segment.deleted_count())
            readers.append(reusable.pop(key, None)
                           or SegmentReader(ix.storage, self.schema, segment, generation=toc.generation))
        for leaf in reusable.values():
            leaf.close()
        if not readers:
            return EmptyReader(self.schema)
        return MultiReader(readers, generation=toc.generation)

    def ensure(self) -> bool:
        """Create an empty generation when there is no readable one; True if it did."""
        try:
            self.open(self.current_path()).close()
            return False
        except IndexUnavailable:
            self._swap_in(self._build(())[0])
            return True

    def write(self, change) -> None:
        """Call change(writer) with the live generation's writer and commit, waiting for the lock."""
        def attempt():
            path = self.current_path()
            try:
                writer = self.open(path).writer(compound=False)
            except LockError:
                return None
            if self.current_path() != path:  # a rebuild swapped generations meanwhile
                writer.cancel()
                return None
            return writer

        writer = self._wait_for(attempt)
        try:
            change(writer)
        except BaseException:
            writer.cancel()
            raise
        writer.commit()

    def rebuild(self, docs) -> int:
        """Index docs into a new generation and swap it in; returns how many were indexed."""
        def attempt():
            path = self.current_path()
            lock = self.open(path).lock("WRITELOCK")
            if not lock.acquire():
                return None
            if self.current_path() != path:
                lock.release()
                return None
            return lock

        try:
            held_lock = self._wait_for(attempt)
        except IndexUnavailable:  # nothing live to protect
            held_lock = None
        try:
            path, count = self._build(docs)
            self._swap_in(path)
        finally:
            if held_lock is not None:
                held_lock.release()
        return count

    def _wait_for(self, attempt):
        """Call attempt() until it returns something other than None; IndexBusy after lock_wait."""
        deadline = time.monotonic() + self.lock_wait
        pause = 0.01
        while True:
            outcome = attempt()
            if outcome is not None:
                return outcome
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise IndexBusy(_l("The search index is busy; try again in a moment."))
            time.sleep(min(pause, remaining))
            pause = min(pause * 2, 0.2)

    def _build(self, docs) -> tuple[str, int]:
        os.makedirs(self.index_dir, exist_ok=True)
        name = "gen-%d-%s" % (time.time_ns(), uuid.uuid4().hex[:8])
        building = os.path.join(self.index_dir, "building-" + name)
        os.makedirs(building)
        try:
            count = write_segments(building, self.schema, docs, document_fields, MAPPED_FIELDS,
                                   self.build_processes, self.parallel_from)
            with open(os.path.join(building, _FORMAT_FILE), "w") as marker:
                marker.write(INDEX_FORMAT)
            final = os.path.join(self.index_dir, name)
            os.rename(building, final)
        except BaseException:
            shutil.rmtree(building, ignore_errors=True)
            raise
        return final, count

    def _swap_in(self, path: str) -> None:
        link = os.path.join(self.index_dir, _CURRENT)
        previous = os.path.realpath(link) if os.path.lexists(link) else None
        temporary = os.path.join(self.index_dir, ".%s-%s" % (_CURRENT, uuid.uuid4().hex))
        os.symlink(os.path.basename(path), temporary)
        os.replace(temporary, link)
        self._remove_old_generations(keep={path, previous})

    def _remove_old_generations(self, keep) -> None:
        for name in os.listdir(self.index_dir):
            path = os.path.join(self.index_dir, name)
            if name.startswith("gen-") and path not in keep:
                shutil.rmtree(path, ignore_errors=True)
            elif name.startswith("building-") and time.time() - os.path.getmtime(path) > _STALE_BUILD_SECONDS:
                shutil.rmtree(path, ignore_errors=True)
