"""Server-rendered SVG charts: scale and tick maths, RTL mirroring, locale numbers and the Jinja macros."""
import math
import xml.etree.ElementTree as ElementTree
from pathlib import Path

import pytest
from flask import Flask
from flask_babel import Babel
from jinja2 import Environment, FileSystemLoader

from core.charts import bar_chart, fit_domain, format_value, histogram, line_chart, nice_step, nice_ticks

TEMPLATES = Path(__file__).resolve().parents[1] / "templates"
SVG = "{http://www.w3.org/2000/svg}"
HOSTILE = "<img src=x onerror=1>"
WEEKS = [f"2026-W{number:02d}" for number in range(1, 9)]
PERSIAN_DIGITS = set("۰۱۲۳۴۵۶۷۸۹")


def fcr_series(name="Sara", values=(0.61, 0.63, None, 0.64, 0.66, 0.69, 0.7, 0.72)):
    return (name, list(zip(WEEKS, values)))


@pytest.fixture
def macros():
    environment = Environment(loader=FileSystemLoader(str(TEMPLATES)), autoescape=True)
    return environment.get_template("_macros/charts.html").module


def parse(markup) -> ElementTree.Element:
    """Parse rendered macro output as XML, which also proves it is well-formed."""
    return ElementTree.fromstring(f"<root>{markup}</root>")


def steps_of(ticks):
    return {round(later - earlier, 9) for earlier, later in zip(ticks, ticks[1:])}


# Scales and ticks

@pytest.mark.parametrize(("raw", "value_format", "expected"), [
    (0.7, "number", 1.0),
    (1.3, "number", 2.0),
    (2.1, "number", 5.0),
    (6.0, "number", 10.0),
    (0.013, "percent", 0.02),
    (38.0, "nps", 50.0),
    (40.0, "seconds", 60.0),
    (130.0, "seconds", 300.0),
])
def test_nice_step_rounds_up_to_a_tidy_step(raw, value_format, expected):
    assert nice_step(raw, value_format) == pytest.approx(expected)


@pytest.mark.parametrize(("low", "high", "value_format"), [
    (0.62, 0.78, "percent"),
    (0.0, 1.0, "percent"),
    (-37.0, 58.0, "nps"),
    (3.0, 1234.0, "number"),
    (0.001, 0.0042, "number"),
])
def test_nice_ticks_cover_the_range_with_an_even_one_two_five_step(low, high, value_format):
    ticks = nice_ticks(low, high, value_format=value_format)
    (step,) = steps_of(ticks)
    mantissa = round(step / 10 ** math.floor(math.log10(step)), 6)
    assert ticks[0] <= low and ticks[-1] >= high
    assert mantissa in {1.0, 2.0, 5.0}
    assert 3 <= len(ticks) <= 7


def test_nice_ticks_are_clean_decimals():
    assert nice_ticks(0.0, 0.3) == [0.0, 0.1, 0.2, 0.3]


def test_seconds_ticks_fall_on_clock_units():
    ticks = nice_ticks(250, 410, value_format="seconds")
    assert steps_of(ticks) == {60.0}


def test_negative_nps_ticks_cross_zero():
    ticks = nice_ticks(*fit_domain([-35, -5, 20], "nps"), value_format="nps")
    assert ticks[0] <= -35 and ticks[-1] >= 20
    assert 0.0 in ticks


def test_flat_data_is_padded_around_its_value():
    low, high = fit_domain([0.7, 0.7], "percent")
    assert low < 0.7 < high


def test_flat_data_at_a_bound_stays_inside_the_format_range():
    assert fit_domain([1.0, 1.0], "percent")[1] == 1.0
    assert fit_domain([0.0, None], "percent")[0] == 0.0


def test_all_none_falls_back_to_the_format_range():
    assert fit_domain([None, None], "nps") == (-100.0, 100.0)


def test_explicit_bounds_replace_the_data_range():
    assert fit_domain([0.6, 0.7], "percent", y_min=0.0, y_max=1.0) == (0.0, 1.0)


def test_inverted_explicit_bounds_are_refused():
    with pytest.raises(ValueError):
        fit_domain([0.6], "percent", y_min=0.8, y_max=0.2)


# Number formats per locale

