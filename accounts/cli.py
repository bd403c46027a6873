"""CLI commands: init-db, create-user, api-token and set-sign-in-source."""
import sys

import click
from flask import current_app
from flask.cli import with_appcontext
from flask_migrate import upgrade

from accounts import services
from accounts.external.provisioning import set_sign_in_source
from accounts.models import AUTH_SOURCES, ROLES
from config import LANGUAGES
from core.boundary import STORABLE_LINE
from core.clock import utcnow
from core.signals import database_initialised
from core.text import unstorable_reason
from errors import Conflict, Invalid, NotFound
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


@click.command("set-sign-in-source")
@with_appcontext
@click.argument("username", type=STORABLE_LINE)
@click.argument("source", type=click.Choice(AUTH_SOURCES))
def set_sign_in_source_command(username, source):
    """Let USERNAME sign in through SOURCE (local, oidc, ldap) from now on: the company sign-in of
    the same username then takes the account over instead of being refused."""
    user = services.get_user(username)
    if user is None:
        _fail("Error: no user called %s." % username)
    set_sign_in_source(user, source)
    db.session.commit()
    click.echo("%s now signs in with %s; its sessions and API tokens have ended." % (user.username, source))


@click.command("api-token")
@with_appcontext
@click.argument("username", type=STORABLE_LINE, required=False)
@click.option("--name", "--label", "name", type=STORABLE_LINE, default=None,
              help='The token\'s name, unique among the user\'s tokens (default "cli", "cli 2", …).')
@click.option("--expires", "expires_days", type=click.IntRange(1, services.TOKEN_MAX_DAYS), default=None,
              help="Days until the token stops working (default: never).")
@click.option("--list", "list_tokens", is_flag=True, help="List USERNAME's tokens instead.")
@click.option("--revoke", "revoke_id", type=click.IntRange(min=1), default=None, metavar="ID",
              help="Revoke the token with this id (from --list) instead.")
def api_token(username, name, expires_days, list_tokens, revoke_id):
    """Print a new bearer token for USERNAME, alone on standard output; or list or revoke tokens."""
    if revoke_id is not None:
        try:
            revoked = services.revoke_api_token(revoke_id)
        except NotFound as error:
            _fail("Error: %s" % error.message)
        db.session.commit()
        click.echo("Revoked token %d (%s) of %s." % (revoked.id, revoked.label, revoked.user.username))
        return
    if not username:
        _fail("Error: give a USERNAME (or --revoke ID).", status=2)
    user = services.get_user(username)
    if user is None:
        _fail("Error: no user called %s." % username)
    if list_tokens:
        _echo_tokens(services.api_tokens(user))
        return
    try:
        token = services.issue_api_token(user, label=name, expires_in_days=expires_days)
    except (Invalid, Conflict) as error:
        _fail("Error: %s" % error.message)
    db.session.commit()
    click.echo(token)


def _echo_tokens(tokens):
    """One line a token: id, name, created, last used, expiry (dates in UTC)."""
    def day(moment):
        return moment.strftime("%Y-%m-%d %H:%M") if moment else "-"
    now = utcnow()
    click.echo("%-6s  %-30s  %-16s  %-16s  %s" % ("id", "name", "created", "last used", "expires"))
    for token in tokens:
        expiry = day(token.expires_at) + (" (expired)" if token.is_expired(now) else "")
        click.echo("%-6d  %-30s  %-16s  %-16s  %s" % (token.id, token.label, day(token.created_at),
                                                     day(token.last_used_at), expiry))
