"""Accounts: users, teams, roles, login and API tokens."""
from flask import Blueprint

accounts = Blueprint("accounts", __name__)

from accounts import auth, views  # noqa: E402,F401  (login manager hooks and routes)