@pytest.mark.parametrize(("value", "value_format", "locale", "expected"), [
    (0.625, "percent", "en", "62.5%"),
    (0.6, "percent", "en", "60%"),
    (754, "seconds", "en", "12:34"),
    (3725, "seconds", "en", "1:02:05"),
    (-12.5, "nps", "en", "-12.5"),
    (1234.5, "number", "en", "1,234.5"),
    (0.625, "percent", "fa", "۶۲٫۵٪"),
    (754, "seconds", "fa", "۱۲:۳۴"),
    (1234.5, "number", "fa", "۱٬۲۳۴٫۵"),
    (-12.5, "nps", "fa", "\u200e−۱۲٫۵"),
    (1234.5, "number", "ar_EG", "١٬٢٣٤٫٥"),
    (1234.5, "number", "ar", "١٬٢٣٤٫٥"),
    (1234.5, "number", "th", "1,234.5"),
])
def test_format_value_follows_the_locale(value, value_format, locale, expected):
    assert format_value(value, value_format, locale=locale) == expected


def test_arabic_can_be_asked_for_arabic_indic_digits():
    assert format_value(12, "number", locale="ar", numbering_system="arab") == "١٢"


def test_format_value_uses_the_request_locale():
    app = Flask(__name__)
    Babel(app, locale_selector=lambda: "fa")
    with app.test_request_context():
        assert format_value(0.5, "percent") == "۵۰٪"


def test_unknown_value_format_is_refused():
    with pytest.raises(ValueError):
        format_value(1, "furlongs", locale="en")


# Line charts

def test_line_chart_draws_a_dot_per_known_value_and_breaks_lines_at_gaps():
    chart = line_chart([fcr_series()], y_format="percent", title="FCR", locale="en")
    (series,) = chart.series
    assert len(series.dots) == 7
    assert [len(segment.split()) for segment in series.segments] == [2, 5]


def test_single_point_sits_in_the_middle_of_the_plot():
    chart = line_chart([("Sara", [("2026-W01", 0.5)])], y_format="percent", title="FCR", locale="en")
    (dot,) = chart.series[0].dots
    assert dot.x == pytest.approx((chart.plot.left + chart.plot.right) / 2)
    assert chart.series[0].segments == ()


def test_all_none_line_chart_says_there_is_no_data():
    chart = line_chart([fcr_series(values=[None] * 8)], y_format="nps", title="NPS", locale="en")
    assert chart.series[0].dots == ()
    assert chart.notice is not None
    assert "no data" in chart.desc


def test_target_line_is_drawn_at_the_target_value_with_its_label():
    chart = line_chart([fcr_series()], y_format="percent", target=(0.75, "Goal"), title="FCR", locale="en")
    (rule,) = chart.rules
    labelled = {tick.label.text: tick.position for tick in chart.y_ticks}
    assert rule.kind == "target" and rule.label.text == "Goal"
    assert rule.y1 == rule.y2 == labelled["75%"]


def test_marker_is_drawn_at_its_category():
    chart = line_chart([fcr_series()], y_format="percent", marker_x=("2026-W05", "Mentorship started"),
                       title="FCR", locale="en")
    (rule,) = chart.rules
    assert rule.kind == "marker" and rule.label.text == "Mentorship started"
    assert rule.x1 == rule.x2 == chart.series[0].dots[3].x  # W05 is the fourth known value


def test_marker_outside_the_charted_weeks_is_left_out():
    chart = line_chart([fcr_series()], y_format="percent", marker_x="2025-W40", title="FCR", locale="en")
    assert chart.rules == ()


def test_legend_lists_each_series_when_there_are_several():
    chart = line_chart([fcr_series("Sara"), fcr_series("Team")], y_format="percent", title="FCR", locale="en")
    assert [entry.label.text for entry in chart.legend] == ["Sara", "Team"]
    assert [series.style for series in chart.series] == [0, 1]


def test_many_categories_get_thinned_labels():
    weeks = [f"2026-W{number:02d}" for number in range(1, 53)]
    chart = line_chart([("Sara", [(week, 0.5) for week in weeks])], y_format="percent", title="FCR",
                       locale="en")
    assert 1 < len(chart.x_ticks) < len(weeks)
    assert chart.x_ticks[0].label.text == "2026-W01"


