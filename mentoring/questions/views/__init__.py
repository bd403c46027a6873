"""Question and answer pages: the blueprint; its routes are in the modules beside it."""
from flask import Blueprint

question_pages = Blueprint("questions", __name__)
