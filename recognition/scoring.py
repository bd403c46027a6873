"""Top-performer score for one category and period: pure math over per-agent aggregates.

For an agent with n contacts, of which f resolved on first contact and r reopened, mean handle
time a seconds, NPS answers (P promoters, D detractors, R responses) and CSAT answers (sum S,
count C), against the category's FCR F, reopen rate Q, NPS N and mean CSAT K (pooled over all
its contacts, ranked agents or not) and M, the median AHT of the agents with min_contacts or
more (of all agents when none has):

    fcr   = wilson_lower_bound(f, n, z)                        shrinks small samples, 0..1
    nps   = (100 (P - D) + N w_nps) / (R + w_nps)              Bayesian average, -100..100
    csat  = (S + K w_csat) / (C + w_csat)                      Bayesian average, 1..5
    speed = clamp(log2(M / a), -1, 1)                          +1 twice as fast, -1 twice as slow
    gate  = clamp(1 - max(0, F - f/n) / band, 0, 1)
          * clamp(1 - max(0, r/n - Q) / band, 0, 1)            quality gate, 1 = no repeat problem
    aht   = speed * gate  if speed > 0  else speed             slowness always counts; speed
                                                               only pays with first-contact quality

With band = 0.05 (aht_quality_band), an FCR five points below the category's, or a reopen
rate five points above it, leaves no speed credit at all; band 0 makes the gate a cliff. An
agent without survey answers gets the category's NPS and CSAT, i.e. neither gains nor loses.

Each component is put on a 0..1 scale (fcr as is, (nps + 100) / 200, (csat - 1) / 4,
(aht + 1) / 2) and the score is 100 * sum(weight_i * scaled_i) / sum(weight_i), over the
components the category has data for (no survey answered in the category: NPS/CSAT drop out
and the other weights are rescaled). Each weighted term is the component's contribution in
score points; its percentile is the share of the other eligible agents it beats (ties count
half). Only agents with at least min_contacts contacts are ranked; ties in score go to more
contacts, then to the username in alphabetical order, so the ranking never depends on input
order.
"""
import math
import statistics
from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field, replace

from flask_babel import lazy_gettext as _l

from core.locale_format import format_percent

COMPONENTS = ("fcr", "nps", "csat", "aht")


@dataclass(frozen=True)
class ScoreSettings:
    """Weights and thresholds of the score (admin settings)."""

    # FCR leads: it is what "really resolves the customer's problem" means. AHT weighs least,
    # being the metric most easily bought at the customer's expense.
    fcr_weight: float = 0.45
    nps_weight: float = 0.20
    csat_weight: float = 0.20
    aht_weight: float = 0.15
    min_contacts: int = 30
    z: float = 1.96
    # Survey answers' worth of the category mean blended into each agent's NPS and CSAT.
    nps_prior_weight: float = 20.0
    csat_prior_weight: float = 20.0
    # FCR shortfall (or reopen excess) versus the category at which speed earns nothing.
    aht_quality_band: float = 0.05

    def __post_init__(self):
        weights = [getattr(self, f"{name}_weight") for name in COMPONENTS]
        if any(weight < 0 for weight in weights) or not sum(weights) > 0:
            raise ValueError(_l("Score weights must be zero or more, and not all zero."))
        if self.min_contacts < 1:
            raise ValueError(_l("The minimum number of contacts must be at least 1."))
        if not self.z > 0 or self.nps_prior_weight < 0 or self.csat_prior_weight < 0:
            raise ValueError(_l("z must be positive and prior weights zero or more."))
        if self.aht_quality_band < 0:
            raise ValueError(_l("The AHT quality band must be zero or more."))

    def weight(self, component):
        """Return the configured weight of a component ("fcr", "nps", "csat" or "aht")."""
        return getattr(self, f"{component}_weight")


