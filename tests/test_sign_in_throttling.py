"""Sign-in throttling (accounts/throttling.py) and the client address behind trusted proxies.

Each request comes from the address its test gives (REMOTE_ADDR). Time is frozen (time-machine),
so the delays only pass when a test moves the clock.
"""
from datetime import timedelta

import pytest
import time_machine
from flask import request as flask_request

from accounts import throttling
from app import create_app
from tests.conftest import DEMO_PASSWORD, FROZEN_NOW, app_settings
from tests.factories import make_user

OFFICE = "192.0.2.10"  # the contact centre's NAT, or the one proxy everyone comes through
ELSEWHERE = "198.51.100.7"


@pytest.fixture
def frozen():
    """Time stands still at FROZEN_NOW until the test moves it (`frozen.shift(seconds)`)."""
    with time_machine.travel(FROZEN_NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def people(app):
    with app.app_context():
        for username, role in (("admin", "admin"), ("colleague", "agent"), ("victim", "agent"),
                               ("mallory", "agent")):
            make_user(username, role=role)


def sign_in(client, username, password, address):
    return client.post("/login", data={"username": username, "password": password},
                       environ_base={"REMOTE_ADDR": address})


def attempts(client, username, address_of, count, password="not-the-password"):
    """Statuses of `count` sign-ins with a wrong password, the i-th from address_of(i)."""
    return [sign_in(client, username, password, address_of(i)).status_code for i in range(count)]


# --- the client's address ------------------------------------------------------------------

@pytest.fixture(params=[0, 1, 2], ids=["no proxy", "one proxy", "two proxies"])
def address_app(request, tmp_path):
    """An application trusting `request.param` proxies, with a page that shows the client address."""
    application = create_app(app_settings(tmp_path, "sqlite:///" + str(tmp_path / "unused.db"),
                                          TRUSTED_PROXIES=request.param))
    application.add_url_rule("/client-address", "client_address", lambda: flask_request.remote_addr)
    return application


def test_client_address_comes_from_the_trusted_proxies_only(address_app):
    forwarded = {"X-Forwarded-For": "6.6.6.6, 203.0.113.5, 10.0.0.2"}
    response = address_app.test_client().get("/client-address", headers=forwarded,
                                             environ_base={"REMOTE_ADDR": "10.0.0.1"})
    trusted = address_app.config["TRUSTED_PROXIES"]
    # Each trusted proxy appended the address it saw; a forged left part is never believed.
    assert response.get_data(as_text=True) == {0: "10.0.0.1", 1: "10.0.0.2", 2: "203.0.113.5"}[trusted]


def test_forged_forwarded_for_does_not_escape_the_limits(app, client, people, frozen):
    app.config["LOGIN_LIMIT_PER_USER_ADDRESS"] = "3 per minute"
    for n in range(3):
        response = client.post("/login", data={"username": "victim", "password": "wrong-password"},
                               headers={"X-Forwarded-For": "203.0.113.%d" % n},
                               environ_base={"REMOTE_ADDR": ELSEWHERE})
        assert response.status_code == 200
    forged = client.post("/login", data={"username": "victim", "password": DEMO_PASSWORD},
                         headers={"X-Forwarded-For": "203.0.113.99"}, environ_base={"REMOTE_ADDR": ELSEWHERE})
    assert forged.status_code == 429


# --- per (username, address) and per address -------------------------------------------------

def test_colleague_behind_the_same_proxy_signs_in_while_an_attacker_hammers(app, client, people,
                                                                            frozen):
    hammering = [sign_in(client, username, "wrong-password", OFFICE).status_code
                 for _ in range(40) for username in ("victim", "mallory")]
    # Five password checks per username, then each waits (the slowdown; the clock stands still).
    assert hammering.count(200) == 10 and hammering.count(429) == 70
    assert sign_in(app.test_client(), "colleague", DEMO_PASSWORD, OFFICE).status_code == 302


def test_pair_limit_holds_where_the_slowdown_does_not(app, client, people, frozen):
    # The attacker signed in as themselves from the office: their own account is no way round.
    assert sign_in(app.test_client(), "mallory", DEMO_PASSWORD, OFFICE).status_code == 302
    statuses = attempts(client, "mallory", lambda i: OFFICE, 30)
    assert statuses == [200] * 10 + [429] * 20  # ten a minute per (username, address)
    assert sign_in(app.test_client(), "colleague", DEMO_PASSWORD, OFFICE).status_code == 302


def test_pair_limit_lifts_after_its_window(app, client, people, frozen):
    app.config["LOGIN_SLOWDOWN_AFTER"] = 100
    attempts(client, "victim", lambda i: OFFICE, 10)
    assert sign_in(client, "victim", DEMO_PASSWORD, OFFICE).status_code == 429
    frozen.shift(timedelta(seconds=61))
    assert sign_in(client, "victim", DEMO_PASSWORD, OFFICE).status_code == 302


def test_familiar_colleague_is_not_held_up_when_an_attacker_uses_up_the_address(app, client, people,
                                                                               frozen):
    app.config["LOGIN_LIMIT_PER_ADDRESS"] = "30 per minute"
    assert sign_in(app.test_client(), "colleague", DEMO_PASSWORD, OFFICE).status_code == 302
    statuses = [sign_in(client, "guess%d" % n, "wrong-password", OFFICE).status_code for n in range(40)]
    assert statuses.count(200) == 30 and statuses.count(429) == 10
    assert sign_in(app.test_client(), "colleague", DEMO_PASSWORD, OFFICE).status_code == 302
    # Someone who never signed in from there waits for the address's window, like the attacker.
    assert sign_in(app.test_client(), "victim", DEMO_PASSWORD, OFFICE).status_code == 429


def test_successful_sign_ins_use_up_nothing(app, people, frozen):
    for _ in range(15):
        client = app.test_client()
        assert sign_in(client, "colleague", DEMO_PASSWORD, OFFICE).status_code == 302


# --- per username: the slowdown --------------------------------------------------------------

def test_admin_is_not_locked_out_from_their_usual_address(app, client, people, frozen):
    assert sign_in(app.test_client(), "admin", DEMO_PASSWORD, OFFICE).status_code == 302
    botnet = attempts(client, "admin", lambda i: "2001:db8::%x" % i, 100)
    # Five password checks, then the username waits before the next one: the attacker is slowed.
    assert botnet.count(200) == 5 and botnet.count(429) == 95
    with app.app_context():  # a thousand more wrong passwords against admin, each from elsewhere
        for n in range(1000):
            throttling.record_failed_sign_in("admin", "2001:db8:1::%x" % n)
    assert sign_in(app.test_client(), "admin", DEMO_PASSWORD, OFFICE).status_code == 302
    from_elsewhere = sign_in(app.test_client(), "admin", DEMO_PASSWORD, ELSEWHERE)
    assert from_elsewhere.status_code == 429
    assert from_elsewhere.headers["Retry-After"] == "300"  # the longest delay (LOGIN_SLOWDOWN_MAX_SECONDS)


def test_slowdown_refuses_even_the_right_password_from_an_unfamiliar_address(app, client, people, frozen):
    attempts(client, "admin", lambda i: "203.0.113.%d" % i, 5)
    refused = sign_in(app.test_client(), "admin", DEMO_PASSWORD, ELSEWHERE)
    assert refused.status_code == 429  # no password is checked while the username waits


def test_slowdown_grows_with_each_further_failure(client, people, frozen):
    addresses = iter("203.0.113.%d" % n for n in range(100))
    for _ in range(5):
        assert sign_in(client, "victim", "wrong-password", next(addresses)).status_code == 200
    waits = []
    for _ in range(5):
        refused = sign_in(client, "victim", "wrong-password", next(addresses))
        assert refused.status_code == 429
        waits.append(int(refused.headers["Retry-After"]))
        frozen.shift(timedelta(seconds=waits[-1]))
        assert sign_in(client, "victim", "wrong-password", next(addresses)).status_code == 200
    assert waits == [1, 2, 4, 8, 16]


def test_slowdown_is_capped_and_ends_with_its_window(app, client, people, frozen):
    app.config["LOGIN_SLOWDOWN_MAX_SECONDS"] = 3
    addresses = iter("203.0.113.%d" % n for n in range(100))
    for _ in range(12):
        assert sign_in(client, "victim", "wrong-password", next(addresses)).status_code == 200
        frozen.shift(timedelta(seconds=5))
    sign_in(client, "victim", "wrong-password", next(addresses))
    assert sign_in(client, "victim", "wrong-password", next(addresses)).headers["Retry-After"] == "3"
    frozen.shift(timedelta(minutes=61))
    statuses = attempts(client, "victim", lambda i: next(addresses), 5)
    assert statuses == [200] * 5  # a new window: five checks before the delays start again


def test_unknown_usernames_are_answered_like_known_ones(client, people, frozen):
    known = attempts(client, "victim", lambda i: "203.0.113.%d" % i, 8)
    unknown = attempts(client, "nobody-here", lambda i: "203.0.113.%d" % i, 8)
    assert known == unknown == [200] * 5 + [429] * 3


def test_an_address_stops_being_familiar_after_the_configured_days(app, client, people, frozen):
    assert sign_in(app.test_client(), "admin", DEMO_PASSWORD, OFFICE).status_code == 302
    frozen.shift(timedelta(days=91))
    attempts(client, "admin", lambda i: "203.0.113.%d" % i, 5)
    assert sign_in(app.test_client(), "admin", DEMO_PASSWORD, OFFICE).status_code == 429


# --- what the person sees ----------------------------------------------------------------------

def test_refusal_is_a_message_on_the_sign_in_form(app, client, people, frozen):
    app.config["LOGIN_SLOWDOWN_AFTER"] = 100
    attempts(client, "victim", lambda i: OFFICE, 10)
    refused = sign_in(client, "victim", DEMO_PASSWORD, OFFICE)
    page = refused.get_data(as_text=True)
    assert refused.status_code == 429
    assert 'name="username"' in page and 'value="victim"' in page
    assert "Too many failed sign-ins. Try again in 60 seconds." in page
    assert refused.headers["Retry-After"] == "60"


@pytest.mark.parametrize("username", [b"ad%00min", b"%ED%A0%80", b"a" * 64, b"admin%E2%80%AE", b"%FF%FE"])
def test_any_username_gets_an_answer_not_an_error(client, people, frozen, username):
    body = b"username=" + username + b"&password=wrong-password"
    for _ in range(7):
        response = client.post("/login", data=body, content_type="application/x-www-form-urlencoded",
                               environ_base={"REMOTE_ADDR": OFFICE})
        assert response.status_code in (200, 429)
