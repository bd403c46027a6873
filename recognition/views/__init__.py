"""Recognition pages, under /recognition: the blueprint; its routes are in the modules beside it."""
from flask import Blueprint

recognition = Blueprint("recognition", __name__, url_prefix="/recognition")
