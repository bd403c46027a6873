"""Performance pages: team dashboard, leaderboard (leads), an agent's own page, and CSV exports."""
from flask import flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required

from accounts.permissions import can, require
from accounts.services import get_team, get_user_or_404
from core.categories import get_category, list_categories
from core.charts import format_value
from core.locale_format import iso_date
from core.periods import default_period, parse_period, today_utc, week_label
from errors import Invalid, NotFound
from recognition import services
from recognition.exports import csv_response
from recognition.forms import PERIOD_PRESETS
from recognition.views import figures, recognition


@recognition.context_processor
def _metric_formatting():
    def metric_text(value, value_format, decimals=None):
        """A metric in the reader's locale, or a dash without data."""
        if value is None:
            return "—"
        return format_value(value, value_format, decimals=decimals)

    return {"metric_text": metric_text, "period_presets": PERIOD_PRESETS, "can": can,
            "today": today_utc()}


def period_arg(settings):
    """The period of the query string (?since=&until=, or ?days=), else the current period."""
    days = request.args.get("days", type=int)
    if days and 1 <= days <= 366 and not request.args.get("since"):
        return default_period(days)
    try:
        return parse_period(iso_date(request.args.get("since")), iso_date(request.args.get("until")),
                            settings.period_days)
    except Invalid as error:
        flash(str(error.message), "error")
        return default_period(settings.period_days)


def category_arg():
    slug = request.args.get("category", "").strip()
    if not slug:
        return None
    category = get_category(slug)
    if category is None:
        raise NotFound(_("No category called %(category)s.", category=slug))
    return category


def team_arg():
    """?team=NAME, "all", or by default the team the signed-in lead leads."""
    name = request.args.get("team")
    if name == "all":
        return None
    if name:
        team = get_team(name)
        if team is None:
            raise NotFound(_("No team called %(team)s.", team=name))
        return team
    return services.team_led_by(current_user)


@recognition.route("/")
@login_required
def dashboard():
    """Team dashboard for leads; agents go to their own performance page."""
    if not can(current_user, "team_metrics.view"):
        return redirect(url_for("recognition.agent", username=current_user.username))
    settings = services.load_ranking_settings()
    period = period_arg(settings)
    team, category = team_arg(), category_arg()
    board = services.team_dashboard(period, team=team, category=category)
    name = team.name if team else _("All teams")
    return render_template(
        "recognition/dashboard.html", board=board, period=period, team=team, category=category,
        teams=services.list_teams(), categories=list_categories(), locale=str(get_locale()),
        trends=figures.trend_charts(board.weekly, name, board.weekly_everyone, _("All teams")),
        spreads=figures.spread_charts(board.agents, board.min_contacts, board.totals))


def _leaderboard():
    require(current_user, "performers.view")
    categories = list_categories()
    category = category_arg() or (categories[0] if categories else None)
    if category is None:
        return None, categories
    period = period_arg(services.load_ranking_settings())
    return services.rank_performers(category, period.since, period.until), categories


@recognition.route("/leaderboard")
@login_required
def leaderboard():
    """Top performers of a category and period, with each score explained."""
    board, categories = _leaderboard()
    chart = figures.score_chart(board) if board is not None else None
    return render_template("recognition/leaderboard.html", board=board, categories=categories,
                           chart=chart, locale=str(get_locale()))


@recognition.route("/leaderboard.csv")
@login_required
def leaderboard_csv():
    """The leaderboard as CSV."""
    board, _categories = _leaderboard()
    if board is None:
        raise NotFound(_("There are no categories yet."))
    header = ("rank", "username", "name", "eligible", "contacts", "fcr", "aht_seconds",
              "aht_median_seconds", "nps", "nps_responses", "csat", "csat_responses", "reopen_rate",
              "score", "fcr_percentile", "nps_percentile", "csat_percentile", "aht_percentile")
    rows = []
    for row in board.rows:
        data = row.as_json()
        rows.append([data["rank"], data["username"], data["name"], data["eligible"], data["contacts"],
                     data["fcr"], data["aht_seconds"], data["aht_median_seconds"], data["nps"],
                     data["nps_responses"], data["csat"], data["csat_responses"], data["reopen_rate"],
                     data["score"]] + [data["components"][name]["percentile"]
                                       for name in ("fcr", "nps", "csat", "aht")])
    filename = "leaderboard-%s-%s-%s.csv" % (board.category.slug, board.period.since, board.period.until)
    return csv_response(filename, header, rows)


def _agent_page_user(username):
    user = get_user_or_404(username)
    require(current_user, "user.view_stats", user)
    return user


@recognition.route("/agents/<username>")
@login_required
def agent(username):
    """A person's performance: per category, and week by week (own page, their lead, admins)."""
    user = _agent_page_user(username)
    period = period_arg(services.load_ranking_settings())
    category = category_arg()
    board = services.agent_dashboard(user, period, category)
    peers = (_("All agents in %(category)s", category=category.display_name(get_locale()))
             if category else _("All agents"))
    return render_template(
        "recognition/agent.html", board=board, user=user, period=period, category=category,
        categories=list_categories(), locale=str(get_locale()),
        trends=figures.trend_charts(board.weekly, user.name, board.weekly_peers, peers))


@recognition.route("/agents/<username>.csv")
@login_required
def agent_csv(username):
    """A person's weekly metrics per category as CSV."""
    user = _agent_page_user(username)
    period = period_arg(services.load_ranking_settings())
    header = ("category", "week", "week_start", "contacts", "fcr", "aht_seconds", "nps",
              "nps_responses", "csat", "csat_responses", "reopen_rate")
    rows = ([category.slug, week_label(week), week.isoformat(), metrics.contacts, metrics.fcr,
             metrics.aht_seconds, metrics.nps, metrics.nps_responses, metrics.csat,
             metrics.csat_responses, metrics.reopen_rate]
            for category, week, metrics in services.agent_weekly_rows(user, period))
    return csv_response("metrics-%s-%s-%s.csv" % (user.username, period.since, period.until), header, rows)
