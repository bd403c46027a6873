"""Telling people they were @mentioned, once per edit.

The domains that hold texts (articles, questions, answers) call `notify_mentions` with the HTML
before and after a save: only the people mentioned now and not before are told, so saving again,
or an edit that keeps the same mentions, tells nobody twice. Who counts as mentioned is read from
the rendered HTML (core/markdown/mentions.py): exactly the @names a reader sees as links, never
inside code, and only active people who exist.
"""
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from accounts.models import Notification, User
from accounts.notifications import notify, register_kind
from core.markdown import mentioned_usernames
from extensions import db

register_kind("mentioned", _l("%(actor)s mentioned you in “%(place)s”."))


def mentioned_people(html):
    """The active users mentioned in rendered `html`, in the order they first appear."""
    usernames = mentioned_usernames(html)
    if not usernames:
        return []
    found = {user.username: user for user in db.session.scalars(
        select(User).where(User.username.in_(usernames), User.active.is_(True)))}
    return [found[name] for name in usernames if name in found]


def notify_mentions(author, html, previous_html, url, place, may_see=None):
    """Notify the people `html` mentions that `previous_html` did not (never the author).

    :param place: what the text is, as the reader will see it (an article's or question's title).
    :param may_see: person -> whether they may open `url` (a draft is not for everyone); the
        others are not told, as a link they cannot open would tell them nothing.
    :returns: the people told.
    """
    before = set(mentioned_usernames(previous_html))
    told = []
    for person in mentioned_people(html):
        if person.username in before or (may_see is not None and not may_see(person)):
            continue
        if notify(person, "mentioned", url, actor=author, place=place) is not None:
            told.append(person)
    return told


def told_of_mentions(people, url_prefix):
    """The ids of those of `people` already told of a mention at a url starting with `url_prefix`
    (an article's, whatever its slug was then)."""
    ids = [person.id for person in people]
    if not ids:
        return set()
    return set(db.session.scalars(select(Notification.recipient_id).where(
        Notification.kind == "mentioned", Notification.recipient_id.in_(ids),
        Notification.url.startswith(url_prefix, autoescape=True))))
