"""Line charts: metric trends by period, with gaps, a target line and an event marker."""
from flask_babel import lazy_gettext as _l

from core.charts.formats import NumberStyle, resolve_locale
from core.charts.scales import fit_domain, label_ticks, nice_ticks, scale_linear
from core.charts.shapes import (
    SERIES_STYLES,
    Canvas,
    Caption,
    Chart,
    DataTable,
    Dot,
    LegendEntry,
    Rule,
    Series,
    axis_ticks,
    chart_id,
    is_rtl,
    label_every,
    marker_rule,
    no_data_notice,
    text_px,
    value_axis,
)

_ROW_PX = 19  # one legend row: a 12px label and its spacing


def line_chart(series, *, y_format: str, y_min=None, y_max=None, target=None, marker_x=None, title: str,
               width: int = 640, height: int = 320, locale=None, numbering_system: str = "default",
               rtl: bool | None = None, element_id: str | None = None) -> Chart:
    """Lines over shared x categories with nice y ticks, gaps for None, optional target and marker.

    series: [(name, [(x_label, value or None), ...]), ...]; target: value or (value, label);
    marker_x: x_label or (x_label, label), left out when that x is not charted.
    """
    place = resolve_locale(locale)
    canvas = Canvas(width, is_rtl(rtl, place))
    fmt = NumberStyle(y_format, place, numbering_system)
    series = [(str(name), [(str(x), value) for x, value in points]) for name, points in series]
    categories = list(dict.fromkeys(x for _, points in series for x, _ in points))
    target_value, target_text = target if isinstance(target, tuple) else (target, None)
    marker_key, marker_text = marker_x if isinstance(marker_x, tuple) else (marker_x, marker_x)
    values = [value for _, points in series for _, value in points]
    domain_values = values + ([target_value] if target_value is not None else [])
    ticks = label_ticks(nice_ticks(*fit_domain(domain_values, y_format, y_min, y_max), value_format=y_format),
                        y_format, fmt)

    legend, legend_rows = _lay_out_legend([name for name, _ in series], canvas)
    left = 14 + max(text_px(text) for _, text in ticks)
    top, right, bottom = 14 + legend_rows * _ROW_PX, width - 12, height - 30
    plot = canvas.place_plot(left, top, right, bottom)
    band = (right - left) / max(len(categories), 1)
    x_of = {x: left + band * (index + 0.5) for index, x in enumerate(categories)}

    def y_of(value):
        return scale_linear(value, (ticks[0][0], ticks[-1][0]), (bottom, top))

    every = label_every(band, max((text_px(x) for x in categories), default=0))
    x_ticks = axis_ticks(canvas, [(x_of[x], x) for index, x in enumerate(categories) if index % every == 0],
                         bottom + 18)
    y_ticks = value_axis(canvas, [(y_of(value), text) for value, text in ticks], left - 8)
    drawn = tuple(_draw_series(index, name, points, x_of, y_of, canvas, fmt)
                  for index, (name, points) in enumerate(series))
    rules = []
    if target_value is not None:
        y = y_of(target_value)
        caption = Caption(canvas.place_x(right - 4), y - 5 if y - 16 > top else y + 15,
                          str(target_text or _l("Target: %(value)s", value=fmt(target_value))), "end")
        rules.append(Rule("target", plot.left, y, plot.right, y, caption))
    if marker_key not in x_of:
        marker_key = None
    else:
        rules.append(marker_rule(canvas, x_of[marker_key], top, bottom, right, str(marker_text)))

    table = DataTable(title, (str(_l("Period")), *(name for name, _ in series)),
                      tuple((x, *(fmt.or_no_data(dict(points).get(x)) for _, points in series))
                            for x in categories))
    empty = all(value is None for value in values)
    return Chart("line", chart_id(element_id, "line", title, series), title,
                 _describe_lines(series, fmt, target_value, marker_key, marker_text), width, height,
                 canvas.rtl, plot, table, x_ticks=x_ticks, y_ticks=y_ticks, series=drawn, legend=legend,
                 rules=tuple(rules), notice=no_data_notice(plot) if empty else None)


def _lay_out_legend(names, canvas: Canvas) -> tuple[tuple[LegendEntry, ...], int]:
    """Legend entries in rows from the inline start, and the row count; one series needs no legend."""
    if len(names) < 2:
        return (), 0
    entries, x, row = [], 12.0, 0
    for index, name in enumerate(names):
        item_px = 24 + text_px(name)
        if x + item_px > canvas.width - 12 and x > 12:
            x, row = 12.0, row + 1
        y = 12 + row * _ROW_PX
        entries.append(LegendEntry(index % SERIES_STYLES, canvas.place_x(x), canvas.place_x(x + 18), y,
                                   Caption(canvas.place_x(x + 24), y + 4, name, "start")))
        x += item_px + 16
    return tuple(entries), row + 1


def _draw_series(index, name, points, x_of, y_of, canvas, fmt) -> Series:
    """A series as polylines split at each None, plus a dot per known value."""
    runs, run, dots = [], [], []
    for x, value in points:
        if value is None:
            runs.append(run)
            run = []
            continue
        spot = (canvas.place_x(x_of[x]), y_of(value))
        run.append(spot)
        dots.append(Dot(*spot, str(_l("%(series)s, %(x)s: %(value)s", series=name, x=x, value=fmt(value)))))
    runs.append(run)
    # A lone value between gaps draws no line; its dot still shows it.
    segments = tuple(" ".join(f"{px:g},{py:g}" for px, py in part) for part in runs if len(part) > 1)
    return Series(name, index % SERIES_STYLES, segments, tuple(dots))


def _describe_lines(series, fmt, target_value, marker_key, marker_text) -> str:
    """The <desc> summary: each series' first, last, lowest and highest values, the target and marker."""
    parts = []
    for name, points in series:
        known = [(x, value) for x, value in points if value is not None]
        if not known:
            parts.append(str(_l("%(series)s: no data.", series=name)))
            continue
        values = [value for _, value in known]
        parts.append(str(_l("%(series)s: %(first)s in %(start)s, %(last)s in %(end)s; lowest %(low)s, "
                            "highest %(high)s.", series=name, first=fmt(known[0][1]), start=known[0][0],
                            last=fmt(known[-1][1]), end=known[-1][0], low=fmt(min(values)),
                            high=fmt(max(values)))))
    if target_value is not None:
        parts.append(str(_l("Target: %(value)s.", value=fmt(target_value))))
    if marker_key is not None:
        parts.append(str(_l("%(event)s: %(x)s.", event=marker_text, x=marker_key)))
    return " ".join(parts) or str(_l("No data yet"))
