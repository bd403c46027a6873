"""What every domain uses: categories, Markdown, periods, charts, clock, API and view helpers, signals."""


def init_app(app):
    """What every domain shares: the OpenAPI document of /api/v1, the buffer of what reads record."""
    from core.api import openapi_pages
    from core.read_buffer import init_read_buffer

    app.register_blueprint(openapi_pages)
    init_read_buffer(app)
