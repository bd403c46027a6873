"""Peer questions and answers (questions/), mentor profiles and mentorships (mentorships/).

Both subpackages hold the same files: models, services/, views/, api, forms, permissions.
"""


def init_app(app):
    """Routes, permission rules, the search source and signal receivers of mentoring."""
    from core import signals
    from core.read_buffer import COUNT, add_counts, register_sink
    from mentoring.mentorships import models as _mentorship_models  # noqa: F401  (the tables)
    from mentoring.mentorships import permissions as _mentorship_rules  # noqa: F401
    from mentoring.mentorships.api import mentorships_api
    from mentoring.mentorships.views import context as mentorship_context
    from mentoring.mentorships.views import mentors, mentorship_pages, pages, requests  # noqa: F401  (routes)
    from mentoring.questions import models as _question_models  # noqa: F401  (the tables)
    from mentoring.questions import permissions as _question_rules  # noqa: F401
    from mentoring.questions import services as questions
    from mentoring.questions.api import questions_api
    from mentoring.questions.models import Question
    from mentoring.questions.search_source import QUESTIONS
    from mentoring.questions.services import following as question_following
    from mentoring.questions.views import actions, question_pages, writing  # noqa: F401  (routes)
    from mentoring.questions.views import context as question_context
    from mentoring.questions.views import pages as _question_list_pages  # noqa: F401  (routes)
    from search.sources import register_source

    for blueprint in (question_pages, questions_api, mentorship_pages, mentorships_api):
        app.register_blueprint(blueprint)

    signals.contributions_asked.connect(questions.answer_contributions)
    signals.content_asked.connect(questions.answer_content)
    signals.followable_asked.connect(question_following.followable)
    signals.page_sections_asked.connect(mentorship_context.page_sections)
    signals.page_sections_asked.connect(question_context.page_sections)
    signals.question_changed.connect(questions.resync_search_document)
    register_source(QUESTIONS)
    register_sink(app, questions.QUESTION_VIEWS, add_counts(Question.__table__.c.view_count), combine=COUNT)
