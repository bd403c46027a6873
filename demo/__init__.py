"""Demo content: people, teams and each domain's examples, loaded by `flask demo-data`."""


def init_app(app):
    """The `flask demo-data` command."""
    from demo.cli import demo_data

    app.cli.add_command(demo_data)
