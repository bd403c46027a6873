"""OpenID Connect sign-in against a real provider the tests serve (tests/oidc_provider.py, built
from Authlib's server classes): the real redirects, the code exchange with PKCE and the ID
token's signature checks run. Also: local passwords turned off but for the break-glass users.
"""
import logging
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
import requests
from sqlalchemy import select

from accounts.models import User
from extensions import db
from tests.conftest import DEMO_PASSWORD
from tests.factories import make_user
from tests.ldap_server import free_port
from tests.oidc_provider import CLIENT_ID, CLIENT_SECRET, Provider

NOT_COMPLETED = "The company sign-in did not complete"
PROVIDER_DOWN = "The company sign-in service does not answer"
LEILA = {"sub": "a1b2-leila", "preferred_username": "leila", "name": "لیلا احمدی", "email": "leila@example.org",
         "locale": "fa-IR", "groups": ["knowhow-leads", "/teams/billing"]}


@pytest.fixture(scope="module")
def provider():
    served = Provider().start()
    yield served
    served.stop()


@pytest.fixture
def oidc_app(app, provider):
    """The application signing in through the test provider."""
    provider.reset()
    app.config.update({
        "OIDC_ISSUER": provider.issuer, "OIDC_CLIENT_ID": CLIENT_ID, "OIDC_CLIENT_SECRET": CLIENT_SECRET,
        "OIDC_NAME": "Example SSO",
        "OIDC_ROLE_MAP": (("knowhow-admins", "admin"), ("knowhow-leads", "lead")),
        "OIDC_TEAM_MAP": (("billing", "Billing"), ("sales", "Sales")),
        "OIDC_TIMEOUT_SECONDS": 3,
    })
    return app


def go_to_provider(client, next_url=None):
    """Start a sign-in; the provider's answer (its redirect back to Knowhow)."""
    start = client.get("/login/oidc" + ("?" + urlencode({"next": next_url}) if next_url else ""))
    assert start.status_code == 302, start.get_data(as_text=True)
    answer = requests.get(start.headers["Location"], allow_redirects=False, timeout=5)
    assert answer.status_code == 302, answer.text
    return urlsplit(answer.headers["Location"])


def come_back(client, callback, **changed):
    query = {key: values[0] for key, values in parse_qs(callback.query).items()} | changed
    return client.get(callback.path + "?" + urlencode(query))


def sign_in_with_provider(client, next_url=None):
    return come_back(client, go_to_provider(client, next_url))


def user_named(app, username):
    with app.app_context():
        user = db.session.scalar(select(User).where(User.username == username))
        return None if user is None else {
            "role": user.role, "team": user.team.name if user.team else None, "source": user.auth_source,
            "external_id": user.external_id, "name": user.display_name, "email": user.email,
            "locale": user.locale}


def test_first_sign_in_provisions_the_user_with_the_mapped_role(oidc_app, provider):
    provider.person = LEILA
    client = oidc_app.test_client()
    response = sign_in_with_provider(client, next_url="/account")
    assert response.status_code == 302
    assert response.headers["Location"] == "/account"
    assert user_named(oidc_app, "leila") == {
        "role": "lead", "team": "Billing", "source": "oidc", "external_id": "a1b2-leila",
        "name": "لیلا احمدی", "email": "leila@example.org", "locale": "fa"}
    assert client.get("/account").status_code == 200
    authorize = next(params for name, params in provider.requests if name == "authorize")
    token = next(params for name, params in provider.requests if name == "token")
    assert authorize["code_challenge_method"] == "S256" and authorize["nonce"] and authorize["state"]
    assert token["code_verifier"]  # PKCE: the verifier of that challenge, checked by the provider


def test_a_changed_group_changes_the_role_and_team_at_the_next_sign_in(oidc_app, provider):
    with oidc_app.app_context():
        make_user("root", role="admin")  # so that leila is not the last administrator
    provider.person = LEILA
    assert sign_in_with_provider(oidc_app.test_client()).status_code == 302
    provider.person = LEILA | {"groups": ["knowhow-admins", "sales"], "name": "Leila Ahmadi", "locale": "en"}
    assert sign_in_with_provider(oidc_app.test_client()).status_code == 302
    leila = user_named(oidc_app, "leila")
    assert (leila["role"], leila["team"], leila["name"], leila["locale"]) == ("admin", "Sales", "Leila Ahmadi", "en")
    provider.person = LEILA | {"groups": []}
    assert sign_in_with_provider(oidc_app.test_client()).status_code == 302
    assert (user_named(oidc_app, "leila")["role"], user_named(oidc_app, "leila")["team"]) == ("agent", None)


