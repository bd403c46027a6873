"""Recognition awards services, the one import other domains and the views use.

The receivers at the end answer the signals of core/signals.py; recognition's init_app
connects them: current titles make their holders experts, profiles carry titles, badges and
stats, and the knowledge base's events evaluate the automatic badges.
"""
from datetime import timedelta

from flask_babel import lazy_gettext as _l

from accounts.services import get_user
from core.clock import utcnow
from errors import NotFound
from extensions import db

# notices and permissions register their notification kinds and rules on import.
from recognition import permissions  # noqa: F401  (the rules its services check)
from recognition.awards import notices, performance  # noqa: F401
from recognition.awards.badges import (
    BADGE_ICONS,
    DEFAULT_BADGES,
    award_badge,
    badge_text,
    badges_of,
    ensure_default_badges,
    evaluate_badges,
    get_badge,
    get_badge_or_404,
    list_badges,
    save_badge_definition,
)
from recognition.awards.feed import recognition_feed
from recognition.awards.kudos import KUDOS_PER_HOUR, TooManyKudos, give_kudos, kudos_received
from recognition.awards.models import Title
from recognition.awards.profiles import profile_json, profile_recognition
from recognition.awards.terms import previous_quarter
from recognition.awards.titles import (
    EXPIRY_NOTICE_DAYS,
    award_title,
    current_titles,
    holds_current_title,
    notify_expiring_titles,
    renew_title,
    revoke_title,
    title_label,
    titles_due_for_renewal,
    titles_of,
)

__all__ = [
    "BADGE_ICONS", "DEFAULT_BADGES", "EXPIRY_NOTICE_DAYS", "KUDOS_PER_HOUR", "TooManyKudos", "award_badge",
    "award_title", "award_top_performer_badges", "badge_text", "badges_of", "current_titles",
    "ensure_default_badges", "evaluate_badges", "get_badge", "get_badge_or_404", "get_title_or_404",
    "give_kudos", "holds_current_title", "kudos_received", "list_badges", "notify_expiring_titles",
    "profile_json", "profile_recognition", "recognition_feed", "renew_title", "revoke_title",
    "save_badge_definition", "title_label", "titles_due_for_renewal", "titles_of",
]


def get_title_or_404(title_id):
    """The title with this id, or NotFound."""
    title = db.session.get(Title, title_id)
    if title is None:
        raise NotFound(_l("No such title."))
    return title


def award_top_performer_badges(categories, now=None):
    """Give "Top performer" to the first-ranked agent of each category for the last quarter.

    Run when a quarter closes (`flask award-period-badges`); idempotent per category and quarter.
    Returns the new awards.
    """
    label, start, end = previous_quarter(now or utcnow())
    awarded = []
    for category in categories:
        ranking = performance.ranked_agents(category, since=start.date(),
                                            until=(end - timedelta(days=1)).date())
        winner = next((row for row in ranking if row.get("eligible") and row.get("rank") == 1),
                      None)
        user = get_user(winner["username"]) if winner else None
        awarded.extend(evaluate_badges(user, "period_ranked", category=category,
                                       period=label.replace(" ", "-"), rank=1))
    return awarded


def award_for_published_article(article):
    """article_published receiver: the author's publishing badges."""
    evaluate_badges(getattr(article, "author", None), "article_published", article=article)


def award_for_verified_article(article):
    """article_verified receiver: the verifier's verification badges."""
    evaluate_badges(getattr(article, "verifier", None), "article_verified", article=article)


def award_for_helpful_feedback(feedback):
    """feedback_given receiver: the author's badges for helpful articles."""
    if getattr(feedback, "helpful", False):
        article = feedback.article
        evaluate_badges(getattr(article, "author", None), "article_feedback", article=article)


def answer_expertise(user, category_id):
    """expertise_asked receiver: a current title makes its holder an expert of the category."""
    return holds_current_title(user, category_id)


def create_default_badges(_app):
    """database_initialised receiver: the default badge definitions that are missing."""
    ensure_default_badges()
