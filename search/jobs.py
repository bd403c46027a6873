"""The search jobs: applying the index outbox after commits, a sweep, and refreshing stale hits.

Every commit that wrote outbox rows queues `apply_index_outbox`; the consumer runs one at a
time per applier lock, so a burst of commits costs a burst of cheap jobs that find little left
to do. The sweep every minute, and once when a consumer starts, applies whatever a lost job or a
busy index left behind.
"""
import logging

from extensions import db
from jobs import at_start, every, job
from search.documents import parse_key
from search.index import RebuildRunning, current_search
from search.outbox import apply_outbox, apply_quietly, write_outbox

log = logging.getLogger(__name__)

APPLY_RETRIES = 3
APPLY_RETRY_SECONDS = 2
MAX_REFRESHED_KEYS = 100


@job(retries=APPLY_RETRIES, retry_delay=APPLY_RETRY_SECONDS)
def apply_index_outbox():
    """Apply what waits in the outbox (a busy index raises, and huey tries again)."""
    try:
        apply_outbox(current_search())
    except RebuildRunning:  # the rebuild applies what waits once it has swapped the new index in
        pass


@every(minutes=1)
def sweep_index_outbox():
    """Apply what a lost job or a busy index left in the outbox."""
    apply_quietly(current_search())


@at_start
def apply_index_outbox_at_start():
    """A consumer that starts applies what waited while none ran."""
    apply_quietly(current_search())


@job()
def refresh_documents(keys):
    """Re-read documents the index holds but the database no longer shows (stale search hits)."""
    keys = [key for key in keys if parse_key(key) is not None][:MAX_REFRESHED_KEYS]
    if keys:
        write_outbox(db.session, keys)
        db.session.commit()
        apply_quietly(current_search())


def request_outbox_apply():
    """Queue `apply_index_outbox`; never raises (a queue that is down leaves it to the sweep)."""
    try:
        apply_index_outbox()
    except Exception:
        log.exception("Could not queue the search index update; the outbox sweep applies it.")