@dataclass(frozen=True)
class AgentAggregate:
    """One agent's totals in one category and period."""

    username: str
    contacts: int
    fcr_count: int
    reopened_count: int = 0
    aht_mean: float | None = None
    nps_promoters: int = 0
    nps_detractors: int = 0
    nps_responses: int = 0
    csat_sum: float = 0
    csat_responses: int = 0

    def __post_init__(self):
        if not (0 <= self.fcr_count <= self.contacts and 0 <= self.reopened_count <= self.contacts):
            raise ValueError(f"{self.username}: counts must lie between 0 and contacts")
        if self.nps_promoters + self.nps_detractors > self.nps_responses or min(
                self.nps_promoters, self.nps_detractors, self.csat_responses) < 0:
            raise ValueError(f"{self.username}: inconsistent survey counts")


@dataclass(frozen=True)
class CategoryBaseline:
    """The category's reference values the agents are compared with."""

    contacts: int
    fcr_rate: float | None
    reopen_rate: float | None
    aht_median: float | None
    nps: float | None
    csat_mean: float | None


@dataclass(frozen=True)
class Component:
    """One component of an agent's score, explained."""

    name: str
    raw: float | None  # as measured: FCR fraction, NPS, CSAT mean, AHT seconds
    adjusted: float | None  # after shrinkage (FCR, NPS, CSAT) or speed x quality gate (AHT)
    scaled: float  # adjusted value on the 0..1 scale the score adds up
    percentile: float | None  # share (0..100) of the other eligible agents it beats
    weight: float  # effective share of the score, 0..1 (0 when the category has no data)
    contribution: float | None  # score points it brings (None for ineligible agents)


@dataclass(frozen=True)
class ScoreBreakdown:
    """An agent's score with everything needed to explain it."""

    username: str
    contacts: int
    eligible: bool
    reason: object | None  # user-facing (lazy) text saying why the agent is not ranked
    score: float | None  # 0..100, None when not eligible
    rank: int | None  # 1 = best, None when not eligible
    reopen_rate: float | None
    aht_quality_gate: float  # 1 = speed fully counted, 0 = speed earns nothing
    components: dict[str, Component] = field(default_factory=dict)
    notes: tuple = ()  # user-facing (lazy) remarks, e.g. why speed was not credited


def wilson_lower_bound(successes, n, z=1.96):
    """Lower bound of the Wilson score interval for a proportion (0.0 when n is 0)."""
    if not 0 <= successes <= n:
        raise ValueError("successes must lie between 0 and n")
    if n == 0:
        return 0.0
    proportion = successes / n
    z_squared = z * z
    centre = proportion + z_squared / (2 * n)
    margin = z * math.sqrt(proportion * (1 - proportion) / n + z_squared / (4 * n * n))
    return max(0.0, (centre - margin) / (1 + z_squared / n))


def bayesian_average(total, n, prior_mean, prior_weight):
    """Mean of n observations summing to `total`, pulled toward prior_mean by prior_weight."""
    if n + prior_weight <= 0:
        return prior_mean
    return (total + prior_mean * prior_weight) / (n + prior_weight)


def nps(promoters, detractors, responses):
    """Net promoter score, -100..100, or None without responses."""
    if responses <= 0:
        return None
    return 100.0 * (promoters - detractors) / responses


def summarize_category(aggregates, settings):
    """Pool the category's FCR, reopen rate, NPS and CSAT; take the median AHT of ranked agents."""
    contacts = sum(agent.contacts for agent in aggregates)
    nps_responses = sum(agent.nps_responses for agent in aggregates)
    csat_responses = sum(agent.csat_responses for agent in aggregates)
    # The median is taken over agents with enough contacts to have a stable mean, when any.
    timed = [agent for agent in aggregates if agent.contacts and agent.aht_mean is not None]
    steady = [agent.aht_mean for agent in timed if agent.contacts >= settings.min_contacts]
    reference = steady or [agent.aht_mean for agent in timed]
    return CategoryBaseline(
        contacts=contacts,
        fcr_rate=sum(agent.fcr_count for agent in aggregates) / contacts if contacts else None,
        reopen_rate=(sum(agent.reopened_count for agent in aggregates) / contacts
                     if contacts else None),
        aht_median=statistics.median(reference) if reference else None,
        nps=nps(sum(agent.nps_promoters for agent in aggregates),
                sum(agent.nps_detractors for agent in aggregates), nps_responses),
        csat_mean=(sum(agent.csat_sum for agent in aggregates) / csat_responses
                   if csat_responses else None),
    )