def test_the_last_administrator_keeps_the_role_their_groups_no_longer_give(oidc_app, provider):
    provider.person = LEILA | {"groups": ["knowhow-admins"]}
    assert sign_in_with_provider(oidc_app.test_client()).status_code == 302
    provider.person = LEILA | {"groups": []}
    assert sign_in_with_provider(oidc_app.test_client()).status_code == 302
    assert user_named(oidc_app, "leila")["role"] == "admin"


def test_groups_missing_from_the_id_token_are_read_from_userinfo(oidc_app, provider):
    provider.person, provider.groups_in_id_token = LEILA | {"groups": ["knowhow-admins"]}, False
    assert sign_in_with_provider(oidc_app.test_client()).status_code == 302
    assert user_named(oidc_app, "leila")["role"] == "admin"
    assert ("userinfo", {"known": True}) in provider.requests


def test_a_state_that_is_not_the_one_sent_is_refused(oidc_app, provider):
    provider.person = LEILA
    client = oidc_app.test_client()
    response = come_back(client, go_to_provider(client), state="forged-state")
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")
    assert NOT_COMPLETED in client.get(response.headers["Location"]).get_data(as_text=True)
    assert user_named(oidc_app, "leila") is None
    assert not any(name == "token" for name, _params in provider.requests)  # the code was never used


def test_a_callback_the_browser_did_not_start_is_refused(oidc_app, provider):
    provider.person = LEILA
    callback = go_to_provider(oidc_app.test_client())  # someone else's code and state
    victim = oidc_app.test_client()
    response = come_back(victim, callback)
    assert NOT_COMPLETED in victim.get(response.headers["Location"]).get_data(as_text=True)
    assert victim.get("/account").status_code == 302


def test_an_id_token_with_a_bad_signature_is_refused(oidc_app, provider, caplog):
    provider.person = LEILA
    provider.forge_signatures()
    client = oidc_app.test_client()
    with caplog.at_level(logging.WARNING, logger="accounts.external.oidc"):
        response = sign_in_with_provider(client)
    assert NOT_COMPLETED in client.get(response.headers["Location"]).get_data(as_text=True)
    assert "BadSignature" in caplog.text
    assert user_named(oidc_app, "leila") is None


def test_a_callback_used_twice_signs_in_once(oidc_app, provider):
    provider.person = LEILA
    client = oidc_app.test_client()
    callback = go_to_provider(client)
    assert come_back(client, callback).status_code == 302
    client.post("/logout")
    replay = come_back(client, callback)  # its state was used up by the first
    assert NOT_COMPLETED in client.get(replay.headers["Location"]).get_data(as_text=True)
    assert client.get("/account").status_code == 302


def test_the_provider_saying_no_is_refused_clearly(oidc_app, provider):
    provider.person = LEILA
    client = oidc_app.test_client()
    callback = go_to_provider(client)
    state = parse_qs(callback.query)["state"][0]
    response = client.get(callback.path + "?" + urlencode({"error": "access_denied", "state": state}))
    assert NOT_COMPLETED in client.get(response.headers["Location"]).get_data(as_text=True)


def test_a_provider_that_is_down_gives_a_clear_message(oidc_app):
    oidc_app.config["OIDC_ISSUER"] = "http://127.0.0.1:%d" % free_port()
    client = oidc_app.test_client()
    response = client.get("/login/oidc?next=/account")
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")
    page = client.get(response.headers["Location"])
    assert page.status_code == 200 and PROVIDER_DOWN in page.get_data(as_text=True)


