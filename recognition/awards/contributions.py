"""What a person gave the team, counted through the knowledge-base and Q&A services.

Those domains are built alongside recognition; each count is taken only when the domain's
services offer it (None otherwise), so profiles and badge rules work with whatever is installed.
"""
import importlib

# (stat name, module, function): each function takes the user and returns a number.
CONTRIBUTION_SOURCES = (
    ("articles_published", "kb.services", "count_published_articles"),
    ("helpful_votes_received", "kb.services", "count_helpful_votes"),
    ("answers", "mentoring.services", "count_answers"),
    ("accepted_answers", "mentoring.services", "count_accepted_answers"),
)


def domain_function(module_name, function_name):
    """`module.function` when that domain's services provide it, else None."""
    try:
        module = importlib.import_module(module_name)
    except ImportError:
        return None
    return getattr(module, function_name, None)


def count_contribution(user, stat):
    """One contribution count of `user` (e.g. "accepted_answers"), or None when not available."""
    for name, module_name, function_name in CONTRIBUTION_SOURCES:
        if name == stat:
            count = domain_function(module_name, function_name)
            return None if count is None else int(count(user))
    raise ValueError("unknown contribution %r" % stat)


def contribution_counts(user):
    """{stat: count} of every contribution the installed domains can count."""
    counts = {}
    for name, module_name, function_name in CONTRIBUTION_SOURCES:
        count = domain_function(module_name, function_name)
        if count is not None:
            counts[name] = int(count(user))
    return counts


def verification_days(user):
    """The days on which `user` verified an article (kb.services.verification_days), or None."""
    days = domain_function("kb.services", "verification_days")
    return None if days is None else list(days(user))
