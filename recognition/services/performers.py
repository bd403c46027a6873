"""Top performers per category and period, title candidates, and an agent's strength in a category."""
from dataclasses import dataclass

from sqlalchemy import select

from accounts.models import User
from core.categories import category_of
from core.clock import utcnow
from core.periods import Period, default_period
from extensions import db
from recognition.awards.models import Title
from recognition.impact import services as impact
from recognition.scoring import AgentAggregate, rank_agents, summarize_category
from recognition.services.metrics import median_handle_seconds, metrics_from_totals, period_metrics, period_totals
from recognition.services.score_settings import load_ranking_settings


def current_title_holders(category_id, now=None):
    """Ids of the people holding a current (started, unexpired, unrevoked) title in the category."""
    now = now or utcnow()
    return set(db.session.scalars(select(Title.user_id).where(
        Title.category_id == category_id, Title.revoked_at.is_(None),
        Title.starts_at <= now, Title.expires_at > now)))


def holds_title(user_id, category_id):
    """True while the person holds a current title in the category."""
    return user_id in current_title_holders(category_id)


def _rounded(value, digits):
    return None if value is None else round(float(value), digits)


class PerformerRow:
    """One agent's line in a ranking: the account, the metrics and the score explained."""

    def __init__(self, user, metrics, breakdown):
        self.user = user
        self.metrics = metrics
        self.breakdown = breakdown

    @property
    def username(self):
        return self.user.username

    def as_json(self):
        """The SPEC's performer object, plus survey counts and the score's components."""
        metrics, breakdown = self.metrics, self.breakdown
        return {
            "username": self.user.username,
            "name": self.user.name,
            "contacts": metrics.contacts,
            "fcr": _rounded(metrics.fcr, 4),
            "aht_seconds": _rounded(metrics.aht_seconds, 1),
            "aht_median_seconds": _rounded(metrics.aht_median, 1),
            "nps": _rounded(metrics.nps, 1),
            "nps_responses": metrics.nps_responses,
            "csat": _rounded(metrics.csat, 2),
            "csat_responses": metrics.csat_responses,
            "reopen_rate": _rounded(metrics.reopen_rate, 4),
            "score": _rounded(breakdown.score, 2),
            "rank": breakdown.rank,
            "eligible": breakdown.eligible,
            "reason": None if breakdown.reason is None else str(breakdown.reason),
            "components": {
                name: {"raw": _rounded(part.raw, 4), "adjusted": _rounded(part.adjusted, 4),
                       "weight": _rounded(part.weight, 4), "points": _rounded(part.contribution, 2),
                       "percentile": _rounded(part.percentile, 1)}
                for name, part in breakdown.components.items()
            },
            "notes": [str(note) for note in breakdown.notes],
        }


class Leaderboard:
    """A category's ranking for a period: eligible agents by rank, then the others."""

    def __init__(self, category, period, settings, baseline, rows):
        self.category = category
        self.period = period
        self.settings = settings
        self.baseline = baseline
        self.rows = rows

    @property
    def ranked(self):
        return [row for row in self.rows if row.breakdown.eligible]

    @property
    def unranked(self):
        return [row for row in self.rows if not row.breakdown.eligible]

    def describe(self):
        """{"category", "since", "until", "min_contacts"}: what the ranking is of."""
        return {
            "category": self.category.slug,
            "since": self.period.since.isoformat(),
            "until": self.period.until.isoformat(),
            "min_contacts": self.settings.score.min_contacts,
        }

    def as_json(self):
        """The SPEC's GET /performers body."""
        return {**self.describe(), "agents": [row.as_json() for row in self.rows]}


def _period_for(since, until, settings):
    if since is None and until is None:
        return default_period(settings.period_days)
    fallback = default_period(settings.period_days, until)
    return Period(since or fallback.since, until or fallback.until)


def rank_performers(category, since=None, until=None):
    """The category's Leaderboard over since..until (dates; default: the current period)."""
    category = category_of(category)
    settings = load_ranking_settings()
    period = _period_for(since, until, settings)
    totals = period_totals(period, ("agent_id",), category_id=category.id)
    medians = median_handle_seconds(period, ("agent_id",), category_id=category.id) if totals else {}
    users = {user.id: user for user in db.session.scalars(
        select(User).where(User.id.in_([agent_id for (agent_id,) in totals])))} if totals else {}
    aggregates, metrics = [], {}
    for (agent_id,), total in totals.items():
        user = users[agent_id]
        metrics[user.username] = (user, metrics_from_totals(total, medians.get((agent_id,))))
        aggregates.append(AgentAggregate(
            username=user.username, contacts=total.contacts, fcr_count=total.fcr_count,
            reopened_count=total.reopened_count, aht_mean=total.handle_sum / total.contacts,
            nps_promoters=total.nps_promoters, nps_detractors=total.nps_detractors,
            nps_responses=total.nps_responses, csat_sum=total.csat_sum,
            csat_responses=total.csat_responses))
    rows = [PerformerRow(*metrics[breakdown.username], breakdown)
            for breakdown in rank_agents(aggregates, settings.score)]
    return Leaderboard(category, period, settings, summarize_category(aggregates, settings.score), rows)


class Candidates:
    """Title candidates of a category: the best eligible agents holding no current title there."""

    def __init__(self, leaderboard, rows):
        self.leaderboard = leaderboard
        self.rows = rows

    def as_json(self):
        """The candidates, each with what their articles in the category did (`knowledge`)."""
        knowledge = impact.knowledge_of_authors([row.user.id for row in self.rows],
                                                self.leaderboard.category.id)
        empty = impact.AuthorKnowledge(0, 0, ())
        return {**self.leaderboard.describe(), "candidates": [
            {**row.as_json(), "knowledge": knowledge.get(row.user.id, empty).as_json()}
            for row in self.rows]}


def title_candidates(category, limit=None):
    """The current period's top eligible agents of the category without a current title there."""
    board = rank_performers(category)
    limit = limit or board.settings.candidate_count
    holders = current_title_holders(board.category.id)
    rows = [row for row in board.ranked if row.user.id not in holders]
    return Candidates(board, rows[:limit])


def agent_metrics(user, category=None, since=None, until=None):
    """A person's Metrics (with median AHT) in one category or all, over since..until."""
    period = _period_for(since, until, load_ranking_settings())
    category_id = None if category is None else category_of(category).id
    return period_metrics(period, category_id=category_id, agent_id=user.id)


@dataclass(frozen=True)
class CategoryStrength:
    """How strong a person is in a category over the current period."""

    category_id: int
    contacts: int
    eligible: bool
    score: float | None  # 0..100, None when not ranked
    rank: int | None
    ranked_agents: int
    percentile: float | None  # share (0..100) of the other ranked agents they outrank


def category_strength(user, category, since=None, until=None):
    """The person's score, rank and percentile in the category (current period by default)."""
    board = rank_performers(category, since, until)
    ranked = len(board.ranked)
    for row in board.rows:
        if row.user.id == user.id:
            rank = row.breakdown.rank
            return CategoryStrength(
                category_id=board.category.id, contacts=row.metrics.contacts,
                eligible=row.breakdown.eligible, score=row.breakdown.score, rank=rank,
                ranked_agents=ranked,
                percentile=100.0 * (ranked - rank) / (ranked - 1) if rank and ranked > 1 else None)
    return CategoryStrength(board.category.id, 0, False, None, None, ranked, None)
