"""Knowledge base: articles, revisions, categories and tags, Markdown rendering and search."""
from flask import Blueprint

kb = Blueprint("kb", __name__)

from kb import permissions, views  # noqa: E402,F401  (rules and routes register on import)
