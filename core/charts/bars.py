"""Bar charts: horizontal leaderboards and histograms of how a metric spreads across agents."""
import bisect

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_ngettext as _nl

from core.charts.formats import NumberStyle, resolve_locale
from core.charts.scales import fit_domain, label_ticks, nice_step, nice_ticks, scale_linear, steps_covering
from core.charts.shapes import (
    Bar,
    Canvas,
    Caption,
    Chart,
    DataTable,
    Rule,
    axis_ticks,
    chart_id,
    is_rtl,
    label_every,
    marker_rule,
    no_data_notice,
    shorten,
    text_px,
    value_axis,
)

_ROW_PX = 28  # one leaderboard row: an 18px bar and its gap


def bar_chart(items, *, value_format: str, highlight=None, title: str, width: int = 640, locale=None,
              numbering_system: str = "default", rtl: bool | None = None,
              element_id: str | None = None) -> Chart:
    """Horizontal bars (label, value or None) for leaderboards, in the given order; one label highlighted."""
    place = resolve_locale(locale)
    canvas = Canvas(width, is_rtl(rtl, place))
    fmt = NumberStyle(value_format, place, numbering_system)
    items = [(str(label), value) for label, value in items]
    known = [value for _, value in items if value is not None]
    ticks = label_ticks(nice_ticks(*fit_domain(known + [0.0], value_format), value_format=value_format),
                        value_format, fmt)
    value_texts = [fmt.or_no_data(value) for _, value in items]

    top = 8
    height = top + _ROW_PX * max(len(items), 1) + 32
    label_room = min(max((text_px(label) for label, _ in items), default=0), width * 0.35)
    value_room = max((text_px(text) for text in value_texts), default=0) + 8
    # Negative values (NPS) put their value captions on the start side of the zero line.
    left = 20 + label_room + (value_room if ticks[0][0] < 0 else 0)
    right, bottom = width - 12 - value_room, height - 32
    plot = canvas.place_plot(left, top, right, bottom)

    def x_of(value):
        return scale_linear(value, (ticks[0][0], ticks[-1][0]), (left, right))

    zero = x_of(0.0)
    bars = []
    for index, ((label, value), value_text) in enumerate(zip(items, value_texts)):
        y = top + index * _ROW_PX + 5
        end = zero if value is None else x_of(value)
        ahead = value is None or value >= 0
        bars.append(Bar(canvas.place_span(min(zero, end), abs(end - zero)), y, round(abs(end - zero), 2),
                        _ROW_PX - 10, str(_l("%(label)s: %(value)s", label=label, value=value_text)),
                        highlighted=highlight is not None and label == str(highlight),
                        label=Caption(canvas.place_x(12 + label_room), y + 13, shorten(label, label_room),
                                      "end"),
                        value_label=Caption(canvas.place_x(end + 4 if ahead else end - 4), y + 13, value_text,
                                            "start" if ahead else "end")))
    table = DataTable(title, (str(_l("Name")), str(_l("Value"))),
                      tuple((label, text) for (label, _), text in zip(items, value_texts)))
    return Chart("bar", chart_id(element_id, "bar", title, items), title,
                 _describe_bars(items, fmt, highlight), width, height, canvas.rtl, plot, table,
                 x_ticks=axis_ticks(canvas, [(x_of(value), text) for value, text in ticks], bottom + 18),
                 x_grid=True, bars=tuple(bars),
                 rules=(Rule("zero", canvas.place_x(zero), top, canvas.place_x(zero), bottom),),
                 notice=None if known else no_data_notice(plot))


def _describe_bars(items, fmt: NumberStyle, highlight) -> str:
    """The <desc> summary: how many, the highest and lowest, and where the highlighted one stands."""
    known = [(label, value) for label, value in items if value is not None]
    if not known:
        return str(_l("No data yet"))
    best = max(known, key=lambda item: item[1])
    worst = min(known, key=lambda item: item[1])
    parts = [str(_nl("%(count)s entry.", "%(count)s entries.", len(items), count=fmt.count(len(items)))),
             str(_l("Highest: %(label)s, %(value)s. Lowest: %(low_label)s, %(low_value)s.", label=best[0],
                    value=fmt(best[1]), low_label=worst[0], low_value=fmt(worst[1])))]
    for position, (label, value) in enumerate(items, start=1):
        if highlight is not None and label == str(highlight):
            parts.append(str(_l("%(label)s is number %(position)s: %(value)s.", label=label,
                                position=fmt.count(position), value=fmt.or_no_data(value))))
    return " ".join(parts)


