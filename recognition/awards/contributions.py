"""What a person gave the team: articles and helpful votes from kb, the rest asked of the domains above.

Peer answers belong to mentoring, which sits above recognition: it answers
`core.signals.contributions_asked` with its counts, so recognition never imports it.
"""
from core.signals import answers, contributions_asked
from kb import services as kb_services


def contribution_counts(user):
    """{stat: count} of every contribution the platform counts for `user`."""
    counts = {"articles_published": int(kb_services.count_published_articles(user)),
              "helpful_votes_received": int(kb_services.count_helpful_votes(user))}
    for found in answers(contributions_asked, user):
        counts.update((stat, int(count)) for stat, count in found.items())
    return counts


def count_contribution(user, stat):
    """One contribution count of `user` (e.g. "accepted_answers"), or None when nobody counts it."""
    return contribution_counts(user).get(stat)


def verification_days(user):
    """The days on which `user` verified an article."""
    return list(kb_services.verification_days(user))
