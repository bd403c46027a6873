"""The accounts part of /api/v1: creating users and reading profiles."""
from flask import Blueprint, jsonify
from flask_login import current_user

from accounts import services
from accounts.permissions import can, require
from accounts.serializers import user_json
from core.api import api_login_required, json_body, string_field
from extensions import db

accounts_api = Blueprint("accounts_api", __name__, url_prefix="/api/v1")

@accounts_api.post("/users")
@api_login_required
def create_user():
    """Create a user (admins)."""
    require(current_user, "admin.users")
    data = json_body()
    user = services.create_user(
        string_field(data, "username", required=True),
        role=string_field(data, "role", default="agent"),
        password=string_field(data, "password"),
        display_name=string_field(data, "name", default=""),
        team=string_field(data, "team"),
        locale=string_field(data, "locale", default="en"),
        email=string_field(data, "email"),
    )
    db.session.commit()
    return jsonify(user_json(user, include_stats=True)), 201


@accounts_api.get("/users/<username>")
@api_login_required
def get_user(username):
    """A person's public profile: role, team, titles, badges and (when allowed) stats."""
    user = services.get_user_or_404(username)
    return jsonify(user_json(user, include_stats=can(current_user, "user.view_stats", user)))
