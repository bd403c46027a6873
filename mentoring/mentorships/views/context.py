"""What the mentoring pages share: labels, loading with a permission check, choices, the impact chart."""
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select

from accounts.models import User
from accounts.permissions import can, require
from core.categories import get_category
from core.charts import format_value, line_chart
from core.locale_format import week_name
from core.markdown import render_markdown
from core.periods import week_monday
from extensions import db
from mentoring.mentorships import services as mentorships
from mentoring.mentorships.views import mentorship_pages

STATUS_LABELS = {
    "open": _l("Open"), "accepted": _l("Accepted"), "declined": _l("Declined"), "withdrawn": _l("Withdrawn"),
    "active": _l("Active"), "completed": _l("Completed"), "ended_early": _l("Ended early"),
}
# The impact chart is drawn this wide and scales down with its card on a phone.
CHART_WIDTH = 640


def locale_code():
    return str(get_locale() or "en")


def chosen_category(slug):
    """The category named in a query string, or None (an unknown one is simply not chosen)."""
    return get_category(slug) if slug else None


def load_mentorship(mentorship_id, action="mentorship.view"):
    """The mentorship, after checking that the current user may see it (and do `action`)."""
    mentorship = mentorships.get_mentorship_or_404(mentorship_id)
    require(current_user, "mentorship.view", mentorship)
    if action != "mentorship.view":
        require(current_user, action, mentorship)
    return mentorship


def load_request(request_id):
    request = mentorships.get_request_or_404(request_id)
    require(current_user, "mentoring_request.view", request)
    return request


def managed_people(user):
    """Active people a lead may set up mentoring for (their teams; everyone for admins), by name."""
    stmt = select(User).where(User.active.is_(True)).order_by(User.display_name, User.username)
    people = db.session.scalars(stmt).all()
    return [person for person in people if can(user, "mentorship.assign", person)]


def people_choices(people, blank=None):
    choices = [("", blank)] if blank is not None else []
    return choices + [(person.username, "%s (@%s)" % (person.name, person.username)) for person in people]


def impact_chart(impact, mentorship):
    """The mentee's weekly goal metric (FCR for a goal in words), the target line, a marker at the start."""
    metric = mentorship.goal_metric or "fcr"
    spec = mentorships.GOAL_METRICS[metric]
    points = [(week_name(week_monday(label)), getattr(metrics, spec.attribute) if metrics.contacts else None)
              for label, metrics in impact.weekly]
    target = None
    if mentorship.has_metric_goal:
        target = (mentorship.goal_target,
                  _("Target %(value)s", value=mentorships.format_metric(metric, mentorship.goal_target)))
    return line_chart([(mentorship.mentee.name, points)], y_format=spec.value_format, target=target,
                      marker_x=(week_name(week_monday(impact.start_week)), _("Mentoring starts")),
                      title=_("%(metric)s by week, %(category)s", metric=spec.label,
                              category=mentorship.category.display_name(locale_code())),
                      width=CHART_WIDTH, element_id="impact-chart")


def change_text(metric, before, after):
    """(signed change as people write it, "better" | "worse" | "same"), or None without data."""
    improvement = mentorships.GOAL_METRICS[metric].improvement(before, after)
    if improvement is None:
        return None
    delta = after - before
    scaled, decimals = {"fcr": (delta * 100, 1), "aht": (delta, 0), "nps": (delta, 1), "csat": (delta, 2)}[metric]
    number = ("+" if scaled > 0 else "") + format_value(scaled, "number", decimals=decimals)
    text = {"fcr": _("%(points)s pts", points=number), "aht": _("%(seconds)s s", seconds=number)}.get(metric, number)
    trend = "better" if improvement > 1e-9 else "worse" if improvement < -1e-9 else "same"
    return text, trend


@mentorship_pages.context_processor
def _mentoring_helpers():
    return {
        "mentoring_metric": mentorships.format_metric,
        "mentoring_goal": mentorships.describe_goal,
        "mentoring_status": lambda status: STATUS_LABELS.get(status, status),
        "mentoring_markdown": render_markdown,
        "mentoring_can": lambda action, obj=None: can(current_user, action, obj),
        "mentoring_change": change_text,
        "mentoring_locale": locale_code(),
    }


def page_sections(_sender, page):
    """page_sections_asked receiver: mentoring's part of profiles."""
    return [(30, "mentorships/_profile_section.html")] if page == "profile" else None


@mentorship_pages.app_context_processor
def _mentoring_profile_section():
    """templates/mentors/_profile_section.html, included on people's profiles, reads this."""
    def mentoring_profile(person):
        profile = mentorships.get_profile(person)
        outcomes = mentorships.mentor_outcomes(person)
        return {"profile": profile, "outcomes": outcomes,
                "free_places": mentorships.remaining_capacity(profile) if profile else 0}
    return {"mentoring_profile": mentoring_profile}
