"""The outbox under contention: several processes change articles at once while appliers run and
are killed mid-batch; afterwards the index equals the database, with one copy of each document."""
import json
import os
import random
import signal
import subprocess
import sys
import time

import pytest
from sqlalchemy import func, select

from accounts.models import User
from extensions import db
from search.check import compare_index
from search.index import current_search
from search.models import SearchOutbox
from search.outbox import apply_outbox
from tests.factories_search import index_keys, make_people, publish

pytestmark = pytest.mark.committed

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
WRITERS = 3
CHANGES_PER_WRITER = 25
DEADLINE_SECONDS = 240


@pytest.fixture
def settings(app, ctx, tmp_path):
    """What the processes need to open the test's database and index."""
    people = make_people()
    ids = {name: user.id for name, user in people.items()}
    db.session.commit()
    return {"url": app.config["SQLALCHEMY_DATABASE_URI"], "options": app.config.get("SQLALCHEMY_ENGINE_OPTIONS"),
            "search_dir": current_search(app).index_dir, "instance": str(tmp_path), **ids}


def start(settings, mode, *args, name="p", immediate=False):
    own = dict(settings, instance=os.path.join(settings["instance"], name), immediate=immediate)
    os.makedirs(own["instance"], exist_ok=True)
    return subprocess.Popen([sys.executable, "-m", "tests.outbox_processes", mode, json.dumps(own), *map(str, args)],
                            cwd=ROOT, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL if mode == "apply" else subprocess.PIPE)


def finish(process, timeout=DEADLINE_SECONDS):
    _out, err = process.communicate(timeout=timeout)
    return process.returncode, err.decode(errors="replace")


def waiting_count():
    db.session.commit()
    count = db.session.scalar(select(func.count(SearchOutbox.id)))
    db.session.commit()
    return count


def one_copy_each(search):
    """The index counts each key once: an update applied twice replaced the document (Whoosh by
    its key term, PostgreSQL by its primary key) instead of adding a second copy."""
    health = search.engine.health()
    return health.available and health.doc_count == len(search.engine.stored_documents())


def test_writers_and_killed_appliers_leave_the_index_equal_to_the_database(app, settings):
    rng = random.Random(7)
    writers = [start(settings, "write", CHANGES_PER_WRITER, seed, name="writer-%d" % seed, immediate=seed == 0)
               for seed in range(WRITERS)]
    appliers, killed = [], 0
    deadline = time.monotonic() + DEADLINE_SECONDS
    while any(writer.poll() is None for writer in writers) and time.monotonic() < deadline:
        appliers = [applier for applier in appliers if applier.poll() is None]
        if len(appliers) < 2:
            appliers.append(start(settings, "apply", name="applier-%d" % len(appliers)))
        time.sleep(rng.uniform(0.05, 0.4))
        victim = rng.choice(appliers)
        victim.send_signal(signal.SIGKILL)  # wherever it is: reading, writing the index, deleting rows
        victim.wait()
        killed += 1
    for applier in appliers:
        applier.kill()
        applier.wait()
    outcomes = [finish(writer) for writer in writers]
    failed = [err[-3000:] for code, err in outcomes if code != 0]
    assert not failed, "\n\n".join(failed)
    assert killed > 0
    search = current_search(app)
    apply_outbox(search)  # what the killed appliers left: a consumer's next round
    difference = compare_index(search)
    assert difference.equal, difference
    assert difference.documents > 0 and waiting_count() == 0
    assert one_copy_each(search)


@pytest.mark.parametrize("mode", ["die-after-index-write", "die-while-reading"])
def test_an_applier_dying_mid_batch_loses_nothing_and_applies_nothing_twice(app, ctx, settings, mode, held_outbox):
    first, second = held_outbox
    code, err = finish(start(settings, mode, name=mode))
    assert code == 9, err
    # Its rows are still there: written to the index or not, they are applied again.
    assert waiting_count() == 2
    assert apply_outbox(current_search(app)) == 2
    assert sorted(index_keys(app, "declined")) == sorted([f"article:{first}", f"article:{second}"])
    assert compare_index(current_search(app)).equal and one_copy_each(current_search(app))
    assert waiting_count() == 0


@pytest.fixture
def held_outbox(app, settings, monkeypatch):
    """Two published articles whose outbox rows nobody has applied yet (no consumer runs)."""
    monkeypatch.setattr("search.sync.request_outbox_apply", lambda: None)
    people = {"agent": db.session.get(User, settings["agent"]), "lead": db.session.get(User, settings["lead"])}
    return publish(people, "Card declined at the till"), publish(people, "Card declined online")
