"""Readers' feedback on an article: "Did this solve it?", flags, and resolving flags."""
from flask import flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from accounts.permissions import require
from core.views import committing
from errors import Invalid
from kb import services
from kb.forms import FeedbackForm, FlagForm, ResolveFlagForm
from kb.views import kb
from kb.views.context import load_article
from security import safe_next


def _to_article(article, anchor):
    return redirect(url_for("kb.read", article_id=article.id, slug=article.slug, _anchor=anchor))


@kb.post("/kb/<int:article_id>/feedback")
@login_required
def feedback(article_id):
    """Record or change the reader's vote."""
    article = load_article(article_id, "article.feedback")
    form = FeedbackForm()
    helpful = {"yes": True, "no": False}.get(form.helpful.data)
    with committing() as change:
        if helpful is None:
            raise Invalid("helpful", _("Choose Yes or No."))
        _vote, created = services.record_feedback(article, current_user, helpful, form.comment.data or "")
    if change.ok:
        flash(_("Thank you: your answer is recorded.") if created
              else _("Your answer is updated."), "success")
    return _to_article(article, "feedback")


@kb.post("/kb/<int:article_id>/flag")
@login_required
def flag(article_id):
    """Report the article as outdated or wrong."""
    article = load_article(article_id, "article.flag")
    form = FlagForm()
    with committing() as change:
        services.flag_article(article, current_user, form.reason.data or "")
    if change.ok:
        flash(_("Thank you. The category's experts will check the article."), "success")
    return _to_article(article, "flag")


@kb.post("/kb/flags/<int:flag_id>/resolve")
@login_required
def resolve_flag(flag_id):
    """An expert closes a flag with a note."""
    flag = services.get_flag(flag_id)
    require(current_user, "article.review", flag.article)
    form = ResolveFlagForm()
    with committing() as change:
        services.resolve_flag(flag, current_user, form.note.data or "")
    if change.ok:
        flash(_("The flag is resolved."), "success")
    default = url_for("kb.read", article_id=flag.article_id, slug=flag.article.slug)
    return redirect(safe_next(request.form.get("next"), default))
