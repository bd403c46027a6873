"""Peer questions and answers: ask, answer, vote, accept, ask-an-expert routing, promotion.

The one import other domains and the views use: `from mentoring.questions import services as questions`.
Recognition counts contributions with `count_answers` and `count_accepted_answers` and finds
thanked answers with `get_answer`; the search source of questions reads `searchable_questions()`; every change
sends `core.signals.question_changed`.
"""
from mentoring.questions import permissions  # noqa: F401  (the rules its services check)
from mentoring.questions.search_source import QUESTION
from mentoring.questions.services import notices  # noqa: F401  (notification kinds)
from mentoring.questions.services.answers import (
    VOTE_VALUES,
    accept_answer,
    answer_question,
    clean_vote_value,
    count_accepted_answers,
    count_answers,
    edit_answer,
    get_answer,
    get_answer_or_404,
    vote_on_answer,
    votes_of,
)
from mentoring.questions.services.asking import (
    MAX_TAGS,
    QUESTION_VIEWS,
    ask_more_experts,
    ask_question,
    clean_body,
    clean_tags,
    clean_title,
    close_question,
    delete_question,
    edit_question,
    get_question_or_404,
    record_question_view,
    reopen_question,
)
from mentoring.questions.services.promotion import demote_headings, howto_from_answer, promote_answer
from mentoring.questions.services.queries import (
    SHOW_CHOICES,
    count_unanswered_by_category,
    list_questions,
    open_questions_of,
    questions_asked_to,
    questions_for_expert,
    searchable_questions,
    similar_content,
    similar_questions,
    unanswered_questions,
)
from mentoring.questions.services.routing import DEFAULT_EXPERT_LIMIT, expert_candidates, route_question
from search.sync import resync_document

__all__ = [
    "open_questions_of",
    "DEFAULT_EXPERT_LIMIT", "MAX_TAGS", "QUESTION_VIEWS", "SHOW_CHOICES", "VOTE_VALUES", "accept_answer",
    "answer_question", "ask_more_experts", "ask_question", "clean_body", "clean_tags",
    "clean_title", "clean_vote_value", "close_question", "count_accepted_answers",
    "count_answers", "count_unanswered_by_category", "delete_question", "demote_headings",
    "edit_answer", "edit_question", "expert_candidates", "get_answer", "get_answer_or_404",
    "get_question_or_404", "howto_from_answer", "list_questions",
    "promote_answer", "questions_asked_to", "questions_for_expert", "record_question_view",
    "reopen_question", "route_question", "searchable_questions", "similar_content",
    "similar_questions",
    "unanswered_questions", "vote_on_answer", "votes_of",
]


def answer_contributions(user):
    """contributions_asked receiver: the person's answers and accepted answers."""
    return {"answers": count_answers(user), "accepted_answers": count_accepted_answers(user)}


def answer_content(_sender, kind, id):  # noqa: A002  (the signal's own keyword)
    """content_asked receiver: the answer with this id, for kudos given for it."""
    return get_answer(id) if kind == "answer" else None


def resync_search_document(question):
    """question_changed receiver: the question's search document is re-read after the commit."""
    resync_document(QUESTION, question.id)
