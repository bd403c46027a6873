"""API tokens: named, listed and revoked one by one, expiring, and ended with the access they
were given under (password change, deactivation, role change)."""
import re
from datetime import timedelta

import pytest

from accounts import services
from accounts.models import ApiToken
from errors import Conflict, Invalid, NotFound
from extensions import db
from tests.conftest import DEMO_PASSWORD
from tests.factories import bearer, flush_reads, make_user

PROFILE = "/api/v1/users/agent"


@pytest.fixture
def agent(app):
    with app.app_context():
        make_user("agent")
        make_user("admin", role="admin")
    return "agent"


def new_token(app, username="agent", label=None, **kw):
    with app.app_context():
        token = services.issue_api_token(services.get_user(username), label, **kw)
        db.session.commit()
    return token


def works(client, token):
    status = client.get(PROFILE, headers=bearer(token)).status_code
    assert status in (200, 401)
    return status == 200


def token_row(app, label, username="agent"):
    with app.app_context():
        user = services.get_user(username)
        return db.session.scalar(db.select(ApiToken).where(ApiToken.user_id == user.id,
                                                           ApiToken.label == label))


# --- names ------------------------------------------------------------------------------------

def test_token_names_are_unique_per_user_among_live_tokens(ctx, agent):
    user = services.get_user("agent")
    services.issue_api_token(user, "ticket sync")
    with pytest.raises(Conflict):
        services.issue_api_token(user, "ticket sync")
    services.issue_api_token(services.get_user("admin"), "ticket sync")  # another user's is no clash
    services.revoke_api_token(services.api_tokens(user)[0].id, owner=user)
    services.issue_api_token(user, "ticket sync")  # a revoked name is free again
    assert [t.label for t in services.api_tokens(user)] == ["ticket sync"]


@pytest.mark.parametrize("label", ["", "   ", "\u200b\u200b", "x" * 81])
def test_token_needs_a_visible_name_of_reasonable_length(ctx, agent, label):
    with pytest.raises(Invalid):
        services.issue_api_token(services.get_user("agent"), label)


def test_unnamed_tokens_get_the_next_free_cli_name(ctx, agent):
    user = services.get_user("agent")
    for _ in range(3):
        services.issue_api_token(user)
    assert sorted(t.label for t in services.api_tokens(user)) == ["cli", "cli 2", "cli 3"]


def test_only_the_hash_is_stored(ctx, agent):
    token = services.issue_api_token(services.get_user("agent"), "hash check")
    stored = db.session.scalars(db.select(ApiToken.token_hash)).all()
    assert token not in stored and all(len(value) == 64 for value in stored)


# --- expiry and last use --------------------------------------------------------------------

def test_expired_token_is_refused_with_401(app, client, agent, clock):
    token = new_token(app, label="short", expires_in_days=1)
    assert works(client, token)
    clock.shift(timedelta(days=1, seconds=1))
    response = client.get(PROFILE, headers=bearer(token))
    assert response.status_code == 401
    assert response.get_json()["error"]["code"] == "unauthorized"


def test_last_use_is_written_at_most_once_a_minute(app, client, agent, clock):
    token = new_token(app, label="reader")
    assert token_row(app, "reader").last_used_at is None
    assert works(client, token)
    assert token_row(app, "reader").last_used_at is None  # buffered: the request wrote nothing
    flush_reads(app)
    first = token_row(app, "reader").last_used_at
    assert first is not None
    clock.shift(timedelta(seconds=30))
    assert works(client, token)
    assert flush_reads(app) == 0  # nothing to write within the minute
    assert token_row(app, "reader").last_used_at == first
    clock.shift(timedelta(seconds=31))
    assert works(client, token)
    flush_reads(app)
    assert token_row(app, "reader").last_used_at > first


# --- the account page -----------------------------------------------------------------------

