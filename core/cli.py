"""`flask backup PATH` and `flask restore PATH`: the embedded database and the uploads (core/backup.py)."""
import os
import sys

import click
from alembic.script import ScriptDirectory
from flask import current_app
from flask.cli import with_appcontext
from flask_migrate import upgrade

from core.backup import REFUSED, BackupError, create_backup, postgres_commands, prepare_restore, sqlite_database_path
from core.signals import answers, database_initialised, database_restored
from extensions import db


def _fail(message, status):
    click.echo("Error: %s" % message, err=True)
    sys.exit(status)


def _database_path(path):
    """The SQLite file of this application, or the PostgreSQL way printed and exit status 2."""
    url = db.engine.url  # Flask-SQLAlchemy resolved a relative SQLite path against the instance folder
    try:
        database_path = sqlite_database_path(url)
    except BackupError as error:
        _fail(error.message, error.status)
    if database_path is None:
        click.echo(postgres_commands(url, path), err=True)
        sys.exit(REFUSED)
    return database_path


def _migrations():
    """This Knowhow's schema revisions and the latest of them."""
    config = current_app.extensions["migrate"].migrate.get_config()
    scripts = ScriptDirectory.from_config(config)
    return {revision.revision for revision in scripts.walk_revisions()}, scripts.get_current_head()


def _describe(manifest):
    counts = manifest.get("counts") or {}
    return "schema %s, made %s by Knowhow %s: %d rows in %d tables, %d uploaded file(s)" % (
        manifest.get("schema_revision"), manifest.get("created_at"), manifest.get("knowhow_version"),
        sum(counts.values()), len(counts), manifest.get("uploads", 0))


@click.command("backup")
@click.argument("path", type=click.Path(dir_okay=True, file_okay=True))
@with_appcontext
def backup(path):
    """Write a consistent backup of the database and the uploads to PATH (a file, or a folder to write
    a dated file into), while Knowhow runs. PostgreSQL: prints the pg_dump command instead."""
    database_path = _database_path(path)
    try:
        target, manifest = create_backup(database_path, current_app.config["UPLOADS_DIR"], path)
    except BackupError as error:
        _fail(error.message, error.status)
    click.echo("Backed up to %s (%s)." % (target, _describe(manifest)))


@click.command("restore")
@click.argument("path", type=click.Path(dir_okay=True, file_okay=True))
@click.option("--yes", is_flag=True, help="Replace the existing database and uploads with the backup's.")
@with_appcontext
def restore(path, yes):
    """Replace the database and the uploads with those of the backup at PATH, then rebuild the search
    index. Stop Knowhow first. PostgreSQL: prints the pg_restore commands instead."""
    database_path = _database_path(path)
    known, head = _migrations()
    app = current_app._get_current_object()
    db.session.remove()
    db.engine.dispose()  # this process's own connections would count as the database in use
    try:
        prepared = prepare_restore(path, database_path, app.config["UPLOADS_DIR"], known, overwrite=yes)
    except BackupError as error:
        _fail(error.message, error.status)
    except OSError as error:
        _fail("The backup could not be unpacked (nothing was changed): %s" % error, 1)
    try:
        prepared.swap()
    except (BackupError, OSError) as error:
        prepared.discard()
        _fail(getattr(error, "message", None) or "The database could not be replaced (it is unchanged): %s" % error,
              getattr(error, "status", 1))
    try:
        if prepared.revision != head:
            upgrade(revision="heads")
            database_initialised.send(app)
            db.session.commit()
        prepared.finish()
    except Exception as error:  # the message matters more than the traceback to an operator
        db.session.rollback()
        db.session.remove()
        db.engine.dispose()
        prepared.undo()
        _fail("The restore failed and the database is as it was before: %s" % error, 1)
    db.session.remove()
    click.echo("Restored %s (%s)." % (os.path.abspath(path), _describe(prepared.manifest)))
    try:
        indexed = sum(answers(database_restored, app))
    except Exception as error:
        _fail("The database is restored, but the search index was not rebuilt (%s): run "
              "`flask --app app reindex`." % (getattr(error, "detail", None) or error), 1)
    click.echo("Search index rebuilt: %d document(s)." % indexed)
