"""Revision history: the list, one revision, a diff between any two, and restore."""
from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from markupsafe import Markup

from core.markdown import restrict_images
from errors import Conflict, Invalid, flash_invalid
from extensions import db
from kb import services
from kb.views import kb
from kb.views.context import load_article

REVISIONS_PER_PAGE = 50
VERIFICATIONS_SHOWN = 20


@kb.route("/kb/<int:article_id>/history")
@login_required
def history(article_id):
    """Every saved revision, newest first, with a form to compare two."""
    article = load_article(article_id)
    revisions = db.paginate(services.list_revisions(article), per_page=REVISIONS_PER_PAGE,
                            error_out=False)
    return render_template("kb/history.html", article=article, revisions=revisions,
                           verifications=services.verification_history(article, limit=VERIFICATIONS_SHOWN))


@kb.route("/kb/<int:article_id>/revisions/<int:number>")
@login_required
def revision(article_id, number):
    """How the article read at one revision."""
    article = load_article(article_id)
    old = services.get_revision(article, number)
    return render_template("kb/revision.html", article=article, revision=old,
                           revision_html=Markup(restrict_images(old.html)))


@kb.route("/kb/<int:article_id>/diff")
@login_required
def diff(article_id):
    """What changed between revisions a and b (by default, the last change)."""
    article = load_article(article_id)
    newer = request.args.get("b", article.revision_number, type=int)
    older = request.args.get("a", max(newer - 1, 1), type=int)
    changes = services.diff_revisions(article, older, newer)
    return render_template("kb/diff.html", article=article, diff=changes,
                           numbers=range(article.revision_number, 0, -1))


@kb.post("/kb/<int:article_id>/revisions/<int:number>/restore")
@login_required
def restore(article_id, number):
    """Make an old revision the current text again (as a new revision)."""
    article = load_article(article_id, "article.edit")
    try:
        services.restore_revision(article, number, current_user)
    except (Invalid, Conflict) as error:
        db.session.rollback()
        flash_invalid(error)
        return redirect(url_for("kb.history", article_id=article.id))
    db.session.commit()
    flash(_("Revision %(number)d is the current text again.", number=number), "success")
    return redirect(url_for("kb.read", article_id=article.id, slug=article.slug))
