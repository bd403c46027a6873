"""Following levels, what can be followed, and telling the watchers of something new.

Three levels, as in Discourse: `watching` (told of everything new in the thing), `normal` (the
default: only mentions of me and replies to me) and `muted` (nothing from it, not even the
"new question in your category" notice to its experts; mentions of me still arrive). The author
of an article and the asker of a question watch it without a stored row; a level they choose
wins. A level chosen on the thing itself (an article, a question) wins over one on what holds it
(its category, its tags): watching a muted category's article still tells of its revisions.

Accounts knows no article or question: what can be followed is asked of the domains above with
`followable_asked` (they answer for their own kinds and check that the person may read it), and
they call `notify_followers` when something new happens, naming the thing and what holds it.
"""
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, or_, select
from sqlalchemy.exc import IntegrityError

from accounts.following.models import LEVELS, TARGET_KEY_MAX_CHARS, TARGET_KINDS, Follow
from accounts.models import User
from accounts.notifications import notify_all, register_kind
from core.categories import Category, get_category
from core.clock import utcnow
from core.signals import answers, followable_asked
from errors import Invalid, NotFound
from extensions import db

register_kind("followed_article", _l("%(actor)s published “%(title)s” in %(category)s."))
register_kind("followed_question", _l("%(actor)s asked “%(title)s” in %(category)s."))
register_kind("followed_revision", _l("%(actor)s published a new revision of “%(title)s”."))
register_kind("followed_answer", _l("%(actor)s answered “%(title)s”."))
register_kind("followed_accepted", _l("%(actor)s accepted an answer to “%(title)s”."))

LEVEL_LABELS = {"watching": _l("Watching"), "normal": _l("Normal"), "muted": _l("Muted")}
LEVEL_HINTS = {
    "watching": _l("Tell me of everything new in it."),
    "normal": _l("Only mentions of me and replies to me."),
    "muted": _l("Nothing from it, except mentions of me."),
}
KIND_LABELS = {"category": _l("Category"), "tag": _l("Tag"), "article": _l("Article"),
               "question": _l("Question")}


@dataclass(frozen=True)
class Target:
    """A followable thing as one person may see it."""

    kind: str
    key: str  # as stored in Follow.target_key
    id: str  # as URLs and the API name it (a category's slug, a tag's name, an id)
    title: str
    url: str
    owner_id: int | None = None  # who watches it without choosing (the author, the asker)


def target_key(kind, key):
    """The stored form of a thing's key: a tag's case-folded name, else the id as text."""
    text = " ".join(str(key).split()) if key is not None else ""
    return text.casefold()[:TARGET_KEY_MAX_CHARS] if kind == "tag" else text[:TARGET_KEY_MAX_CHARS]


def _no_such(kind, ident):
    return NotFound(_l("Nothing to follow at %(kind)s “%(id)s”.", kind=str(kind)[:20], id=str(ident)[:40]))


def _category_target(category, user):
    return Target("category", str(category.id), category.slug,
                  category.display_name(getattr(user, "locale", "en")), "/kb/?category=%s" % category.slug)


def find_target(user, kind, ident):
    """The thing `kind`/`ident` (a category's slug or id, a tag's name, an article's or question's
    id), as `user` may see it.

    :raises NotFound: an unknown kind, a thing that does not exist, or one `user` may not read
        (a draft is not revealed by its follow button).
    """
    if kind not in TARGET_KINDS or not isinstance(ident, str) or not ident.strip():
        raise _no_such(kind, ident)
    if kind == "category":
        category = get_category(ident)
        if category is None and ident.strip().isdigit() and len(ident.strip()) < 10:
            category = db.session.get(Category, int(ident))
        if category is None:
            raise _no_such(kind, ident)
        return _category_target(category, user)
    key = target_key(kind, ident)
    if kind != "tag" and not (key.isascii() and key.isdigit() and len(key) < 10):
        raise _no_such(kind, ident)
    found = answers(followable_asked, user, kind=kind, key=key)
    if not found:
        raise _no_such(kind, ident)
    return Target(kind=kind, key=key, **found[0])


def stored_target(user, follow):
    """The thing of a Follow row as `user` may see it now, or None when it is gone or hidden."""
    try:
        if follow.target_kind == "category":
            category = db.session.get(Category, int(follow.target_key)) if follow.target_key.isdigit() else None
            return _category_target(category, user) if category is not None else None
        return find_target(user, follow.target_kind, follow.target_key)
    except NotFound:
        return None


def _row(user, kind, key):
    return db.session.scalar(select(Follow).where(Follow.user_id == user.id, Follow.target_kind == kind,
                                                  Follow.target_key == key))


