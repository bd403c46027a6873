"""Knowledge-impact pages: "Used on a contact" on the article page, and what articles do."""
from flask import flash, redirect, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from accounts.permissions import can
from core.views import committing
from kb import services as kb
from recognition.impact import services, uses
from recognition.impact.forms import UseForm
from recognition.impact.services import VERDICT_LABELS, lift_points
from recognition.views import recognition


@recognition.post("/articles/<int:article_id>/uses")
@login_required
def record_use(article_id):
    """One click on the article page: the reader used it on a contact (ticket id optional)."""
    article = kb.get_article(article_id)
    form = UseForm()
    with committing() as change:
        _use, created = uses.record_use(article, current_user, form.ticket_id.data or None, source="page")
    if change.ok:
        flash(_("Thank you: this use is recorded.") if created
              else _("This contact was already linked to the article."), "success")
    return redirect(url_for("kb.read", article_id=article.id, slug=article.slug, _anchor="used"))


def page_sections(_sender, page):
    """page_sections_asked receiver: knowledge impact's part of the article page."""
    return {"article": [(10, "recognition/impact/_article.html")],
            "home": [(15, "recognition/impact/_capture.html")],
            "profile": [(15, "recognition/impact/_profile.html")]}.get(page)


@recognition.app_context_processor
def _impact_context():
    """What the impact sections show, read only when a page includes them."""
    def article_impact_summary(article):
        return services.stored_impact(article.id)

    def author_knowledge(person):
        return services.knowledge_of_authors([person.id]).get(person.id)

    def tricks_to_capture():
        if not current_user.is_authenticated:
            return []
        return services.tricks_to_capture(current_user)

    return {"article_impact_summary": article_impact_summary, "use_form": UseForm,
            "author_knowledge": author_knowledge, "tricks_to_capture": tricks_to_capture,
            "verdict_label": lambda verdict: VERDICT_LABELS.get(verdict, verdict),
            "points": lift_points,
            "may_see_impact": lambda article: can(current_user, "article.see_impact", article)}
