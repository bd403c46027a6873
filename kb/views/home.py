"""The knowledge base's sections of the agent's home page (templates/kb/home/), and their data."""
from flask_login import current_user

from accounts.permissions import can
from extensions import db
from kb import services
from kb.views import kb


def page_sections(_sender, page):
    """page_sections_asked receiver: the knowledge base's sections of the home page, before
    recognition's feed (20); mentoring's questions come between the drafts and the reviews (16)."""
    if page != "home":
        return None
    return [(10, "kb/home/_categories.html"), (12, "kb/home/_saved.html"), (14, "kb/home/_drafts.html"),
            (18, "kb/home/_reviews.html")]


@kb.app_context_processor
def _kb_home_sections():
    """What the home page's knowledge-base sections show, each loaded only when it is included."""
    size = services.HOME_LIST_SIZE

    def home_categories():
        category_ids = services.my_category_ids(current_user)
        return {"mine": bool(category_ids),
                "recent": services.recent_articles(category_ids),
                "popular": services.popular_articles(category_ids)}

    def home_saved():  # one more than shown tells whether "see all" has more to show
        return [entry.article for entry in db.session.scalars(
            services.saved_articles(current_user).limit(size + 1))]

    def home_reviews():
        if not can(current_user, "kb.review_queue"):
            return None
        return {"awaiting": services.articles_awaiting_review(current_user, limit=size + 1),
                "overdue": services.overdue_articles(current_user, limit=size + 1)}

    return {"home_categories": home_categories, "home_saved": home_saved,
            "home_drafts": lambda: services.my_drafts(current_user, limit=size + 1),
            "home_reviews": home_reviews, "home_size": size, "status_labels": services.STATUS_LABELS}
