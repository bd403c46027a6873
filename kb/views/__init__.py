"""Knowledge-base pages, under /kb: the blueprint; its routes are in the modules beside it."""
from flask import Blueprint

kb = Blueprint("kb", __name__)
