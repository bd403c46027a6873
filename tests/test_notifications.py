"""In-app notifications and the audit log."""
import pytest
from flask_babel import lazy_gettext as _l

from accounts import notifications
from accounts.models import AuditEntry, Notification
from extensions import db
from tests.factories import make_user

notifications.register_kind("test_ping", _l("%(actor)s pinged you about %(topic)s"))


@pytest.fixture
def pair(app):
    with app.app_context():
        make_user("sender", display_name="Sender S")
        make_user("receiver")


def send(app, topic="billing"):
    from accounts.services import get_user
    with app.app_context():
        notifications.notify(get_user("receiver"), "test_ping", "/kb/1",
                             actor=get_user("sender"), topic=topic)
        db.session.commit()


def test_notification_shows_with_unread_count(app, client, auth, pair):
    send(app)
    auth.login("receiver")
    page = client.get("/notifications").get_data(as_text=True)
    assert "Sender S pinged you about billing" in page
    assert "1 unread" in page


def test_opening_a_notification_marks_it_read_and_follows_it(app, client, auth, pair):
    send(app)
    auth.login("receiver")
    with app.app_context():
        notification_id = db.session.scalar(db.select(Notification.id))
    response = client.post("/notifications/read", data={"id": notification_id, "next": "/kb/1"})
    assert response.headers["Location"] == "/kb/1"
    assert "unread" not in client.get("/notifications").get_data(as_text=True)


def test_mark_all_read(app, client, auth, pair):
    send(app, "a")
    send(app, "b")
    auth.login("receiver")
    client.post("/notifications/read", data={})
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(Notification.id))
                                 .where(Notification.read_at.is_(None))) == 0


def test_cannot_mark_someone_elses_notification(app, client, auth, pair):
    send(app)
    auth.login("sender")
    with app.app_context():
        notification_id = db.session.scalar(db.select(Notification.id))
    assert client.post("/notifications/read", data={"id": notification_id}).status_code == 404


def test_notifying_oneself_stores_nothing(app, pair):
    from accounts.services import get_user
    with app.app_context():
        me = get_user("sender")
        assert notifications.notify(me, "test_ping", "/", actor=me, topic="x") is None


def test_unregistered_kind_is_a_programming_error(app, pair):
    from accounts.services import get_user
    with app.app_context(), pytest.raises(ValueError):
        notifications.notify(get_user("receiver"), "nope", "/")


def test_audit_entries_are_listed_for_leads_only(app, client, auth, pair):
    from accounts.services import get_user
    with app.app_context():
        make_user("boss", role="lead")
        notifications.record_audit(get_user("boss"), "settings.change", get_user("receiver"),
                                   "Changed the minimum contacts to 40", old=30, new=40)
        db.session.commit()
        entry = db.session.scalar(db.select(AuditEntry))
        assert entry.target_type == "user" and entry.detail == {"old": 30, "new": 40}
    auth.login("receiver")
    assert client.get("/admin/audit").status_code == 403
    auth.logout()
    auth.login("boss")
    assert "Changed the minimum contacts to 40" in client.get("/admin/audit").get_data(as_text=True)