def test_rtl_line_chart_mirrors_every_x_position():
    ltr = line_chart([fcr_series()], y_format="percent", target=0.75, title="FCR", locale="en")
    rtl = line_chart([fcr_series()], y_format="percent", target=0.75, title="FCR", locale="en", rtl=True)
    assert [dot.x for dot in rtl.series[0].dots] == [
        pytest.approx(ltr.width - dot.x) for dot in ltr.series[0].dots]
    assert [tick.label.x for tick in rtl.y_ticks] == [
        pytest.approx(ltr.width - tick.label.x) for tick in ltr.y_ticks]
    assert rtl.series[0].dots[0].x > rtl.series[0].dots[-1].x


def test_rtl_keeps_logical_text_anchors():
    ltr = line_chart([fcr_series()], y_format="percent", target=0.75, title="FCR", locale="en")
    rtl = line_chart([fcr_series()], y_format="percent", target=0.75, title="FCR", locale="en", rtl=True)
    assert [tick.label.anchor for tick in rtl.y_ticks] == [tick.label.anchor for tick in ltr.y_ticks]
    assert rtl.rules[0].label.anchor == ltr.rules[0].label.anchor


@pytest.mark.parametrize(("locale", "rtl"), [("fa", True), ("ar", True), ("en", False), ("th", False)])
def test_direction_follows_the_locale(locale, rtl):
    assert line_chart([fcr_series()], y_format="percent", title="FCR", locale=locale).rtl is rtl


def test_persian_chart_labels_use_persian_digits():
    chart = line_chart([fcr_series()], y_format="percent", title="FCR", locale="fa")
    labels = "".join(tick.label.text for tick in chart.y_ticks)
    assert set(labels) & PERSIAN_DIGITS
    assert not set(labels) & set("0123456789")


# Bar charts and histograms

def test_bar_chart_highlights_only_the_named_label():
    chart = bar_chart([("Sara", 80), ("Ali", 60), ("Mina", 40)], value_format="nps", highlight="Ali",
                      title="NPS", locale="en")
    assert [bar.highlighted for bar in chart.bars] == [False, True, False]
    assert "Ali is number 2" in chart.desc


def test_bar_lengths_are_proportional_to_values():
    chart = bar_chart([("Sara", 80), ("Ali", 40)], value_format="number", title="Kudos", locale="en")
    assert chart.bars[0].width == pytest.approx(2 * chart.bars[1].width)


def test_negative_bar_grows_from_zero_towards_the_start():
    chart = bar_chart([("Sara", 30), ("Ali", -20)], value_format="nps", title="NPS", locale="en")
    zero = chart.rules[0].x1
    assert chart.bars[0].x == pytest.approx(zero)
    assert chart.bars[1].x + chart.bars[1].width == pytest.approx(zero)


def test_rtl_bar_chart_mirrors_bars():
    items = [("Sara", 30), ("Ali", -20)]
    ltr = bar_chart(items, value_format="nps", title="NPS", locale="en")
    rtl = bar_chart(items, value_format="nps", title="NPS", locale="en", rtl=True)
    for left_to_right, right_to_left in zip(ltr.bars, rtl.bars):
        assert right_to_left.x == pytest.approx(ltr.width - left_to_right.x - left_to_right.width)


def test_long_bar_labels_are_shortened_but_kept_whole_in_the_table():
    name = "Maximilian Alexander Montgomery-Smythe of the Billing Escalations Desk"
    chart = bar_chart([(name, 1)], value_format="number", title="Kudos", locale="en")
    assert chart.bars[0].label.text.endswith("…")
    assert chart.table.rows[0][0] == name


def test_histogram_counts_every_value_once():
    values = [0.5, 0.55, 0.6, 0.62, 0.7, 0.7, 0.71, 0.9, None]
    chart = histogram(values, bins=5, value_format="percent", title="FCR", locale="en")
    assert sum(int(row[1]) for row in chart.table.rows) == 8
    assert len(chart.bars) == len(chart.table.rows)


def test_histogram_value_on_an_edge_counts_in_the_upper_bin():
    chart = histogram([0.0, 0.1, 0.2, 0.3, 0.4], bins=4, value_format="percent", title="FCR", locale="en")
    assert [row[1] for row in chart.table.rows] == ["1", "1", "1", "2"]


