"""Writing the segments of a new index generation: in this process, or in several at once.

A rebuild's cost is Whoosh's writer (analysis, then every term's posting list written one at a
time), which runs in one Python thread. A rebuild of more than PARALLEL_FROM documents therefore
starts up to MAX_PROCESSES processes (one per available core), hands them batches of documents
in turn, each through a short queue of its own, and each writes one segment into a directory of
its own, with its postings file (postings.py). The segments' files are then moved
into the new generation and one table of contents lists them all. Documents are numbered within
their segment, so nothing needs renumbering; the generation is swapped in as any other
(index_store.py). A process that fails or dies makes the rebuild fail: nothing is swapped in.
"""

import multiprocessing
import os
import queue
import shutil
import uuid
from itertools import chain, islice

from whoosh import index as whoosh_index
from whoosh.filedb.filestore import FileStorage
from whoosh.index import TOC

from search.postings import PostingsRecorder, postings_path

INDEX_NAME = "MAIN"  # Whoosh's default, which every generation uses
PARALLEL_FROM = 4000
MAX_PROCESSES = 4
BATCH = 250
# Memory for postings before Whoosh's writer spills them to a temporary file, per writer.
WRITER_MB = 128
_POLL_SECONDS = 1.0


def build_processes() -> int:
    """How many processes a large rebuild uses: the cores this process may run on, at most 4."""
    return max(1, min(MAX_PROCESSES, len(os.sched_getaffinity(0))))


def write_segments(directory: str, schema, docs, make_fields, mapped_fields, processes: int,
                   parallel_from: int = PARALLEL_FROM) -> int:
    """Write docs (an iterable of document dicts) as the segments of a new index in directory.

    make_fields(doc) gives a document's Whoosh fields; the postings of mapped_fields go to each
    segment's postings file. Returns how many documents were written.
    """
    docs = iter(docs)
    first = list(islice(docs, parallel_from))
    if processes < 2 or len(first) < parallel_from:
        return _write_one_segment(directory, schema, chain(first, docs), make_fields, mapped_fields, WRITER_MB)
    return _write_in_processes(directory, schema, chain(first, docs), make_fields, mapped_fields, processes)


def _write_one_segment(directory, schema, docs, make_fields, mapped_fields, limitmb) -> int:
    ix = whoosh_index.create_in(directory, schema)
    writer = ix.writer(limitmb=limitmb, compound=False)
    recorder = PostingsRecorder(mapped_fields)
    recorder.attach(writer)
    count = 0
    try:
        for doc in docs:
            writer.add_document(**make_fields(doc))
            count += 1
    except BaseException:
        writer.cancel()
        raise
    writer.commit()
    segments = ix._segments()
    ix.close()
    # One writer into an empty index makes one segment, numbered in the order documents came.
    if len(segments) == 1 and segments[0].doc_count_all() == count:
        recorder.write(postings_path(directory, segments[0].segment_id()))
    return count


def _write_part(directory, schema, tasks, results, make_fields, mapped_fields, limitmb):
    """In a child process: write the batches taken from tasks as one segment in directory."""
    try:
        batches = iter(tasks.get, None)
        count = _write_one_segment(directory, schema, (doc for batch in batches for doc in batch),
                                   make_fields, mapped_fields, limitmb)
        results.put((directory, count, None))
    except BaseException as error:  # reported to the parent, which fails the rebuild
        results.put((directory, 0, repr(error)))


def _write_in_processes(directory, schema, docs, make_fields, mapped_fields, processes) -> int:
    # spawn, not fork: the caller may be a threaded server or job consumer.
    context = multiprocessing.get_context("spawn")
    tasks = [context.Queue(maxsize=2) for _number in range(processes)]
    results = context.Queue()
    parts = [os.path.join(directory, "part-%d-%s" % (number, uuid.uuid4().hex[:8])) for number in range(processes)]
    workers = []
    try:
        for part, part_tasks in zip(parts, tasks):
            os.makedirs(part)
            worker = context.Process(target=_write_part, daemon=True, name="search-build",
                                     args=(part, schema, part_tasks, results, make_fields, mapped_fields,
                                           max(32, WRITER_MB // processes)))
            worker.start()
            workers.append(worker)
        number = 0
        while batch := list(islice(docs, BATCH)):
            _put(tasks[number % processes], batch, workers, results)
            number += 1
        for part_tasks in tasks:
            _put(part_tasks, None, workers, results)
        written = [_result(results, workers) for _worker in workers]
        for worker in workers:
            worker.join()
        return _combine(directory, schema, parts, sum(count for _part, count in written))
    finally:
        for worker in workers:
            if worker.is_alive():
                worker.terminate()
                worker.join()
        for part_tasks in tasks:
            part_tasks.close()
        results.close()
        for part in parts:
            shutil.rmtree(part, ignore_errors=True)


def _put(tasks, batch, workers, results) -> None:
    """Hand a batch to a process; raises when any process has failed or stopped meanwhile."""
    while True:
        try:
            tasks.put(batch, timeout=_POLL_SECONDS)
            return
        except queue.Full:
            try:
                _part, _count, failure = results.get_nowait()
            except queue.Empty:
                failure = None
            _check(failure)
            for worker in workers:
                if worker.exitcode is not None:  # before its last batch: it failed
                    raise RuntimeError("a process writing the search index stopped (exit code %s)"
                                       % worker.exitcode) from None


def _result(results, workers):
    while True:
        try:
            part, count, failure = results.get(timeout=_POLL_SECONDS)
        except queue.Empty:
            for worker in workers:  # one that ended well has put its result before it ended
                if worker.exitcode not in (None, 0):
                    raise RuntimeError("a process writing the search index stopped (exit code %s)"
                                       % worker.exitcode) from None
            continue
        _check(failure)
        return part, count


def _check(failure) -> None:
    if failure is not None:
        raise RuntimeError("a process writing the search index failed: %s" % failure)


def _combine(directory, schema, parts, count) -> int:
    """Move each part's segment into directory and write the table of contents listing them all."""
    segments = []
    for part in parts:
        part_index = whoosh_index.open_dir(part, schema=schema)
        part_segments = part_index._segments()
        part_index.close()
        for segment in part_segments:
            if not segment.doc_count_all():  # a process that got no batch
                continue
            prefix = segment.segment_id() + "."
            for name in os.listdir(part):
                if name.startswith(prefix):
                    os.rename(os.path.join(part, name), os.path.join(directory, name))
            segments.append(segment)
    TOC(schema, segments, 0).write(FileStorage(directory), INDEX_NAME)
    return count
