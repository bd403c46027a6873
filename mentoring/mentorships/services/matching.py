"""Suggested mentors for a mentee and a category, ranked from the team's own resolution data.

Candidates are the active, approved mentor profiles of active people covering the category, with
a free place, never the mentee. Each gets match points:

    the mentor's top-performer score in the category (0..100; 0 when not ranked)
    + SAME_TEAM_POINTS when on the mentee's team
    + FREE_PLACE_POINTS per free place, counting at most FREE_PLACES_COUNTED

so strength leads, and between mentors of similar strength the colleague on the same team and
the one with more room come first. A mentor ranked more than 16 points higher still wins over a
teammate. Ties go to the higher score, then to the username.
"""
from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_ngettext

from core.categories import require_category
from core.charts import format_value
from mentoring.mentorships.services.goals import format_metric
from mentoring.mentorships.services.profiles import active_mentee_counts, mentor_profiles
from recognition.awards.services import holds_current_title
from recognition.services import rank_performers

SAME_TEAM_POINTS = 10.0
FREE_PLACE_POINTS = 2.0
FREE_PLACES_COUNTED = 3


@dataclass
class MentorSuggestion:
    """One suggested mentor, the numbers behind the suggestion, and the reasons in words."""

    user: object
    profile: object
    category: object
    score: float | None
    rank: int | None
    ranked_agents: int
    percentile: float | None
    contacts: int
    fcr: float | None
    remaining_capacity: int
    same_team: bool
    expert_title: bool
    match_points: float
    reasons: list = field(default_factory=list)

    def as_json(self):
        """The API's mentor object: who, how strong, how much room, and why."""
        return {
            "username": self.user.username,
            "name": self.user.name,
            "team": self.user.team.name if self.user.team else None,
            "score": None if self.score is None else round(self.score, 2),
            "rank": self.rank,
            "ranked_agents": self.ranked_agents,
            "percentile": None if self.percentile is None else round(self.percentile, 1),
            "contacts": self.contacts,
            "fcr": None if self.fcr is None else round(self.fcr, 4),
            "remaining_capacity": self.remaining_capacity,
            "capacity": self.profile.capacity,
            "same_team": self.same_team,
            "expert_title": self.expert_title,
            "match_points": round(self.match_points, 2),
            "availability": self.profile.availability,
            "reasons": [str(reason) for reason in self.reasons],
        }


class MentorPool:
    """The candidate mentors of one category with their strength, ready to rank for any mentee.

    Built once per category (one ranking, two queries) so that pairing many mentees stays cheap.
    """

    def __init__(self, category, board=None):
        self.category = category
        self.board = board if board is not None else rank_performers(category)
        self.profiles = mentor_profiles(category)
        self.active_counts = active_mentee_counts([profile.user_id for profile in self.profiles])
        self.rows = {row.user.id: row for row in self.board.rows}
        self.ranked_agents = len(self.board.ranked)
        self.titles = {profile.user_id: holds_current_title(profile.user, category.id)
                       for profile in self.profiles}

    def free_places(self, profile):
        return max(0, profile.capacity - self.active_counts.get(profile.user_id, 0))

    def suggest(self, mentee=None, taken=None):
        """Suggestions for `mentee` (None: nobody in particular), best first.

        `taken` maps mentor ids to places already promised elsewhere (when pairing many mentees).
        """
        taken = taken or {}
        suggestions = []
        for profile in self.profiles:
            if mentee is not None and profile.user_id == mentee.id:
                continue
            remaining = self.free_places(profile) - taken.get(profile.user_id, 0)
            if remaining <= 0:
                continue
            suggestions.append(self._suggestion(profile, remaining, mentee))
        suggestions.sort(key=lambda item: (-item.match_points, -(item.score or -1.0), item.user.username))
        return suggestions

    def _suggestion(self, profile, remaining, mentee):
        row = self.rows.get(profile.user_id)
        eligible = row is not None and row.breakdown.eligible
        score = row.breakdown.score if eligible else None
        rank = row.breakdown.rank if eligible else None
        ranked = self.ranked_agents
        percentile = 100.0 * (ranked - rank) / (ranked - 1) if rank and ranked > 1 else None
        same_team = (mentee is not None and mentee.team_id is not None
                     and profile.user.team_id == mentee.team_id)
        points = ((score or 0.0) + (SAME_TEAM_POINTS if same_team else 0.0)
                  + FREE_PLACE_POINTS * min(remaining, FREE_PLACES_COUNTED))
        suggestion = MentorSuggestion(
            user=profile.user, profile=profile, category=self.category, score=score, rank=rank,
            ranked_agents=ranked, percentile=percentile, contacts=row.metrics.contacts if row else 0,
            fcr=row.metrics.fcr if row else None, remaining_capacity=remaining, same_team=same_team,
            expert_title=self.titles.get(profile.user_id, False), match_points=points)
        suggestion.reasons = self._reasons(suggestion)
        return suggestion

    def _reasons(self, item):
        category = self.category.local_name
        reasons = []
        if item.score is not None:
            reasons.append(_l("Score %(score)s in %(category)s: rank %(rank)d of %(ranked)d, ahead of "
                              "%(percentile)s of the ranked agents.",
                              score=format_value(item.score, "number", decimals=1), category=category, rank=item.rank,
                              ranked=item.ranked_agents,
                              percentile=format_metric("fcr", (item.percentile or 0.0) / 100.0)))
        else:
            reasons.append(_l("Not ranked in %(category)s this period (too few contacts to compare).",
                              category=category))
        if item.fcr is not None:
            reasons.append(_l("FCR %(fcr)s over %(contacts)d contacts.", fcr=format_metric("fcr", item.fcr),
                              contacts=item.contacts))
        if item.expert_title:
            reasons.append(_l("Holds the current expert title in %(category)s.", category=category))
        reasons.append(lazy_ngettext("%(num)d free place.", "%(num)d free places.", item.remaining_capacity))
        if item.same_team:
            reasons.append(_l("Same team (%(team)s).", team=item.user.team.name))
        return reasons


def suggest_mentors(category, mentee=None, limit=None):
    """Suggested mentors of a category for `mentee`, best first (see the module's doc for the order).

    :raises Invalid: unknown category.
    """
    pool = MentorPool(require_category(category))
    suggestions = pool.suggest(mentee)
    return suggestions[:limit] if limit else suggestions