def test_created_token_is_shown_once_and_works(app, client, auth, agent):
    auth.login()
    created = client.post("/account/tokens", data={"label": "ticket sync", "expires": "30"})
    page = created.get_data(as_text=True)
    assert created.status_code == 200
    token = re.search(r'<code class="token-secret" dir="ltr">(kh_[^<]+)</code>', page).group(1)
    assert works(client, token)
    listing = client.get("/account/tokens").get_data(as_text=True)
    assert "ticket sync" in listing and token not in listing
    assert token_row(app, "ticket sync").expires_at is not None


def test_taken_name_is_a_form_error(app, client, auth, agent):
    new_token(app, label="ticket sync")
    auth.login()
    response = client.post("/account/tokens", data={"label": "ticket sync", "expires": ""})
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "You already have a token called ticket sync." in page
    assert "token-secret" not in page


def test_tokens_are_revoked_one_by_one(app, client, auth, agent):
    kept, revoked = new_token(app, label="kept"), new_token(app, label="revoked")
    auth.login()
    response = client.post("/account/tokens/%d/revoke" % token_row(app, "revoked").id)
    assert response.status_code == 302
    assert not works(client, revoked) and works(client, kept)
    listing = client.get("/account/tokens").get_data(as_text=True)
    assert "kept" in listing and ">revoked<" not in listing


@pytest.mark.parametrize("token_id", ["other", "99999", "99999999999999999999"])
def test_another_users_or_an_unknown_token_cannot_be_revoked(app, client, auth, agent, token_id):
    theirs = new_token(app, "admin", label="admin script")
    if token_id == "other":
        token_id = str(token_row(app, "admin script", "admin").id)
    auth.login()
    assert client.post("/account/tokens/%s/revoke" % token_id).status_code == 404
    assert client.get("/api/v1/users/admin", headers=bearer(theirs)).status_code == 200


def test_revoking_needs_the_csrf_token(csrf_app, agent):
    token = new_token(csrf_app, label="ci")
    client = csrf_app.test_client()
    page = client.get("/login").get_data(as_text=True)
    csrf = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    client.post("/login", data={"username": "agent", "password": DEMO_PASSWORD, "csrf_token": csrf})
    token_id = token_row(csrf_app, "ci").id
    assert client.post("/account/tokens/%d/revoke" % token_id).status_code == 400
    assert works(client, token)
    page = client.get("/account/tokens").get_data(as_text=True)
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    assert client.post("/account/tokens/%d/revoke" % token_id, data={"csrf_token": csrf}).status_code == 302
    assert not works(client, token)


def test_tokens_page_needs_sign_in(client):
    assert client.get("/account/tokens").status_code == 302


# --- what ends them all ---------------------------------------------------------------------

def test_own_password_change_ends_tokens_and_other_sessions_but_this_one(app, client, auth, agent):
    token = new_token(app, label="ci")
    other = app.test_client()
    other.post("/login", data={"username": "agent", "password": DEMO_PASSWORD})
    auth.login()
    response = client.post("/account/password", data={"current_password": DEMO_PASSWORD,
                                                       "new_password": "a-new-password-1"})
    assert response.status_code == 302
    assert not works(client, token)
    assert client.get("/account").status_code == 200
    assert other.get("/account").status_code == 302


def admin_edit(app, changes):
    """The admin's client after saving the agent's edit page with `changes`."""
    admin = app.test_client()
    admin.post("/login", data={"username": "admin", "password": DEMO_PASSWORD})
    form = {"username": "agent", "display_name": "", "email": "", "role": "agent", "team": "",
            "locale": "en", "password": "", "active": "y"}
    form.update(changes)
    assert admin.post("/admin/users/agent/edit", data=form).status_code == 302
    return admin


@pytest.mark.parametrize("changes", [{"password": "set-by-the-admin"}, {"role": "lead"},
                                     {"active": ""}], ids=["password", "role", "deactivation"])
