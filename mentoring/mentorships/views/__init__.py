"""Mentor and mentorship pages: the blueprint; its routes are in the modules beside it."""
from flask import Blueprint

mentorship_pages = Blueprint("mentorships", __name__)
