"""Helpers for tests of jobs that try again later: a free port, and the retries run now."""
import socket
from datetime import UTC, datetime, timedelta

from jobs import jobs


def free_port():
    """A TCP port on 127.0.0.1 nothing listens on (now)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def run_retries():
    """Run the retries the job queue scheduled (immediate mode keeps them), as the consumer would
    once their time came; returns how many ran."""
    jobs._follow_current_app()
    later = datetime.now(UTC).replace(tzinfo=None) + timedelta(days=1)
    due = jobs.read_schedule(later)
    for task in due:
        jobs.execute(task, timestamp=later)
    return len(due)


def forget_retries():
    """Drop the retries a test left scheduled, so that the next test does not run them."""
    jobs._follow_current_app()
    jobs.storage.flush_schedule()
