"""What every domain uses: categories, Markdown, periods, charts, clock, API and view helpers, signals,
and the backup of the embedded database."""


def init_app(app):
    """What every domain shares: the OpenAPI document of /api/v1, /healthz, /readyz, /metrics, the
    buffer of what reads record, `flask backup` and `restore`, the date and number filters, the
    templates' gettext in the reader's digits."""
    from core import locale_format, ops, template_gettext
    from core.api import openapi_pages
    from core.cli import backup, restore
    from core.read_buffer import init_read_buffer

    app.register_blueprint(openapi_pages)
    init_read_buffer(app)
    app.cli.add_command(backup)
    app.cli.add_command(restore)
    ops.init_app(app)
    locale_format.init_app(app)
    template_gettext.init_app(app)
