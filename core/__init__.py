"""What every domain uses: categories, Markdown, periods, charts, clock, API and view helpers, signals."""


def init_app(app):
    """The routes every domain shares: the OpenAPI document of /api/v1, /healthz, /readyz, /metrics."""
    from core import ops
    from core.api import openapi_pages

    app.register_blueprint(openapi_pages)
    ops.init_app(app)