def rank_agents(aggregates, settings):
    """Score and rank one category's agents: eligible ones by rank, then the ineligible ones."""
    usernames = [agent.username for agent in aggregates]
    if len(set(usernames)) != len(usernames):
        raise ValueError("each agent may appear only once per category")
    baseline = summarize_category(aggregates, settings)
    weights = _effective_weights(baseline, settings)
    breakdowns = [_score_agent(agent, baseline, weights, settings) for agent in aggregates]
    # Rounding keeps float noise from deciding a tie that the tie-break rules should decide.
    eligible = sorted((entry for entry in breakdowns if entry.eligible),
                      key=lambda entry: (-round(entry.score, 9), -entry.contacts, entry.username))
    ineligible = sorted((entry for entry in breakdowns if not entry.eligible),
                        key=lambda entry: (-entry.contacts, entry.username))
    percentiles = _percentiles(eligible)
    ranked = [
        replace(entry, rank=rank, components={
            name: replace(component, percentile=percentiles[name][rank - 1])
            for name, component in entry.components.items()
        })
        for rank, entry in enumerate(eligible, start=1)
    ]
    return ranked + ineligible


def _effective_weights(baseline, settings):
    available = {
        "fcr": baseline.fcr_rate is not None,
        "nps": baseline.nps is not None,
        "csat": baseline.csat_mean is not None,
        "aht": baseline.aht_median is not None,
    }
    total = sum(settings.weight(name) for name in COMPONENTS if available[name])
    return {name: settings.weight(name) / total if available[name] and total else 0.0
            for name in COMPONENTS}


def _score_agent(agent, baseline, weights, settings):
    """Build an agent's unranked breakdown (no rank or percentiles yet)."""
    fcr_rate = agent.fcr_count / agent.contacts if agent.contacts else None
    reopen_rate = agent.reopened_count / agent.contacts if agent.contacts else None
    gate, notes = _quality_gate(fcr_rate, reopen_rate, baseline, settings)
    eligible = agent.contacts >= settings.min_contacts
    components = {}
    for name, (raw, adjusted, scaled) in (
        ("fcr", _fcr_component(agent, settings)),
        ("nps", _nps_component(agent, baseline, settings)),
        ("csat", _csat_component(agent, baseline, settings)),
        ("aht", _aht_component(agent, baseline, gate)),
    ):
        components[name] = Component(
            name=name, raw=raw, adjusted=adjusted, scaled=scaled, percentile=None,
            weight=weights[name],
            contribution=100.0 * weights[name] * scaled if eligible else None)
    return ScoreBreakdown(
        username=agent.username, contacts=agent.contacts, eligible=eligible,
        reason=None if eligible else _l(
            "Not ranked: %(contacts)d contacts, fewer than the %(minimum)d required.",
            contacts=agent.contacts, minimum=settings.min_contacts),
        score=sum(component.contribution for component in components.values())
        if eligible else None,
        rank=None, reopen_rate=reopen_rate, aht_quality_gate=gate, components=components,
        notes=notes if eligible and _is_faster_than_median(agent, baseline) else ())


def _is_faster_than_median(agent, baseline):
    """Whether the agent had a speed advantage for the quality gate to remark on."""
    return (baseline.aht_median is not None and agent.aht_mean is not None
            and agent.aht_mean < baseline.aht_median)


