"""The job queue's depth (jobs.py) in /readyz and /metrics."""
import logging

from core.ops.metrics import Gauge
from jobs import jobs

log = logging.getLogger(__name__)


def answer_readiness(app, database_ok=True):
    """readiness_asked: the queue answers with how many jobs wait; an unreachable queue is not ready."""
    with app.app_context():
        try:
            depth = jobs.depth()
        except Exception:  # Redis down, the queue file unreadable: say so, never a 500
            log.exception("Readiness: the job queue could not be read.")
            return {"jobs": {"ok": False, "error": "unreachable"}}
    return {"jobs": {"ok": True, "depth": depth, "immediate": jobs.immediate}}


def answer_gauges(app):
    """gauges_asked: the queue's depth."""
    with app.app_context():
        return [Gauge("knowhow_jobs_queue_depth", "Jobs waiting for the consumer.", jobs.depth())]
