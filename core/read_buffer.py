"""What reading leaves behind (the query log, view counts, opened results), written in batches.

A GET must never wait on SQLite's write lock, so nothing it records is written on the request
path: it goes into this process's buffer and a background thread writes it every
READ_BUFFER_SECONDS (default 5), each batch in a short transaction of its own whose wait for the
lock is bounded (READ_BUFFER_LOCK_WAIT seconds). The buffer is also written when it fills past
half of READ_BUFFER_MAX items, at process exit and on demand (`flush_read_buffers`, for tests and
commands; a job queue may call it instead of the thread).

The buffer knows no domain. A domain registers a sink in its init_app: a name and a function
`write(session, batch)` that writes one batch in the given session (never committing). A sink of
rows gets a list, in the order they were added, and may return the rows it could not place yet
(they are tried again at the next flush). A keyed sink gets a {key: value} mapping, the values of
one key combined in memory as they come: added up (counters: COUNT) or the greatest kept
(a last use: LATEST). A write the database cannot do now (locked, busy, unreachable) keeps its
batch for the next flush; a batch it refuses is tried again entry by entry, and an entry refused
on its own is dropped and logged. When the buffer is full, what no longer fits is dropped,
counted and logged: a request is never held up by it.
"""
import atexit
import logging
import operator
import os
import threading
import weakref
from contextvars import copy_context

from flask import current_app
from sqlalchemy import bindparam, text, update
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from database import set_lock_wait, set_write_intent
from extensions import db

log = logging.getLogger(__name__)

DEFAULT_SECONDS = 5.0
DEFAULT_MAX_ITEMS = 10000
DEFAULT_LOCK_WAIT = 2.0
COUNT = operator.add  # how a keyed sink combines two values of one key
LATEST = max


class Sink:
    """One kind of buffered write: its items waiting and how to write them."""

    def __init__(self, name, write, combine):
        self.name, self.write, self.combine = name, write, combine
        self.items = {} if combine else []

    def take(self):
        batch = self.items
        self.items = {} if self.combine else []
        return batch

    def put(self, key, value):
        self.items[key] = self.combine(self.items[key], value) if key in self.items else value

    def singles(self, batch):
        """The batch as batches of one entry each."""
        if self.combine:
            return [{key: value} for key, value in batch.items()]
        return [[row] for row in batch]

    def give_back(self, batch):
        """Put a batch that was not written back in front of what came since."""
        if self.combine:
            for key, value in batch.items():
                self.put(key, value)
        else:
            self.items[:0] = batch


# Every buffer of this process, so that a test session can forget them all before its database
# goes (their exit-time flush would find no tables).
_EVERY_BUFFER = weakref.WeakSet()


def discard_every_read_buffer():
    """Forget what every buffer of this process waits to write (the end of a test session)."""
    for buffer in list(_EVERY_BUFFER):
        buffer.discard()