def chosen_level(user, target):
    """`user`'s Follow row on `target`, or None when they never chose."""
    return _row(user, target.kind, target.key)


def level_of(user, target):
    """`user`'s level on `target`: the chosen one, else watching for its owner, else normal."""
    row = _row(user, target.kind, target.key) if user is not None and user.is_authenticated else None
    if row is not None:
        return row.level
    return "watching" if target.owner_id is not None and user is not None and target.owner_id == user.id else "normal"


def clean_level(level):
    if level not in LEVELS:
        raise Invalid("level", _l("Choose watching, normal or muted."))
    return level


def set_level(user, target, level):
    """Store `user`'s level on `target` (found with find_target, so readable); returns the row."""
    level = clean_level(level)
    row = _row(user, target.kind, target.key)
    if row is None:
        try:
            with db.session.begin_nested():
                row = Follow(user_id=user.id, target_kind=target.kind, target_key=target.key, level=level)
                db.session.add(row)
        except IntegrityError:  # the same person's other request stored it meanwhile
            row = _row(user, target.kind, target.key)
    row.level = level
    row.updated_at = utcnow()
    db.session.flush()
    return row


def follows_of(user):
    """A select of `user`'s chosen levels, the latest changed first."""
    return (select(Follow).where(Follow.user_id == user.id)
            .order_by(Follow.updated_at.desc(), Follow.id.desc()))


def category_levels(user):
    """{category id: level} of the categories `user` chose a level for (watching or muted)."""
    rows = db.session.execute(select(Follow.target_key, Follow.level).where(
        Follow.user_id == user.id, Follow.target_kind == "category"))
    return {int(key): level for key, level in rows if key.isdigit()}


def _levels_on(refs):
    """{user id: {(kind, key): level}} of every chosen level on the things `refs`."""
    if not refs:
        return {}
    rows = db.session.execute(select(Follow.user_id, Follow.target_kind, Follow.target_key, Follow.level)
                              .where(or_(*[and_(Follow.target_kind == kind, Follow.target_key == key)
                                           for kind, key in refs])))
    chosen = {}
    for user_id, kind, key, level in rows:
        chosen.setdefault(user_id, {})[(kind, key)] = level
    return chosen


def _refs(things):
    return list(dict.fromkeys((kind, target_key(kind, key)) for kind, key in things))


def muted_user_ids(things):
    """The ids of the people who muted any of `things` ([(kind, key)])."""
    return {user_id for user_id, levels in _levels_on(_refs(things)).items() if "muted" in levels.values()}


def has_muted(user, thing):
    """Whether `user` muted `thing` ((kind, key)) itself: even replies to them from it are silent."""
    kind, key = _refs([thing])[0]
    return user is not None and getattr(_row(user, kind, key), "level", None) == "muted"


def watchers(thing, within=(), owner=None):
    """The ids of the people watching `thing` ((kind, key)) or what holds it (`within`), as the
    module's rules decide; `owner` watches `thing` unless they chose a level on it."""
    own = _refs([thing])[0]
    chosen = _levels_on(_refs([thing, *within]))
    if owner is not None:
        chosen.setdefault(owner.id, {}).setdefault(own, "watching")
    told = set()
    for user_id, levels in chosen.items():
        if own in levels:
            if levels[own] == "watching":
                told.add(user_id)
        elif "muted" not in levels.values() and "watching" in levels.values():
            told.add(user_id)
    return told


def notify_followers(kind, url, thing, within=(), owner=None, actor=None, skip=(), may_see=None,
                     per_recipient=None, **params):
    """Tell, once each, everyone watching `thing` or what holds it of something new (a
    notification of `kind`, through the same fan-out job as every notice to many people).

    :param thing: (kind, key) of the article or question, or of the new article itself.
    :param within: [(kind, key)] of its category and tags.
    :param owner: who watches `thing` without choosing (the author, the asker).
    :param skip: the people already told of this event otherwise (its owner's own notice, the
        mentioned): one event, one notification.
    :param may_see: person -> whether they may open `url`; the others are not told.
    :returns: how many will be told.
    """
    skipped = {person.id for person in skip if person is not None}
    if actor is not None:
        skipped.add(actor.id)
    ids = watchers(thing, within, owner) - skipped
    if not ids:
        return 0
    people = db.session.scalars(select(User).where(User.id.in_(ids), User.active.is_(True))
                                .order_by(User.id)).all()
    people = [person for person in people if may_see is None or may_see(person)]
    return notify_all(people, kind, url, actor=actor, per_recipient=per_recipient, **params)
