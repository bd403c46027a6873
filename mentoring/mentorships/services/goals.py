"""Mentoring goals: a service metric with a target (and the baseline it starts from), or free text."""
import math
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

from core.charts import format_value
from errors import Invalid
from mentoring.mentorships.models import GOAL_TEXT_MAX_CHARS


@dataclass(frozen=True)
class GoalMetric:
    """How one metric is read from recognition's Metrics, bounded, compared and written."""

    name: str
    label: object
    attribute: str  # on recognition.services.Metrics
    sample: str  # the Metrics count a value of this metric rests on
    low: float
    high: float
    higher_is_better: bool
    value_format: str  # core.charts value format

    def better_or_equal(self, value, target):
        return value >= target if self.higher_is_better else value <= target

    def improvement(self, before, after):
        """after − before, signed so that a positive number is always better (None without data)."""
        if before is None or after is None:
            return None
        return after - before if self.higher_is_better else before - after


GOAL_METRICS = {
    "fcr": GoalMetric("fcr", _l("FCR"), "fcr", "contacts", 0.0, 1.0, True, "percent"),
    # Two hours is far beyond any contact's handle time: a larger target is a typing slip.
    "aht": GoalMetric("aht", _l("AHT"), "aht_seconds", "contacts", 1.0, 7200.0, False, "seconds"),
    "nps": GoalMetric("nps", _l("NPS"), "nps", "nps_responses", -100.0, 100.0, True, "nps"),
    "csat": GoalMetric("csat", _l("CSAT"), "csat", "csat_responses", 1.0, 5.0, True, "number"),
}
# Fewer answers or contacts than this since the start cannot show that a goal was met.
GOAL_MIN_SAMPLE = 20


@dataclass(frozen=True)
class Goal:
    """A validated goal: metric and target (with an optional baseline), and/or a description."""

    metric: str | None = None
    target: float | None = None
    baseline: float | None = None
    text: str = ""

    @property
    def measurable(self):
        return self.metric is not None


def metric_of(name):
    return GOAL_METRICS[name]


def format_metric(name, value, locale=None):
    """A metric value as people read it (62%, 6:05, +12, 4.3), or a dash without data."""
    if value is None:
        return "—"
    return format_value(value, GOAL_METRICS[name].value_format, locale=locale)


def describe_goal(goal_metric, target, baseline, text):
    """One line: "FCR 62% → 75%", "AHT → 6:00" or the free text."""
    if goal_metric is None or target is None:
        return text
    metric = GOAL_METRICS[goal_metric]
    start = format_metric(goal_metric, baseline) + " → " if baseline is not None else "→ "
    return "%s %s%s" % (metric.label, start, format_metric(goal_metric, target))


def _number(field, value):
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise Invalid(field, _l("Enter a number."))
    return float(value)


def _in_range(field, metric, value, what):
    if not metric.low <= value <= metric.high:
        raise Invalid(field, _l("%(what)s for %(metric)s must be between %(low)s and %(high)s.", what=what,
                                metric=metric.label, low=format_metric(metric.name, metric.low),
                                high=format_metric(metric.name, metric.high)))
    return value


def validate_goal(metric=None, target=None, baseline=None, text=""):
    """A Goal from loose input: a metric needs a target in its range; without one, text is needed.

    FCR is a fraction (0..1), AHT seconds, NPS −100..100, CSAT 1..5.
    :raises Invalid: no goal at all, an unknown metric, a target or baseline out of range, a target
        no better than the baseline, or text over the limit.
    """
    if not isinstance(text or "", str):
        raise Invalid("goal_text", _l("Describe the goal in words."))
    text = (text or "").strip()
    if len(text) > GOAL_TEXT_MAX_CHARS:
        raise Invalid("goal_text", _l("Describe the goal in at most %(count)d characters.",
                                      count=GOAL_TEXT_MAX_CHARS))
    metric = (metric or "").strip().lower() if isinstance(metric, str) else metric
    if not metric:
        if target is not None:
            raise Invalid("goal_metric", _l("Choose the metric the target is for."))
        if not text:
            raise Invalid("goal", _l("Give a goal: a metric with a target, or a few words."))
        return Goal(text=text)
    if metric not in GOAL_METRICS:
        raise Invalid("goal_metric", _l("Choose a metric among FCR, AHT, NPS and CSAT."))
    spec = GOAL_METRICS[metric]
    if target is None:
        raise Invalid("goal_target", _l("Give the target for %(metric)s.", metric=spec.label))
    target = _in_range("goal_target", spec, _number("goal_target", target), _l("The target"))
    if baseline is not None:
        baseline = _in_range("goal_baseline", spec, _number("goal_baseline", baseline), _l("The baseline"))
        if spec.better_or_equal(baseline, target):
            raise Invalid("goal_target", _l(
                "The target must be better than where %(metric)s starts (%(baseline)s).",
                metric=spec.label, baseline=format_metric(metric, baseline)))
    return Goal(metric, target, baseline, text)


def goal_outcome(goal_metric, target, metrics):
    """(value, met) of the goal metric in `metrics`; met is None when too little data shows it."""
    spec = GOAL_METRICS[goal_metric]
    value = getattr(metrics, spec.attribute)
    if value is None or getattr(metrics, spec.sample) < GOAL_MIN_SAMPLE:
        return value, None
    return value, spec.better_or_equal(value, target)
