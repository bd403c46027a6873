"""The job queue: huey on an engine Knowhow already has.

Without settings the queue is a SQLite file in the instance folder (`SqliteHuey`'s storage), so
one host needs nothing more; with KNOWHOW_REDIS_URL it is that Redis (`RedisHuey`'s), shared by
every app host. `flask run-jobs` is the consumer: it runs the queued jobs and the periodic ones
(expiring titles, period badges: no cron lines to write). With KNOWHOW_JOBS_IMMEDIATE (the tests)
a job runs at once, inside the caller, as huey's immediate mode does.

Domains declare their jobs with `job(...)`, `daily(hour, minute)`, `every(minutes)` and
`at_start` below; the job runs inside
an application context (the consumer's application, or the caller's in immediate mode) and
commits its own work: a job is a unit of work of its own.
"""
import os
from functools import wraps

import click
import redis
from flask import current_app, has_app_context
from flask.cli import with_appcontext
from huey import Huey, crontab
from huey.storage import MemoryStorage, RedisStorage, SqliteStorage

QUEUE_FILE = "jobs.db"
# An idle consumer looks for new jobs this often at most: a published article waits at most this
# long before its index update starts (huey's default backs off to 10 s).
MAX_POLL_SECONDS = 0.25


class JobQueue(Huey):
    """Huey, created unbound like the other extensions; `init_app` chooses where jobs wait.

    One process may hold several applications (the tests do): the queue follows the application
    of the current context, each keeping its own storage, so a job is queued where that
    application's consumer looks for it.
    """

    def __init__(self):
        super().__init__("knowhow", storage_class=MemoryStorage, utc=True)
        self.flask_app = None

    def init_app(self, app):
        """Bind the queue to `app`'s settings: immediate, Redis, or the instance's SQLite file."""
        redis_url = app.config.get("REDIS_URL")
        if redis_url:
            # A Redis that does not answer is an error within seconds, not a hung request.
            pool = redis.ConnectionPool.from_url(redis_url, socket_connect_timeout=2)
            storage_class, storage_kwargs = RedisStorage, {"connection_pool": pool}
        else:
            storage_class = SqliteStorage
            storage_kwargs = {"filename": os.path.join(app.instance_path, QUEUE_FILE)}
        immediate = bool(app.config.get("JOBS_IMMEDIATE"))
        storage = MemoryStorage(self.name) if immediate else storage_class(self.name, **storage_kwargs)
        app.extensions["jobs"] = (immediate, storage)
        app.cli.add_command(run_jobs)
        self._bind(app)

    def _bind(self, app):
        if self.flask_app is not app:
            self.flask_app = app
            self._immediate, self.storage = app.extensions["jobs"]

    def _follow_current_app(self):
        if has_app_context():
            self._bind(current_app._get_current_object())

    def enqueue(self, task):
        self._follow_current_app()
        return super().enqueue(task)

    def depth(self):
        """How many jobs wait to be run for the current application (0 in immediate mode)."""
        self._follow_current_app()
        return 0 if self.immediate else self.pending_count()


jobs = JobQueue()


def _in_app_context(func):
    @wraps(func)
    def run(*args, **kwargs):
        if has_app_context():
            return func(*args, **kwargs)
        with jobs.flask_app.app_context():
            return func(*args, **kwargs)
    return run


def job(**options):
    """Declare a job: calling the decorated function queues it (huey's task, in an app context)."""
    def decorate(func):
        return jobs.task(**options)(_in_app_context(func))
    return decorate


def daily(hour, minute=0):
    """Declare a job the consumer runs every day at hour:minute UTC."""
    def decorate(func):
        return jobs.periodic_task(crontab(minute=str(minute), hour=str(hour)))(_in_app_context(func))
    return decorate


def every(minutes):
    """Declare a job the consumer runs every `minutes` minutes (1 to 60)."""
    def decorate(func):
        return jobs.periodic_task(crontab(minute="*/%d" % minutes))(_in_app_context(func))
    return decorate


def at_start(func):
    """Declare a function each consumer worker runs once when it starts (huey's on_startup)."""
    jobs.on_startup()(_in_app_context(func))
    return func


def run_consumer(workers=1):
    """Run the queue's jobs and periodic jobs until interrupted (`flask run-jobs`)."""
    jobs._follow_current_app()
    if jobs.immediate:
        raise RuntimeError("KNOWHOW_JOBS_IMMEDIATE is set: jobs run at once, there is nothing to consume")
    current_app.logger.info("Job consumer started on %s", type(jobs.storage).__name__)
    jobs.create_consumer(workers=workers, worker_type="thread", periodic=True,
                         max_delay=MAX_POLL_SECONDS).run()


@click.command("run-jobs")
@click.option("--workers", default=1, show_default=True, type=click.IntRange(1, 32),
              help="Worker threads running jobs side by side.")
@with_appcontext
def run_jobs(workers):
    """Run queued and periodic jobs until interrupted (the consumer; `make run` starts one)."""
    try:
        run_consumer(workers)
    except RuntimeError as error:
        raise click.UsageError(str(error)) from None
