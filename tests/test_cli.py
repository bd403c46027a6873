"""The stable CLI commands of SPEC section 5."""
from accounts import services
from extensions import db
from tests.factories import bearer


def test_create_user_reads_password_from_stdin(app, runner):
    result = runner.invoke(args=["create-user", "Nadia", "--role", "lead", "--name", "Nadia N",
                                 "--team", "Dubai", "--locale", "ar"], input="s3cret-pass\n")
    assert result.exit_code == 0, result.output
    with app.app_context():
        user = services.get_user("nadia")
        assert user.role == "lead" and user.team.name == "Dubai" and user.check_password("s3cret-pass")


def test_create_user_with_taken_name_fails_cleanly(app, runner):
    runner.invoke(args=["create-user", "dup"], input="s3cret-pass\n")
    result = runner.invoke(args=["create-user", "dup"], input="other-pass\n")
    assert result.exit_code == 1
    assert "taken" in result.output


def test_create_user_with_short_password_fails(app, runner):
    result = runner.invoke(args=["create-user", "shorty"], input="abc\n")
    assert result.exit_code == 1
    with app.app_context():
        assert services.get_user("shorty") is None


def test_create_user_rejects_unknown_role(runner):
    result = runner.invoke(args=["create-user", "x1", "--role", "king"], input="s3cret-pass\n")
    assert result.exit_code == 2


def test_api_token_prints_only_a_working_token(app, runner, client):
    runner.invoke(args=["create-user", "tok"], input="s3cret-pass\n")
    result = runner.invoke(args=["api-token", "tok"])
    assert result.exit_code == 0
    token = result.output.strip()
    assert "\n" not in token and token.startswith("kh_")
    assert client.get("/api/v1/users/tok", headers=bearer(token)).status_code == 200
    with app.app_context():
        stored = db.session.execute(db.text("SELECT token_hash FROM api_token")).scalar()
        assert stored != token


def test_api_token_for_unknown_user_fails(runner):
    result = runner.invoke(args=["api-token", "ghost"])
    assert result.exit_code == 1


def test_demo_data_is_idempotent(app, runner, clock):
    # The demo is generated from the day it is loaded on; on some days the first run failed.
    app.config["DEMO_CONTACTS"] = 3000  # the full year is exercised by test_resolution_demo
    first = runner.invoke(args=["demo-data"])
    assert first.exit_code == 0, first.output
    second = runner.invoke(args=["demo-data"])
    assert second.exit_code == 0
    assert "0 created" in second.output
    with app.app_context():
        assert services.get_user("leila").team.lead.username == "leila"