def _fcr_component(agent, settings):
    raw = agent.fcr_count / agent.contacts if agent.contacts else None
    adjusted = wilson_lower_bound(agent.fcr_count, agent.contacts, settings.z)
    return raw, adjusted, adjusted


def _nps_component(agent, baseline, settings):
    raw = nps(agent.nps_promoters, agent.nps_detractors, agent.nps_responses)
    if baseline.nps is None:
        return raw, None, 0.5
    adjusted = bayesian_average(100.0 * (agent.nps_promoters - agent.nps_detractors),
                                agent.nps_responses, baseline.nps, settings.nps_prior_weight)
    return raw, adjusted, (adjusted + 100.0) / 200.0


def _csat_component(agent, baseline, settings):
    raw = agent.csat_sum / agent.csat_responses if agent.csat_responses else None
    if baseline.csat_mean is None:
        return raw, None, 0.5
    adjusted = bayesian_average(agent.csat_sum, agent.csat_responses, baseline.csat_mean,
                                settings.csat_prior_weight)
    return raw, adjusted, min(1.0, max(0.0, (adjusted - 1.0) / 4.0))


def _aht_component(agent, baseline, gate):
    raw = agent.aht_mean
    if baseline.aht_median is None or raw is None:
        return raw, None, 0.5
    # A mean below one second is a data artefact; cap the speed-up rather than divide by zero.
    speed = max(-1.0, min(1.0, math.log2(max(baseline.aht_median, 1.0) / max(raw, 1.0))))
    adjusted = speed * gate if speed > 0 else speed
    return raw, adjusted, (adjusted + 1.0) / 2.0


def _quality_gate(fcr_rate, reopen_rate, baseline, settings):
    """Return (gate 0..1, notes): how much of a speed advantage counts, and why not all of it."""
    if fcr_rate is None or baseline.fcr_rate is None:
        return 1.0, ()
    band = settings.aht_quality_band
    fcr_gap = max(0.0, baseline.fcr_rate - fcr_rate)
    reopen_gap = max(0.0, reopen_rate - baseline.reopen_rate)
    fcr_factor = _damping(fcr_gap, band)
    reopen_factor = _damping(reopen_gap, band)
    notes = []
    if fcr_factor < 1:
        agent, category = _two_percents(fcr_rate, baseline.fcr_rate)
        notes.append(_l("Speed counts less: FCR %(agent)s is below the category's %(category)s.",
                        agent=agent, category=category))
    if reopen_factor < 1:
        agent, category = _two_percents(reopen_rate, baseline.reopen_rate)
        notes.append(_l(
            "Speed counts less: reopen rate %(agent)s is above the category's %(category)s.",
            agent=agent, category=category))
    return fcr_factor * reopen_factor, tuple(notes)


def _two_percents(first, second):
    """Two different rates as percentages with as many decimals as it takes to tell them apart
    (79.6 % against 80.0 %, never "80 % is below 80 %"), in the reader's digits."""
    for decimals in (0, 1, 2):
        if round(first * 100, decimals) != round(second * 100, decimals):
            break
    return format_percent(first, decimals), format_percent(second, decimals)


def _damping(gap, band):
    if gap <= 0:
        return 1.0
    if band <= 0:
        return 0.0
    return max(0.0, 1.0 - gap / band)


def _percentiles(ranked):
    """Per component, each agent's share (0..100) of the other agents it beats, ties half."""
    others = len(ranked) - 1
    percentiles = {}
    for name in COMPONENTS:
        values = [entry.components[name].scaled for entry in ranked]
        ordered = sorted(values)
        percentiles[name] = [
            100.0 * (bisect_left(ordered, value) + 0.5 * _ties(ordered, value)) / others
            if others else None
            for value in values
        ]
    return percentiles


def _ties(ordered, value):
    """How many other agents share `value` in the sorted list."""
    return bisect_right(ordered, value) - bisect_left(ordered, value) - 1
