"""What following means for questions: the followable question and tag, and who hears of a new
question, a new answer or an accepted one (accounts/following holds the levels and the fan-out)."""
from urllib.parse import quote

from sqlalchemy import select

from accounts.following.services import has_muted, muted_user_ids, notify_followers
from accounts.mentions import mentioned_people
from accounts.permissions import can
from extensions import db
from mentoring.questions.models import Question, QuestionTag


def followable(user, kind, key):
    """followable_asked receiver: a question `user` may read, or a tag of questions."""
    if kind == "question":
        question = db.session.get(Question, int(key))
        if question is None or question.deleted or not can(user, "question.view", question):
            return None
        return {"id": str(question.id), "title": question.title, "url": question.path,
                "owner_id": question.author_id}
    if kind == "tag":
        tag = db.session.scalars(select(QuestionTag).where(QuestionTag.key == key).limit(1)).first()
        if tag is None:
            return None
        return {"id": tag.name, "title": tag.name, "url": "/questions?tag=%s" % quote(tag.name)}
    return None


def _place(question):
    return ("question", question.id), [("category", question.category_id)] + [("tag", tag.key) for tag in question.tags]


def muted_experts(question):
    """The ids of those who muted the question's category or one of its tags: no expert notice."""
    thing, within = _place(question)
    return muted_user_ids([thing, *within])


def announce_question(question):
    """A new question: the watchers of its category and tags hear of it (not those it mentions,
    nor the experts it was routed to, already told)."""
    thing, within = _place(question)
    routed = [routing.expert for routing in question.routings]
    notify_followers("followed_question", question.path, thing, within=within, actor=question.author,
                     skip=[*routed, *mentioned_people(question.html)], title=question.title,
                     per_recipient=lambda person: {"category": question.category.display_name(person.locale)})


def announce_answer(answer, path):
    """A new answer: the question's watchers hear of it (the asker is told already)."""
    question = answer.question
    notify_followers("followed_answer", path, ("question", question.id), owner=question.author,
                     actor=answer.author, skip=[question.author, *mentioned_people(answer.html)],
                     title=question.title)


def announce_acceptance(answer, path, accepted_by):
    """An accepted answer: the question's watchers hear of it (its author is told already)."""
    question = answer.question
    notify_followers("followed_accepted", path, ("question", question.id), owner=question.author,
                     actor=accepted_by, skip=[answer.author], title=question.title)


def muted_question(user, question):
    """Whether `user` muted the question: no answer or acceptance notice reaches them from it."""
    return has_muted(user, ("question", question.id))
