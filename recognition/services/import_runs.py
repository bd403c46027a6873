"""Imports started from the web page, run by the job queue: start a run, run it, look it up.

The page stores the upload (recognition/uploads.py) and starts a run; the run's job, queued after
that commit, imports the file with the service the command line and the API use (imports.py),
in one transaction that also marks the run done. So a run is queued, running (its progress is
the upload's progress file), done with its whole batch, or failed: with the failed batch of an
unreadable file, as a synchronous import keeps it, or with nothing stored at all. A consumer that
dies mid-import rolls its transaction back with it; its run, left "running", is marked stopped
by a sweep once nothing has moved for STOPPED_RUN_MINUTES.
"""
import logging
from datetime import timedelta

from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update

from core.clock import utcnow
from database import BUSY_TIMEOUT_MS, set_lock_wait
from errors import NotFound
from extensions import db
from jobs import every, job, queue_after_commit
from recognition.models import ImportRun
from recognition.services.imports import UnreadableFile, import_resolutions
from recognition.uploads import discard_upload, progress_mtime, progress_writer, read_progress, stored_upload

# An import waits this long for SQLite's write lock (another import, a rebuild) before failing.
IMPORT_LOCK_WAIT_SECONDS = 600
# A running run whose start and progress are older than this lost its job (the consumer died):
# far beyond the lock wait above and the slowest import's silent storing phase.
STOPPED_RUN_MINUTES = 30
# Runs without a batch (waiting, running, stopped) listed above the import history.
OPEN_RUNS_LISTED = 20

log = logging.getLogger(__name__)


def start_import_run(token, meta, user, *, dry_run, create_agents, encoding=None):
    """A queued ImportRun of the stored upload `token`; its job is queued after the commit."""
    run = ImportRun(status="queued", filename=meta["filename"], upload_token=token,
                    dry_run=dry_run, create_agents=create_agents, encoding=encoding or "",
                    uploaded_by=user, bytes_total=meta["size"])
    db.session.add(run)
    db.session.flush()
    queue_after_commit(run_resolution_import, run.id)
    return run


def get_import_run_or_404(run_id):
    run = db.session.get(ImportRun, run_id)
    if run is None:
        raise NotFound(_l("No import run with number %(run)d.", run=run_id))
    return run


def runs_without_batch(limit=OPEN_RUNS_LISTED):
    """The latest runs that have no batch (yet): queued, running, or stopped before making one."""
    return db.session.scalars(select(ImportRun).where(ImportRun.batch_id.is_(None))
                              .order_by(ImportRun.created_at.desc(), ImportRun.id.desc())
                              .limit(limit)).all()


def import_run_progress(run):
    """{"bytes_read", "total_bytes", "rows_read", "share"} of a queued or running run."""
    progress = read_progress(run.upload_token, run.bytes_total)
    total = progress.get("total_bytes") or 0
    progress["share"] = min(progress.get("bytes_read", 0) / total, 1.0) if total else 0.0
    return progress


@job()
def run_resolution_import(run_id):
    """The job of an ImportRun: import its upload; the run's status at the end (None: not run)."""
    claimed = db.session.execute(
        update(ImportRun).where(ImportRun.id == run_id, ImportRun.status == "queued")
        .values(status="running", started_at=utcnow())).rowcount
    db.session.commit()
    if not claimed:  # gone, or already taken by another delivery of the same job
        return None
    run = db.session.get(ImportRun, run_id)
    set_lock_wait(IMPORT_LOCK_WAIT_SECONDS)
    try:
        # The batch's messages and row errors are stored in the uploader's language, as on the page.
        with force_locale(run.uploaded_by.locale if run.uploaded_by else "en"):
            _import_upload(run)
        db.session.commit()
    except Exception:
        db.session.rollback()
        log.exception("Import run %d failed; nothing of it was stored.", run_id)
        run = db.session.get(ImportRun, run_id)
        _finish(run, "failed", failure="unexpected")
        db.session.commit()
    finally:
        set_lock_wait(BUSY_TIMEOUT_MS / 1000)
    if run.status == "done" and not run.dry_run:
        discard_upload(run.upload_token)  # after the commit: a failed import keeps its file
    return run.status


def _import_upload(run):
    try:
        path, _meta = stored_upload(run.upload_token)
    except NotFound:
        _finish(run, "failed", failure="missing")
        return
    try:
        with open(path, "rb") as fileobj:
            summary = import_resolutions(
                fileobj, filename=run.filename, user=run.uploaded_by, dry_run=run.dry_run,
                create_agents=run.create_agents, encoding=run.encoding or None,
                progress=progress_writer(run.upload_token, run.bytes_total), source="web",
                metrics_later=True)
    except UnreadableFile as error:
        run.batch_id = error.batch_id
        _finish(run, "failed", failure="unreadable")
        return
    run.batch_id = summary.batch_id
    run.rows_done = summary.rows_total
    _finish(run, "done")


def _finish(run, status, failure=""):
    run.status = status
    run.failure = failure
    run.finished_at = utcnow()
    db.session.flush()


def _has_stopped(run, limit):
    moved = progress_mtime(run.upload_token)
    return moved is None or moved < limit.timestamp()


@every(minutes=10)
def fail_stopped_runs():
    """Mark failed ("stopped") the running runs that nothing has moved for STOPPED_RUN_MINUTES."""
    limit = utcnow() - timedelta(minutes=STOPPED_RUN_MINUTES)
    running = db.session.scalars(select(ImportRun).where(ImportRun.status == "running",
                                                         ImportRun.started_at < limit)).all()
    stopped = [run.id for run in running if _has_stopped(run, limit)]
    if stopped:
        # Only runs still running: a job finishing meanwhile keeps its own status.
        db.session.execute(update(ImportRun).where(ImportRun.id.in_(stopped), ImportRun.status == "running")
                           .values(status="failed", failure="stopped", finished_at=utcnow()))
        db.session.commit()
        log.warning("Import runs %s stopped with their job; marked failed.", stopped)
    return stopped
