"""Peer questions and answers, mentor profiles and mentorships."""
from flask import Blueprint

mentoring = Blueprint("mentoring", __name__)

from mentoring import models, views  # noqa: E402,F401  (models and routes register on import)