def test_a_discovery_document_of_another_issuer_is_refused(oidc_app, provider):
    oidc_app.config["OIDC_ISSUER"] = provider.issuer.replace("127.0.0.1", "localhost")
    client = oidc_app.test_client()
    response = client.get("/login/oidc")
    assert PROVIDER_DOWN in client.get(response.headers["Location"]).get_data(as_text=True)


def test_a_local_account_of_the_same_username_is_not_taken_over(oidc_app, provider):
    with oidc_app.app_context():
        make_user("leila", role="agent", display_name="Leila Local")
    provider.person = LEILA
    client = oidc_app.test_client()
    response = sign_in_with_provider(client)
    assert "already exists and signs in another way" in client.get(response.headers["Location"]).get_data(as_text=True)
    assert client.get("/account").status_code == 302
    assert user_named(oidc_app, "leila")["source"] == "local"


def test_an_e_mail_shaped_username_keeps_the_part_before_the_at(oidc_app, provider):
    provider.person = {"sub": "entra-77", "preferred_username": "Nok.S@contoso.example", "name": "Nok"}
    assert sign_in_with_provider(oidc_app.test_client()).status_code == 302
    assert user_named(oidc_app, "nok.s")["role"] == "agent"


@pytest.mark.parametrize("subject", ["a\x00b", "x" * 256])
def test_a_subject_no_database_can_hold_is_refused(oidc_app, provider, subject):
    provider.person = LEILA | {"sub": subject}
    client = oidc_app.test_client()
    response = sign_in_with_provider(client)
    assert NOT_COMPLETED in client.get(response.headers["Location"]).get_data(as_text=True)
    assert user_named(oidc_app, "leila") is None


def test_the_sign_in_page_offers_the_provider(oidc_app):
    page = oidc_app.test_client().get("/login?next=/kb").get_data(as_text=True)
    assert "Sign in with <bdi>Example SSO</bdi>" in page
    assert 'href="/login/oidc?next=/kb"' in page


def test_sign_out_ends_the_session_and_offers_the_providers_sign_out(oidc_app, provider):
    provider.person = LEILA
    client = oidc_app.test_client()
    sign_in_with_provider(client)
    response = client.post("/logout")
    assert response.status_code == 302
    assert client.get("/account").status_code == 302
    page = client.get("/login").get_data(as_text=True)
    assert "Sign out there too" in page
    link = urlsplit(page.split('href="' + provider.issuer + "/logout", 1)[1].split('"', 1)[0].replace("&amp;", "&"))
    assert parse_qs(link.query)["client_id"] == [CLIENT_ID]
    assert parse_qs(link.query)["post_logout_redirect_uri"] == ["http://localhost/login"]


def test_a_password_sign_out_offers_no_providers_sign_out(oidc_app):
    with oidc_app.app_context():
        make_user("agnes")
    client = oidc_app.test_client()
    client.post("/login", data={"username": "agnes", "password": DEMO_PASSWORD})
    client.post("/logout")
    assert "Sign out there too" not in client.get("/login").get_data(as_text=True)


def test_without_a_provider_its_pages_do_not_exist(client):
    assert client.get("/login/oidc").status_code == 404
    assert client.get("/login/oidc/callback?code=x&state=y").status_code == 404


# --- local passwords off ---------------------------------------------------------------------

@pytest.fixture
def passwords_off(oidc_app):
    oidc_app.config.update(LOCAL_LOGIN=False, BREAK_GLASS_USERS=frozenset({"root"}))
    with oidc_app.app_context():
        make_user("root", role="admin")
        make_user("agnes", role="agent")
    return oidc_app


def test_local_passwords_off_are_refused_on_the_server(passwords_off):
    client = passwords_off.test_client()
    response = client.post("/login", data={"username": "agnes", "password": DEMO_PASSWORD})
    assert response.status_code == 200
    assert "Signing in with a Knowhow password is turned off" in response.get_data(as_text=True)
    assert client.get("/account").status_code == 302


def test_the_break_glass_admin_still_signs_in_with_a_password(passwords_off):
    client = passwords_off.test_client()
    page = client.get("/login").get_data(as_text=True)
    assert "Administrator sign-in with a password" in page
    assert client.post("/login", data={"username": "ROOT", "password": DEMO_PASSWORD}).status_code == 302
    assert client.get("/account").status_code == 200
