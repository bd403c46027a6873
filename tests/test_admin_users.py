"""Administration pages: who may use them, and bad input that must write nothing."""
import io

import pytest
from sqlalchemy import func, select

from accounts import services
from accounts.models import Team, User
from extensions import db
from tests.factories import make_user


@pytest.fixture(scope="module")
def people(module_transaction):
    """Users admin, lead and agent, of those roles (built once for the module, each test's
    changes rolled back)."""
    with module_transaction.app_context():
        for role in ("admin", "lead", "agent"):
            make_user(role, role=role)


def user_count(app):
    with app.app_context():
        return db.session.scalar(select(func.count(User.id)))


ADMIN_PAGES = ["/admin/users", "/admin/users/new", "/admin/users/agent/edit", "/admin/users/import",
               "/admin/teams"]


@pytest.mark.parametrize("path", ADMIN_PAGES)
@pytest.mark.parametrize("role", ["agent", "lead"])
def test_lower_roles_get_403_on_admin_pages(client, auth, people, path, role):
    auth.login(role)
    assert client.get(path).status_code == 403


@pytest.mark.parametrize("path", ADMIN_PAGES)
def test_admin_pages_open_for_admins(client, auth, people, path):
    auth.login("admin")
    assert client.get(path).status_code == 200


def test_lead_cannot_post_to_admin_user_form(app, client, auth, people):
    auth.login("lead")
    before = user_count(app)
    response = client.post("/admin/users/new", data={"username": "sneaky", "role": "admin",
                                                     "locale": "en"})
    assert response.status_code == 403
    assert user_count(app) == before


def test_admin_creates_user_through_form(app, client, auth, people):
    auth.login("admin")
    response = client.post("/admin/users/new", data={
        "username": "maryam", "display_name": "Maryam", "role": "agent", "team": "Tehran",
        "locale": "fa", "password": "long-enough-1", "active": "y"})
    assert response.status_code == 302
    with app.app_context():
        user = services.get_user("maryam")
        assert user.team.name == "Tehran" and user.locale == "fa" and user.active


@pytest.mark.parametrize("data, message", [
    ({"username": "agent", "role": "agent", "locale": "en"}, "is taken"),
    ({"username": "fresh", "role": "agent", "locale": "en", "password": "short"}, "at least 8"),
    ({"username": "fresh", "role": "agent", "locale": "en", "password": "x" * 257},
     "at most 256"),
    ({"username": "fresh", "role": "emperor", "locale": "en"}, "Not a valid choice"),
    ({"username": "fresh", "role": "agent", "locale": "klingon"}, "Not a valid choice"),
    ({"username": "bad name!", "role": "agent", "locale": "en"}, "A username has"),
])
def test_bad_user_form_input_is_explained_and_writes_nothing(app, client, auth, people, data, message):
    auth.login("admin")
    before = user_count(app)
    response = client.post("/admin/users/new", data=data)
    assert response.status_code == 200
    assert message in response.get_data(as_text=True)
    assert user_count(app) == before


def test_deactivating_a_user_signs_them_out(app, client, auth, people):
    other = app.test_client()
    other.post("/login", data={"username": "agent", "password": "correct-horse-battery"})
    assert other.get("/account").status_code == 200
    auth.login("admin")
    response = client.post("/admin/users/agent/edit", data={
        "username": "agent", "display_name": "", "role": "agent", "team": "", "locale": "en"})
    assert response.status_code == 302
    assert other.get("/account").status_code == 302


def test_last_admin_cannot_demote_themselves(app, client, auth, people):
    auth.login("admin")
    response = client.post("/admin/users/admin/edit", data={
        "username": "admin", "role": "agent", "locale": "en", "active": "y"})
    assert "last administrator" in response.get_data(as_text=True)
    with app.app_context():
        assert services.get_user("admin").role == "admin"


def test_user_csv_import_creates_all_rows(app, client, auth, people):
    auth.login("admin")
    csv_text = "username,name,role,team,locale\nali,Ali,agent,Tehran,fa\nmona,Mona,lead,Dubai,ar\n"
    response = client.post("/admin/users/import", data={
        "file": (io.BytesIO(csv_text.encode("utf-8-sig")), "users.csv")},
        content_type="multipart/form-data")
    assert response.status_code == 302
    with app.app_context():
        assert services.get_user("mona").role == "lead"
        assert db.session.scalar(select(func.count(Team.id))) == 2


def test_user_csv_import_with_a_bad_row_writes_nothing(app, client, auth, people):
    auth.login("admin")
    before = user_count(app)
    csv_text = "username,role\nali,agent\nagent,agent\nzed,wizard\n"
    response = client.post("/admin/users/import", data={
        "file": (io.BytesIO(csv_text.encode()), "users.csv")}, content_type="multipart/form-data")
    page = response.get_data(as_text=True)
    assert "Row 3" in page and "Row 4" in page
    assert user_count(app) == before


def test_user_csv_import_rejects_non_utf8(app, client, auth, people):
    auth.login("admin")
    response = client.post("/admin/users/import", data={
        "file": (io.BytesIO("username\nعلي\n".encode("cp1256")), "users.csv")},
        content_type="multipart/form-data")
    assert "not UTF-8" in response.get_data(as_text=True)


def test_profile_page_shows_person(client, auth, people):
    auth.login("agent")
    response = client.get("/people/lead")
    assert response.status_code == 200
    assert client.get("/people/nobody").status_code == 404
