"""Every request's id, duration and log line, and its place in the request latency histogram.

The histogram is labelled by endpoint (the view's name, never the raw path: ids and typed text
would make a series per URL), method and status class, so its size stays bounded whatever
clients send. The log line carries no path, query string, header or body: none of those can
leak a password or token into the logs.
"""
import logging
import re
import time
import uuid

from flask import g, request
from prometheus_client import Histogram

REQUEST_ID_HEADER = "X-Request-ID"
# What a proxy's request id may look like (a UUID, a hex or base64 string); anything else,
# such as a line break meant to forge a log line, is replaced by an id of our own.
_REQUEST_ID = re.compile(r"[A-Za-z0-9._:+/=-]{1,128}")
_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
UNMATCHED = "unmatched"  # requests no route answers (404, 405)

REQUEST_SECONDS = Histogram(
    "knowhow_request_duration_seconds", "Time to answer a request, by endpoint, method and status class.",
    ["endpoint", "method", "status"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0))

log = logging.getLogger("knowhow.request")


def request_id():
    """The current request's id (empty outside a request that began here)."""
    return g.get("request_id", "")


def choose_request_id(incoming, trusted):
    """The id of a request: the proxy's X-Request-ID when it is trusted and well formed, else a new one."""
    if trusted and incoming and _REQUEST_ID.fullmatch(incoming):
        return incoming
    return uuid.uuid4().hex


def status_class(status):
    """"2xx" for 200, "5xx" for 503: the histogram's status label."""
    return "%dxx" % (status // 100) if 100 <= status < 600 else "other"


def _begin(app):
    g.request_started = time.perf_counter()
    g.request_id = choose_request_id(request.headers.get(REQUEST_ID_HEADER), app.config["TRUST_REQUEST_ID"])


def _user_id():
    # Only a user the request has loaded already: looking one up just for the log would cost a
    # query on requests that never needed it (static files, health checks).
    user = g.get("_login_user")  # where Flask-Login keeps the request's user
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    return user.get_id()


def _finish(response):
    started = g.get("request_started")
    duration = time.perf_counter() - started if started is not None else 0.0
    endpoint = request.url_rule.endpoint if request.url_rule is not None else UNMATCHED
    method = request.method if request.method in _METHODS else "other"
    REQUEST_SECONDS.labels(endpoint, method, status_class(response.status_code)).observe(duration)
    response.headers[REQUEST_ID_HEADER] = request_id() or choose_request_id(None, False)
    log.info("request", extra={"method": method, "endpoint": endpoint, "status": response.status_code,
                               "duration_ms": round(duration * 1000, 2), "user_id": _user_id()})
    return response


def install_request_hooks(app):
    """Time every request from the first of the app's before_request hooks to the last after_request."""
    # First in, so that a request refused by an earlier hook (a rate limit) is timed and logged too.
    app.before_request_funcs.setdefault(None, []).insert(0, lambda: _begin(app))
    # after_request hooks run last-registered first: the first one registered runs last.
    app.after_request_funcs.setdefault(None, []).insert(0, _finish)
