"""The review queue of a category's experts and leads."""
from flask import render_template
from flask_login import current_user, login_required

from accounts.permissions import require
from kb import services
from kb.views import kb


@kb.route("/kb/review")
@login_required
def review():
    """Articles waiting for review, overdue articles and open flags in my categories."""
    require(current_user, "kb.review_queue")
    return render_template("kb/review.html",
                           pending=services.articles_awaiting_review(current_user),
                           overdue=services.overdue_articles(current_user),
                           flags=services.open_flags(current_user))
