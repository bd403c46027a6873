"""Signing in and out, sessions, redirects and CSRF (throttling: test_sign_in_throttling.py)."""
import re

import pytest

from tests.conftest import DEMO_PASSWORD
from tests.factories import make_user


@pytest.fixture
def agent(app):
    with app.app_context():
        make_user("agent", role="agent", display_name="Agnes Agent")
    return "agent"


def test_login_page_renders(client):
    response = client.get("/login")
    assert response.status_code == 200
    assert b'name="username"' in response.data


def test_login_with_right_password_signs_in(client, auth, agent):
    response = auth.login()
    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    page = client.get("/account")
    assert page.status_code == 200
    assert "Agnes Agent" in page.get_data(as_text=True)


def test_login_is_case_insensitive_on_username(client, auth, agent):
    assert auth.login("AGENT").status_code == 302


def test_wrong_password_and_unknown_user_get_the_same_message(client, auth, agent):
    wrong = auth.login("agent", "not-the-password").get_data(as_text=True)
    unknown = auth.login("nobody", "not-the-password").get_data(as_text=True)
    assert "Wrong username or password." in wrong
    assert "Wrong username or password." in unknown
    assert client.get("/account").status_code == 302


def test_deactivated_user_cannot_sign_in(app, client, auth):
    with app.app_context():
        make_user("gone", active=False)
    assert "Wrong username or password." in auth.login("gone").get_data(as_text=True)


def test_logout_signs_out(client, auth, agent):
    auth.login()
    response = auth.logout()
    assert response.status_code == 302
    assert client.get("/account").status_code == 302


def test_replayed_session_cookie_after_logout_is_signed_out(app, client, auth, agent):
    auth.login()
    stolen = client.get_cookie("session").value
    auth.logout()
    replay = app.test_client()
    replay.set_cookie("session", stolen)
    response = replay.get("/account")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


def test_password_change_ends_other_sessions(app, client, auth, agent):
    other = app.test_client()
    other.post("/login", data={"username": "agent", "password": DEMO_PASSWORD})
    assert other.get("/account").status_code == 200
    auth.login()
    response = client.post("/account/password", data={"current_password": DEMO_PASSWORD,
                                                       "new_password": "a-new-password-1"})
    assert response.status_code == 302
    assert client.get("/account").status_code == 200
    assert other.get("/account").status_code == 302


def test_password_change_with_wrong_current_password_is_refused(client, auth, agent):
    auth.login()
    response = client.post("/account/password", data={"current_password": "wrong-one",
                                                       "new_password": "a-new-password-1"})
    assert response.status_code == 200
    assert "The current password is not right." in response.get_data(as_text=True)


@pytest.mark.parametrize("target", [
    "//evil.example", "/\\evil.example", "/%09/evil.example", "https:evil.example",
    "https://evil.example/", "javascript:alert(1)", "/%2F/evil.example", "\\\\evil.example",
    "/\t/evil.example", "%2F%2Fevil.example", "",
])
def test_unsafe_next_redirects_go_home(client, auth, agent, target):
    response = auth.login(next_url=target)
    assert response.status_code == 302
    assert response.headers["Location"] == "/"


def test_same_origin_next_redirect_is_followed(client, auth, agent):
    response = auth.login(next_url="/account?tab=1")
    assert response.headers["Location"] == "/account?tab=1"


def test_form_post_without_csrf_token_is_rejected(csrf_app, agent):
    client = csrf_app.test_client()
    response = client.post("/login", data={"username": "agent", "password": DEMO_PASSWORD})
    assert response.status_code == 400
    assert "form expired" in response.get_data(as_text=True)


def test_form_post_with_csrf_token_is_accepted(csrf_app, agent):
    client = csrf_app.test_client()
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    response = client.post("/login", data={"username": "agent", "password": DEMO_PASSWORD,
                                           "csrf_token": token})
    assert response.status_code == 302


def test_session_cookie_is_httponly_and_samesite_lax(client, auth, agent):
    cookies = auth.login().headers.getlist("Set-Cookie")
    session_cookie = next(c for c in cookies if c.startswith("session="))
    assert "HttpOnly" in session_cookie
    assert "SameSite=Lax" in session_cookie


def test_security_headers_are_set(client):
    response = client.get("/login")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp
    assert "unsafe-inline" not in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert "no-store" in response.headers["Cache-Control"]


def test_pages_need_login(client):
    response = client.get("/account")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=")


def test_language_can_be_chosen_before_login(client):
    client.post("/language", data={"locale": "fa", "next": "/login"})
    page = client.get("/login").get_data(as_text=True)
    assert 'dir="rtl"' in page
    assert 'lang="fa"' in page


def test_user_locale_sets_direction(app, client, auth):
    with app.app_context():
        make_user("arabic", locale="ar")
    auth.login("arabic")
    assert 'dir="rtl"' in client.get("/").get_data(as_text=True)
