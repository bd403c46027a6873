"""What every domain uses: categories, Markdown, periods, charts, clock, API and view helpers, signals,
and the backup of the embedded database."""


def init_app(app):
    """The routes every domain shares (the OpenAPI document of /api/v1), `flask backup` and `restore`."""
    from core.api import openapi_pages
    from core.cli import backup, restore

    app.register_blueprint(openapi_pages)
    app.cli.add_command(backup)
    app.cli.add_command(restore)
