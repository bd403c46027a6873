"""Peer questions and answers, mentor profiles and mentorships."""


def init_app(app):
    """Routes, permission rules and signal receivers of mentoring."""
    from core import signals
    from mentoring import (  # noqa: F401  (the rules)
        models,  # noqa: F401  (the tables)
        permissions_mentorships,
        permissions_questions,
    )
    from mentoring.api import mentoring_api
    from mentoring.api import mentorships as _mentorships_api  # noqa: F401  (routes)
    from mentoring.api import questions as _questions_api  # noqa: F401  (routes)
    from mentoring.services import questions
    from mentoring.services.questions.search_source import QUESTIONS
    from mentoring.views import mentoring
    from mentoring.views import questions as _question_pages  # noqa: F401  (routes)
    from mentoring.views.mentorships import context as mentorship_pages
    from search.sources import register_source

    app.register_blueprint(mentoring)
    app.register_blueprint(mentoring_api)

    signals.contributions_asked.connect(questions.answer_contributions)
    signals.content_asked.connect(questions.answer_content)
    signals.page_sections_asked.connect(mentorship_pages.page_sections)
    signals.question_changed.connect(questions.resync_search_document)
    register_source(QUESTIONS)
