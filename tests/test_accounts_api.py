"""The accounts part of /api/v1: bearer tokens, roles, the JSON error shape, bad input."""
import re

import pytest
from sqlalchemy import func, select

from accounts.models import User
from extensions import db
from tests.factories import bearer, make_token, make_user


@pytest.fixture
def tokens(app):
    """Bearer tokens for an admin, a lead and an agent."""
    with app.app_context():
        return {role: make_token(make_user(role, role=role)) for role in ("admin", "lead", "agent")}


def user_count(app):
    with app.app_context():
        return db.session.scalar(select(func.count(User.id)))


def assert_error_shape(response, status, code=None):
    assert response.status_code == status
    body = response.get_json()
    assert set(body) == {"error"}
    assert set(body["error"]) == {"code", "message", "fields"}
    assert isinstance(body["error"]["message"], str) and body["error"]["message"]
    if code:
        assert body["error"]["code"] == code
    return body["error"]


def test_get_user_without_token_is_401(client, tokens):
    assert_error_shape(client.get("/api/v1/users/agent"), 401, "unauthorized")


def test_get_user_with_bad_token_is_401(client, tokens):
    assert_error_shape(client.get("/api/v1/users/agent", headers=bearer("kh_wrong")), 401)


def test_revoked_token_of_deactivated_user_is_401(app, client, tokens):
    from accounts import services
    with app.app_context():
        services.deactivate_user(services.get_user("agent"))
        db.session.commit()
    assert_error_shape(client.get("/api/v1/users/agent", headers=bearer(tokens["agent"])), 401)


def test_get_user_returns_the_spec_shape(client, tokens):
    response = client.get("/api/v1/users/lead", headers=bearer(tokens["agent"]))
    assert response.status_code == 200
    body = response.get_json()
    assert {"username", "name", "role", "team", "titles", "badges", "stats"} <= set(body)
    assert body["username"] == "lead" and body["role"] == "lead"
    assert body["titles"] == [] and body["badges"] == []


def test_unknown_user_is_404_in_json(client, tokens):
    assert_error_shape(client.get("/api/v1/users/ghost", headers=bearer(tokens["agent"])), 404,
                       "not_found")


def test_unknown_api_path_is_404_in_json(client):
    assert_error_shape(client.get("/api/v1/nothing-here"), 404)


def test_admin_creates_user(app, client, tokens):
    response = client.post("/api/v1/users", headers=bearer(tokens["admin"]), json={
        "username": "newbie", "name": "New Bie", "role": "agent", "team": "Tehran",
        "locale": "fa", "password": "long-enough-1"})
    assert response.status_code == 201
    body = response.get_json()
    assert body["username"] == "newbie" and body["team"] == "Tehran"
    login = app.test_client().post("/login", data={"username": "newbie", "password": "long-enough-1"})
    assert login.status_code == 302


@pytest.mark.parametrize("role", ["agent", "lead"])
def test_lower_roles_cannot_create_users(app, client, tokens, role):
    before = user_count(app)
    response = client.post("/api/v1/users", headers=bearer(tokens[role]),
                           json={"username": "x1", "role": "agent"})
    assert_error_shape(response, 403, "forbidden")
    assert user_count(app) == before


def test_taken_username_is_409_and_writes_nothing(app, client, tokens):
    before = user_count(app)
    response = client.post("/api/v1/users", headers=bearer(tokens["admin"]),
                           json={"username": "Agent", "role": "agent"})
    error = assert_error_shape(response, 409, "conflict")
    assert "username" in error["fields"]
    assert user_count(app) == before


@pytest.mark.parametrize("payload, field", [
    ({"username": "ok1", "role": "boss"}, "role"),
    ({"username": "ok1", "locale": "xx"}, "locale"),
    ({"username": "ok1", "password": ""}, "password"),
    ({"username": "ok1", "password": "short"}, "password"),
    ({"username": "ok1", "password": "x" * 257}, "password"),
    ({"username": "a b", "role": "agent"}, "username"),
    ({"username": "", "role": "agent"}, "username"),
    ({"role": "agent"}, "username"),
    ({"username": 42}, "username"),
    ({"username": "ok1", "email": "not-an-email"}, "email"),
    ({"username": "\x00\x00"}, "username"),
    ({"username": "\u200b\u200d"}, "username"),
    ({"username": "ok1", "role": 1}, "role"),
    ({"username": "ok1", "locale": None}, "locale"),
    ({"username": "ok1", "name": ["Ok"]}, "name"),
    ({"username": "ok1", "name": "x" * 121}, "name"),
    ({"username": "ok1", "team": "t" * 81}, "team"),
    ({"username": "ok1", "password": 12345678}, "password"),
    ({"username": "ok1", "is_admin": True}, "is_admin"),
])
def test_bad_user_input_is_422_and_writes_nothing(app, client, tokens, payload, field):
    before = user_count(app)
    response = client.post("/api/v1/users", headers=bearer(tokens["admin"]), json=payload)
    error = assert_error_shape(response, 422, "invalid")
    assert field in error["fields"]
    assert user_count(app) == before