def test_admin_changes_end_all_tokens_and_sessions(app, client, auth, agent, changes):
    token = new_token(app, label="ci")
    auth.login()
    admin_edit(app, changes)
    assert not works(client, token)
    assert client.get("/account").status_code == 302


def test_an_unchanged_role_ends_nothing(app, client, auth, agent):
    token = new_token(app, label="ci")
    auth.login()
    admin_edit(app, {"display_name": "Agnes"})
    assert works(client, token)
    assert client.get("/account").status_code == 200


# --- the CLI ----------------------------------------------------------------------------------

def test_cli_creates_named_expiring_tokens_lists_and_revokes_them(app, runner, client, agent):
    created = runner.invoke(args=["api-token", "agent", "--name", "nightly export", "--expires", "30"])
    assert created.exit_code == 0, created.output
    token = created.output.strip()
    assert works(client, token)
    listing = runner.invoke(args=["api-token", "--list", "agent"])
    assert listing.exit_code == 0 and "nightly export" in listing.output and token not in listing.output
    token_id = token_row(app, "nightly export").id
    revoked = runner.invoke(args=["api-token", "--revoke", str(token_id)])
    assert revoked.exit_code == 0 and "nightly export" in revoked.output
    assert not works(client, token)
    again = runner.invoke(args=["api-token", "--revoke", str(token_id)])
    assert again.exit_code == 1


def test_cli_without_a_name_keeps_working_as_before(runner, client, agent):
    first = runner.invoke(args=["api-token", "agent"]).output.strip()
    second = runner.invoke(args=["api-token", "agent", "--label", "cli"])  # the old option
    assert second.exit_code == 1 and "already have a token called cli" in second.output
    third = runner.invoke(args=["api-token", "agent"]).output.strip()
    assert works(client, first) and works(client, third) and first != third


@pytest.mark.parametrize("args", [["api-token", "--revoke", "99999999999999999999"],
                                  ["api-token", "agent", "--name", " "],
                                  ["api-token", "ghost", "--list"]])
def test_cli_refuses_bad_input_cleanly(runner, agent, args):
    result = runner.invoke(args=args)
    assert result.exit_code == 1 and result.output.startswith("Error:")


def test_cli_needs_a_username_unless_revoking(runner):
    assert runner.invoke(args=["api-token", "--list"]).exit_code == 2


def test_revoke_service_ignores_ids_beyond_the_database(ctx, agent):
    with pytest.raises(NotFound):
        services.revoke_api_token(2**63)


def test_tokens_page_shows_names_isolated_in_a_right_to_left_page(app, client, auth, agent):
    new_token(app, label="همگام‌سازی تیکت", expires_in_days=30)
    auth.login()
    client.post("/language", data={"locale": "fa"})
    page = client.get("/account/tokens").get_data(as_text=True)
    assert 'dir="rtl"' in page
    assert "<bdi>همگام‌سازی تیکت</bdi>" in page


def test_admin_sees_and_revokes_one_token_of_a_user(app, agent):
    kept, revoked = new_token(app, label="kept"), new_token(app, label="gone")
    admin = app.test_client()
    admin.post("/login", data={"username": "admin", "password": DEMO_PASSWORD})
    page = admin.get("/admin/users/agent/edit").get_data(as_text=True)
    assert "<bdi>kept</bdi>" in page and "<bdi>gone</bdi>" in page
    token_id = token_row(app, "gone").id
    assert admin.post("/admin/users/agent/tokens/%d/revoke" % token_id).status_code == 302
    assert not works(admin, revoked) and works(admin, kept)


def test_only_admins_revoke_other_peoples_tokens(app, client, auth, agent):
    theirs = new_token(app, "admin", label="admin script")
    auth.login()
    token_id = token_row(app, "admin script", "admin").id
    assert client.post("/admin/users/admin/tokens/%d/revoke" % token_id).status_code == 403
    assert client.get("/api/v1/users/admin", headers=bearer(theirs)).status_code == 200
