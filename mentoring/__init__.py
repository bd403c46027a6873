"""Peer questions and answers, mentor profiles and mentorships."""
from flask import Blueprint

mentoring = Blueprint("mentoring", __name__)

from mentoring import views  # noqa: E402,F401  (routes register on the blueprint)
