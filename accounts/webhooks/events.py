"""The events webhooks can receive, from the signals of core/signals.py, and what each says.

A receiver runs inside the change's transaction: it reads what the payload needs from the
sender (the domains' objects, by their attribute names: accounts imports none of them) and
queues one job after the commit, so a rolled-back change tells no webhook, and no webhook is
called before the change is visible.
"""
from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from accounts.webhooks.delivery import dispatch_event
from accounts.webhooks.models import Webhook
from core import signals
from core.clock import utcnow
from extensions import db
from jobs import queue_after_commit

EVENT_LABELS = {
    "article.published": _l("An article is published"),
    "article.verified": _l("An article is verified"),
    "question.asked": _l("A question is asked"),
    "answer.posted": _l("A question gets an answer"),
    "answer.accepted": _l("An answer is accepted"),
    "title.awarded": _l("An expert title is awarded"),
}
PING = "ping"


def _url(path):
    return current_app.config["BASE_URL"] + path


def _username(user):
    return user.username if user is not None else None


def _category(thing):
    category = getattr(thing, "category", None)
    return {"slug": category.slug, "name": category.name} if category is not None else None


def describe_article(article):
    return {"id": article.id, "title": article.title, "url": _url(article.path), "lang": article.lang,
            "category": _category(article), "author": _username(article.author)}


def describe_question(question):
    return {"id": question.id, "title": question.title, "url": _url(question.path),
            "category": _category(question), "author": _username(question.author)}


def describe_answer(answer):
    question = answer.question
    return {"id": answer.id, "url": _url("%s#answer-%d" % (question.path, answer.id)),
            "author": _username(answer.author), "question": describe_question(question)}


def describe_title(title):
    return {"id": title.id, "name": title.name, "term": title.term, "category": _category(title),
            "user": _username(title.user), "awarded_by": _username(title.awarded_by),
            "expires_at": title.expires_at.isoformat().replace("+00:00", "Z")}


def occurred_now():
    """The time of an event as the payloads write it (ISO 8601, UTC, "Z")."""
    return utcnow().isoformat().replace("+00:00", "Z")


def queue_event(event, data):
    """Tell the webhooks receiving `event` after the commit (nothing when none does)."""
    webhooks = db.session.scalars(select(Webhook.events).where(Webhook.active.is_(True))).all()
    if any(event in (events or []) for events in webhooks):
        queue_after_commit(dispatch_event, event, data, occurred_now())


def on_article_published(article, **_extra):
    queue_event("article.published", describe_article(article))


def on_article_verified(article, **_extra):
    queue_event("article.verified", {**describe_article(article), "verified_by": _username(article.verifier)})


def on_question_asked(question, **_extra):
    queue_event("question.asked", describe_question(question))


def on_answer_posted(answer, **_extra):
    queue_event("answer.posted", describe_answer(answer))


def on_answer_accepted(answer, accepted_by=None, **_extra):
    queue_event("answer.accepted", {**describe_answer(answer), "accepted_by": _username(accepted_by)})


def on_title_awarded(title, **_extra):
    queue_event("title.awarded", describe_title(title))


def connect_receivers():
    """Hear the events webhooks may receive (accounts' init_app)."""
    for signal, receiver in ((signals.article_published, on_article_published),
                             (signals.article_verified, on_article_verified),
                             (signals.question_asked, on_question_asked),
                             (signals.answer_posted, on_answer_posted),
                             (signals.answer_accepted, on_answer_accepted),
                             (signals.title_awarded, on_title_awarded)):
        signal.connect(receiver)
