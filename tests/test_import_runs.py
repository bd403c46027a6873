"""Web imports as jobs (recognition/services/import_runs.py): a run's lifecycle, its page, who sees
it, a failure that writes nothing, and the metrics refreshed by a job after an import's commit."""
import io
import os
import re
import time

import pytest
from sqlalchemy import func, select

from accounts import services as accounts
from extensions import db
from recognition import uploads
from recognition.models import AgentCategoryWeek, ImportBatch, ImportRowError, ImportRun, ResolutionRecord
from recognition.services import import_runs
from recognition.services.record_store import RecordStore
from recognition.uploads import progress_writer, stored_upload
from tests.factories import bearer, make_token, make_user
from tests.factories_recognition import csv_text, make_category, row


@pytest.fixture
def site(app):
    """A lead leila, a second lead, agents sara and omid, the billing category; leila signed in."""
    with app.app_context():
        lead = make_user("leila", role="lead")
        make_user("lead2", role="lead")
        make_user("sara")
        make_user("omid")
        make_category("billing")
        token = make_token(lead)
    return {"lead": token}


def upload(client, rows, filename="march.csv"):
    """Upload a CSV as leila; the preview's URL (without its query string)."""
    data = {"file": (io.BytesIO(csv_text(rows).encode()), filename)}
    response = client.post("/recognition/imports/new", data=data, content_type="multipart/form-data")
    return response.headers["Location"].split("?")[0]


def start(client, preview_url, action="import"):
    """Press a button of the preview; the run page's path."""
    response = client.post(preview_url, data={"action": action})
    assert response.status_code == 302
    return response.headers["Location"]


def count(app, model):
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


def the_run(app):
    with app.app_context():
        run = db.session.scalars(select(ImportRun)).one()
        db.session.expunge(run)
        return run


ROWS = [row("T1"), row("T2", nps="11"), row("T3", agent="omid", opened_at="2025-03-12T09:00:00")]


def test_an_import_is_queued_then_run_by_its_job(app, client, auth, site, held_jobs):
    auth.login("leila")
    run_page = start(client, upload(client, ROWS))
    assert re.fullmatch(r"/recognition/imports/runs/\d+", run_page)
    assert the_run(app).status == "queued" and held_jobs.names() == ["run_resolution_import"]
    page = client.get(run_page).get_data(as_text=True)
    assert 'http-equiv="refresh"' in page and "Waiting for the job queue" in page
    assert count(app, ImportBatch) == 0 and count(app, ResolutionRecord) == 0

    # The import's job, then the metrics job it queued after its commit.
    assert held_jobs.run() == ["run_resolution_import", "refresh_after_import"]
    run = the_run(app)
    assert (run.status, run.failure, run.rows_done) == ("done", "", 3)
    assert run.started_at is not None and run.finished_at is not None
    assert count(app, ResolutionRecord) == 2 and count(app, AgentCategoryWeek) == 2
    page = client.get(run_page).get_data(as_text=True)
    assert 'http-equiv="refresh"' not in page and "Import finished." in page
    assert "NPS must be from 0 to 10" in page and "Download rejected rows" in page
    assert client.get(upload_url_of(run)).status_code == 404  # the upload is gone once imported


def upload_url_of(run):
    return "/recognition/imports/new/" + run.upload_token


def test_the_metrics_wait_for_their_job_after_the_import(app, client, auth, site, held_jobs):
    auth.login("leila")
    start(client, upload(client, ROWS))
    assert held_jobs.run(limit=1) == ["run_resolution_import"]
    assert count(app, ResolutionRecord) == 2 and count(app, AgentCategoryWeek) == 0
    assert held_jobs.names() == ["refresh_after_import"]
    held_jobs.run()
    assert count(app, AgentCategoryWeek) == 2


