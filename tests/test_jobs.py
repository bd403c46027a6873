"""The job queue (jobs.py): immediate in tests, a real consumer process for the queue itself."""
import io
import os
import subprocess
import sys
import time
from datetime import datetime

import pytest
from sqlalchemy import func, select

from accounts.models import Notification, User
from accounts.services import get_user
from app import create_app
from extensions import db
from jobs import job, jobs, queue_after_commit
from kb import jobs as kb_jobs
from recognition.awards import jobs as awards_jobs
from recognition.models import AgentCategoryWeek, ImportRun, ResolutionRecord
from recognition.services import start_import_run
from recognition.uploads import save_upload
from tests.conftest import app_settings
from tests.factories import make_user
from tests.factories_awards import make_category, make_people, make_title
from tests.factories_recognition import csv_text, row

CONSUMER_WAIT_SECONDS = 30


def expiring_titles_of(application):
    with application.app_context():
        make_people()
        billing = make_category("billing")
        make_title(get_user("sara"), billing, get_user("lead"), days_left=5)
        make_title(get_user("omid"), billing, get_user("lead"), days_left=60)


def notices(application):
    with application.app_context():
        return sorted(db.session.scalars(select(Notification.kind)).all())


def due_at(hour, minute):
    return {task.name for task in jobs.read_periodic(datetime(2026, 5, 19, hour, minute))}


def test_the_consumer_runs_the_daily_jobs_at_their_hour():
    assert "notify_expiring_titles_daily" in due_at(6, 0)
    assert "award_period_badges_daily" in due_at(2, 30)
    assert kb_jobs.remind_reviews_due_daily.task_class.__name__ in due_at(7, 0)
    assert not due_at(12, 0) & {"notify_expiring_titles_daily", "award_period_badges_daily",
                                "remind_reviews_due_daily"}


def test_in_tests_a_job_runs_at_once_in_the_caller(app):
    expiring_titles_of(app)
    with app.app_context():
        assert awards_jobs.notify_expiring_titles_daily.call_local() == 1
    assert notices(app) == ["title_expiring", "title_expiring_lead"]


def test_without_settings_jobs_wait_in_the_instance_folder(tmp_path):
    application = create_app(app_settings(tmp_path, "sqlite://", JOBS_IMMEDIATE=False))
    with application.app_context():
        assert jobs.depth() == 0 and type(jobs.storage).__name__ == "SqliteStorage"
    assert os.path.exists(tmp_path / "jobs.db")


def test_run_jobs_refuses_to_start_in_immediate_mode(runner):
    result = runner.invoke(args=["run-jobs"])
    assert result.exit_code == 2 and "KNOWHOW_JOBS_IMMEDIATE" in result.output


def consumer_set_up(tmp_path):
    """(environment, flask command, application) of an instance in tmp_path whose jobs wait in
    its queue file, for a consumer process to run."""
    database = "sqlite:///" + str(tmp_path / "knowhow.db")
    environment = dict(os.environ, KNOWHOW_INSTANCE_PATH=str(tmp_path), KNOWHOW_DATABASE_URL=database,
                       KNOWHOW_SEARCH_AUTO_REBUILD="0")
    environment.pop("KNOWHOW_JOBS_IMMEDIATE", None)
    flask = [sys.executable, "-m", "flask", "--app", "app"]
    subprocess.run(flask + ["init-db"], env=environment, check=True, capture_output=True, timeout=60)
    return environment, flask, create_app(app_settings(tmp_path, database, JOBS_IMMEDIATE=False))


