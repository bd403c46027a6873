"""`flask reindex`: rebuild the search index from the database, or retry the queued updates."""
import sys
import time

import click
from flask.cli import with_appcontext

from search.sync import current_search, rebuild_index, retry_pending


@click.command("reindex")
@click.option("--pending", is_flag=True,
              help="Only write the index updates queued after failures (for a periodic job).")
@with_appcontext
def reindex(pending):
    """Rebuild the search index from the database into a new directory and swap it in."""
    search = current_search()
    started = time.perf_counter()
    try:
        if pending:
            count = total = 0
            while True:
                count = retry_pending(search)
                total += count
                if not count:
                    break
            click.echo("Wrote %d queued search index update(s) in %.1f s." % (total, time.perf_counter() - started))
            return
        click.echo("Rebuilding the search index in %s …" % search.index_dir)
        count = rebuild_index(search, wait=True)
    except Exception as error:  # the message matters more than the traceback to an operator
        click.echo("Error: %s" % (getattr(error, "detail", None) or error), err=True)
        sys.exit(1)
    click.echo("Indexed %d document(s) in %.1f s." % (count, time.perf_counter() - started))
