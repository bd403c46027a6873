"""What operators see: /healthz (alive), /readyz (ready), /metrics (Prometheus) and JSON logs.

These know no domain. The layers above tell them what only they can see through two signals of
core/signals.py: `readiness_asked` (search answers with its index check) and `gauges_asked`
(search answers with its document count and pending index updates; core/ops/queue.py with the
job queue's depth).
"""


def init_app(app):
    """The request id, timing and log line of every request, the logs' format, the three routes."""
    from core.ops import queue
    from core.ops.logs import configure_logging
    from core.ops.requests import install_request_hooks
    from core.ops.views import ops
    from core.signals import gauges_asked, readiness_asked

    configure_logging(app)
    install_request_hooks(app)
    app.register_blueprint(ops)
    readiness_asked.connect(queue.answer_readiness)
    gauges_asked.connect(queue.answer_gauges)
