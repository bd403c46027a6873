"""Dashboard charts drawn on the server: geometry as plain data for the SVG macros in _macros/charts.html."""
from core.charts.bars import bar_chart, histogram
from core.charts.formats import VALUE_FORMATS, NumberStyle, format_value, resolve_locale
from core.charts.lines import line_chart
from core.charts.scales import fit_domain, nice_step, nice_ticks, scale_linear, step_decimals
from core.charts.shapes import Bar, Caption, Chart, DataTable, Dot, LegendEntry, Plot, Rule, Series, Tick

__all__ = [
    "VALUE_FORMATS", "Bar", "Caption", "Chart", "DataTable", "Dot", "LegendEntry", "NumberStyle", "Plot",
    "Rule", "Series", "Tick", "bar_chart", "fit_domain", "format_value", "histogram", "line_chart",
    "nice_step", "nice_ticks", "resolve_locale", "scale_linear", "step_decimals",
]
