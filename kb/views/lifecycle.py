"""Lifecycle actions on an article page: submit, publish, send back, verify, archive."""
from flask import flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from core.views import committing
from kb import services
from kb.forms import SendBackForm
from kb.views import kb
from kb.views.context import load_article, review_interval_days
from security import safe_next


def _back_to(article):
    """Back where the action was taken: the review queue sends `next`, else the article."""
    default = url_for("kb.read", article_id=article.id, slug=article.slug)
    return redirect(safe_next(request.form.get("next"), default))


def _run(article, step, done_message):
    """Run one lifecycle step; a refused transition is a flash message, not an error page."""
    with committing() as change:
        step()
    if change.ok:
        flash(done_message, "success")
    return _back_to(article)


@kb.post("/kb/<int:article_id>/submit")
@login_required
def submit(article_id):
    """The author asks the category's experts to review a draft."""
    article = load_article(article_id, "article.submit")
    return _run(article, lambda: services.submit_for_review(article, current_user),
                _("Submitted. The category's experts have been asked to review it."))


@kb.post("/kb/<int:article_id>/withdraw")
@login_required
def withdraw(article_id):
    """The author takes an article back from review."""
    article = load_article(article_id, "article.edit")
    return _run(article, lambda: services.return_to_draft(article, current_user),
                _("The article is a draft again."))


@kb.post("/kb/<int:article_id>/publish")
@login_required
def publish(article_id):
    """An expert of the category or a lead publishes the article."""
    article = load_article(article_id, "article.publish")
    return _run(article, lambda: services.publish_article(article, current_user,
                                                          review_interval_days()),
                _("Published. You are its verifier."))


@kb.post("/kb/<int:article_id>/send-back")
@login_required
def send_back(article_id):
    """A reviewer returns the article to its author with a comment."""
    article = load_article(article_id, "article.review")
    form = SendBackForm()
    return _run(article, lambda: services.send_back(article, current_user, form.comment.data),
                _("Sent back to the author with your comment."))


@kb.post("/kb/<int:article_id>/verify")
@login_required
def verify(article_id):
    """An expert confirms the article is still right."""
    article = load_article(article_id, "article.verify")
    return _run(article, lambda: services.verify_article(article, current_user,
                                                         review_interval_days()),
                _("Marked as checked. The next review is due in %(days)d days.",
                  days=review_interval_days()))


@kb.post("/kb/<int:article_id>/archive")
@login_required
def archive(article_id):
    """Take the article out of use; its history stays."""
    article = load_article(article_id, "article.archive")
    return _run(article, lambda: services.archive_article(article, current_user),
                _("Archived. It no longer appears in the list or search."))