class ReadBuffer:
    """The buffered writes of one application in this process (app.extensions["read_buffer"])."""

    def __init__(self, app, seconds=DEFAULT_SECONDS, max_items=DEFAULT_MAX_ITEMS, lock_wait=DEFAULT_LOCK_WAIT):
        self.app, self.seconds, self.max_items, self.lock_wait = app, seconds, max_items, lock_wait
        self.sinks = {}
        self.dropped = 0  # items that found the buffer full, since the process started
        self._dropped_unlogged = 0
        self._lock = threading.Lock()  # guards the items of every sink
        self._flushing = threading.Lock()  # one flush at a time
        self._wake = threading.Event()
        self._pid = None  # the process the thread and the exit hook belong to
        self._closed = False
        _EVERY_BUFFER.add(self)

    def register(self, name, write, combine=None):
        """Add a sink: `write(session, batch)` writes a list of rows, or with `combine` (COUNT,
        LATEST) a {key: value} mapping."""
        self.sinks[name] = Sink(name, write, combine)

    def pending(self):
        """How many items wait (a keyed sink holds one per key)."""
        with self._lock:
            return sum(len(sink.items) for sink in self.sinks.values())

    def add_row(self, name, row):
        """Buffer a row for sink `name`; False when the buffer was full and it was dropped."""
        return self._add(name, row, None)

    def add_value(self, name, key, value):
        """Combine `value` into `key` of keyed sink `name`; False when it had to be dropped."""
        return self._add(name, key, value)

    def _add(self, name, item, value):
        self._start_in_this_process()
        sink = self.sinks[name]
        with self._lock:
            waiting = sum(len(each.items) for each in self.sinks.values())
            # A key already held takes no more room.
            fits = waiting < self.max_items or (sink.combine is not None and item in sink.items)
            if fits:
                if sink.combine:
                    sink.put(item, value)
                else:
                    sink.items.append(item)
                waiting += 1
            else:
                self.dropped += 1
                self._dropped_unlogged += 1
        if not fits:
            if self._dropped_unlogged == 1:
                log.warning("read buffer full (%d items): dropping %s entries until the next flush",
                            self.max_items, name)
            self._wake.set()
            return False
        if waiting * 2 >= self.max_items:
            self._wake.set()
        return True

    def discard(self):
        """Forget every waiting item (tests, between one and the next)."""
        with self._lock:
            for sink in self.sinks.values():
                sink.take()
            self._dropped_unlogged = 0

    def flush(self, session=None):
        """Write every waiting batch; returns how many items were written.

        Each sink's batch is written in a short transaction of its own (writing intent, bounded
        lock wait), or into `session` when one is given (its caller commits).
        """
        with self._flushing:
            with self._lock:
                batches = [(sink, sink.take()) for sink in self.sinks.values() if sink.items]
                dropped, self._dropped_unlogged = self._dropped_unlogged, 0
            if dropped:
                log.warning("read buffer was full: %d entries were dropped since the last flush", dropped)
            written = 0
            for sink, batch in batches:
                written += self._write(sink, batch, session)
            return written

    def _write(self, sink, batch, session):
        try:
            if session is not None:
                with session.begin_nested():
                    leftover = sink.write(session, batch)
            else:
                leftover = copy_context().run(self._write_alone, sink, batch)
        except OperationalError:  # locked, busy or unreachable: all of it again next time
            log.warning("read buffer: writing %d %s entries failed; trying again at the next flush",
                        len(batch), sink.name, exc_info=True)
            with self._lock:
                sink.give_back(batch)
            return 0
        except Exception:
            if len(batch) == 1:
                log.exception("read buffer: a %s entry could not be written and was dropped: %r",
                              sink.name, batch)
                return 0
            # One entry the database refuses must not take the others with it.
            return sum(self._write(sink, single, session) for single in sink.singles(batch))
        if leftover:
            with self._lock:
                sink.give_back(leftover)
        return len(batch) - len(leftover or ())

    def _write_alone(self, sink, batch):
        # Runs in a copy of the caller's context: the write intent and lock wait set here stay here.
        set_write_intent(True)
        set_lock_wait(self.lock_wait)
        with self.app.app_context(), Session(db.engine) as session:
            if session.get_bind().dialect.name == "postgresql":
                session.execute(text("SET LOCAL lock_timeout = %d" % int(self.lock_wait * 1000)))
            leftover = sink.write(session, batch)
            session.commit()
        return leftover

    def _start_in_this_process(self):
        """The flushing thread and the exit hook, once per process (a forked worker starts its own)."""
        if self._pid == os.getpid():
            return
        with self._lock:
            if self._pid == os.getpid():
                return
            if self._pid is not None:  # forked: what the parent buffered is the parent's to write
                for sink in self.sinks.values():
                    sink.take()
                self._flushing = threading.Lock()
            self._pid = os.getpid()
        atexit.register(self._flush_quietly)
        if self.seconds > 0:
            threading.Thread(target=self._run, name="knowhow-read-buffer", daemon=True).start()

    def close(self):
        """Write what waits and stop the flushing thread (it ends at its next wake-up)."""
        self._closed = True
        self._wake.set()
        self._flush_quietly()

    def _run(self):
        while not self._closed:
            self._wake.wait(self.seconds)
            self._wake.clear()
            self._flush_quietly()

    def _flush_quietly(self):
        try:
            self.flush()
        except Exception:  # a flush never stops the thread or the exit
            log.exception("read buffer: flush failed")


def add_counts(column):
    """A writer for a COUNT sink: {row id: amount} added to integer `column` of each row, in one
    UPDATE per row in the database (no read-modify-write: other processes' counts add up too)."""
    table = column.table
    statement = (update(table).where(table.c.id == bindparam("row_id"))
                 .values({column.name: column + bindparam("amount")}))

    def write(session, counts):
        session.execute(statement, [{"row_id": row_id, "amount": amount}
                                    for row_id, amount in sorted(counts.items())])
    return write


def init_read_buffer(app):
    """Give `app` its buffer. Settings: READ_BUFFER_SECONDS (0: no thread, flushed only on demand,
    when full and at exit), READ_BUFFER_MAX, READ_BUFFER_LOCK_WAIT."""
    app.extensions["read_buffer"] = ReadBuffer(
        app, seconds=float(app.config.get("READ_BUFFER_SECONDS", DEFAULT_SECONDS)),
        max_items=int(app.config.get("READ_BUFFER_MAX", DEFAULT_MAX_ITEMS)),
        lock_wait=float(app.config.get("READ_BUFFER_LOCK_WAIT", DEFAULT_LOCK_WAIT)))


def read_buffer(app=None):
    """The buffer of `app` (default: the current application)."""
    return (app or current_app).extensions["read_buffer"]


def register_sink(app, name, write, combine=None):
    """Register a sink on `app`'s buffer (see ReadBuffer.register)."""
    read_buffer(app).register(name, write, combine)


def buffer_row(name, row):
    """Buffer a row for sink `name`, to be written by the next flush."""
    return read_buffer().add_row(name, row)


def buffer_value(name, key, value=1):
    """Combine `value` into `key` of keyed sink `name` (one more view: the default 1 with
    COUNT), to be written by the next flush."""
    return read_buffer().add_value(name, key, value)


def flush_read_buffers(app=None, session=None):
    """Write what the buffer holds now; returns how many items were written (see ReadBuffer.flush)."""
    return read_buffer(app).flush(session)