def test_histogram_bin_count_is_close_to_the_request():
    values = [index / 100 for index in range(101)]
    chart = histogram(values, bins=10, value_format="percent", title="FCR", locale="en")
    assert len(chart.bars) == 10


def test_histogram_marker_sits_at_its_value():
    chart = histogram([0.0, 0.5, 1.0], bins=2, value_format="percent", marker=(0.5, "Median"), title="FCR",
                      locale="en")
    (rule,) = chart.rules
    assert rule.x1 == pytest.approx((chart.plot.left + chart.plot.right) / 2)
    assert rule.label.text == "Median"


def test_empty_histogram_says_there_is_no_data():
    chart = histogram([None], bins=5, value_format="seconds", title="AHT", locale="en")
    assert chart.notice is not None
    assert sum(int(row[1]) for row in chart.table.rows) == 0


# Rendering the macros

def test_line_chart_markup_is_accessible_svg_with_a_point_per_value(macros):
    chart = line_chart([fcr_series(), fcr_series("Team", [0.65] * 8)], y_format="percent", title="FCR",
                       locale="en")
    root = parse(macros.line_chart(chart))
    svg = root.find(f"figure/{SVG}svg")
    title_id, desc_id = svg.get("aria-labelledby").split()
    assert svg.get("role") == "img"
    assert svg.find(f"{SVG}title").get("id") == title_id
    assert svg.find(f"{SVG}desc").get("id") == desc_id
    assert len(svg.findall(f".//{SVG}circle")) == 15
    assert len(root.findall("figure/table[@class='visually-hidden chart-data']/tbody/tr")) == 8


def test_bar_chart_markup_has_a_rect_per_item(macros):
    chart = bar_chart([("Sara", 80), ("Ali", 60), ("Mina", None)], value_format="nps", title="NPS",
                      locale="en")
    root = parse(macros.bar_chart(chart))
    assert len(root.findall(f".//{SVG}rect")) == 3
    assert len(root.findall(".//table/tbody/tr")) == 3


def test_histogram_markup_has_a_rect_per_bin(macros):
    chart = histogram([0.5, 0.6, 0.7, 0.8], bins=4, value_format="percent", title="FCR", locale="en")
    root = parse(macros.histogram(chart))
    assert len(root.findall(f".//{SVG}rect")) == len(chart.table.rows)


def test_hostile_labels_are_escaped_everywhere(macros):
    line = line_chart([fcr_series(HOSTILE)], y_format="percent", target=(0.7, HOSTILE),
                      marker_x=("2026-W05", HOSTILE), title=HOSTILE, locale="en")
    bars = bar_chart([(HOSTILE, 1)], value_format="number", title=HOSTILE, locale="en")
    spread = histogram([1, 2], bins=2, value_format="number", marker=(1, HOSTILE), title=HOSTILE, locale="en")
    markup = str(macros.line_chart(line)) + str(macros.bar_chart(bars)) + str(macros.histogram(spread))
    root = parse(markup)
    assert HOSTILE not in markup
    assert "&lt;img src=x onerror=1&gt;" in markup
    assert root.findall(".//img") == [] and root.findall(f".//{SVG}img") == []


def test_markup_has_no_script_and_no_style_attributes(macros):
    chart = line_chart([fcr_series()], y_format="percent", target=0.75, title="FCR", locale="en")
    markup = str(macros.line_chart(chart))
    assert "<script" not in markup.lower()
    assert all(element.get("style") is None for element in parse(markup).iter())


def test_rtl_markup_sets_the_direction(macros):
    chart = line_chart([fcr_series()], y_format="percent", title="FCR", locale="fa")
    root = parse(macros.line_chart(chart))
    assert root.find("figure").get("dir") == "rtl"
    assert root.find(f"figure/{SVG}svg").get("direction") == "rtl"


def test_charts_on_one_page_get_distinct_ids(macros):
    first = line_chart([fcr_series()], y_format="percent", title="FCR", locale="en")
    second = line_chart([fcr_series()], y_format="percent", title="AHT", locale="en")
    assert first.element_id != second.element_id
    assert f'id="{first.element_id}-title"' in str(macros.line_chart(first))
