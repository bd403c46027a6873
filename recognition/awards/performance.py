"""Resolution-data evidence for awards: metrics snapshots, rankings and expertise.

Reads only through the resolution-data services (recognition.services): the performers ranking,
`agent_metrics` and `category_strength`, over their current period unless told otherwise.
"""
import dataclasses
from datetime import date, datetime
from decimal import Decimal

from recognition import services as resolution

# "Ranks well" in a category: among its best few eligible agents.
EXPERTISE_MAX_RANK = 3


def json_safe(value):
    """`value` made storable as JSON: dataclasses become dicts, dates ISO strings, NaN None."""
    if isinstance(value, (str, int, bool)) or value is None:
        return value
    if isinstance(value, float):
        return value if value == value and abs(value) != float("inf") else None
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(key): json_safe(item) for key, item in value.items()}
    if isinstance(value, (list, tuple, set)):
        return [json_safe(item) for item in value]
    if dataclasses.is_dataclass(value):
        return json_safe({field.name: getattr(value, field.name)
                          for field in dataclasses.fields(value)})
    return str(value)


def evidence_snapshot(user, category):
    """The person's ranking line in the category (metrics, score, rank, components) and period,
    as stored with a title: the evidence the lead saw, kept as it was."""
    board = resolution.rank_performers(category)
    row = next((row for row in board.rows if row.user.id == user.id), None)
    evidence = row.as_json() if row is not None else {"username": user.username, "contacts": 0,
                                                      "eligible": False, "rank": None}
    evidence.update(category=board.category.slug, since=board.period.since.isoformat(),
                    until=board.period.until.isoformat(),
                    min_contacts=board.settings.score.min_contacts,
                    ranked_agents=len(board.ranked))
    return json_safe(evidence)


def performance_summary(user):
    """The person's metrics over all categories in the current period ({} without contacts)."""
    metrics = json_safe(resolution.agent_metrics(user))
    return metrics if metrics.get("contacts") else {}


def ranked_agents(category, since=None, until=None):
    """The category's ranking as dicts in the SPEC's performer shape, eligible first by rank."""
    return resolution.rank_performers(category, since, until).as_json()["agents"]


def candidates(category):
    """The resolution-data title candidates of the category, with their metrics as dicts."""
    return resolution.title_candidates(category).as_json()


def expertise(user, categories):
    """[(category, rank)] where the person ranks among the best EXPERTISE_MAX_RANK now."""
    found = []
    for category in categories:
        strength = resolution.category_strength(user, category)
        if strength.eligible and strength.rank and strength.rank <= EXPERTISE_MAX_RANK:
            found.append((category, strength.rank))
    return sorted(found, key=lambda item: (item[1], item[0].name))
