"""Operations: /healthz (alive), /readyz (ready, or 503 with the failing checks), /metrics (only
from allowed addresses, summed over processes) and JSON log lines carrying the request id."""
import io
import json
import logging
import os
import socket
import subprocess
import sys
import textwrap

import pytest
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import text
from sqlalchemy.orm import Session

from accounts.services import get_user
from app import create_app
from config import parse_networks
from core.ops.logs import configure_logging
from core.ops.metrics import metrics_allowed
from core.ops.readiness import postgres_probe_args, probe_engine, script_heads
from core.ops.requests import choose_request_id
from extensions import db
from search.outbox import write_outbox
from tests.conftest import DEMO_PASSWORD, SEARCH_BACKEND, app_settings, close_app, make_app
from tests.factories import make_user
from tests.factories_search import api_token, lose_index, make_corpus

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def closed_port():
    """A local TCP port nothing listens on (bound, then released)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def stamped(app):
    """Stamp the committed test database at a revision, as `flask init-db` leaves it (the test
    schema is built by create_all, without Alembic). Removed after the test."""
    def stamp(revisions):
        with app.app_context(), db.engine.begin() as connection:
            connection.execute(text("CREATE TABLE IF NOT EXISTS alembic_version "
                                    "(version_num VARCHAR(32) NOT NULL PRIMARY KEY)"))
            connection.execute(text("DELETE FROM alembic_version"))
            for revision in revisions:
                connection.execute(text("INSERT INTO alembic_version VALUES (:r)"), {"r": revision})

    yield stamp
    with app.app_context(), db.engine.begin() as connection:
        connection.execute(text("DROP TABLE IF EXISTS alembic_version"))


@pytest.fixture
def at_head(app, stamped):
    heads = script_heads(app.extensions["migrate"].directory)
    stamped(heads)
    return list(heads)


@pytest.fixture
def other_app(tmp_path):
    """make_app(database_url, **settings): an application of its own (closed after the test)."""
    made = []

    def make(database_url, **settings):
        application = make_app(tmp_path / ("app%d" % len(made)), database_url, **settings)
        made.append(application)
        return application

    yield make
    for application in made:
        close_app(application)


def metric_value(client, name, **labels):
    """The value of sample `name` with `labels` in /metrics (0 when absent)."""
    body = client.get("/metrics").get_data(as_text=True)
    for family in text_string_to_metric_families(body):
        for sample in family.samples:
            if sample.name == name and all(sample.labels.get(k) == v for k, v in labels.items()):
                return sample.value
    return 0


# -- /healthz


def test_healthz_answers_alive_even_when_the_database_is_stopped(other_app):
    stopped = other_app("postgresql+psycopg://postgres@127.0.0.1:%d/knowhow" % closed_port())
    response = stopped.test_client().get("/healthz")
    assert response.status_code == 200 and response.get_json() == {"status": "ok"}


def test_favicon_ico_points_at_the_svg_icon_that_every_page_links(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 301 and response.headers["Location"].endswith("/static/img/favicon.svg")
    icon = client.get("/static/img/favicon.svg")
    with icon:  # a static file is streamed: close it
        assert icon.status_code == 200 and icon.mimetype == "image/svg+xml" and b"<svg" in icon.data
    assert b'<link rel="icon" href="/static/img/favicon.svg"' in client.get("/login").data


# -- /readyz


@pytest.mark.committed
def test_readyz_is_ready_when_the_database_is_at_head_and_the_index_opens(app, client, at_head):
    with app.app_context():
        make_corpus()
    response = client.get("/readyz")
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["status"] == "ready" and body["failing"] == []
    assert body["checks"]["database"]["ok"] is True
    assert body["checks"]["migrations"] == {"ok": True, "database": at_head, "head": at_head}
    assert body["checks"]["search"] == {"ok": True, "state": "ok", "documents": 2, "pending": 0,
                                        "lag_seconds": 0.0}


@pytest.mark.committed
def test_readyz_says_not_ready_when_the_schema_is_behind_the_migrations(app, client, stamped):
    stamped(["0001"])
    response = client.get("/readyz")
    assert response.status_code == 503
    body = response.get_json()
    assert body["failing"] == ["migrations"]
    assert body["checks"]["migrations"]["error"] == "not_at_head"
    assert body["checks"]["migrations"]["database"] == ["0001"]


def test_readyz_says_not_ready_when_the_schema_was_never_migrated(client):
    # The test schema comes from create_all: no alembic_version table at all.
    body = client.get("/readyz").get_json()
    assert body["checks"]["migrations"]["ok"] is False and body["checks"]["migrations"]["database"] == []


@pytest.mark.committed
def test_readyz_reports_a_removed_index(app, client, at_head):
    restore = lose_index(app)
    try:
        response = client.get("/readyz")
        assert response.status_code == 503
        body = response.get_json()
        assert body["failing"] == ["search"]
        assert body["checks"]["search"]["state"] == "missing"
        assert body["checks"]["search"]["error"] == "index_missing"
        assert metric_value(client, "knowhow_search_index_up") == 0
    finally:
        restore()


def test_readyz_answers_503_when_the_database_port_is_closed(other_app):
    stopped = other_app("postgresql+psycopg://postgres@127.0.0.1:%d/knowhow" % closed_port())
    response = stopped.test_client().get("/readyz")
    assert response.status_code == 503
    body = response.get_json()
    assert body["checks"]["database"] == {"ok": False, "error": "unreachable"}
    assert "127.0.0.1" not in response.get_data(as_text=True)  # details go to the log only
    if SEARCH_BACKEND == "postgres":  # the index is in the stopped database too
        assert body["failing"] == ["database", "migrations", "search"]
        assert body["checks"]["search"]["error"] == "index_missing"
    else:
        assert body["failing"] == ["database", "migrations"]
        assert body["checks"]["search"]["ok"] is True
    assert "pending" not in body["checks"]["search"]


def test_readyz_answers_503_for_a_removed_sqlite_file_and_does_not_create_it(other_app, tmp_path):
    missing = tmp_path / "gone" / "knowhow.db"
    response = other_app("sqlite:///%s" % missing).test_client().get("/readyz")
    assert response.status_code == 503 and response.get_json()["checks"]["database"]["ok"] is False
    assert not missing.exists()


def test_the_readiness_probe_on_postgresql_has_short_connect_and_statement_timeouts():
    args = postgres_probe_args({"options": "-csearch_path=s1"}, 1.5)
    assert args == {"connect_timeout": 2, "options": "-csearch_path=s1 -c statement_timeout=1500"}
    assert postgres_probe_args({}, 5)["connect_timeout"] == 5


def test_the_readiness_probe_keeps_no_connection_open(app):
    assert type(probe_engine(app).pool).__name__ == "NullPool"


def wait_in_outbox(app_, keys):
    """Commit outbox rows that nobody applies (a consumer that is not running)."""
    with app_.app_context(), Session(db.engine) as session:
        write_outbox(session, keys)
        session.commit()


@pytest.mark.committed
def test_readyz_and_metrics_report_a_growing_number_of_pending_index_updates(app, client, at_head, clock):
    app.config["READY_MAX_INDEX_PENDING"] = 2
    wait_in_outbox(app, ["article:101"])
    search = client.get("/readyz").get_json()["checks"]["search"]
    assert (search["ok"], search["pending"]) == (True, 1)
    assert metric_value(client, "knowhow_search_index_pending_operations") == 1
    clock.shift(90)
    wait_in_outbox(app, ["article:102", "article:103"])
    response = client.get("/readyz")
    assert response.status_code == 503
    search = response.get_json()["checks"]["search"]
    assert (search["ok"], search["pending"], search["error"]) == (False, 3, "too_many_pending")
    assert search["lag_seconds"] >= 90  # the oldest has waited since before the shift
    assert metric_value(client, "knowhow_search_index_pending_operations") == 3
    assert metric_value(client, "knowhow_search_index_lag_seconds") >= 90


# -- /metrics


def test_metrics_are_served_to_loopback(client):
    response = client.get("/metrics")
    assert response.status_code == 200 and response.mimetype == "text/plain"
    assert "knowhow_request_duration_seconds" in response.get_data(as_text=True)


@pytest.mark.parametrize("address", ["10.0.0.9", "192.168.1.20", "2001:db8::1", "not-an-address"])
def test_metrics_are_a_404_from_other_addresses(client, address):
    response = client.get("/metrics", environ_base={"REMOTE_ADDR": address})
    assert response.status_code == 404
    assert "knowhow_" not in response.get_data(as_text=True)


def test_metrics_are_a_404_through_an_untrusted_proxy_on_the_same_host(client):
    response = client.get("/metrics", headers={"X-Forwarded-For": "203.0.113.7"})
    assert response.status_code == 404


def test_metrics_allow_configured_networks(app, client):
    app.config["METRICS_ALLOW"] = parse_networks("10.0.0.0/8")
    assert client.get("/metrics", environ_base={"REMOTE_ADDR": "10.20.30.40"}).status_code == 200
    assert client.get("/metrics").status_code == 404  # loopback is no longer listed


def test_metrics_allow_check_reads_ipv4_mapped_addresses():
    loopback = parse_networks("127.0.0.1, ::1")
    assert metrics_allowed("::ffff:127.0.0.1", loopback, False, 0)
    assert metrics_allowed("::1", loopback, False, 0)
    assert not metrics_allowed("127.0.0.1", loopback, True, 0)
    assert metrics_allowed("127.0.0.1", loopback, True, 1)  # ProxyFix already took the client's


def test_metrics_allow_setting_refuses_what_is_not_an_address():
    with pytest.raises(ValueError, match="KNOWHOW_METRICS_ALLOW"):
        parse_networks("127.0.0.1, metrics.example.com")


def test_request_latency_is_labelled_by_endpoint_never_by_path(client):
    before = metric_value(client, "knowhow_request_duration_seconds_count",
                          endpoint="unmatched", method="GET", status="4xx")
    client.get("/no/such/page/4815162342")
    client.get("/another/unknown/path")
    body = client.get("/metrics").get_data(as_text=True)
    assert "4815162342" not in body and "/no/such" not in body
    assert metric_value(client, "knowhow_request_duration_seconds_count",
                        endpoint="unmatched", method="GET", status="4xx") == before + 2
    before = metric_value(client, "knowhow_request_duration_seconds_count",
                          endpoint="ops.healthz", method="GET", status="2xx")
    client.get("/healthz")
    assert metric_value(client, "knowhow_request_duration_seconds_count",
                        endpoint="ops.healthz", method="GET", status="2xx") == before + 1


def test_unusual_methods_share_one_label(client):
    client.open("/healthz", method="PROPFIND")
    body = client.get("/metrics").get_data(as_text=True)
    assert "PROPFIND" not in body and 'method="other"' in body


@pytest.mark.committed
def test_search_and_suggest_latency_are_measured(app, client):
    with app.app_context():
        make_corpus()
        headers = api_token(get_user("agent"))
    searches = metric_value(client, "knowhow_search_duration_seconds_count", kind="search")
    suggestions = metric_value(client, "knowhow_search_duration_seconds_count", kind="suggest")
    assert client.get("/api/v1/search?q=card", headers=headers).status_code == 200
    assert client.get("/api/v1/suggest?q=car", headers=headers).status_code == 200
    assert metric_value(client, "knowhow_search_duration_seconds_count", kind="search") == searches + 1
    assert metric_value(client, "knowhow_search_duration_seconds_count", kind="suggest") == suggestions + 1
    assert metric_value(client, "knowhow_search_index_documents") == 2


MULTIPROCESS_WORKER = textwrap.dedent("""
    import sys
    sys.path.insert(0, {root!r})
    from tests.conftest import make_app
    app = make_app({instance!r}, {url!r})
    client = app.test_client()
    for _ in range({requests}):
        assert client.get("/healthz").status_code == 200
    if {scrape}:
        sys.stdout.write(client.get("/metrics").get_data(as_text=True))
