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

A change that needs a job queues it with `queue_after_commit(task, *args)`: the job is handed to
the queue only when the session's transaction commits (never for a rolled-back change, nor
before its data can be read by the consumer). In immediate mode it then runs at once, in an
application context (and so a database session) of its own.
"""
import logging
import os
from functools import wraps

import click
import redis
from flask import current_app, has_app_context
from flask.cli import with_appcontext
from huey import Huey, crontab
from huey.storage import MemoryStorage, RedisStorage, SqliteStorage
from sqlalchemy import event
from sqlalchemy.orm import Session

from extensions import db

QUEUE_FILE = "jobs.db"
# An idle consumer looks for new jobs this often at most: a published article waits at most this
# long before its index update starts (huey's default backs off to 10 s).
MAX_POLL_SECONDS = 0.25

# session.info key of the jobs waiting for the session's commit.
AFTER_COMMIT = "knowhow_jobs_after_commit"

log = logging.getLogger(__name__)


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
        _listen_for_commits()
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


def queue_after_commit(task, *args):
    """Queue `task(*args)` once db.session's transaction commits; forgotten if it rolls back.

    A job queued inside a savepoint that is rolled back is forgotten with it; a released
    savepoint is not the commit: its jobs wait for the transaction around it.
    """
    session = db.session()
    # A transaction to belong to (begun as the session would on its next statement, no SQL yet).
    transaction = session.get_nested_transaction() or session.get_transaction() or session.begin()
    session.info.setdefault(AFTER_COMMIT, []).append(
        (transaction, current_app._get_current_object(), task, args))


def _within(transaction, ended):
    while transaction is not None:
        if transaction is ended:
            return True
        transaction = transaction.parent
    return False


def _queue_committed(session):
    # Nothing waits, or a savepoint was released: the commit comes later.
    if AFTER_COMMIT not in session.info or session.in_nested_transaction():
        return
    for _transaction, app, task, args in session.info.pop(AFTER_COMMIT, ()):
        try:
            with app.app_context():  # a session of its own: this one has just committed
                task(*args)
        except Exception:  # the change is committed: a failed hand-over must not undo the request
            log.exception("Could not queue the job %s after the commit.", getattr(task, "name", task))


def _forget_rolled_back(session, previous_transaction):
    waiting = session.info.get(AFTER_COMMIT)
    if not waiting:
        return
    if not previous_transaction.nested:
        session.info.pop(AFTER_COMMIT, None)
        return
    waiting[:] = [entry for entry in waiting if not _within(entry[0], previous_transaction)]


def _forget_uncommitted(session, transaction):
    if transaction.parent is None:  # the transaction closed: what did not commit is forgotten
        session.info.pop(AFTER_COMMIT, None)


def _listen_for_commits():
    """Hook every session (the application's and the tests' joined ones) once per process."""
    for name, listener in (("after_commit", _queue_committed),
                           ("after_soft_rollback", _forget_rolled_back),
                           ("after_transaction_end", _forget_uncommitted)):
        if not event.contains(Session, name, listener):
            event.listen(Session, name, listener)


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
