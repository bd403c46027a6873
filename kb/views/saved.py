"""Saved articles: the Save toggle on an article and the page listing mine."""
from flask import flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from accounts.permissions import require
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
    message = (_("Article saved: find it on your home page and under Saved articles.") if saving
               else _("Article removed from your saved articles."))
    if request.accept_mimetypes.best == "application/json":  # static/js/saved.js, no page reload
        return jsonify({"article_id": article.id, "saved": saving, "message": message})
    if change.ok:
        flash(message, "success")
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
