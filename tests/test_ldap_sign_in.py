"""LDAP / Active Directory sign-in against a real slapd the tests start (tests/ldap_server.py):
service bind, user search, user bind, memberOf and group-search mapping, StartTLS and ldaps with
the certificate checked, a directory that is down or hangs, and the throttling of wrong passwords.
"""
import logging
import socket

import pytest
from sqlalchemy import select

from accounts.external.ldap import Directory
from accounts.models import User
from config import parse_group_map
from extensions import db
from tests.conftest import DEMO_PASSWORD
from tests.factories import make_user
from tests.ldap_server import SERVICE_DN, SERVICE_PASSWORD, SUFFIX, Slapd, free_port, make_ca, write_pem

PEOPLE = "ou=people," + SUFFIX
GROUPS = "ou=groups," + SUFFIX


def person(uid, name, password, mail=None, language=None):
    lines = ["dn: uid=%s,%s" % (uid, PEOPLE), "objectClass: inetOrgPerson", "uid: %s" % uid,
             "cn: %s" % name, "sn: %s" % name.split()[-1], "displayName: %s" % name,
             "userPassword: %s" % password]
    if mail:
        lines.append("mail: %s" % mail)
    if language:
        lines.append("preferredLanguage: %s" % language)
    return "\n".join(lines) + "\n"


def group(name, *uids):
    return "\n".join(["dn: cn=%s,%s" % (name, GROUPS), "objectClass: groupOfNames", "cn: %s" % name]
                     + ["member: uid=%s,%s" % (uid, PEOPLE) for uid in uids]) + "\n"


DIRECTORY = "\n".join([
    "dn: %s\nobjectClass: organizationalRole\nobjectClass: simpleSecurityObject\ncn: knowhow-service\n"
    "userPassword: %s\n" % (SERVICE_DN, SERVICE_PASSWORD),
    "dn: %s\nobjectClass: organizationalUnit\nou: people\n" % PEOPLE,
    "dn: %s\nobjectClass: organizationalUnit\nou: groups\n" % GROUPS,
    person("amir", "امیر رضایی", "amir-directory-pw", mail="amir@example.org", language="fa"),
    person("lena", "Lena Lead", "lena-directory-pw", mail="lena@example.org"),
    person("mover", "Mo Ver", "mover-directory-pw"),
    person("sara", "Sara Directory", "sara-directory-pw"),
    person("odd", "Odd Name", "odd-directory-pw"),
    group("knowhow-admins", "amir"),
    group("knowhow-leads", "lena"),
    group("billing-team", "lena", "mover"),
    group("everyone", "amir", "lena", "mover", "sara"),
])


@pytest.fixture(scope="module")
def slapd(tmp_path_factory):
    server = Slapd(tmp_path_factory.mktemp("slapd")).start(DIRECTORY)
    yield server
    server.stop()


@pytest.fixture
def ldap_app(app, slapd):
    """The application signing in against the test directory (StartTLS, the test CA)."""
    app.config.update({
        "LDAP_URL": slapd.url, "LDAP_STARTTLS": True, "LDAP_CA_FILE": slapd.ca_file,
        "LDAP_BIND_DN": SERVICE_DN, "LDAP_BIND_PASSWORD": SERVICE_PASSWORD, "LDAP_BASE_DN": SUFFIX,
        "LDAP_ROLE_MAP": (("knowhow-admins", "admin"), ("knowhow-leads", "lead")),
        "LDAP_TEAM_MAP": (("billing-team", "Billing"),),
        "LDAP_TIMEOUT_SECONDS": 3,
    })
    return app


def sign_in(client, username, password, address="192.0.2.50"):
    return client.post("/login", data={"username": username, "password": password},
                       environ_base={"REMOTE_ADDR": address})


def user_named(app, username):
    with app.app_context():
        user = db.session.scalar(select(User).where(User.username == username))
        return None if user is None else {
            "role": user.role, "team": user.team.name if user.team else None, "source": user.auth_source,
            "external_id": user.external_id, "name": user.display_name, "email": user.email,
            "locale": user.locale}


def test_first_sign_in_provisions_the_user_with_the_mapped_role(ldap_app):
    client = ldap_app.test_client()
    response = sign_in(client, "amir", "amir-directory-pw")
    assert response.status_code == 302
    amir = user_named(ldap_app, "amir")
    assert amir["role"] == "admin" and amir["source"] == "ldap"
    assert amir["name"] == "امیر رضایی" and amir["email"] == "amir@example.org" and amir["locale"] == "fa"
    assert len(amir["external_id"]) == 36  # slapd's entryUUID
    assert client.get("/account").status_code == 200


DIRECTORY_DOWN = "The company directory does not answer"