def test_a_running_import_shows_how_far_it_read(app, client, auth, site, held_jobs):
    auth.login("leila")
    run_page = start(client, upload(client, ROWS))
    run = the_run(app)
    with app.app_context():
        db.session.get(ImportRun, run.id).status = "running"
        db.session.commit()
        progress_writer(run.upload_token, 1000)(500, 1234)
    page = client.get(run_page).get_data(as_text=True)
    assert 'http-equiv="refresh"' in page and 'value="50"' in page
    assert "Reading: 50% of the file, 1,234 rows" in page


def test_a_dry_run_stores_nothing_and_offers_the_import(app, client, auth, site):
    auth.login("leila")
    preview_url = upload(client, ROWS)
    run_page = start(client, preview_url, "dry_run")
    page = client.get(run_page).get_data(as_text=True)
    assert "Dry run finished" in page and "Import this file now" in page
    assert count(app, ResolutionRecord) == 0 and count(app, AgentCategoryWeek) == 0
    assert client.get(preview_url).status_code == 200  # the upload waits for the real import
    second = start(client, preview_url)
    assert "Import finished." in client.get(second).get_data(as_text=True)
    assert count(app, ResolutionRecord) == 2


def test_a_job_that_fails_marks_the_run_failed_and_writes_nothing(app, client, auth, site, monkeypatch):
    """The failure comes after rows were written (one row per chunk): they go with the rollback."""
    written = []
    insert = RecordStore.insert

    def insert_then_fail(self, records, batch_id):
        insert(self, records, batch_id)
        written.append(len(records))
        if len(written) == 2:
            raise OSError("disk full")

    monkeypatch.setattr("recognition.services.imports.CHUNK_ROWS", 1)
    monkeypatch.setattr(RecordStore, "insert", insert_then_fail)
    auth.login("leila")
    preview_url = upload(client, ROWS)
    page = client.get(start(client, preview_url)).get_data(as_text=True)
    run = the_run(app)
    assert written == [1, 1]
    assert (run.status, run.failure, run.batch_id) == ("failed", "unexpected", None)
    assert count(app, ImportBatch) == 0 and count(app, ResolutionRecord) == 0
    assert count(app, AgentCategoryWeek) == 0
    assert "unexpected error, and nothing of it was stored" in page
    assert client.get(preview_url).status_code == 200  # the file is kept to try again
    history = client.get("/recognition/imports").get_data(as_text=True)
    assert "march.csv" in history and "/recognition/imports/runs/%d" % run.id in history


def test_an_unreadable_file_fails_with_its_batch_as_before(app, client, auth, site):
    auth.login("leila")
    data = {"file": (io.BytesIO(b"ticket_id,agent\r\n\xff\xfe,x\r\n"), "bad.csv")}
    preview_url = client.post("/recognition/imports/new", data=data,
                              content_type="multipart/form-data").headers["Location"].split("?")[0]
    page = client.get(start(client, preview_url)).get_data(as_text=True)
    run = the_run(app)
    assert (run.status, run.failure) == ("failed", "unreadable") and run.batch_id is not None
    with app.app_context():
        batch = db.session.get(ImportBatch, run.batch_id)
        assert batch.status == "failed" and batch.message in page


def test_a_run_whose_upload_is_gone_fails_and_says_so(app, client, auth, site, held_jobs):
    auth.login("leila")
    run_page = start(client, upload(client, ROWS))
    with app.app_context():
        os.remove(stored_upload(the_run(app).upload_token)[0])
    held_jobs.run()
    assert the_run(app).failure == "missing"
    assert "upload it again" in client.get(run_page).get_data(as_text=True)


def test_a_job_delivered_twice_imports_once(app, client, auth, site, held_jobs):
    auth.login("leila")
    start(client, upload(client, ROWS))
    run_id = the_run(app).id
    with app.app_context():
        assert import_runs.run_resolution_import.call_local(run_id) == "done"
        assert import_runs.run_resolution_import.call_local(run_id) is None
    assert count(app, ImportBatch) == 1 and count(app, ResolutionRecord) == 2


def test_the_history_lists_waiting_runs(app, client, auth, site, held_jobs):
    auth.login("leila")
    start(client, upload(client, ROWS, filename="april.csv"))
    history = client.get("/recognition/imports").get_data(as_text=True)
    assert "april.csv" in history and "Queued" in history
    assert "/recognition/imports/runs/%d" % the_run(app).id in history


