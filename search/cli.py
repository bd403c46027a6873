"""`flask reindex`: rebuild the search index from the database, apply the outbox, or compare."""
import sys
import time

import click
from flask.cli import with_appcontext

from search.check import compare_index
from search.index import current_search
from search.outbox import apply_outbox
from search.sync import rebuild_index

SHOWN_KEYS = 20


def _check(search):
    difference = compare_index(search)
    if difference.equal:
        click.echo("The index holds the %d document(s) of the database." % difference.documents)
        return
    for label, keys in (("missing", difference.missing), ("extra", difference.extra), ("stale", difference.stale)):
        if keys:
            shown = " ".join(keys[:SHOWN_KEYS]) + (" …" if len(keys) > SHOWN_KEYS else "")
            click.echo("%s: %d: %s" % (label, len(keys), shown))
    sys.exit(1)


@click.command("reindex")
@click.option("--pending", is_flag=True,
              help="Only apply the index updates waiting in the outbox (the job queue does this).")
@click.option("--check", is_flag=True,
              help="Compare the index with the database; exit status 1 when they differ.")
@with_appcontext
def reindex(pending, check):
    """Rebuild the search index from the database into a new directory and swap it in."""
    search = current_search()
    started = time.perf_counter()
    try:
        if check:
            _check(search)
            return
        if pending:
            count = apply_outbox(search)
            click.echo("Applied %d waiting search index update(s) in %.1f s." % (count, time.perf_counter() - started))
            return
        click.echo("Rebuilding the search index in %s …" % search.index_dir)
        count = rebuild_index(search, wait=True)
    except Exception as error:  # the message matters more than the traceback to an operator
        click.echo("Error: %s" % (getattr(error, "detail", None) or error), err=True)
        sys.exit(1)
    click.echo("Indexed %d document(s) in %.1f s." % (count, time.perf_counter() - started))
