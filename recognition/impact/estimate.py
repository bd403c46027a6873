"""What an article does to the outcome of the contacts it is used on: pure math over totals.

The question is whether a contact goes better with the article than it would have gone without
it. Comparing the article's contacts with everyone else's would mostly measure who uses it: an
article the strongest agent reads would look good for that reason alone. So each agent is
compared with themselves. For every agent a and category c among the article's linked contacts
in the period (a stratum), with

    n linked contacts, x of them resolved on first contact            p = x / n
    m other contacts of a in c in the same period, y resolved         q = y / m

(strata with m = 0 have nothing to compare with and are left out), and w = n / N the stratum's
share of the N compared linked contacts:

    fcr          = Σ w p                  what the article's contacts achieved
    baseline_fcr = Σ w q                  what the same agents achieved on the same kind of
                                          contact without it, in the same proportions
    lift         = fcr − baseline_fcr
    variance     = Σ w² (p'(1 − p') / n + q'(1 − q') / m),   p' = (x + 1) / (n + 2),
                                          q' = (y + 1) / (m + 2) (so that a stratum resolved
                                          all or nothing still counts as uncertain)
    interval     = lift ± 1.96 √variance  (95 %)

The verdict: `too_few` below min_contacts compared contacts; `helps` when the whole interval
lies above zero and the lift is at least min_lift; `hurts` when it lies below zero and the lift
is at most −min_lift; otherwise `no_clear_effect`. Handle time and the reopen rate are compared
with the same weights; satisfaction with weights by the linked contacts' survey answers, over
the strata with answers on both sides.
"""
import math
from dataclasses import dataclass

Z_95 = 1.959964  # two-sided 95 % normal quantile


@dataclass(frozen=True)
class ImpactSettings:
    """When an article's effect counts: enough contacts, and an effect worth the name."""

    min_contacts: int = 30
    min_lift: float = 0.02  # two points of first-contact resolution

    def __post_init__(self):
        if self.min_contacts < 1:
            raise ValueError("min_contacts must be at least 1")
        if not 0 <= self.min_lift < 1:
            raise ValueError("min_lift must lie in 0..1")


@dataclass(frozen=True)
class Stratum:
    """One agent's contacts in one category: those linked to the article, and all of them.

    `linked` and `whole` are additive totals (recognition.services.metrics.Totals or any object
    with contacts, fcr_count, reopened_count, handle_sum, csat_sum and csat_responses); the
    others are the difference, never built as objects (a recompute meets 100,000 strata).
    """

    agent_id: int
    category_id: int
    linked: object
    whole: object


@dataclass(frozen=True)
class Impact:
    """An article's effect, explained by its parts; rates are fractions, None without data."""

    contacts: int  # linked contacts in the period
    compared_contacts: int  # of them, those whose agent had other contacts to compare with
    agents: int  # compared strata (agent and category)
    fcr: float | None
    baseline_fcr: float | None
    fcr_lift: float | None
    fcr_lift_ci: tuple | None  # (low, high), 95 %
    aht_seconds: float | None
    baseline_aht_seconds: float | None
    csat: float | None
    baseline_csat: float | None
    reopen_rate: float | None
    baseline_reopen_rate: float | None
    verdict: str


def estimate_impact(strata, settings=ImpactSettings()):
    """The Impact of an article from its strata (pure: no database, no clock)."""
    strata = list(strata)
    contacts = sum(stratum.linked.contacts for stratum in strata)
    compared = [stratum for stratum in strata
                if 0 < stratum.linked.contacts < stratum.whole.contacts]
    total = sum(stratum.linked.contacts for stratum in compared)
    if not total:
        return Impact(contacts, 0, 0, None, None, None, None, None, None, None, None, None, None,
                      "too_few")
    fcr = baseline = variance = 0.0
    aht = baseline_aht = reopen = baseline_reopen = 0.0
    for stratum in compared:
        linked, whole = stratum.linked, stratum.whole
        n, x = linked.contacts, linked.fcr_count
        m, y = whole.contacts - n, whole.fcr_count - x
        weight = n / total
        fcr += weight * x / n
        baseline += weight * y / m
        variance += weight * weight * (_spread(x, n) + _spread(y, m))
        aht += weight * linked.handle_sum / n
        baseline_aht += weight * (whole.handle_sum - linked.handle_sum) / m
        reopen += weight * linked.reopened_count / n
        baseline_reopen += weight * (whole.reopened_count - linked.reopened_count) / m
    lift = fcr - baseline
    margin = Z_95 * math.sqrt(variance)
    interval = (lift - margin, lift + margin)
    csat, baseline_csat = _satisfaction(compared)
    return Impact(
        contacts=contacts, compared_contacts=total, agents=len(compared), fcr=fcr,
        baseline_fcr=baseline, fcr_lift=lift, fcr_lift_ci=interval, aht_seconds=aht,
        baseline_aht_seconds=baseline_aht, csat=csat, baseline_csat=baseline_csat,
        reopen_rate=reopen, baseline_reopen_rate=baseline_reopen,
        verdict=verdict_of(total, lift, interval, settings))


def verdict_of(compared_contacts, lift, interval, settings):
    """helps, hurts, no_clear_effect or too_few (see the module docstring)."""
    if compared_contacts < settings.min_contacts:
        return "too_few"
    low, high = interval
    if low > 0 and lift >= settings.min_lift:
        return "helps"
    if high < 0 and lift <= -settings.min_lift:
        return "hurts"
    return "no_clear_effect"


def _spread(successes, n):
    """Variance of a proportion's estimate, with one success and one failure added."""
    shrunk = (successes + 1) / (n + 2)
    return shrunk * (1 - shrunk) / n


def _satisfaction(strata):
    """(csat, baseline csat) weighted by the linked contacts' answers, or (None, None)."""
    answered = [stratum for stratum in strata
                if 0 < stratum.linked.csat_responses < stratum.whole.csat_responses]
    answers = sum(stratum.linked.csat_responses for stratum in answered)
    if not answers:
        return None, None
    csat = sum(stratum.linked.csat_sum for stratum in answered) / answers
    baseline = sum(stratum.linked.csat_responses / answers
                   * (stratum.whole.csat_sum - stratum.linked.csat_sum)
                   / (stratum.whole.csat_responses - stratum.linked.csat_responses)
                   for stratum in answered)
    return csat, baseline
