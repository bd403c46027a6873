"""The read buffer: what searches and page views record is written in batches, never on the request
path — pages answer while another connection holds the database's write lock."""
import logging
import os
import sqlite3
import subprocess
import sys
import threading
from contextlib import contextmanager
from datetime import timedelta

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import IntegrityError, OperationalError

from accounts.models import ApiToken
from accounts.services import get_user
from core.clock import utcnow
from core.read_buffer import (
    COUNT,
    LATEST,
    ReadBuffer,
    add_counts,
    flush_read_buffers,
    read_buffer,
)
from extensions import db
from kb.models import Article
from kb.services.articles import ARTICLE_VIEWS
from mentoring.questions.models import Question
from search.log import SEARCH_LOG, SEARCH_OPENS, record_open
from search.models import SearchLog
from tests.factories import flush_reads, make_user
from tests.factories_qa import make_question
from tests.factories_search import api_token, make_people, publish

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
WAITS = 10  # seconds a test waits for the flushing thread at most (it takes milliseconds)


class RecordingSession:
    """Stands in for a session: a sink's writes go into `written`."""

    def __init__(self):
        self.written = []

    def flush(self):
        pass

    @contextmanager
    def begin_nested(self):
        yield


def recording_buffer(max_items=100):
    """A buffer with a counter sink and a row sink that record what they are given."""
    buffer = ReadBuffer(app=None, seconds=0, max_items=max_items)
    buffer.register("views", lambda session, batch: session.written.append(("views", dict(batch))), combine=COUNT)
    buffer.register("last", lambda session, batch: session.written.append(("last", dict(batch))), combine=LATEST)
    buffer.register("rows", lambda session, batch: session.written.append(("rows", list(batch))))
    return buffer


def test_counters_add_up_latest_values_win_and_rows_keep_their_order_until_a_flush():
    buffer = recording_buffer()
    for key in (7, 7, 9):
        buffer.add_value("views", key, 1)
    for used_at in (30, 50, 40):
        buffer.add_value("last", "token", used_at)
    buffer.add_row("rows", "first")
    buffer.add_row("rows", "second")
    session = RecordingSession()
    assert buffer.pending() == 5
    assert buffer.flush(session) == 5
    assert session.written == [("views", {7: 2, 9: 1}), ("last", {"token": 50}), ("rows", ["first", "second"])]
    assert buffer.pending() == 0 and buffer.flush(RecordingSession()) == 0


def test_a_full_buffer_drops_counts_and_logs_what_does_not_fit(caplog):
    buffer = recording_buffer(max_items=2)
    assert buffer.add_row("rows", "a") and buffer.add_value("views", 1, 1)
    assert buffer.add_value("views", 1, 1)  # a counter already held still counts: it takes no more room
    assert not buffer.add_row("rows", "b") and not buffer.add_value("views", 2, 1)
    assert buffer.dropped == 2
    session = RecordingSession()
    with caplog.at_level(logging.WARNING, logger="core.read_buffer"):
        buffer.flush(session)
    assert "2 entries were dropped" in caplog.text
    assert session.written == [("views", {1: 2}), ("rows", ["a"])]


def locked():
    return OperationalError("UPDATE article", {}, sqlite3.OperationalError("database is locked"))


def test_a_write_the_locked_database_could_not_do_is_tried_again_before_newer_rows():
    buffer = recording_buffer()
    calls = []

    def write_after_two_locked_attempts(session, batch):
        calls.append(list(batch))
        if len(calls) <= 2:
            raise locked()

    buffer.register("rows", write_after_two_locked_attempts)
    buffer.add_row("rows", "older")
    assert buffer.flush(RecordingSession()) == 0 and buffer.pending() == 1
    assert buffer.flush(RecordingSession()) == 0 and buffer.pending() == 1
    buffer.add_row("rows", "newer")
    assert buffer.flush(RecordingSession()) == 2
    assert calls == [["older"], ["older"], ["older", "newer"]]


