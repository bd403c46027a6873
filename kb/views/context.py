"""What every knowledge-base page needs: loading an article, the settings, template helpers."""
from flask import current_app
from flask_login import current_user

from accounts.permissions import can, require
from kb.services import STATUS_LABELS, get_article
from kb.views import kb


def review_interval_days():
    """The freshness interval from the settings, passed explicitly into the services."""
    return current_app.config["REVIEW_INTERVAL_DAYS"]


def load_article(article_id, action="article.view"):
    """The article, after checking that the current user may do `action` on it."""
    article = get_article(article_id)
    require(current_user, action, article)
    return article


@kb.context_processor
def _kb_template_context():
    return {"status_labels": STATUS_LABELS, "can": can}
