"""The job queue (jobs.py): immediate in tests, a real consumer process for the queue itself."""
import os
import subprocess
import sys
import time
from datetime import datetime

import pytest
from sqlalchemy import select

from accounts.models import Notification
from accounts.services import get_user
from app import create_app
from extensions import db
from jobs import jobs
from recognition.awards import jobs as awards_jobs
from tests.conftest import app_settings
from tests.factories_awards import make_category, make_people, make_title

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
    assert "remind_reviews_due_daily" in due_at(7, 0)
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


@pytest.mark.committed
def test_a_consumer_process_runs_a_queued_job(tmp_path):
    """`flask run-jobs` in its own process takes a job from the instance's queue and runs it
    against the same database."""
    database = "sqlite:///" + str(tmp_path / "knowhow.db")
    environment = dict(os.environ, KNOWHOW_INSTANCE_PATH=str(tmp_path), KNOWHOW_DATABASE_URL=database,
                       KNOWHOW_SEARCH_AUTO_REBUILD="0")
    environment.pop("KNOWHOW_JOBS_IMMEDIATE", None)
    flask = [sys.executable, "-m", "flask", "--app", "app"]
    subprocess.run(flask + ["init-db"], env=environment, check=True, capture_output=True, timeout=60)
    application = create_app(app_settings(tmp_path, database, JOBS_IMMEDIATE=False))
    expiring_titles_of(application)
    with application.app_context():
        awards_jobs.notify_expiring_titles_daily()  # queued, not run (a daily job keeps no result)
        assert jobs.depth() == 1 and notices(application) == []
    consumer = subprocess.Popen(flask + ["run-jobs"], env=environment, stdout=subprocess.PIPE,
                                stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + CONSUMER_WAIT_SECONDS
        while notices(application) == [] and time.monotonic() < deadline:
            time.sleep(0.1)
    finally:
        consumer.terminate()
        output = consumer.communicate(timeout=CONSUMER_WAIT_SECONDS)[0].decode(errors="replace")
    assert notices(application) == ["title_expiring", "title_expiring_lead"], output[-2000:]
    with application.app_context():
        assert jobs.depth() == 0


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
