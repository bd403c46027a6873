"""Logs as JSON lines (KNOWHOW_LOG_FORMAT=json): one object a line, with the request's id.

Every record gets `timestamp`, `level`, `logger` and `message`; inside a request also
`request_id`; the request line (core/ops/requests.py) adds `method`, `endpoint`, `status`,
`duration_ms` and `user_id`. The development server's own access lines are silenced: they
carry the raw path and query string.
"""
import logging
import sys

from flask import has_request_context
from flask.logging import default_handler
from pythonjsonlogger.json import JsonFormatter

LOG_FORMATS = ("text", "json")


class RequestIdFilter(logging.Filter):
    """Adds the current request's id to every record logged while it is answered."""

    def filter(self, record):
        if has_request_context() and not hasattr(record, "request_id"):
            from core.ops.requests import request_id

            record.request_id = request_id() or None
        return True


def json_handler(stream=None):
    """A handler writing JSON lines to `stream` (default: standard error)."""
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(JsonFormatter("%(levelname)s %(name)s %(message)s",
                                       rename_fields={"levelname": "level", "name": "logger"},
                                       timestamp=True))
    handler.addFilter(RequestIdFilter())
    handler.knowhow_json = True
    return handler


def configure_logging(app):
    """Install the JSON handler on the root logger when LOG_FORMAT is "json" (once per process)."""
    log_format = app.config["LOG_FORMAT"]
    if log_format not in LOG_FORMATS:
        raise ValueError("KNOWHOW_LOG_FORMAT: %r is not one of %s" % (log_format, ", ".join(LOG_FORMATS)))
    if log_format != "json":
        return
    root = logging.getLogger()
    for handler in [h for h in root.handlers if getattr(h, "knowhow_json", False)]:
        root.removeHandler(handler)  # a second app in the process replaces the first one's
    root.addHandler(json_handler())
    root.setLevel(app.config["LOG_LEVEL"])
    app.logger.removeHandler(default_handler)  # records reach the root's JSON handler instead
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
