"""A person's recognition for their profile page and GET /api/v1/users/<username>."""
from dataclasses import dataclass, field

from accounts.permissions import can
from core.api import iso_utc
from core.clock import utcnow
from recognition.awards import contributions, performance
from recognition.awards.badges import badge_text, badges_of
from recognition.awards.kudos import count_kudos_received, kudos_received
from recognition.awards.titles import title_label, titles_of


def contribution_stats(user):
    """Articles published, answers, accepted answers, helpful votes (when countable), kudos."""
    stats = contributions.contribution_counts(user)
    stats["kudos_received"] = count_kudos_received(user)
    return stats


def profile_json(user, include_stats):
    """profile_requested receiver: titles, badges and stats in the SPEC's shape."""
    now = utcnow()
    titles = [{"title": title_label(title), "category": title.category.slug,
               "awarded_at": iso_utc(title.awarded_at), "expires_at": iso_utc(title.expires_at),
               "current": title.is_current(now)}
              for title in titles_of(user)]
    badges = [{"badge": award.badge.slug, "name": badge_text(award.badge.name),
               "awarded_at": iso_utc(award.awarded_at), "reason": award.reason,
               "awarded_by": award.awarded_by.username if award.awarded_by else None}
              for award in badges_of(user)]
    stats = {}
    if include_stats:
        stats = contribution_stats(user)
        summary = performance.performance_summary(user)
        if summary:
            stats["performance"] = summary
    return {"titles": titles, "badges": badges, "stats": stats}


@dataclass
class ProfileRecognition:
    """Everything the profile page's recognition sections show."""

    current_titles: list
    upcoming_titles: list
    past_titles: list
    badges: list
    kudos: list
    kudos_count: int
    contributions: dict
    expertise: list = field(default_factory=list)
    performance: dict = field(default_factory=dict)


def profile_recognition(person, viewer, categories):
    """The person's titles, badges, kudos, expertise and contributions; performance for those
    allowed to see it (the person, their lead, admins); revoked titles for leads."""
    now = utcnow()
    titles = titles_of(person, include_revoked=can(viewer, "title.revoke", person))
    stats = contribution_stats(person)
    show_stats = can(viewer, "user.view_stats", person)
    return ProfileRecognition(
        current_titles=[title for title in titles if title.is_current(now)],
        upcoming_titles=[title for title in titles
                         if title.revoked_at is None and title.starts_at > now],
        past_titles=[title for title in titles
                     if title.revoked_at is not None or title.expires_at <= now],
        badges=badges_of(person),
        kudos=kudos_received(person, limit=10),
        kudos_count=stats.pop("kudos_received"),
        contributions=stats,
        expertise=performance.expertise(person, categories),
        performance=performance.performance_summary(person) if show_stats else {},
    )