""")


def test_metrics_add_up_the_requests_of_several_worker_processes(tmp_path):
    """prometheus_client's multiprocess mode, as under gunicorn: two workers answer requests, a
    third serves /metrics, and it counts them all."""
    shared = tmp_path / "prometheus"
    shared.mkdir()
    env = dict(os.environ, PROMETHEUS_MULTIPROC_DIR=str(shared))
    url = "sqlite:///%s" % (tmp_path / "knowhow.db")

    def run_worker(number, requests, scrape=False):
        script = MULTIPROCESS_WORKER.format(root=ROOT, instance=str(tmp_path / ("w%d" % number)), url=url,
                                            requests=requests, scrape=scrape)
        done = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True,
                              timeout=120, cwd=ROOT)
        assert done.returncode == 0, done.stderr
        return done.stdout

    run_worker(1, 3)
    run_worker(2, 2)
    exposition = run_worker(3, 0, scrape=True)
    counts = [sample.value for family in text_string_to_metric_families(exposition)
              for sample in family.samples
              if sample.name == "knowhow_request_duration_seconds_count"
              and sample.labels.get("endpoint") == "ops.healthz"]
    assert counts == [5]


# -- JSON logs and the request id


@pytest.fixture
def json_logs(tmp_path, database):
    """An application logging JSON lines (KNOWHOW_LOG_FORMAT=json) into a buffer; `lines()`
    parses what it wrote. The handler is removed afterwards."""
    application = make_app(tmp_path / "json-app", database.url, database.options, LOG_FORMAT="json",
                           TRUST_REQUEST_ID=True)
    root = logging.getLogger()
    [handler] = [h for h in root.handlers if getattr(h, "knowhow_json", False)]
    buffer = io.StringIO()
    handler.setStream(buffer)
    level = root.level

    def lines():
        return [json.loads(line) for line in buffer.getvalue().splitlines()]

    application.log_lines = lines
    yield application
    root.removeHandler(handler)
    root.setLevel(level)
    logging.getLogger("werkzeug").setLevel(logging.NOTSET)
    close_app(application)


def test_json_log_lines_parse_and_carry_the_trusted_request_id(json_logs):
    response = json_logs.test_client().get("/healthz", headers={"X-Request-ID": "lb-7f3a-42"})
    assert response.headers["X-Request-ID"] == "lb-7f3a-42"
    [line] = [line for line in json_logs.log_lines() if line["logger"] == "knowhow.request"]
    assert line["request_id"] == "lb-7f3a-42" and line["message"] == "request"
    assert (line["level"], line["method"], line["endpoint"], line["status"]) == ("INFO", "GET", "ops.healthz", 200)
    assert isinstance(line["duration_ms"], float) and line["user_id"] is None
    assert line["timestamp"].startswith("20")


def test_a_generated_request_id_is_echoed_and_logged(json_logs):
    response = json_logs.test_client().get("/healthz")
    generated = response.headers["X-Request-ID"]
    assert len(generated) == 32
    assert [line["request_id"] for line in json_logs.log_lines()] == [generated]


def test_a_malformed_request_id_is_replaced(json_logs):
    response = json_logs.test_client().get("/healthz", headers={"X-Request-ID": "x\" injected=1"})
    assert response.headers["X-Request-ID"] != "x\" injected=1"
    assert json_logs.log_lines()[0]["request_id"] == response.headers["X-Request-ID"]


def test_other_log_records_of_a_request_carry_its_id(json_logs):
    @json_logs.route("/test-logs")
    def test_logs():
        logging.getLogger("kb.something").warning("article %s saved", 7)
        return "ok"

    json_logs.test_client().get("/test-logs", headers={"X-Request-ID": "req-1"})
    [record] = [line for line in json_logs.log_lines() if line["logger"] == "kb.something"]
    assert (record["message"], record["level"], record["request_id"]) == ("article 7 saved", "WARNING", "req-1")


@pytest.mark.committed
def test_json_logs_carry_the_user_id_and_never_the_password_or_token(json_logs, app):
    with app.app_context():
        user_id = make_user("agent").id
        headers = api_token(get_user("agent"))
    client = json_logs.test_client()
    client.post("/login", data={"username": "agent", "password": DEMO_PASSWORD})
    client.get("/")
    json_logs.test_client().get("/api/v1/categories", headers=headers)
    lines = json_logs.log_lines()
    written = json.dumps(lines)
    assert DEMO_PASSWORD not in written and headers["Authorization"].split()[1] not in written
    requests = [line for line in lines if line["logger"] == "knowhow.request"]
    assert [line["user_id"] for line in requests[-2:]] == [str(user_id), str(user_id)]


def test_an_untrusted_request_id_header_is_not_used(app, client):
    assert app.config["TRUST_REQUEST_ID"] is False  # no trusted proxy in the tests
    assert client.get("/healthz", headers={"X-Request-ID": "forged"}).headers["X-Request-ID"] != "forged"


def test_choose_request_id_keeps_only_well_formed_trusted_ids():
    assert choose_request_id("abc-123", True) == "abc-123"
    assert choose_request_id("abc-123", False) != "abc-123"
    assert choose_request_id("a" * 129, True) != "a" * 129
    assert choose_request_id("line\nbreak", True) != "line\nbreak"


def test_an_unknown_log_format_is_refused(tmp_path):
    from flask import Flask

    application = Flask("ops-test")
    application.config.update(app_settings(tmp_path, "sqlite://"), LOG_FORMAT="xml")
    with pytest.raises(ValueError, match="KNOWHOW_LOG_FORMAT"):
        configure_logging(application)



def test_readyz_and_metrics_report_the_job_queue(tmp_path):
    """The queue's depth is in /readyz and /metrics."""
    from recognition.awards import jobs as awards_jobs

    application = create_app(app_settings(tmp_path, "sqlite:///" + str(tmp_path / "k.db"), JOBS_IMMEDIATE=False))
    with application.app_context():
        awards_jobs.notify_expiring_titles_daily()
        awards_jobs.notify_expiring_titles_daily()
    client = application.test_client()
    assert client.get("/readyz").get_json()["checks"]["jobs"] == {"ok": True, "depth": 2, "immediate": False}
    assert b"knowhow_jobs_queue_depth 2.0" in client.get("/metrics").data


def test_a_job_queue_that_cannot_be_reached_is_not_ready(tmp_path):
    application = create_app(app_settings(tmp_path, "sqlite:///" + str(tmp_path / "k.db"), JOBS_IMMEDIATE=False,
                                          REDIS_URL="redis://127.0.0.1:%d/0" % closed_port()))
    response = application.test_client().get("/readyz")
    body = response.get_json()
    assert response.status_code == 503 and "jobs" in body["failing"]
    assert body["checks"]["jobs"] == {"ok": False, "error": "unreachable"}
