"""gunicorn as `make serve` runs it (gunicorn.conf.py): the application loaded before the fork."""
import json
import os
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import pytest

from extensions import db
from search.index import current_search
from search.postings import FILE_SUFFIX
from search.sync import rebuild_index
from tests.conftest import close_app, make_app
from tests.factories import bearer, make_token, make_user
from tests.factories_kb import make_article, make_category

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
STARTUP_SECONDS = 90


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def mapped_files(pid, directory):
    """Files under directory that the process has mapped."""
    with open("/proc/%d/maps" % pid) as maps:
        return {line.split(None, 5)[5].strip() for line in maps
                if len(line.split(None, 5)) == 6 and line.split(None, 5)[5].startswith(directory)}


def workers_of(pid):
    with open("/proc/%d/task/%d/children" % (pid, pid)) as children:
        return [int(child) for child in children.read().split()]


@pytest.fixture
def served(tmp_path):
    """gunicorn with the repository's gunicorn.conf.py and 2 workers, on an instance holding one
    published article in its index; yields (master process, port, API headers, search dir)."""
    instance = tmp_path / "instance"
    url = "sqlite:///%s" % (tmp_path / "knowhow.db")
    app = make_app(instance, url)
    with app.app_context():
        db.create_all()
        author = make_user("lead", role="lead")
        make_category("internet")
        make_article(author, title="Zebracorn modem reset", status="published", publisher=author)
        headers = bearer(make_token(author))
        rebuild_index(current_search(app), wait=True)
    search_dir = current_search(app).index_dir
    close_app(app)
    port = free_port()
    env = dict(os.environ, KNOWHOW_ENV="production", KNOWHOW_SECRET_KEY="a-long-test-secret-" + "x" * 32,
               KNOWHOW_INSTANCE_PATH=str(instance), KNOWHOW_DATABASE_URL=url, KNOWHOW_SEARCH_DIR=search_dir)
    master = subprocess.Popen([sys.executable, "-m", "gunicorn", "--config", "gunicorn.conf.py", "--workers", "2",
                               "--bind", "127.0.0.1:%d" % port, "--log-level", "warning", "app:create_app()"],
                              cwd=ROOT, env=env)
    try:
        deadline = time.monotonic() + STARTUP_SECONDS
        while True:
            assert master.poll() is None, "gunicorn stopped"
            try:
                urllib.request.urlopen("http://127.0.0.1:%d/healthz" % port, timeout=5).close()
                break
            except OSError:
                assert time.monotonic() < deadline, "gunicorn did not answer"
                time.sleep(0.3)
        yield master, port, headers, search_dir
    finally:
        master.terminate()
        master.wait(timeout=60)


def search_total(port, headers, text):
    query = urllib.parse.urlencode({"q": text})
    request = urllib.request.Request("http://127.0.0.1:%d/api/v1/search?%s" % (port, query), headers=headers)
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.load(response)["total"]


def test_preloaded_workers_search_and_map_the_index_the_master_never_opens(served):
    master, port, headers, search_dir = served
    with ThreadPoolExecutor(4) as clients:
        totals = list(clients.map(lambda _n: search_total(port, headers, "zebracorn"), range(16)))
    assert totals == [1] * 16
    workers = workers_of(master.pid)
    assert len(workers) == 2
    deadline = time.monotonic() + STARTUP_SECONDS  # each worker warms up in the background
    while not all(any(name.endswith(FILE_SUFFIX) for name in mapped_files(pid, search_dir)) for pid in workers):
        assert time.monotonic() < deadline, "a worker never mapped the postings file"
        time.sleep(0.3)
    assert mapped_files(master.pid, search_dir) == set()
