"""The mentoring part of /api/v1: questions, answers, mentors and mentorships."""
from flask import Blueprint

mentoring_api = Blueprint("mentoring_api", __name__, url_prefix="/api/v1")
