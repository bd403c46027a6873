"""Kudos: anyone thanks anyone else, optionally for an article or an answer; limited against spam."""
from datetime import timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from accounts.models import User
from accounts.notifications import notify
from accounts.permissions import can, require
from core.boundary import parse_id
from core.clock import utcnow
from core.signals import answers, content_asked
from errors import DomainError, Invalid
from extensions import db
from kb.services import get_article
from recognition.awards.models import KUDOS_MAX_CHARS, Kudos
from recognition.awards.notices import profile_path

KUDOS_PER_HOUR = 10


class TooManyKudos(DomainError):
    """The sender has used up their kudos for the hour."""

    status = 429
    code = "rate_limited"


def _clean_message(message):
    message = " ".join(message.split()) if isinstance(message, str) else ""
    if not message:
        raise Invalid("message", _l("Write a few words of thanks."))
    if len(message) > KUDOS_MAX_CHARS:
        raise Invalid("message", _l("A message has at most %(n)d characters.", n=KUDOS_MAX_CHARS))
    return message


def _object_id(value, field):
    if value is None or value == "":
        return None
    if isinstance(value, bool) or not isinstance(value, (int, str)) or not str(value).isdigit():
        raise Invalid(field, _l("%(field)s must be a whole number.", field=field))
    return int(value)


def _thanked_article(sender, article_id):
    """The article the kudos is for: it must exist and be readable by the sender."""
    try:
        article = get_article(article_id) if parse_id(article_id) else None
    except DomainError:
        article = None
    if article is None or not can(sender, "article.view", article):
        raise Invalid("article_id", _l("No article with id %(id)d.", id=article_id))
    return article


def _thanked_answer(answer_id):
    found = answers(content_asked, None, kind="answer", id=answer_id) if parse_id(answer_id) else ()
    answer = next(iter(found), None)
    if answer is None:
        raise Invalid("answer_id", _l("No answer with id %(id)d.", id=answer_id))
    return answer


def kudos_sent_recently(sender, now=None):
    """How many kudos `sender` gave in the last hour."""
    since = (now or utcnow()) - timedelta(hours=1)
    return db.session.scalar(select(func.count(Kudos.id)).where(
        Kudos.sender_id == sender.id, Kudos.created_at > since))


def give_kudos(sender, recipient, message, article_id=None, answer_id=None):
    """Thank `recipient` with a message (1–500 characters), optionally for an article or answer.

    :raises Invalid: thanking oneself or a deactivated account, empty or long message, unknown
        article or answer.
    :raises TooManyKudos: more than KUDOS_PER_HOUR in an hour (counted in the database, so the
        limit holds across workers).
    """
    require(sender, "kudos.give", recipient)
    if recipient.id == sender.id:
        raise Invalid("to", _l("Kudos are for someone else: you cannot thank yourself."))
    if not recipient.active:
        raise Invalid("to", _l("%(name)s's account is deactivated.", name=recipient.name))
    message = _clean_message(message)
    article_id = _object_id(article_id, "article_id")
    answer_id = _object_id(answer_id, "answer_id")
    if article_id is not None and answer_id is not None:
        raise Invalid("article_id", _l("Thank for an article or for an answer, not both."))
    category_id = None
    if article_id is not None:
        category_id = _thanked_article(sender, article_id).category_id
    if answer_id is not None:
        category_id = getattr(getattr(_thanked_answer(answer_id), "question", None),
                              "category_id", None)
    # Serialise one sender's kudos (PostgreSQL row lock; SQLite writers are serial already), so
    # that parallel requests cannot all pass the count below.
    db.session.execute(select(User.id).where(User.id == sender.id).with_for_update())
    if kudos_sent_recently(sender) >= KUDOS_PER_HOUR:
        raise TooManyKudos(_l("You have sent %(n)d kudos in the last hour: please wait a while.",
                              n=KUDOS_PER_HOUR))
    kudos = Kudos(sender=sender, recipient=recipient, message=message, article_id=article_id,
                  answer_id=answer_id, category_id=category_id)
    db.session.add(kudos)
    db.session.flush()
    notify(recipient, "kudos_received", profile_path(recipient), actor=sender,
           message=message if len(message) <= 120 else message[:119] + "…")
    return kudos


def kudos_received(user, limit=20):
    """The latest kudos a person received, newest first."""
    return db.session.scalars(select(Kudos).where(Kudos.recipient_id == user.id)
                              .order_by(Kudos.created_at.desc(), Kudos.id.desc())
                              .limit(limit)).all()


def count_kudos_received(user):
    return db.session.scalar(select(func.count(Kudos.id)).where(Kudos.recipient_id == user.id))
