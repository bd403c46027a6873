"""Company sign-in without a server: the group maps and their checks at start, how groups become a
role and a team, usernames and languages from a provider, and handing an account over
(the sign-ins themselves: test_ldap_sign_in.py and test_oidc_sign_in.py)."""
import pytest
from sqlalchemy import select

from accounts.external.groups import role_for, team_for
from accounts.external.provisioning import knowhow_locale, knowhow_username
from accounts.models import ApiToken, AuditEntry
from accounts.services import get_user
from app import create_app
from config import parse_group_map
from extensions import db
from tests.conftest import DEMO_PASSWORD, app_settings
from tests.factories import make_token, make_user

ADMINS_DN = "cn=knowhow-admins,ou=groups,dc=example,dc=org"


def test_a_role_map_is_group_equals_role_separated_by_commas():
    assert parse_group_map(" knowhow-admins=admin, knowhow-leads = lead ,", "X", roles=True) == (
        ("knowhow-admins", "admin"), ("knowhow-leads", "lead"))


def test_groups_written_as_dns_are_separated_by_semicolons():
    assert parse_group_map("%s=admin; cn=leads,dc=example,dc=org=lead" % ADMINS_DN, "X", roles=True) == (
        (ADMINS_DN, "admin"), ("cn=leads,dc=example,dc=org", "lead"))


def test_a_team_map_keeps_team_names_as_written():
    assert parse_group_map("billing=Billing & Refunds,sales=Sales", "X") == (
        ("billing", "Billing & Refunds"), ("sales", "Sales"))


@pytest.mark.parametrize("value, says", [
    ("knowhow-admins=root", "'root', which is no role"),
    ("knowhow-admins", "is not group=role"),
    ("=admin", "is not group=role"),
    (ADMINS_DN + "=admin", "which is no role (choose agent, lead, admin; separate entries with semicolons"),
])
def test_a_bad_role_map_is_refused_with_what_is_wrong(value, says):
    with pytest.raises(ValueError, match="KNOWHOW_OIDC_ROLE_MAP") as refusal:
        parse_group_map(value, "KNOWHOW_OIDC_ROLE_MAP", roles=True)
    assert says in str(refusal.value)


def test_a_bad_map_in_the_environment_stops_the_start(tmp_path, monkeypatch):
    monkeypatch.setenv("KNOWHOW_LDAP_ROLE_MAP", "knowhow-admins=superuser")
    with pytest.raises(ValueError, match="KNOWHOW_LDAP_ROLE_MAP: .*superuser"):
        create_app({"INSTANCE_PATH": str(tmp_path)})


@pytest.mark.parametrize("settings, says", [
    ({"OIDC_ISSUER": "https://id.example.com"}, "KNOWHOW_OIDC_CLIENT_ID must be"),
    ({"OIDC_ISSUER": "id.example.com", "OIDC_CLIENT_ID": "k"}, "the provider's URL"),
    ({"LDAP_URL": "ldap://dc1"}, "KNOWHOW_LDAP_BASE_DN must be"),
    ({"LDAP_URL": "dc1:389", "LDAP_BASE_DN": "dc=x"}, "must start with ldap:// or ldaps://"),
    ({"LDAP_URL": "ldap://dc1", "LDAP_BASE_DN": "dc=x", "LDAP_USER_FILTER": "(uid=*)"}, "{username}"),
    ({"LDAP_URL": "ldap://dc1", "LDAP_BASE_DN": "dc=x", "LDAP_CA_FILE": "/nowhere/ca.pem"}, "no such file"),
    ({"LOCAL_LOGIN": False}, "KNOWHOW_LOCAL_LOGIN=off needs"),
])
def test_settings_that_cannot_work_stop_the_start(tmp_path, settings, says):
    with pytest.raises(ValueError, match="Company sign-in settings") as refusal:
        create_app(app_settings(tmp_path, "sqlite:///" + str(tmp_path / "unused.db"), **settings))
    assert says in str(refusal.value)


ROLES = (("knowhow-admins", "admin"), ("knowhow-leads", "lead"))


@pytest.mark.parametrize("groups, role", [
    (["knowhow-leads"], "lead"),
    (["KNOWHOW-LEADS", "knowhow-admins"], "admin"),  # the highest, whatever the case
    ([ADMINS_DN], "admin"),  # a DN matches its common name
    (["/org/knowhow-leads"], "lead"),  # a Keycloak group path matches its last segment
    (["everyone"], "agent"),
    ([], "agent"),
])
def test_groups_give_the_highest_mapped_role(groups, role):
    assert role_for(groups, ROLES) == role


def test_a_map_entry_written_as_a_dn_matches_that_dn_only():
    role_map = ((ADMINS_DN, "admin"),)
    assert role_for([ADMINS_DN.upper()], role_map) == "admin"
    assert role_for(["cn=knowhow-admins,ou=elsewhere,dc=example,dc=org"], role_map) == "agent"
    assert role_for(["knowhow-admins"], role_map) == "agent"


def test_without_maps_role_and_team_are_left_to_knowhow():
    assert role_for(["knowhow-admins"], ()) is None
    assert team_for(["billing"], ()) is None


def test_the_first_matching_team_wins_and_none_matching_means_no_team():
    teams = (("billing", "Billing"), ("sales", "Sales"))
    assert team_for(["sales", "billing"], teams) == "Billing"
    assert team_for(["support"], teams) == ""


@pytest.mark.parametrize("value, username", [
    ("Sara", "sara"), ("sara.k@contoso.example", "sara.k"), ("  nok_s ", "nok_s"),
    ("سارا", None), ("a", None), ("", None), ("x" * 65, None),
])
def test_usernames_from_a_provider(value, username):
    assert knowhow_username(value) == username


@pytest.mark.parametrize("value, locale", [("fa-IR", "fa"), ("th_TH", "th"), ("AR", "ar"), ("de", None), ("", None)])
def test_languages_from_a_provider(value, locale):
    assert knowhow_locale(value) == locale


def test_handing_an_account_over_removes_its_password_and_ends_its_access(app, runner):
    with app.app_context():
        make_token(make_user("sara"))
    result = runner.invoke(args=["set-sign-in-source", "sara", "oidc"])
    assert result.exit_code == 0, result.output
    assert "sara now signs in with oidc" in result.output
    with app.app_context():
        sara = get_user("sara")
        assert (sara.auth_source, sara.external_id, sara.password_hash) == ("oidc", None, None)
        assert db.session.scalar(select(ApiToken.revoked_at).where(ApiToken.user_id == sara.id)) is not None
        assert db.session.scalar(select(AuditEntry.summary).where(AuditEntry.action == "user.sign_in_source")) == (
            "sara: local -> oidc")
    assert app.test_client().post("/login", data={"username": "sara", "password": DEMO_PASSWORD}).status_code == 200


def test_handing_over_an_unknown_user_fails(runner):
    result = runner.invoke(args=["set-sign-in-source", "nobody", "ldap"])
    assert result.exit_code == 1
    assert "no user called nobody" in result.output
