"""Chart geometry as plain data for the SVG macros, and the layout helpers the chart builders share."""
import hashlib
import math
import re
from dataclasses import dataclass

from babel import Locale
from flask_babel import lazy_gettext as _l

from core.text import isolate

SERIES_STYLES = 6  # charts.css defines .chart-series-0 … -5
_CHAR_PX = 7.0  # average advance of a 12px glyph: enough to lay out labels without measuring fonts


@dataclass(frozen=True)
class Caption:
    """A text placed at (x, y); anchor is logical (start/middle/end) so it follows the SVG direction."""

    x: float
    y: float
    text: str
    anchor: str = "start"

    @property
    def bidi_text(self) -> str:
        """The text in first-strong isolates, so "2026-W05" or "Ali (L2)" keep their order in RTL."""
        return isolate(self.text)


@dataclass(frozen=True)
class Tick:
    """A grid position on an axis with its caption."""

    position: float
    label: Caption


@dataclass(frozen=True)
class Rule:
    """A straight line across the plot, of kind target, marker or zero, with an optional caption."""

    kind: str
    x1: float
    y1: float
    x2: float
    y2: float
    label: Caption | None = None


@dataclass(frozen=True)
class Dot:
    """One known value of a series, with its tooltip."""

    x: float
    y: float
    title: str


@dataclass(frozen=True)
class Series:
    """A line series: one points string per run of known values (gaps split it), and its dots."""

    name: str
    style: int
    segments: tuple[str, ...]
    dots: tuple[Dot, ...]


@dataclass(frozen=True)
class LegendEntry:
    """A legend swatch line and the series name beside it."""

    style: int
    x1: float
    x2: float
    y: float
    label: Caption


@dataclass(frozen=True)
class Bar:
    """A bar rectangle; label and value_label are None where the chart shows no text beside it."""

    x: float
    y: float
    width: float
    height: float
    title: str
    highlighted: bool = False
    label: Caption | None = None
    value_label: Caption | None = None


@dataclass(frozen=True)
class Plot:
    """The plot area, in final (already mirrored) coordinates."""

    left: float
    top: float
    right: float
    bottom: float


@dataclass(frozen=True)
class DataTable:
    """The chart's data as text, for the visually hidden table read by screen readers."""

    caption: str
    headers: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]


@dataclass(frozen=True)
class Chart:
    """Everything a macro prints: the template only loops over these fields."""

    kind: str
    element_id: str
    title: str
    desc: str
    width: int
    height: int
    rtl: bool
    plot: Plot
    table: DataTable
    x_ticks: tuple[Tick, ...] = ()
    y_ticks: tuple[Tick, ...] = ()
    x_grid: bool = False
    series: tuple[Series, ...] = ()
    legend: tuple[LegendEntry, ...] = ()
    bars: tuple[Bar, ...] = ()
    rules: tuple[Rule, ...] = ()
    notice: Caption | None = None

    @property
    def view_box(self) -> str:
        """The SVG viewBox attribute."""
        return f"0 0 {self.width} {self.height}"


@dataclass(frozen=True)
class Canvas:
    """Mirrors x positions for right-to-left charts; everything is laid out left-to-right first."""

    width: float
    rtl: bool

    def place_x(self, x: float) -> float:
        """Where a left-to-right x lands."""
        return round(self.width - x if self.rtl else x, 2)

    def place_span(self, x: float, span: float) -> float:
        """Left edge of a box of width span whose left-to-right left edge is x."""
        return round(self.width - x - span if self.rtl else x, 2)

    def place_plot(self, left: float, top: float, right: float, bottom: float) -> Plot:
        """The plot box once mirrored."""
        ends = sorted((self.place_x(left), self.place_x(right)))
        return Plot(ends[0], round(top, 2), ends[1], round(bottom, 2))


def text_px(text: str) -> float:
    """Estimated width of a 12px label."""
    return len(text) * _CHAR_PX


def shorten(text: str, room_px: float) -> str:
    """The text cut with an ellipsis to fit room_px (the full text stays in tooltips and the table)."""
    most = max(int(room_px // _CHAR_PX), 2)
    return text if len(text) <= most else text[: most - 1] + "…"


def label_every(band_px: float, widest_px: float) -> int:
    """Label every n-th category or edge so that captions widest_px wide do not collide."""
    return max(1, math.ceil((widest_px + 8) / max(band_px, 1)))


def chart_id(element_id: str | None, kind: str, title: str, data) -> str:
    """A safe id for aria-labelledby: the caller's, cleaned, or one stable for the same chart."""
    if element_id:
        return re.sub(r"[^A-Za-z0-9_-]", "-", element_id)
    digest = hashlib.sha1(repr((kind, title, data)).encode()).hexdigest()[:10]
    return f"chart-{kind}-{digest}"


def is_rtl(rtl: bool | None, place: Locale) -> bool:
    """The explicit direction, else the locale's (fa and ar are right-to-left)."""
    return place.text_direction == "rtl" if rtl is None else rtl


def no_data_notice(plot: Plot) -> Caption:
    """The message drawn in the middle of a chart with nothing to plot."""
    return Caption(round((plot.left + plot.right) / 2, 2), round((plot.top + plot.bottom) / 2, 2),
                   str(_l("No data yet")), "middle")


def marker_rule(canvas: Canvas, x: float, top: float, bottom: float, right: float, text: str) -> Rule:
    """A vertical marker at left-to-right x, captioned on its inline-end side unless that overflows."""
    fits_after = x + 4 + text_px(text) <= right
    caption = Caption(canvas.place_x(x + 4 if fits_after else x - 4), top + 12, text,
                      "start" if fits_after else "end")
    return Rule("marker", canvas.place_x(x), top, canvas.place_x(x), bottom, caption)


def axis_ticks(canvas: Canvas, spots, label_y: float) -> tuple[Tick, ...]:
    """Ticks along the x axis from (left-to-right x, label) pairs, captions centred below."""
    return tuple(Tick(canvas.place_x(x), Caption(canvas.place_x(x), label_y, label, "middle"))
                 for x, label in spots)


def value_axis(canvas: Canvas, spots, label_x: float) -> tuple[Tick, ...]:
    """Ticks along the y axis from (y, label) pairs, captions ending at label_x (left-to-right)."""
    return tuple(Tick(y, Caption(canvas.place_x(label_x), round(y + 4, 2), label, "end"))
                 for y, label in spots)
