"""Saved articles: the Save / Saved toggle on an article and the page listing mine; and the
knowledge base's sections of the agent's home page."""
from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from accounts.permissions import can, require
from core.boundary import page_arg
from core.views import committing
from extensions import db
from kb import services
from kb.forms import SaveArticleForm
from kb.views import kb
from kb.views.context import load_article
from security import safe_next

SAVED_PER_PAGE = 20


@kb.post("/kb/<int:article_id>/saved")
@login_required
def toggle_saved(article_id):
    """Save the article ("saved" = 1) or remove it from my saved articles (0)."""
    article = load_article(article_id)
    form = SaveArticleForm()
    saving = form.saved.data != "0"
    with committing() as change:
        if saving:
            services.save_article(current_user, article)
        else:
            services.unsave_article(current_user, article)
    if change.ok:
        flash(_("Article saved: find it on your home page and under Saved articles.") if saving
              else _("Article removed from your saved articles."), "success")
    back = url_for("kb.read", article_id=article.id, slug=article.slug)
    return redirect(safe_next(form.next.data, back))


@kb.route("/kb/saved")
@login_required
def saved():
    """The articles I saved, newest first."""
    require(current_user, "article.list")
    page = db.paginate(services.saved_articles(current_user), page=page_arg(),
                       per_page=SAVED_PER_PAGE, error_out=False)
    return render_template("kb/saved.html", page=page)


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
                "recent": services.recent_articles(current_user, category_ids),
                "popular": services.popular_articles(current_user, category_ids)}

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
