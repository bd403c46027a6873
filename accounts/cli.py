"""CLI commands: init-db, create-user and api-token."""
import sys

import click
from flask import current_app
from flask.cli import with_appcontext
from flask_migrate import upgrade

from accounts import services
from accounts.models import ROLES
from config import LANGUAGES
from core.boundary import STORABLE_LINE
from core.signals import database_initialised
from core.text import unstorable_reason
from errors import Conflict, Invalid
from extensions import db


def _fail(message, status=1):
    click.echo(str(message), err=True)
    sys.exit(status)


@click.command("init-db")
@with_appcontext
def init_db():
    """Create or upgrade the database schema (migrations to head)."""
    upgrade(revision="heads")
    database_initialised.send(current_app._get_current_object())  # reference data of each domain
    db.session.commit()
    click.echo("Database is at the latest schema.")


@click.command("create-user")
@with_appcontext
@click.argument("username", type=STORABLE_LINE)
@click.option("--role", type=click.Choice(ROLES), default="agent", show_default=True)
@click.option("--name", "display_name", type=STORABLE_LINE, default="", help="Display name.")
@click.option("--team", type=STORABLE_LINE, default=None, help="Team name (created if new).")
@click.option("--locale", type=click.Choice(list(LANGUAGES)), default="en", show_default=True)
def create_user(username, role, display_name, team, locale):
    """Create a user; the password is read from standard input."""
    if sys.stdin.isatty():
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    else:
        try:
            password = sys.stdin.readline().rstrip("\r\n")
        except UnicodeDecodeError:
            _fail("Error: the password is not UTF-8 text.")
    if unstorable_reason(password):  # a POSIX locale hands bytes that are not UTF-8 over as surrogates
        _fail("Error: %s" % unstorable_reason(password))
    try:
        user = services.create_user(username, role=role, password=password,
                                    display_name=display_name, team=team, locale=locale)
    except (Invalid, Conflict) as error:
        db.session.rollback()
        _fail("Error: %s" % error.message)
    db.session.commit()
    click.echo("Created %s (%s)." % (user.username, user.role))


@click.command("api-token")
@with_appcontext
@click.argument("username", type=STORABLE_LINE)
@click.option("--label", type=STORABLE_LINE, default="cli", help="What the token is for.")
def api_token(username, label):
    """Print a new bearer token for USERNAME, alone on standard output."""
    user = services.get_user(username)
    if user is None:
        _fail("Error: no user called %s." % username)
    try:
        token = services.issue_api_token(user, label=label)
    except Invalid as error:
        _fail("Error: %s" % error.message)
    db.session.commit()
    click.echo(token)