def test_non_json_body_is_400(client, tokens):
    response = client.post("/api/v1/users", headers=bearer(tokens["admin"]), data="username=x")
    assert_error_shape(response, 400)


def test_bearer_api_call_needs_no_csrf_token(csrf_app, tokens):
    response = csrf_app.test_client().post("/api/v1/users", headers=bearer(tokens["admin"]),
                                           json={"username": "viatoken", "role": "agent"})
    assert response.status_code == 201


def test_session_cookie_api_call_needs_csrf_token(csrf_app, tokens):
    client = csrf_app.test_client()
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    client.post("/login", data={"username": "admin", "password": "correct-horse-battery",
                                "csrf_token": token})
    token = re.search(r'name="csrf-token" content="([^"]+)"', client.get("/").get_data(as_text=True)).group(1)
    refused = client.post("/api/v1/users", json={"username": "viacookie", "role": "agent"})
    assert refused.status_code == 400
    accepted = client.post("/api/v1/users", json={"username": "viacookie", "role": "agent"},
                           headers={"X-CSRFToken": token})
    assert accepted.status_code == 201


def test_agent_does_not_see_someone_elses_stats(client, tokens, app):
    body = client.get("/api/v1/users/lead", headers=bearer(tokens["agent"])).get_json()
    assert body["stats"] == {}


def test_a_lone_surrogate_in_a_user_is_refused(app, client, tokens):
    before = user_count(app)
    response = client.post("/api/v1/users", headers=bearer(tokens["admin"]), content_type="application/json",
                           data=b'{"username": "ok1", "name": "Ok \\udc00"}')
    assert "surrogate" in assert_error_shape(response, 400)["message"]
    assert user_count(app) == before


def test_names_are_stored_without_controls_or_bidi_overrides(client, tokens):
    response = client.post("/api/v1/users", headers=bearer(tokens["admin"]), json={
        "username": " newbie\x00 ", "name": "\u202eNew\x07 Bie", "team": "Teh\x00ran\n"})
    body = response.get_json()
    assert response.status_code == 201
    assert (body["username"], body["name"], body["team"]) == ("newbie", "New Bie", "Tehran")


def test_the_password_is_kept_exactly_as_typed(app, client, tokens):
    password = "  spaced out\u202e pass  "
    response = client.post("/api/v1/users", headers=bearer(tokens["admin"]),
                           json={"username": "spacey", "password": password})
    assert response.status_code == 201
    login = app.test_client().post("/login", data={"username": "spacey", "password": password})
    assert login.status_code == 302


def test_user_operations_are_in_the_document(client):
    document = client.get("/api/v1/openapi.json").get_json()
    create = document["paths"]["/api/v1/users"]["post"]
    assert create["requestBody"]["content"]["application/json"]["schema"]["$ref"].endswith("/UserIn")
    assert {"201", "401", "403", "409", "422"} <= set(create["responses"])
    profile = document["paths"]["/api/v1/users/{username}"]["get"]["responses"]["200"]
    assert profile["content"]["application/json"]["schema"]["$ref"].endswith("/UserOut")
    assert document["components"]["schemas"]["UserIn"]["properties"]["role"]["enum"] == ["agent", "lead", "admin"]


def test_a_username_no_account_can_have_is_404(client, tokens):
    assert_error_shape(client.get("/api/v1/users/" + "x" * 5000, headers=bearer(tokens["agent"])), 404,
                       "not_found")


@pytest.mark.parametrize("path", ["/api/v1/users/%00", "/api/v1/users/ag%00ent"])
def test_a_nul_in_the_username_is_refused_with_400(client, tokens, path):
    assert_error_shape(client.get(path, headers=bearer(tokens["agent"])), 400, "bad_request")
