"""What operations see of search: the index check of /readyz, its gauges, and search latency.

Index updates wait in the outbox (outbox.py) until the job queue's consumer applies them: their
number is the pending count, and the age of the oldest is the index lag, which the search page
also mentions once readers could notice it.
"""
import logging
import time

from prometheus_client import Histogram

from core.clock import utcnow
from core.ops.metrics import Gauge
from search.documents import reading_session
from search.index import current_search, index_state
from search.outbox import outbox_stats

log = logging.getLogger(__name__)

# The search page mentions the lag from this age of the oldest waiting update on, and reads it
# at most this often per process (a search must not wait on the outbox).
NOTICEABLE_LAG_SECONDS = 5.0
LAG_READ_SECONDS = 2.0

SEARCH_SECONDS = Histogram(
    "knowhow_search_duration_seconds", "Time the search engine takes to answer, by kind (search, suggest).",
    ["kind"], buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5))


def observe_search(kind, seconds):
    """Count one search (kind "search") or as-you-type suggestion ("suggest") that took `seconds`."""
    SEARCH_SECONDS.labels(kind).observe(seconds)


def pending_updates():
    """(pending index updates, seconds since the oldest was queued, or 0), or (None, None) unread."""
    try:
        with reading_session() as session:
            count, oldest = outbox_stats(session)
    except Exception as error:
        log.warning("Search: the index outbox could not be read: %s", error)
        return None, None
    lag = max(0.0, (utcnow() - oldest).total_seconds()) if oldest is not None else 0.0
    return count, round(lag, 3)


def noticeable_lag(search):
    """Seconds the index is behind the database when readers could notice it, else None."""
    now = time.monotonic()
    if search.lag_seen is None or now - search.lag_seen[0] >= LAG_READ_SECONDS:
        _count, lag = pending_updates()
        search.lag_seen = (now, lag or 0.0)
    lag = search.lag_seen[1]
    return lag if lag >= NOTICEABLE_LAG_SECONDS else None


def answer_readiness(app, database_ok=True):
    """readiness_asked: the index opens (and holds how many documents), and not too much waits for it."""
    index = index_state(current_search(app))
    check = {"ok": index.state == "ok", "state": index.state, "documents": index.documents}
    if database_ok:
        check["pending"], check["lag_seconds"] = pending_updates()
        limit = app.config["READY_MAX_INDEX_PENDING"]
        if check["pending"] is not None and check["pending"] > limit:
            check.update(ok=False, error="too_many_pending", max_pending=limit)
    if index.state != "ok":
        check["error"] = "index_" + index.state
    return {"search": check}


def answer_gauges(app):
    """gauges_asked: the index's document count, whether it opens, its pending updates and lag."""
    index = index_state(current_search(app))
    gauges = [Gauge("knowhow_search_index_up", "1 when the search index opens, else 0.",
                    1 if index.state == "ok" else 0),
              Gauge("knowhow_search_index_documents", "Documents in the search index.", index.documents)]
    pending, lag = pending_updates()
    if pending is not None:
        gauges += [Gauge("knowhow_search_index_pending_operations",
                         "Index updates waiting in the outbox.", pending),
                   Gauge("knowhow_search_index_lag_seconds",
                         "Age of the oldest index update still waiting, 0 when none waits.", lag)]
    return gauges
