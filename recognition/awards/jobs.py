"""Recognition's daily jobs, run by the job consumer (jobs.py) instead of cron lines."""
from core.categories import list_categories
from extensions import db
from jobs import daily
from recognition.awards import services


def notify_expiring(within_days=services.EXPIRY_NOTICE_DAYS):
    """Notify holders and their leads once about titles that expire soon; how many titles."""
    count = services.notify_expiring_titles(within_days=within_days)
    db.session.commit()
    return count


def award_period_badges():
    """Give the "Top performer" badges of the last complete quarter (idempotent); the awards."""
    awards = services.award_top_performer_badges(list_categories())
    db.session.commit()
    return awards


@daily(hour=6)
def notify_expiring_titles_daily():
    """Every morning at 06:00 UTC: the expiring-title notices (each title is told once)."""
    return notify_expiring()


@daily(hour=2, minute=30)
def award_period_badges_daily():
    """Every night at 02:30 UTC: the quarter's badges, once the quarter has closed."""
    return len(award_period_badges())