def test_an_entry_the_database_refuses_is_dropped_and_logged_and_the_others_written(caplog):
    buffer = recording_buffer()

    def refusing_nine(session, batch):
        if 9 in batch:
            raise IntegrityError("UPDATE article", {}, sqlite3.IntegrityError("FOREIGN KEY constraint failed"))
        session.written.append(dict(batch))

    buffer.register("views", refusing_nine, combine=COUNT)
    for key in (3, 9, 4):
        buffer.add_value("views", key, 1)
    session = RecordingSession()
    with caplog.at_level(logging.WARNING, logger="core.read_buffer"):
        assert buffer.flush(session) == 2
    assert session.written == [{3: 1}, {4: 1}]
    assert buffer.pending() == 0
    assert "a views entry could not be written and was dropped: {9: 1}" in caplog.text


def test_an_opening_waits_for_its_search_buffered_later_then_is_recorded(app, clock):
    with app.app_context():
        agent = make_user("agent")
        ref = "ab" * 16
        # Another worker ran the search; this one saw the opening first.
        assert record_open(ref, agent, "article:1")
    assert flush_reads(app) == 0
    assert read_buffer(app).pending() == 1  # kept for the next flush
    with app.app_context():
        read_buffer(app).add_row(SEARCH_LOG, {"ref": ref, "user_id": agent.id, "text": "router", "channel": "page",
                                          "result_count": 1, "took_ms": 1.0, "created_at": utcnow()})
    assert flush_reads(app) == 2
    with app.app_context():
        entry = db.session.scalars(select(SearchLog)).one()
        assert entry.opened_key == "article:1" and entry.opened_at is not None


def test_an_opening_whose_search_never_comes_is_given_up_after_two_minutes(app, clock):
    with app.app_context():
        assert record_open("cd" * 16, make_user("agent"), "article:1")
    flush_reads(app)
    assert read_buffer(app).pending() == 1
    clock.shift(timedelta(minutes=3))
    flush_reads(app)
    assert read_buffer(app).pending() == 0


@pytest.mark.parametrize("ref", ["", "12", "AB" * 16, "ab" * 17, "zz" * 16])
def test_an_opening_without_a_well_formed_reference_is_not_buffered(app, ref):
    with app.app_context():
        assert not record_open(ref, make_user("agent"), "article:1")
    assert read_buffer(app).sinks[SEARCH_OPENS].items == []


# --- against a real database, with the lock held by another connection ----------------------

@pytest.fixture
def pages(app):
    """A published article, a question, and the agent's API token; all committed."""
    with app.app_context():
        people = make_people()
        article_id = publish(people, "Router keeps rebooting", "Replace the **router** power brick.")
        question_id = make_question(make_user("asker"), title="Router reboots every hour, why?").id
        headers = api_token(get_user("agent"))
    return {"article": article_id, "question": question_id, "headers": headers}


class WriteLock:
    """Another connection holding the database's write lock: SQLite's (BEGIN IMMEDIATE on the
    same file), or on PostgreSQL an EXCLUSIVE lock on the tables reads record into (which lets
    reads through and makes every write wait)."""

    def __init__(self, app):
        self.app = app
        with app.app_context():
            self.url = db.engine.url
            self.engine = db.engine
        self.holder = None

    def take(self):
        if self.url.get_backend_name() == "sqlite":
            self.holder = sqlite3.connect(self.url.database, isolation_level=None)
            self.holder.execute("BEGIN IMMEDIATE")
        else:
            self.holder = self.engine.connect()
            self.holder.execute(text("LOCK TABLE article, question, search_log, api_token IN EXCLUSIVE MODE"))

    def release(self):
        self.holder.rollback()
        self.holder.close()
        self.holder = None


@pytest.fixture
def write_lock(app):
    lock = WriteLock(app)
    yield lock
    if lock.holder is not None:
        lock.release()


def counts(app, ids):
    with app.app_context():
        return (db.session.scalar(select(Article.view_count).where(Article.id == ids["article"])),
                db.session.scalar(select(Question.view_count).where(Question.id == ids["question"])),
                db.session.scalar(select(func.count(SearchLog.id))),
                db.session.scalar(select(func.count(SearchLog.opened_key))))


