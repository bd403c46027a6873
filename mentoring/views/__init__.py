"""Mentoring pages: the blueprint; questions/ and mentorships/ beside it hold the routes."""
from flask import Blueprint

mentoring = Blueprint("mentoring", __name__)
