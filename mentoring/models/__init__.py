"""Mentoring models: peer questions and answers, mentor profiles and mentorships."""
from mentoring.models import mentorships, questions  # noqa: F401  (register with the metadata)
