"""Mentoring services; other domains call `mentoring.services.questions` and `.mentorships`."""
# Recognition looks these up on this package to count contributions and find thanked answers.
from mentoring.services.questions import count_accepted_answers, count_answers, get_answer  # noqa: E402,F401
