"""CLI commands: notify-expiring-titles and award-period-badges (the job consumer also runs
them daily, recognition/awards/jobs.py), ensure-default-badges."""
import click
from flask.cli import with_appcontext

from extensions import db
from recognition.awards import jobs, services


@click.command("notify-expiring-titles")
@with_appcontext
@click.option("--days", default=services.EXPIRY_NOTICE_DAYS, show_default=True,
              help="Warn about titles expiring within this many days.")
def notify_expiring_titles(days):
    """Notify holders and their leads once about titles that expire soon."""
    click.echo("%d expiring titles notified." % jobs.notify_expiring(within_days=days))


@click.command("award-period-badges")
@with_appcontext
def award_period_badges():
    """Give "Top performer" badges for the last complete quarter (idempotent)."""
    click.echo("%d top-performer badges awarded." % len(jobs.award_period_badges()))



@click.command("ensure-default-badges")
@with_appcontext
def ensure_default_badges():
    """Create the default badge definitions that are missing."""
    created = services.ensure_default_badges()
    db.session.commit()
    click.echo("%d default badges created." % created)


COMMANDS = (notify_expiring_titles, award_period_badges, ensure_default_badges)
