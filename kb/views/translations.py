"""Translations on an article page: add one as a prefilled draft, link an existing article, unlink."""
from flask import flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from core.views import committing
from errors import Conflict, Invalid, NotFound
from kb import services
from kb.views import kb
from kb.views.context import load_article, review_interval_days


def _back_to(article):
    return redirect(url_for("kb.read", article_id=article.id, slug=article.slug))


@kb.post("/kb/<int:article_id>/translations/new")
@login_required
def add_translation(article_id):
    """Start a translation: a draft in the chosen language, prefilled with this article."""
    article = load_article(article_id, "article.edit")
    with committing() as change:
        translation = services.add_translation(article, current_user, request.form.get("lang", ""),
                                               review_interval_days())
    if not change.ok:
        return _back_to(article)
    flash(_("A draft of the translation is ready: translate the text, then save it."), "success")
    return redirect(url_for("kb.edit", article_id=translation.id))


@kb.post("/kb/<int:article_id>/translations/link")
@login_required
def link_translation(article_id):
    """Link an existing article, named by its number or address, as a translation of this one."""
    article = load_article(article_id, "article.edit")
    with committing(refusals=(Invalid, Conflict, NotFound)) as change:
        services.link_translation(article, services.article_from_reference(request.form.get("article", "")),
                                  current_user)
    if change.ok:
        flash(_("Linked as a translation."), "success")
    return _back_to(article)


@kb.post("/kb/<int:article_id>/translations/<int:other_id>/unlink")
@login_required
def unlink_translation(article_id, other_id):
    """Take a translation out of this article's group; it stands alone again."""
    article = load_article(article_id, "article.edit")
    with committing() as change:
        services.unlink_translation(article, services.get_article(other_id), current_user)
    if change.ok:
        flash(_("The translation is no longer linked to this article."), "success")
    return _back_to(article)
