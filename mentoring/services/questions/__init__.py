"""Peer questions and answers: ask, answer, vote, accept, ask-an-expert routing, promotion.

The one import other domains and the views use: `from mentoring.services import questions`.
Recognition counts contributions with `count_answers` and `count_accepted_answers` and finds
thanked answers with `get_answer`; the search sync reads `searchable_questions()` and subscribes
to `on_question_changed`.
"""
# The permission rules register on import.
from mentoring import permissions_questions  # noqa: F401
from mentoring.services.questions.answers import (
    VOTE_VALUES, accept_answer, answer_question, clean_vote_value, count_accepted_answers,
    count_answers, edit_answer, get_answer, get_answer_or_404, vote_on_answer, votes_of)
from mentoring.services.questions.asking import (
    MAX_TAGS, ask_more_experts, ask_question, clean_body, clean_tags, clean_title,
    close_question, delete_question, edit_question, get_question_or_404, record_question_view,
    reopen_question)
from mentoring.services.questions.events import on_question_changed
from mentoring.services.questions.promotion import (demote_headings, howto_from_answer,
                                                    promote_answer)
from mentoring.services.questions.queries import (
    SHOW_CHOICES, count_unanswered_by_category, list_questions, questions_asked_to,
    questions_for_expert, searchable_questions, similar_content, similar_questions,
    unanswered_questions)
from mentoring.services.questions.routing import (DEFAULT_EXPERT_LIMIT, expert_candidates,
                                                  route_question)

__all__ = [
    "DEFAULT_EXPERT_LIMIT", "MAX_TAGS", "SHOW_CHOICES", "VOTE_VALUES", "accept_answer",
    "answer_question", "ask_more_experts", "ask_question", "clean_body", "clean_tags",
    "clean_title", "clean_vote_value", "close_question", "count_accepted_answers",
    "count_answers", "count_unanswered_by_category", "delete_question", "demote_headings",
    "edit_answer", "edit_question", "expert_candidates", "get_answer", "get_answer_or_404",
    "get_question_or_404", "howto_from_answer", "list_questions", "on_question_changed",
    "promote_answer", "questions_asked_to", "questions_for_expert", "record_question_view",
    "reopen_question", "route_question", "searchable_questions", "similar_content",
    "similar_questions",
    "unanswered_questions", "vote_on_answer", "votes_of",
]