def histogram(values, *, bins: int, value_format: str, marker=None, title: str, width: int = 640,
              height: int = 260, locale=None, numbering_system: str = "default", rtl: bool | None = None,
              element_id: str | None = None) -> Chart:
    """How values spread across agents, in about `bins` bars on tidy edges.

    marker: a value or (value, label), e.g. the category median.
    """
    if bins < 1:
        raise ValueError("bins must be at least 1")
    place = resolve_locale(locale)
    canvas = Canvas(width, is_rtl(rtl, place))
    fmt = NumberStyle(value_format, place, numbering_system)
    known = sorted(value for value in values if value is not None)
    low, high = fit_domain(known, value_format)
    edges = label_ticks(steps_covering(low, high, nice_step((high - low) / bins, value_format)),
                        value_format, fmt)
    counts = _count_bins(known, [edge for edge, _ in edges])
    count_ticks = nice_ticks(0, max(max(counts), 1), min_step=1)

    left = 14 + max(text_px(fmt.count(int(tick))) for tick in count_ticks)
    top, right, bottom = 16, width - 16, height - 30
    plot = canvas.place_plot(left, top, right, bottom)

    def x_of(value):
        return scale_linear(value, (edges[0][0], edges[-1][0]), (left, right))

    def y_of(count):
        return scale_linear(count, (0, count_ticks[-1]), (bottom, top))

    ranges = [str(_l("%(low)s–%(high)s", low=edges[index][1], high=edges[index + 1][1]))
              for index in range(len(counts))]
    bars = []
    for index, count in enumerate(counts):
        span = max(x_of(edges[index + 1][0]) - x_of(edges[index][0]) - 2, 0.5)
        bars.append(Bar(canvas.place_span(x_of(edges[index][0]) + 1, span), y_of(count), round(span, 2),
                        round(bottom - y_of(count), 2), _count_phrase(ranges[index], count, fmt)))
    every = label_every(x_of(edges[1][0]) - x_of(edges[0][0]), max(text_px(text) for _, text in edges))
    rules = ()
    if marker_value_text := _marker(marker, fmt):
        marker_value, marker_text = marker_value_text
        # A marker outside the bins (e.g. a category median) sits on the nearest end.
        x = x_of(min(max(marker_value, edges[0][0]), edges[-1][0]))
        rules = (marker_rule(canvas, x, top, bottom, right, marker_text),)
    table = DataTable(title, (str(_l("Range")), str(_l("Agents"))),
                      tuple((text, fmt.count(count)) for text, count in zip(ranges, counts)))
    return Chart("histogram", chart_id(element_id, "histogram", title, known), title,
                 _describe_spread(known, counts, ranges, fmt, rules), width, height, canvas.rtl, plot, table,
                 x_ticks=axis_ticks(canvas, [(x_of(edge), text) for index, (edge, text) in enumerate(edges)
                                             if index % every == 0], bottom + 18),
                 y_ticks=value_axis(canvas, [(y_of(tick), fmt.count(int(tick))) for tick in count_ticks],
                                    left - 8),
                 bars=tuple(bars), rules=rules, notice=None if known else no_data_notice(plot))


def _marker(marker, fmt: NumberStyle) -> tuple[float, str] | None:
    """The marker as (value, caption); a bare value gets a "Marker: …" caption."""
    if marker is None:
        return None
    value, text = marker if isinstance(marker, tuple) else (marker, None)
    return value, str(text or _l("Marker: %(value)s", value=fmt(value)))


def _count_bins(known, edges) -> list[int]:
    """Values per bin; a value on an inner edge counts in the upper bin, the top edge in the last bin."""
    counts = [0] * (len(edges) - 1)
    for value in known:
        index = bisect.bisect_right(edges, value) - 1
        counts[min(max(index, 0), len(counts) - 1)] += 1
    return counts


def _count_phrase(range_text: str, count: int, fmt: NumberStyle) -> str:
    return str(_nl("%(range)s: %(count)s agent", "%(range)s: %(count)s agents", count, range=range_text,
                   count=fmt.count(count)))


def _describe_spread(known, counts, ranges, fmt: NumberStyle, rules) -> str:
    """The <desc> summary: how many agents, their range, the fullest bin and the marker."""
    if not known:
        return str(_l("No data yet"))
    fullest = counts.index(max(counts))
    parts = [str(_nl("%(count)s agent, from %(low)s to %(high)s.",
                     "%(count)s agents, from %(low)s to %(high)s.", len(known),
                     count=fmt.count(len(known)), low=fmt(known[0]), high=fmt(known[-1]))),
             str(_l("Largest group: %(group)s.", group=_count_phrase(ranges[fullest], counts[fullest], fmt)))]
    parts += [str(_l("%(marker)s.", marker=rule.label.text)) for rule in rules]
    return " ".join(parts)
