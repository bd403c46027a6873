"""Chart numbers written for the reader's locale: percent, m:ss, plain numbers and NPS, in local digits."""
from dataclasses import dataclass

from babel import Locale, numbers
from flask_babel import lazy_gettext as _l

from core.locale_format import localise_symbols, resolve_locale, symbols_system
from core.locale_format import numbering_system as digits_of

VALUE_FORMATS = ("percent", "seconds", "number", "nps")


def format_value(value: float, value_format: str, *, locale: Locale | str | None = None,
                 numbering_system: str = "default", decimals: int | None = None) -> str:
    """Format a chart number for the locale: percent (0..1), seconds (m:ss), number or nps.

    numbering_system "default" follows the locale and the reader's choice (core/locale_format.py:
    fa Persian digits, ar Arabic-Indic, th Latin or Thai); "arab", "arabext" or "latn" choose.
    decimals is the most shown (default 1, 2 for number); seconds are always whole.
    """
    if value_format not in VALUE_FORMATS:
        raise ValueError(f"unknown value format {value_format!r}")
    place = resolve_locale(locale)
    system = digits_of(place) if numbering_system == "default" else numbering_system
    if value_format == "seconds":
        text = _format_clock(value)
    elif value_format == "percent":
        shown = 1 if decimals is None else decimals
        text = numbers.format_percent(round(value, shown + 2), locale=place, decimal_quantization=False,
                                      numbering_system=symbols_system(place, system))
    else:
        shown = (2 if value_format == "number" else 1) if decimals is None else decimals
        text = numbers.format_decimal(round(value, shown), locale=place, decimal_quantization=False,
                                      numbering_system=symbols_system(place, system))
    return localise_symbols(text, place, system)


def _format_clock(seconds: float) -> str:
    whole = round(abs(seconds))
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    clock = f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"
    return f"-{clock}" if seconds < 0 and whole else clock


@dataclass(frozen=True)
class NumberStyle:
    """How one chart writes its numbers: value format, locale and numbering system."""

    value_format: str
    place: Locale
    numbering_system: str = "default"

    def __call__(self, value: float, decimals: int | None = None) -> str:
        return format_value(value, self.value_format, locale=self.place,
                            numbering_system=self.numbering_system, decimals=decimals)

    def count(self, whole: int) -> str:
        """A whole count (agents, rank) in the chart's digits."""
        return format_value(whole, "number", locale=self.place, numbering_system=self.numbering_system,
                            decimals=0)

    def or_no_data(self, value: float | None) -> str:
        """The formatted value, or a "no data" mark for a gap."""
        return str(_l("no data")) if value is None else self(value)
