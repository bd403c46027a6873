"""Knowledge-impact pages: "Used on a contact" on the article page, and what articles do."""
from flask import flash, redirect, render_template, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required

from accounts.permissions import can, require
from core.categories import list_categories
from core.charts import line_chart
from core.locale_format import week_name
from core.views import committing
from kb import services as kb
from recognition.impact import measures, services, uses
from recognition.impact.forms import UseForm
from recognition.impact.services import VERDICT_LABELS, lift_points
from recognition.services import list_teams, load_ranking_settings
from recognition.views import recognition
from recognition.views.figures import CHART_WIDTH
from recognition.views.performance import category_arg, period_arg, team_arg
from search.documents import make_key
from search.log import searches_leading_to


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


@recognition.route("/knowledge")
@login_required
def knowledge():
    """Knowledge measures of a team, category and period, week by week (leads)."""
    require(current_user, "team_metrics.view")
    settings = load_ranking_settings()
    period = period_arg(settings)
    team, category = team_arg(), category_arg()
    found = measures.knowledge_measures(period, team_id=team.id if team else None,
                                        category_id=category.id if category else None)
    chart = line_chart([(_("Link rate"), [(week_name(week.week), week.link_rate) for week in found.weeks])],
                       y_format="percent", y_min=0, title=_("Contacts with an article, by week"),
                       width=CHART_WIDTH)
    return render_template("recognition/impact/knowledge.html", found=found, period=period, team=team,
                           category=category, teams=list_teams(), categories=list_categories(),
                           locale=str(get_locale()), chart=chart)


@recognition.route("/articles/<int:article_id>/analytics")
@login_required
def article_analytics(article_id):
    """What an article does: reads, searches, votes, uses and its effect week by week."""
    article = kb.get_article(article_id)
    require(current_user, "article.see_impact", article)
    period = period_arg(load_ranking_settings())
    impact = services.article_impact(article, period)
    weekly = services.weekly_impact(article, period)
    chart = line_chart(
        [(_("With the article"), [(week_name(monday), found.fcr) for monday, found in weekly]),
         (_("Same agents without it"), [(week_name(monday), found.baseline_fcr) for monday, found in weekly])],
        y_format="percent", y_min=0, y_max=1, title=_("First-contact resolution by week"), width=CHART_WIDTH)
    searches, opens = searches_leading_to(make_key("article", article.id))
    return render_template(
        "recognition/impact/analytics.html", article=article, period=period, impact=impact,
        stored=services.stored_impact(article.id), chart=chart, searches=searches, opens=opens,
        uses=uses.count_uses(article.id), settings=services.impact_settings(), locale=str(get_locale()))