@pytest.mark.committed
def test_search_article_and_question_pages_answer_while_another_connection_holds_the_write_lock(
        app, client, auth, pages, write_lock, monkeypatch):
    monkeypatch.setattr(read_buffer(app), "lock_wait", 0.2)  # the flush below gives up quickly
    auth.login("lead")  # the agent wrote the article: their own reads do not count
    write_lock.take()
    results = client.get("/search?q=router")
    assert results.status_code == 200 and "Router keeps rebooting" in results.get_data(as_text=True)
    api = client.get("/api/v1/search?q=router", headers=pages["headers"])
    assert api.status_code == 200 and api.get_json()["total"] == 1
    assert client.get("/kb/%d" % pages["article"]).status_code == 200
    assert client.get("/questions/%d" % pages["question"]).status_code == 200
    [ref] = [line.split("log=")[1].split('"')[0] for line in results.get_data(as_text=True).splitlines()
             if "/search/open?" in line]
    opened = client.get("/search/open?key=article:%d&log=%s" % (pages["article"], ref))
    assert opened.status_code == 302
    # The flush cannot write while the lock is held: it keeps everything for the next one.
    assert flush_read_buffers(app) == 0
    assert read_buffer(app).pending() == 6
    write_lock.release()
    assert counts(app, pages) == (0, 0, 0, 0)
    assert flush_read_buffers(app) == 6  # two searches, two views, one opening, one token use
    assert counts(app, pages) == (1, 1, 2, 1)
    with app.app_context():
        assert db.session.scalar(select(ApiToken.last_used_at)) is not None


@pytest.mark.committed
def test_the_flushing_thread_writes_without_being_asked_once_half_full(app, pages):
    # A long period: only the bound can have woken the thread.
    buffer = ReadBuffer(app, seconds=600, max_items=2)
    buffer.register(ARTICLE_VIEWS, add_counts(Article.__table__.c.view_count), combine=COUNT)
    written = threading.Event()
    real_flush = buffer.flush

    def flush_and_tell(session=None):
        count = real_flush(session)
        if count:
            written.set()
        return count

    buffer.flush = flush_and_tell
    try:
        buffer.add_value(ARTICLE_VIEWS, pages["article"], 1)
        assert written.wait(WAITS)
    finally:
        buffer.close()
    assert counts(app, pages)[0] == 1


@pytest.mark.committed
def test_the_flushing_thread_writes_every_period(app, pages):
    buffer = ReadBuffer(app, seconds=0.05, max_items=1000)
    buffer.register(ARTICLE_VIEWS, add_counts(Article.__table__.c.view_count), combine=COUNT)
    try:
        buffer.add_value(ARTICLE_VIEWS, pages["article"], 3)
        for _tick in range(WAITS * 20):
            if buffer.pending() == 0 and counts(app, pages)[0] == 3:
                break
            threading.Event().wait(0.05)
    finally:
        buffer.close()
    assert counts(app, pages)[0] == 3


@pytest.mark.committed
def test_what_a_process_buffered_is_written_when_it_exits(app, pages, tmp_path):
    with app.app_context():
        url = db.engine.url.render_as_string(hide_password=False)
    settings = {"SQLALCHEMY_DATABASE_URI": url, "INSTANCE_PATH": str(tmp_path), "SECRET_KEY": "test-secret",
                "SEARCH_DIR": str(tmp_path / "search"), "SEARCH_AUTO_REBUILD": False,
                "READ_BUFFER_SECONDS": 600}  # the thread never gets to it: only the exit writes it
    if app.config.get("SQLALCHEMY_ENGINE_OPTIONS"):
        settings["SQLALCHEMY_ENGINE_OPTIONS"] = app.config["SQLALCHEMY_ENGINE_OPTIONS"]
    script = ("from app import create_app\nfrom core.read_buffer import read_buffer\n"
              "app = create_app(%r)\nread_buffer(app).add_value(%r, %d, 4)\n"
              % (settings, ARTICLE_VIEWS, pages["article"]))
    subprocess.run([sys.executable, "-c", script], cwd=ROOT, check=True, timeout=60)
    assert counts(app, pages)[0] == 4
