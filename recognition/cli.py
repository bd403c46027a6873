"""CLI commands: import-resolutions and recompute-metrics."""
import os
import sys
import time

import click
from flask.cli import with_appcontext

from core.boundary import STORABLE_LINE
from extensions import db
from recognition.impact.services import recompute_impacts
from recognition.services import UnreadableFile, import_resolutions, recompute_metrics

EXIT_ALL_ACCEPTED = 0
EXIT_UNREADABLE = 1
EXIT_SOME_REJECTED = 2
# Row errors echoed on standard error; the batch page lists them all.
ERRORS_SHOWN = 20


@click.command("import-resolutions")
@with_appcontext
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--dry-run", is_flag=True, help="Check and count everything; store only the batch report.")
@click.option("--create-agents", is_flag=True, help="Create inactive agent accounts for unknown usernames.")
@click.option("--encoding", type=STORABLE_LINE, default=None, metavar="ENC",
              help="utf-8, utf-16 or cp1256 (default: detected from a BOM, else UTF-8).")
def import_resolutions_command(file, dry_run, create_agents, encoding):
    """Import resolution data from a CSV FILE; exit 0 all accepted, 2 some rejected, 1 unreadable."""
    try:
        fileobj = open(file, "rb")
    except OSError as error:
        click.echo("Error: cannot open %s: %s" % (file, error.strerror or error), err=True)
        sys.exit(EXIT_UNREADABLE)
    started = time.monotonic()
    with fileobj, click.progressbar(length=os.fstat(fileobj.fileno()).st_size, file=sys.stderr,
                                    label="Importing", show_pos=False, show_percent=True) as bar:
        def progress(bytes_read, _rows_read):
            bar.update(bytes_read - bar.pos)

        try:
            summary = import_resolutions(fileobj, filename=os.path.basename(file), user=None,
                                         dry_run=dry_run, create_agents=create_agents,
                                         encoding=encoding, progress=progress, source="cli")
        except UnreadableFile as error:
            db.session.commit()  # keep the failed batch in the import history
            click.echo("", err=True)
            click.echo("Error: %s" % error.message, err=True)
            sys.exit(EXIT_UNREADABLE)
    db.session.commit()
    _echo_summary(summary, time.monotonic() - started)
    sys.exit(EXIT_SOME_REJECTED if summary.rows_rejected else EXIT_ALL_ACCEPTED)


def _echo_summary(summary, seconds):
    prefix = "Dry run, nothing stored. " if summary.dry_run else ""
    click.echo("%sBatch %d: %d rows read in %.1f s: %d imported, %d updated, %d duplicate, %d rejected."
               % (prefix, summary.batch_id, summary.rows_total, seconds, summary.rows_imported,
                  summary.rows_updated, summary.rows_duplicate, summary.rows_rejected))
    if summary.agents_created:
        click.echo("%d inactive agent account(s) %s." % (
            summary.agents_created, "would be created" if summary.dry_run else "created"))
    click.echo("Encoding %s, delimiter %r." % (summary.encoding, summary.delimiter))
    for warning in summary.warnings:
        click.echo("Warning: %s" % warning, err=True)
    for error in summary.errors[:ERRORS_SHOWN]:
        click.echo("Row %d, %s: %s (value: %r)" % (
            error["row"], error["column"] or "row", error["message"], error["value"]), err=True)
    if summary.rows_rejected and len(summary.errors) > ERRORS_SHOWN:
        click.echo("… the full list of rejected rows is on the import's page (batch %d)."
                   % summary.batch_id, err=True)


@click.command("recompute-metrics")
@with_appcontext
def recompute_metrics_command():
    """Rebuild every weekly metric from the stored resolution records, then every article's impact."""
    started = time.monotonic()
    rows = recompute_metrics()
    metrics_done = time.monotonic()
    impacts = recompute_impacts()
    db.session.commit()
    click.echo("Recomputed %d agent-category-week rows in %.1f s and the impact of %d articles in %.1f s."
               % (rows, metrics_done - started, len(impacts), time.monotonic() - metrics_done))