def run_consumer_until(environment, flask, done):
    """Run `flask run-jobs` until done() (at most CONSUMER_WAIT_SECONDS); its output."""
    consumer = subprocess.Popen(flask + ["run-jobs"], env=environment, stdout=subprocess.PIPE,
                                stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + CONSUMER_WAIT_SECONDS
        while not done() and time.monotonic() < deadline:
            time.sleep(0.1)
    finally:
        consumer.terminate()
        output = consumer.communicate(timeout=CONSUMER_WAIT_SECONDS)[0].decode(errors="replace")
    return output


@pytest.mark.committed
def test_a_consumer_process_runs_a_queued_job(tmp_path):
    """`flask run-jobs` in its own process takes a job from the instance's queue and runs it
    against the same database."""
    environment, flask, application = consumer_set_up(tmp_path)
    expiring_titles_of(application)
    with application.app_context():
        awards_jobs.notify_expiring_titles_daily()  # queued, not run (a daily job keeps no result)
        assert jobs.depth() == 1 and notices(application) == []
    output = run_consumer_until(environment, flask, lambda: notices(application) != [])
    assert notices(application) == ["title_expiring", "title_expiring_lead"], output[-2000:]
    with application.app_context():
        assert jobs.depth() == 0


# queue_after_commit: a job waits for the commit of the change it is about

seen_by_job = []


@job()
def count_users_job(label):
    """A test job: what it finds, in a session of its own."""
    seen_by_job.append((label, db.session.scalar(select(func.count(User.id)))))


@pytest.fixture
def seen(ctx):
    seen_by_job.clear()
    return seen_by_job


def test_a_job_is_queued_once_when_the_transaction_commits(seen, held_jobs):
    make_user("ann")
    db.session.add(User(username="bob", display_name="Bob", role="agent"))
    queue_after_commit(count_users_job, "after bob")
    db.session.flush()
    assert held_jobs.names() == []
    db.session.commit()
    assert held_jobs.names() == ["count_users_job"]
    db.session.commit()
    assert held_jobs.names() == ["count_users_job"]
    held_jobs.run()
    assert seen == [("after bob", 2)]


def test_a_rolled_back_change_queues_nothing(seen, held_jobs):
    db.session.add(User(username="bob", display_name="Bob", role="agent"))
    queue_after_commit(count_users_job, "never")
    db.session.rollback()
    db.session.commit()
    queue_after_commit(count_users_job, "no transaction yet, then a rollback")
    db.session.rollback()
    db.session.commit()
    assert held_jobs.names() == []


def test_a_released_savepoint_is_not_the_commit(seen, held_jobs):
    with db.session.begin_nested():
        queue_after_commit(count_users_job, "kept")
    assert held_jobs.names() == []
    savepoint = db.session.begin_nested()
    queue_after_commit(count_users_job, "rolled back with its savepoint")
    savepoint.rollback()
    db.session.commit()
    held_jobs.run()
    assert seen == [("kept", 0)]


def test_in_immediate_mode_the_job_runs_after_the_commit_and_sees_it(seen):
    db.session.add(User(username="bob", display_name="Bob", role="agent"))
    queue_after_commit(count_users_job, "immediate")
    db.session.flush()
    assert seen == []
    db.session.commit()
    assert seen == [("immediate", 1)]


@pytest.mark.committed
def test_a_consumer_process_runs_a_web_import_end_to_end(tmp_path):
    """An import started as the page starts it waits in the instance's queue; `flask run-jobs`
    imports the file, marks the run done and then refreshes the metrics in a second job."""
    environment, flask, application = consumer_set_up(tmp_path)
    with application.app_context():
        lead = make_user("leila", role="lead")
        make_user("sara")
        make_category("billing")
        content = csv_text([row("T1"), row("T2"), row("T3", agent="ghost")]).encode()
        token = save_upload(io.BytesIO(content), "march.csv", lead)
        run = start_import_run(token, {"filename": "march.csv", "size": len(content)}, lead,
                               dry_run=False, create_agents=False)
        db.session.commit()
        run_id = run.id
        assert jobs.depth() == 1

    def finished():
        with application.app_context():
            return (db.session.get(ImportRun, run_id).status,
                    db.session.scalar(select(func.count()).select_from(AgentCategoryWeek)))

    output = run_consumer_until(environment, flask, lambda: finished() == ("done", 1))
    assert finished() == ("done", 1), output[-2000:]
    with application.app_context():
        assert db.session.scalar(select(func.count()).select_from(ResolutionRecord)) == 2
        assert db.session.get(ImportRun, run_id).rows_done == 3 and jobs.depth() == 0


def test_with_a_redis_url_jobs_wait_in_redis(tmp_path):
    """KNOWHOW_REDIS_URL puts the queue in Redis (the machine's, a database of its own here)."""
    application = create_app(app_settings(tmp_path, "sqlite://", JOBS_IMMEDIATE=False,
                                          REDIS_URL="redis://127.0.0.1:6379/9"))
    with application.app_context():
        jobs.flush()
        assert type(jobs.storage).__name__ == "RedisStorage" and jobs.depth() == 0
        awards_jobs.notify_expiring_titles_daily()
        assert jobs.depth() == 1
        jobs.flush()
        assert jobs.depth() == 0
