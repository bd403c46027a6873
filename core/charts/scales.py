"""Value ranges, tidy 1-2-5 ticks and linear scales for charts."""
import math

_BOUNDS = {"percent": (0.0, 1.0), "nps": (-100.0, 100.0), "seconds": (0.0, math.inf),
           "number": (-math.inf, math.inf)}
_EMPTY_DOMAIN = {"percent": (0.0, 1.0), "nps": (-100.0, 100.0), "seconds": (0.0, 300.0),
                 "number": (0.0, 10.0)}
_FLAT_PADDING = {"percent": 0.1, "nps": 10.0, "seconds": 30.0, "number": 1.0}
# Handle times read best in whole clock units, not 1-2-5 seconds (50 s ticks would show 4:10, 5:00).
_SECOND_STEPS = (1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 18000, 36000)


def nice_step(raw_step: float, value_format: str = "number") -> float:
    """The smallest tidy step ≥ raw_step: 1, 2 or 5 × 10ⁿ, or clock units for seconds."""
    if raw_step <= 0:
        raise ValueError("raw_step must be positive")
    if value_format == "seconds":
        for step in _SECOND_STEPS:
            if step >= raw_step:
                return float(step)
        return 3600 * nice_step(raw_step / 3600)
    magnitude = 10.0 ** math.floor(math.log10(raw_step))
    for multiple in (1, 2, 5):
        if multiple * magnitude >= raw_step * (1 - 1e-9):
            return multiple * magnitude
    return 10 * magnitude


def step_decimals(step: float) -> int:
    """How many decimals a tick label needs to tell ticks `step` apart."""
    return max(0, -math.floor(math.log10(step) + 1e-9))


def nice_ticks(low: float, high: float, *, value_format: str = "number", count: int = 5,
               min_step: float | None = None) -> list[float]:
    """Tick values on a tidy step covering [low, high], about `count` of them."""
    if high < low:
        low, high = high, low
    if high == low:
        low, high = low - 0.5, high + 0.5
    step = nice_step((high - low) / max(count - 1, 1), value_format)
    return steps_covering(low, high, step if min_step is None else max(step, min_step))


def steps_covering(low: float, high: float, step: float) -> list[float]:
    """Multiples of step from the one at or below low to the one at or above high (at least two)."""
    first = math.floor(low / step + 1e-9)
    last = max(math.ceil(high / step - 1e-9), first + 1)
    # Rounding keeps 0.1 * 3 from printing as 0.30000000000000004; + 0.0 turns -0.0 into 0.0.
    digits = step_decimals(step) + 2
    return [round(index * step, digits) + 0.0 for index in range(first, last + 1)]


def fit_domain(values, value_format: str, y_min: float | None = None,
               y_max: float | None = None) -> tuple[float, float]:
    """The range to plot: the data (None ignored), padded when flat, kept within the format's bounds.

    y_min and y_max, when given, replace the data's ends (ticks may still round outwards).
    """
    known = [value for value in values if value is not None]
    low, high = (min(known), max(known)) if known else _EMPTY_DOMAIN[value_format]
    if low == high:
        padding = abs(low) * 0.1 or _FLAT_PADDING[value_format]
        floor, ceiling = _BOUNDS[value_format]
        low, high = max(low - padding, min(floor, low)), min(high + padding, max(ceiling, high))
    low = low if y_min is None else y_min
    high = high if y_max is None else y_max
    if high <= low:
        raise ValueError("y_max must be greater than y_min")
    return low, high


def scale_linear(value: float, domain: tuple[float, float], pixels: tuple[float, float]) -> float:
    """Map a value in domain onto the pixel range (which may run backwards, as y does)."""
    share = (value - domain[0]) / (domain[1] - domain[0])
    return round(pixels[0] + share * (pixels[1] - pixels[0]), 2)


def label_ticks(ticks: list[float], value_format: str, fmt) -> list[tuple[float, str]]:
    """(value, label) pairs, each label with just enough decimals for the step."""
    step = ticks[1] - ticks[0]
    decimals = step_decimals(step * 100 if value_format == "percent" else step)
    return [(tick, fmt(tick, decimals)) for tick in ticks]
