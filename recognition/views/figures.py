"""The dashboards' charts, built from metrics with core.charts (drawn by _macros/charts.html)."""
from flask_babel import gettext as _

from core.charts import bar_chart, histogram, line_chart
from core.locale_format import week_name

# (Metrics attribute, chart value format) of the weekly trend charts.
TRENDS = (("fcr", "percent"), ("aht_seconds", "seconds"), ("nps", "nps"))
HISTOGRAM_BINS = 8
# Charts scale to their card; drawn this wide, their 12px text stays legible from a phone's
# width up to half a desktop page.
CHART_WIDTH = 480


def _trend_title(attribute):
    return {"fcr": _("FCR by week"), "aht_seconds": _("AHT by week"), "nps": _("NPS by week")}[attribute]


def _points(weekly, attribute):
    return [(week_name(week), getattr(metrics, attribute) if metrics.contacts else None)
            for week, metrics in weekly]


def trend_charts(weekly, name, comparison=None, comparison_name=None):
    """FCR, AHT and NPS line charts by week; `comparison` adds a second line (e.g. all agents)."""
    charts = []
    for attribute, value_format in TRENDS:
        series = [(name, _points(weekly, attribute))]
        if comparison is not None:
            series.append((comparison_name, _points(comparison, attribute)))
        charts.append(line_chart(series, y_format=value_format, title=_trend_title(attribute),
                                 width=CHART_WIDTH))
    return charts


def spread_charts(agents, min_contacts, team_totals):
    """Histograms of FCR and AHT across the agents with at least `min_contacts` contacts."""
    steady = [metrics for _user, metrics in agents if metrics.contacts >= min_contacts]
    fcr_marker = None if team_totals.fcr is None else (team_totals.fcr, _("Overall"))
    aht_marker = None if team_totals.aht_seconds is None else (team_totals.aht_seconds, _("Overall"))
    return [
        histogram([metrics.fcr for metrics in steady], bins=HISTOGRAM_BINS, value_format="percent",
                  marker=fcr_marker, title=_("FCR across agents"), width=CHART_WIDTH),
        histogram([metrics.aht_seconds for metrics in steady], bins=HISTOGRAM_BINS,
                  value_format="seconds", marker=aht_marker, title=_("AHT across agents"),
                  width=CHART_WIDTH),
    ]


def score_chart(leaderboard):
    """Horizontal bars of the ranked agents' scores, best first."""
    return bar_chart([(row.user.name, row.breakdown.score) for row in leaderboard.ranked],
                     value_format="number", title=_("Score (0–100)"),
                     width=CHART_WIDTH)
