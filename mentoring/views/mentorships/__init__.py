"""Mentor and mentorship pages: finding a mentor, profiles, requests, mentorships, leads' views."""
from mentoring.views.mentorships import context, mentors, pages, requests  # noqa: F401  (routes register)
