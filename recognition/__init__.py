"""Recognition: resolution data, metrics, top performers, titles, badges and kudos."""
from flask import Blueprint

recognition = Blueprint("recognition", __name__, url_prefix="/recognition")

from recognition import rules, views  # noqa: E402,F401  (permission rules and routes register)
