"""Mentoring pages: questions and answers, mentors and mentorships."""
from mentoring.views import mentorships, questions  # noqa: F401  (routes register on import)
