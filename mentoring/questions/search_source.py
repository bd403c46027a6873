"""Mentoring's document source for search: answered questions, their answers best first."""
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from accounts.permissions import can
from core.clock import utcnow
from core.markdown import markdown_to_text
from mentoring.questions.models import Question
from mentoring.questions.services.queries import searchable_questions
from search.documents import BASE_BOOST, HELPFUL_BOOST, make_key, recency_boost
from search.sources import DocumentSource

QUESTION = "question"
ACCEPTED_SCORE_FULL = 5  # an accepted answer with this many net votes gets the whole helpful lift


def question_boost(question, accepted, now):
    """Ranking lift of a question: the net votes of its accepted answer, recently updated."""
    boost = BASE_BOOST + recency_boost(question.updated_at, now)
    score = accepted.score if accepted is not None else 0
    boost += HELPFUL_BOOST * 0.5 * max(-1.0, min(1.0, score / ACCEPTED_SCORE_FULL))
    return round(max(0.0, boost), 4)


def question_document(question, now=None):
    """The search document of an answered question: its text, then its answers, best first."""
    answers = question.sorted_answers()
    accepted = next((answer for answer in answers if answer.id == question.accepted_answer_id), None)
    texts = [markdown_to_text(question.body or "")]
    texts.extend(markdown_to_text(answer.body or "") for answer in answers if answer.score >= 0)
    return {
        "key": make_key(QUESTION, question.id), "type": QUESTION, "id": question.id,
        "title": question.title, "body": "\n".join(text for text in texts if text),
        "category": question.category.slug, "lang": question.lang, "tags": question.tag_names,
        "boost": question_boost(question, accepted, now or utcnow()), "updated_at": question.updated_at,
    }


def searchable_questions_for_results(ids):
    """The searchable questions among `ids`, with only the category a result shows."""
    condition = searchable_questions().whereclause
    return select(Question).options(joinedload(Question.category)).where(condition, Question.id.in_(list(ids)))


def question_url(question):
    """A question result opens at its accepted answer."""
    if question.accepted_answer_id:
        return "%s#answer-%d" % (question.path, question.accepted_answer_id)
    return question.path


QUESTIONS = DocumentSource(
    kind=QUESTION,
    select_searchable=searchable_questions,
    make_document=question_document,
    may_open=lambda user, question: can(user, "question.view", question),
    url_of=question_url,
    tables={"question": "id", "answer": "question_id", "question_tag": "question_id"},
    select_results=searchable_questions_for_results,
)
