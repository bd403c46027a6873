"""The knowledge base's daily jobs, run by the job consumer (jobs.py) instead of a cron line."""
from core.clock import utcnow
from core.storage import image_store
from extensions import db
from jobs import daily
from kb.services import delete_unreferenced_files, remind_reviews_due, remove_unused_images


@daily(hour=7)
def remind_reviews_due_daily():
    """Every morning at 07:00 UTC: remind authors and experts of articles due for review (once per
    review date); how many articles."""
    count = len(remind_reviews_due())
    db.session.commit()
    return count


@daily(hour=3, minute=30)
def remove_unused_images_daily():
    """Every night at 03:30 UTC: forget the images pasted a week ago or more that no saved article
    shows, and delete their files once the database has let go of them; how many files."""
    keys = remove_unused_images(utcnow())
    db.session.commit()
    return delete_unreferenced_files(image_store(), keys)
