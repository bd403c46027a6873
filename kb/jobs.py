"""The knowledge base's daily job, run by the job consumer (jobs.py) instead of a cron line."""
from extensions import db
from jobs import daily
from kb.services import remind_reviews_due


@daily(hour=7)
def remind_reviews_due_daily():
    """Every morning at 07:00 UTC: remind authors and experts of articles due for review (once per
    review date); how many articles."""
    count = len(remind_reviews_due())
    db.session.commit()
    return count
