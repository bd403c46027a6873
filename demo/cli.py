"""`flask demo-data`: load the demo content (idempotent)."""
import click
from flask.cli import with_appcontext

from demo.loader import load_demo_data
from extensions import db


@click.command("demo-data")
@with_appcontext
def demo_data():
    """Load the demo content (idempotent)."""
    summary = load_demo_data()
    db.session.commit()
    for line in summary:
        click.echo(line)