def test_the_mapped_team_and_lead_role_come_from_memberof(ldap_app):
    assert sign_in(ldap_app.test_client(), "lena", "lena-directory-pw").status_code == 302
    lena = user_named(ldap_app, "lena")
    assert (lena["role"], lena["team"], lena["locale"]) == ("lead", "Billing", "en")


def move_between_groups(uid, into, out_of):
    """LDIF that adds the person to one group and takes them out of another."""
    member = "member: uid=%s,%s\n" % (uid, PEOPLE)
    return ("dn: cn=%s,%s\nchangetype: modify\nadd: member\n%s\n" % (into, GROUPS, member)
            + "dn: cn=%s,%s\nchangetype: modify\ndelete: member\n%s" % (out_of, GROUPS, member))


def test_a_changed_group_changes_the_role_and_team_at_the_next_sign_in(ldap_app, slapd):
    assert sign_in(ldap_app.test_client(), "mover", "mover-directory-pw").status_code == 302
    assert (user_named(ldap_app, "mover")["role"], user_named(ldap_app, "mover")["team"]) == ("agent", "Billing")
    slapd.modify(move_between_groups("mover", into="knowhow-leads", out_of="billing-team"))
    try:
        assert sign_in(ldap_app.test_client(), "mover", "mover-directory-pw").status_code == 302
        after = user_named(ldap_app, "mover")
        assert (after["role"], after["team"]) == ("lead", None)
        assert after["external_id"] is not None
    finally:
        slapd.modify(move_between_groups("mover", into="billing-team", out_of="knowhow-leads"))


def test_a_wrong_password_is_the_usual_message_and_creates_no_one(ldap_app):
    response = sign_in(ldap_app.test_client(), "amir", "not-the-directory-pw")
    assert response.status_code == 200
    assert "Wrong username or password." in response.get_data(as_text=True)
    assert user_named(ldap_app, "amir") is None


def test_wrong_directory_passwords_are_throttled_as_local_ones(ldap_app):
    ldap_app.config["LOGIN_LIMIT_PER_USER_ADDRESS"] = "2 per minute"
    client = ldap_app.test_client()
    statuses = [sign_in(client, "amir", "guess-%d" % n).status_code for n in range(3)]
    assert statuses == [200, 200, 429]
    assert sign_in(client, "amir", "amir-directory-pw").status_code == 429  # not even the right one


@pytest.mark.parametrize("username", ["*", "amir)(uid=*", "nobody", "a\\2a"])
def test_filter_characters_and_unknown_names_find_no_one(ldap_app, username):
    response = sign_in(ldap_app.test_client(), username, "amir-directory-pw")
    assert "Wrong username or password." in response.get_data(as_text=True)


def test_an_empty_password_is_never_an_anonymous_bind(ldap_app):
    assert Directory(ldap_app.config).authenticate("amir", "") is None


def test_a_directory_that_is_down_gives_a_clear_message(ldap_app, caplog):
    ldap_app.config["LDAP_URL"] = "ldap://127.0.0.1:%d" % free_port()
    with caplog.at_level(logging.ERROR, logger="accounts.external.ldap"):
        response = sign_in(ldap_app.test_client(), "amir", "amir-directory-pw")
    assert response.status_code == 200
    assert DIRECTORY_DOWN in response.get_data(as_text=True)
    assert "127.0.0.1" in caplog.text  # the details for the administrator, in the log only
    assert "127.0.0.1" not in response.get_data(as_text=True)


def test_a_directory_that_hangs_times_out_with_the_same_message(ldap_app):
    with socket.socket() as silent:  # accepts connections (the backlog) and never answers
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)
        ldap_app.config.update(LDAP_URL="ldap://127.0.0.1:%d" % silent.getsockname()[1], LDAP_TIMEOUT_SECONDS=0.5)
        response = sign_in(ldap_app.test_client(), "amir", "amir-directory-pw")
    assert response.status_code == 200
    assert DIRECTORY_DOWN in response.get_data(as_text=True)


def test_a_certificate_of_another_ca_is_refused(ldap_app, tmp_path):
    _key, other_ca = make_ca("Someone else's CA")
    ldap_app.config["LDAP_CA_FILE"] = write_pem(tmp_path / "other-ca.pem", certificate=other_ca)
    response = sign_in(ldap_app.test_client(), "amir", "amir-directory-pw")
    assert DIRECTORY_DOWN in response.get_data(as_text=True)
    assert user_named(ldap_app, "amir") is None


