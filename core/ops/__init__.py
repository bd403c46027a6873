"""What operators see: /healthz (alive), /readyz (ready), /metrics (Prometheus) and JSON logs.

These know no domain. The layers above tell them what only they can see through two signals of
core/signals.py: `readiness_asked` (search answers with its index check) and `gauges_asked`
(search answers with its document count and pending index updates; the job queue's depth is
meant to be answered the same way once there is one).
"""


def init_app(app):
    """The request id, timing and log line of every request, the logs' format, the three routes."""
    from core.ops.logs import configure_logging
    from core.ops.requests import install_request_hooks
    from core.ops.views import ops

    configure_logging(app)
    install_request_hooks(app)
    app.register_blueprint(ops)
