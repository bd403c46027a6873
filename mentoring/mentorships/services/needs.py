"""Leads' view: who needs help, and who can give it.

An agent needs help in a category when, over the current period and with at least the ranking's
minimum of contacts, one of their metrics is well below the median of the category's ranked
agents (HELP_GAPS). Each is paired with the best available mentor, greedily from the largest gap
down, so that no mentor is proposed for more mentees than they have free places.
"""
import statistics
from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import select

from core.categories import list_categories
from extensions import db
from mentoring.mentorships.models import Mentorship
from mentoring.mentorships.services.goals import GOAL_METRICS
from mentoring.mentorships.services.matching import MentorPool
from recognition.services import rank_performers

# metric: (how far from the median counts as "well below", whether the gap is relative). FCR five
# points below the median is the score's quality band; AHT a fifth above the median is slow. NPS
# and CSAT rest on a third of the contacts at best, so their bars sit above their sampling noise
# (about ±15 NPS points at 30 answers).
HELP_GAPS = {"fcr": (0.05, False), "aht": (0.20, True), "nps": (25.0, False), "csat": (0.4, False)}
# Survey answers needed before NPS or CSAT can flag anyone.
SURVEY_MIN_ANSWERS = 30


@dataclass(frozen=True)
class Lag:
    """One metric in which an agent is well below the category's median."""

    metric: str
    value: float
    median: float
    severity: float  # the gap in multiples of its threshold (1.0 = just flagged)


@dataclass
class HelpNeed:
    user: object
    category: object
    metrics: object  # recognition Metrics over the current period
    lags: list
    mentorship: object = None  # an active mentorship in the category, if any
    mentor: object = None  # the MentorSuggestion paired with them
    alternatives: list = field(default_factory=list)

    @property
    def severity(self):
        return max(lag.severity for lag in self.lags)

    @property
    def main_lag(self):
        return max(self.lags, key=lambda lag: lag.severity)


def _sample_ok(metric, metrics):
    spec = GOAL_METRICS[metric]
    return spec.sample == "contacts" or getattr(metrics, spec.sample) >= SURVEY_MIN_ANSWERS


def _medians(rows):
    medians = {}
    for metric, spec in GOAL_METRICS.items():
        values = [getattr(row.metrics, spec.attribute) for row in rows
                  if getattr(row.metrics, spec.attribute) is not None and _sample_ok(metric, row.metrics)]
        if values:
            medians[metric] = statistics.median(values)
    return medians


def _lags(metrics, medians):
    lags = []
    for metric, (threshold, relative) in HELP_GAPS.items():
        spec = GOAL_METRICS[metric]
        value, median = getattr(metrics, spec.attribute), medians.get(metric)
        if value is None or median is None or not _sample_ok(metric, metrics):
            continue
        gap = spec.improvement(value, median)  # how much better the median is
        if relative:
            gap = gap / median if median else 0.0
        if gap >= threshold:
            lags.append(Lag(metric, value, median, gap / threshold))
    return lags


def _active_mentorships(user_ids):
    if not user_ids:
        return {}
    rows = db.session.scalars(select(Mentorship).where(
        Mentorship.mentee_id.in_(list(user_ids)), Mentorship.status == "active"))
    return {(row.mentee_id, row.category_id): row for row in rows}


def agents_needing_help(categories=None, team=None):
    """HelpNeeds of every category (or the given ones), largest gap first; `team` narrows the agents."""
    needs, pools = [], {}
    for category in categories or list_categories():
        board = rank_performers(category)
        ranked = board.ranked
        medians = _medians(ranked)
        for row in ranked:
            if not row.user.active or (team is not None and row.user.team_id != team.id):
                continue
            lags = _lags(row.metrics, medians)
            if lags:
                needs.append(HelpNeed(row.user, category, row.metrics, lags))
        pools[category.id] = MentorPool(category, board=board)
    current = _active_mentorships({need.user.id for need in needs})
    taken = defaultdict(int)
    needs.sort(key=lambda need: (-need.severity, need.category.name, need.user.username))
    for need in needs:
        need.mentorship = current.get((need.user.id, need.category.id))
        if need.mentorship is not None:
            continue
        suggestions = pools[need.category.id].suggest(need.user, taken)
        if suggestions:
            need.mentor, need.alternatives = suggestions[0], suggestions[1:3]
            taken[need.mentor.user.id] += 1
    return needs