def test_a_certificate_for_another_host_name_is_refused(ldap_app, slapd):
    ldap_app.config["LDAP_URL"] = slapd.url.replace("127.0.0.1", "localhost")  # the certificate names 127.0.0.1
    response = sign_in(ldap_app.test_client(), "amir", "amir-directory-pw")
    assert DIRECTORY_DOWN in response.get_data(as_text=True)


def test_ldaps_checks_the_certificate_and_signs_in(ldap_app, slapd):
    ldap_app.config.update(LDAP_URL=slapd.ldaps_url, LDAP_STARTTLS=False)
    assert sign_in(ldap_app.test_client(), "amir", "amir-directory-pw").status_code == 302
    assert user_named(ldap_app, "amir")["role"] == "admin"


def test_a_refused_service_account_gives_the_directory_message(ldap_app, caplog):
    ldap_app.config["LDAP_BIND_PASSWORD"] = "not-the-service-password"
    with caplog.at_level(logging.ERROR, logger="accounts.external.ldap"):
        response = sign_in(ldap_app.test_client(), "amir", "amir-directory-pw")
    assert DIRECTORY_DOWN in response.get_data(as_text=True)
    assert "service account" in caplog.text


def test_groups_found_by_a_group_search_and_mapped_by_dn(ldap_app):
    ldap_app.config.update(
        LDAP_GROUP_FILTER="(&(objectClass=groupOfNames)(member={dn}))", LDAP_GROUP_BASE_DN=GROUPS,
        LDAP_ROLE_MAP=parse_group_map("cn=knowhow-leads,%s=lead; cn=knowhow-admins,%s=admin" % (GROUPS, GROUPS),
                                      "KNOWHOW_LDAP_ROLE_MAP", roles=True))
    assert sign_in(ldap_app.test_client(), "lena", "lena-directory-pw").status_code == 302
    assert user_named(ldap_app, "lena")["role"] == "lead"


def test_a_local_account_of_the_same_username_is_not_taken_over(ldap_app):
    with ldap_app.app_context():
        make_user("sara", role="agent", display_name="Sara Local")
    client = ldap_app.test_client()
    response = sign_in(client, "sara", "sara-directory-pw")
    assert response.status_code == 200
    assert "already exists and signs in another way" in response.get_data(as_text=True)
    sara = user_named(ldap_app, "sara")
    assert (sara["source"], sara["external_id"], sara["name"]) == ("local", None, "Sara Local")
    assert sign_in(client, "sara", DEMO_PASSWORD).status_code == 302  # her own password still works


def test_an_account_handed_over_to_the_directory_signs_in_through_it(ldap_app, runner):
    with ldap_app.app_context():
        make_user("sara", role="agent")
    result = runner.invoke(args=["set-sign-in-source", "sara", "ldap"])
    assert result.exit_code == 0, result.output
    client = ldap_app.test_client()
    assert "Wrong username or password." in sign_in(client, "sara", DEMO_PASSWORD).get_data(as_text=True)
    assert sign_in(client, "sara", "sara-directory-pw").status_code == 302
    sara = user_named(ldap_app, "sara")
    assert (sara["source"], sara["name"]) == ("ldap", "Sara Directory")
    assert sara["external_id"] is not None


def test_a_deactivated_directory_user_is_told_so(ldap_app):
    client = ldap_app.test_client()
    assert sign_in(client, "amir", "amir-directory-pw").status_code == 302
    with ldap_app.app_context():
        amir = db.session.scalar(select(User).where(User.username == "amir"))
        amir.active = False
        db.session.commit()
    response = sign_in(ldap_app.test_client(), "amir", "amir-directory-pw")
    assert "Your Knowhow account is deactivated." in response.get_data(as_text=True)


def test_with_local_passwords_off_the_directory_still_signs_in(ldap_app):
    ldap_app.config.update(LOCAL_LOGIN=False, BREAK_GLASS_USERS=frozenset({"admin"}))
    with ldap_app.app_context():
        make_user("localagent", role="agent")
    client = ldap_app.test_client()
    assert "Wrong username or password." in sign_in(client, "localagent", DEMO_PASSWORD).get_data(as_text=True)
    assert sign_in(client, "amir", "amir-directory-pw").status_code == 302


def test_the_user_list_says_who_signs_in_with_the_directory(ldap_app):
    with ldap_app.app_context():
        make_user("root", role="admin")
    assert sign_in(ldap_app.test_client(), "lena", "lena-directory-pw").status_code == 302
    admin = ldap_app.test_client()
    assert sign_in(admin, "root", DEMO_PASSWORD).status_code == 302
    rows = {row.split("</a>")[0].rsplit(">", 1)[1]: row
            for row in admin.get("/admin/users").get_data(as_text=True).split("<tr>")[2:]}
    assert "Directory (LDAP)" in rows["lena"] and "Password" in rows["root"]
