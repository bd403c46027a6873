"""/healthz (alive), /readyz (it can serve), /metrics (for Prometheus, from allowed addresses), /favicon.ico."""
from flask import Blueprint, current_app, jsonify, redirect, request, url_for
from prometheus_client import CONTENT_TYPE_LATEST
from werkzeug.exceptions import NotFound

from core.ops.metrics import metrics_allowed, render_metrics
from core.ops.readiness import readiness

ops = Blueprint("ops", __name__)


@ops.route("/healthz")
def healthz():
    """Liveness for process managers and load balancers: answers without touching the database."""
    return jsonify({"status": "ok"})


@ops.route("/readyz")
def readyz():
    """Readiness: 200 when the database, its migrations and the search index are fine, else 503."""
    ready, body = readiness(current_app)
    return jsonify(body), 200 if ready else 503


@ops.route("/metrics")
def metrics():
    """Prometheus metrics; a 404, like any unknown page, to addresses not in METRICS_ALLOW."""
    forwarded = "X-Forwarded-For" in request.headers or "Forwarded" in request.headers
    if not metrics_allowed(request.remote_addr, current_app.config["METRICS_ALLOW"], forwarded,
                           current_app.config["TRUSTED_PROXIES"]):
        raise NotFound()
    return render_metrics(current_app), 200, {"Content-Type": CONTENT_TYPE_LATEST}


@ops.route("/favicon.ico")
def favicon():
    """Browsers ask for /favicon.ico on their own: point them at the SVG icon (no 404 in the log)."""
    return redirect(url_for("static", filename="img/favicon.svg"), 301)