def test_leads_and_the_uploader_see_a_run_and_nobody_else(app, client, auth, site):
    auth.login("leila")
    run_page = start(client, upload(client, ROWS))
    auth.logout()
    auth.login("sara")
    assert client.get(run_page).status_code == 403
    assert client.get("/recognition/imports/runs/999999").status_code == 404
    auth.logout()
    auth.login("lead2")
    assert client.get(run_page).status_code == 200
    with app.app_context():
        accounts.update_user(accounts.get_user("leila"), role="agent")
        db.session.commit()
    auth.logout()
    auth.login("leila")
    assert client.get(run_page).status_code == 200


def test_a_run_stores_its_messages_in_the_uploaders_language(app, client, auth, site):
    with app.app_context():
        accounts.update_user(accounts.get_user("leila"), locale="fa")
        db.session.commit()
    auth.login("leila")
    start(client, upload(client, [row("T1", agent="ghost")]))
    with app.app_context():
        messages = db.session.scalars(select(ImportRowError.message)).all()
    assert len(messages) == 1 and "Unknown agent" not in messages[0]


# The API stays synchronous; its metrics follow in a job

def test_the_api_import_answers_as_before_and_queues_the_metrics(app, client, site, held_jobs):
    data = {"file": (io.BytesIO(csv_text(ROWS).encode()), "api.csv")}
    response = client.post("/api/v1/resolutions/import", data=data, headers=bearer(site["lead"]),
                           content_type="multipart/form-data")
    body = response.get_json()
    assert response.status_code == 201
    assert (body["rows_total"], body["rows_imported"], body["rows_rejected"]) == (3, 2, 1)
    assert count(app, ResolutionRecord) == 2 and count(app, AgentCategoryWeek) == 0
    assert held_jobs.run() == ["refresh_after_import"]
    assert count(app, AgentCategoryWeek) == 2


def test_an_api_dry_run_queues_no_job(app, client, site, held_jobs):
    data = {"file": (io.BytesIO(csv_text(ROWS).encode()), "api.csv"), "dry_run": "true"}
    response = client.post("/api/v1/resolutions/import", data=data, headers=bearer(site["lead"]),
                           content_type="multipart/form-data")
    assert response.status_code == 200 and held_jobs.names() == []


def record_progress(token, bytes_read):
    """progress_writer's file, dated by the test's clock (the file system keeps the real time)."""
    progress_writer(token, 1000)(bytes_read, bytes_read * 2)
    now = time.time()
    os.utime(uploads._paths(token)[2], (now, now))


def test_a_run_its_consumer_left_is_marked_stopped_and_a_moving_one_is_not(app, client, auth, site, held_jobs,
                                                                          clock):
    auth.login("leila")
    run_page = start(client, upload(client, ROWS))
    quiet = start(client, upload(client, ROWS, filename="quiet.csv"))
    moving = start(client, upload(client, ROWS, filename="moving.csv"))
    with app.app_context():
        runs = db.session.scalars(select(ImportRun).order_by(ImportRun.id)).all()
        for run in runs:
            run.status, run.started_at = "running", import_runs.utcnow()
        db.session.commit()
        tokens = [run.upload_token for run in runs]
        ids = [run.id for run in runs]
        record_progress(tokens[1], 10)  # the quiet one moved once, at its start
    clock.shift(import_runs.STOPPED_RUN_MINUTES * 60 + 60)
    with app.app_context():
        record_progress(tokens[2], 500)  # still reading just now
        assert import_runs.fail_stopped_runs.call_local() == ids[:2]
        assert [db.session.get(ImportRun, run_id).status for run_id in ids] == ["failed", "failed", "running"]
    assert "consumer did, and nothing of it was stored" in client.get(run_page).get_data(as_text=True)
    assert "nothing of it was stored" in client.get(quiet).get_data(as_text=True)
    assert 'http-equiv="refresh"' in client.get(moving).get_data(as_text=True)
