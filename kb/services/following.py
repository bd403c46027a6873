"""What following means for articles: the followable article and tag, and who hears of a new
article, a new published revision or a feedback comment (accounts/following holds the levels
and the fan-out)."""
from urllib.parse import quote

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from accounts.following.services import notify_followers
from accounts.mentions import mentioned_people, notify_mentions, told_of_mentions
from accounts.notifications import register_kind
from accounts.permissions import can
from extensions import db
from kb.models import Article, Tag

register_kind("followed_feedback", _l("%(actor)s commented on “%(title)s”: %(comment)s"))


def followable(user, kind, key):
    """followable_asked receiver: an article `user` may read, or a tag of articles."""
    if kind == "article":
        article = db.session.get(Article, int(key))
        if article is None or not can(user, "article.view", article):
            return None
        return {"id": str(article.id), "title": article.title, "url": article.path,
                "owner_id": article.author_id}
    if kind == "tag":
        tag = db.session.scalar(select(Tag).where(Tag.key == key))
        if tag is None:
            return None
        return {"id": tag.name, "title": tag.name, "url": "/kb/?tag=%s" % quote(tag.name)}
    return None


def mentioned_out_of_sight(article):
    """The people the article mentions who may not read it as it is now and were never told of a
    mention in it (a draft's mentions wait for its publication, and are announced once)."""
    hidden = [person for person in mentioned_people(article.html) if not can(person, "article.view", article)]
    told = told_of_mentions(hidden, "/kb/%d/" % article.id)
    return [person for person in hidden if person.id not in told]


def _place(article):
    return ("article", article.id), [("category", article.category_id)] + [("tag", tag.key) for tag in article.tags]


def announce_publication(article, publisher, waiting, first):
    """After `article` was published: the people its draft mentioned, who could not read it then
    (`waiting`), are told now, once; then its watchers (of the article, and for a first
    publication of its category and tags), each once and none of those already told."""
    writer = article.author or publisher
    waiting_ids = {person.id for person in waiting}
    notify_mentions(writer, article.html, "", article.path, article.title,
                    may_see=lambda person: person.id in waiting_ids and can(person, "article.view", article))
    thing, within = _place(article)
    notify_followers("followed_article" if first else "followed_revision", article.path, thing,
                     within=within if first else (), owner=article.author, actor=publisher,
                     skip=[article.author, *mentioned_people(article.html)],
                     may_see=lambda person: can(person, "article.view", article), title=article.title,
                     per_recipient=lambda person: {"category": article.category.display_name(person.locale)})


def announce_revision(article, editor, told=()):
    """A published article was changed in place: its watchers hear of the new revision."""
    thing, _within = _place(article)
    notify_followers("followed_revision", article.path, thing, owner=article.author, actor=editor,
                     skip=told, title=article.title)


def announce_feedback(feedback, previous_comment):
    """A reader's "Did this solve it?" came with a new comment: the article's watchers who may see
    its feedback (its author, its category's experts) hear of it."""
    if not feedback.comment or feedback.comment == previous_comment:
        return
    article = feedback.article
    thing, _within = _place(article)
    notify_followers("followed_feedback", article.path, thing, owner=article.author, actor=feedback.user,
                     may_see=lambda person: can(person, "article.see_feedback", article),
                     title=article.title, comment=feedback.comment[:200])
