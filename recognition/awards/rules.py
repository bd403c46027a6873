"""Automatic badge rules: which events each rule listens to and what satisfies it.

A rule is a function fn(user, context) -> [Earned] registered under a name with the events that
can satisfy it. It only decides; recognition.awards.badges stores the award once.
"""
from dataclasses import dataclass
from datetime import timedelta

from recognition.awards import contributions

ACCEPTED_ANSWERS_NEEDED = 10
HELPFUL_VOTES_NEEDED = 100
VERIFICATION_STREAK_DAYS = 30

EVENTS = ("article_published", "article_feedback", "answer_accepted", "mentee_goal_reached",
          "article_verified", "period_ranked")


@dataclass(frozen=True)
class Earned:
    """A badge a rule says the user has earned: once (key "") or once per key."""

    award_key: str = ""
    reason: str = ""
    category_id: int | None = None


@dataclass(frozen=True)
class Rule:
    name: str
    events: tuple
    check: object


RULES = {}


def badge_rule(name, *events):
    """Register fn(user, context) -> [Earned] as the rule `name`, evaluated after `events`."""
    unknown = set(events) - set(EVENTS)
    if unknown:
        raise ValueError("unknown badge events %r" % sorted(unknown))

    def register(fn):
        RULES[name] = Rule(name, tuple(events), fn)
        return fn
    return register


def rules_for(event):
    """Names of the rules that `event` can satisfy."""
    return [rule.name for rule in RULES.values() if event in rule.events]


def longest_streak(days):
    """The longest run of consecutive calendar days in `days` (dates, any order, repeats ok)."""
    ordered = sorted(set(days))
    longest = current = 0
    previous = None
    for day in ordered:
        current = current + 1 if previous is not None and day - previous == timedelta(days=1) else 1
        longest = max(longest, current)
        previous = day
    return longest


def _authored(user, article):
    return article is not None and getattr(article, "author_id", None) == user.id


@badge_rule("first_published_article", "article_published")
def first_published_article(user, context):
    """The person's first article went live."""
    article = context.get("article")
    if not _authored(user, article) or getattr(article, "status", None) != "published":
        return []
    return [Earned(reason=article.title, category_id=article.category_id)]


@badge_rule("accepted_answers", "answer_accepted")
def accepted_answers(user, context):
    """Ten of the person's answers were accepted by the askers."""
    count = context.get("accepted_answers")
    if count is None:
        count = contributions.count_contribution(user, "accepted_answers")
    if count is None or count < ACCEPTED_ANSWERS_NEEDED:
        return []
    return [Earned(reason="%d accepted answers" % count)]


@badge_rule("helpful_article", "article_feedback")
def helpful_article(user, context):
    """One of the person's articles was marked helpful a hundred times."""
    article = context.get("article")
    if not _authored(user, article) or (article.helpful_count or 0) < HELPFUL_VOTES_NEEDED:
        return []
    return [Earned(reason=article.title, category_id=article.category_id)]


@badge_rule("top_performer", "period_ranked")
def top_performer(user, context):
    """The person ranked first in a category for a period (once per category and period)."""
    category, period = context.get("category"), context.get("period")
    if context.get("rank") != 1 or category is None or not period:
        return []
    return [Earned(award_key="%s:%s" % (category.slug, period), reason=period,
                   category_id=category.id)]


@badge_rule("mentee_goal_reached", "mentee_goal_reached")
def mentee_goal_reached(user, context):
    """A mentee of the person reached their goal (once per mentorship when it is named)."""
    mentorship_id = context.get("mentorship_id")
    key = "mentorship:%s" % mentorship_id if mentorship_id is not None else ""
    return [Earned(award_key=key, reason=str(context.get("goal") or ""),
                   category_id=context.get("category_id"))]


@badge_rule("verification_streak", "article_verified")
def verification_streak(user, context):
    """The person verified articles on thirty consecutive days."""
    days = context.get("verification_days")
    if days is None:
        days = contributions.verification_days(user)
    if days is None or longest_streak(days) < VERIFICATION_STREAK_DAYS:
        return []
    return [Earned(reason="%d days" % longest_streak(days))]
