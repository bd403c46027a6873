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
    assert "<bdi>Sender S</bdi> pinged you about <bdi>billing</bdi>" in page
    assert "1 unread" in page


def test_a_latin_name_first_keeps_a_persian_notification_right_to_left(app, client, auth):
    """The sentence takes the page's direction (no dir="auto", which the first strong letter of a
    Latin name would turn left-to-right); each name and title is isolated in its <bdi>."""
    with app.app_context():
        make_user("sender", display_name="James Smith")
        make_user("receiver", locale="fa")
    send(app, topic="بازنشانی رمز")
    auth.login("receiver")
    page = client.get("/notifications").get_data(as_text=True)
    assert 'dir="rtl"' in page
    button = page.split('notification__open', 1)[1].split('class="link-button"', 1)[1].split("</button>", 1)[0]
    assert 'dir=' not in button.split(">", 1)[0]
    assert "<bdi>James Smith</bdi>" in button and "<bdi>بازنشانی رمز</bdi>" in button


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


# Fan-out: one job writes an event's notifications after the commit

def stored_notifications():
    return sorted((n.recipient.username, n.actor.username if n.actor else None, n.kind, n.url,
                   sorted(n.params.items())) for n in db.session.scalars(db.select(Notification)))


@pytest.fixture
def crowd(ctx):
    """sender, receiver and three more people; `people` in a fixed order, with a repeat."""
    from accounts.services import get_user
    for name in ("ann", "bob", "cy"):
        make_user(name, display_name=name.capitalize())
    make_user("sender", display_name="Sender S")
    make_user("receiver")
    names = ("ann", "bob", "ann", "sender", "cy", "receiver")
    return [get_user(name) for name in names], get_user("sender")


def test_notify_all_writes_the_notifications_notify_writes(crowd):
    people, sender = crowd
    for person in {person.id: person for person in people}.values():
        notifications.notify(person, "test_ping", "/kb/1", actor=sender, topic="billing")
    db.session.commit()
    one_by_one = stored_notifications()
    db.session.execute(db.delete(Notification))
    assert notifications.notify_all(people, "test_ping", "/kb/1", actor=sender, topic="billing") == 4
    db.session.commit()
    assert stored_notifications() == one_by_one and len(one_by_one) == 4


def test_notify_all_gives_each_recipient_their_own_params(crowd):
    people, sender = crowd
    notifications.notify_all(people[:2], "test_ping", "/kb/1", actor=sender,
                             per_recipient=lambda person: {"topic": "topic of " + person.username})
    db.session.commit()
    assert [params for _r, _a, _k, _u, params in stored_notifications()] == [
        [("actor", "Sender S"), ("topic", "topic of ann")],
        [("actor", "Sender S"), ("topic", "topic of bob")]]


def test_one_job_writes_them_after_the_commit(crowd, held_jobs):
    people, sender = crowd
    notifications.notify_all(people, "test_ping", "/kb/1", actor=sender, topic="billing")
    db.session.flush()
    assert held_jobs.names() == [] and stored_notifications() == []
    db.session.commit()
    assert held_jobs.names() == ["write_notifications"] and stored_notifications() == []
    held_jobs.run()
    assert len(stored_notifications()) == 4


def test_a_rolled_back_event_notifies_nobody(crowd, held_jobs):
    people, sender = crowd
    notifications.notify_all(people, "test_ping", "/kb/1", actor=sender, topic="billing")
    db.session.rollback()
    db.session.commit()
    assert held_jobs.names() == []


def test_someone_deleted_before_the_job_is_skipped(crowd, held_jobs):
    from accounts.services import get_user
    people, sender = crowd
    notifications.notify_all(people, "test_ping", "/kb/1", actor=sender, topic="billing")
    db.session.commit()
    db.session.delete(get_user("bob"))
    db.session.commit()
    held_jobs.run()
    assert [recipient for recipient, *_rest in stored_notifications()] == ["ann", "cy", "receiver"]


# Parameters shown in the reader's words

notifications.register_kind("test_award", _l("%(badge)s in %(category)s, until %(date)s"))


def test_a_category_a_default_badge_and_a_date_are_shown_in_the_readers_language(app, client, auth):
    """Stored once, in nobody's language: the Persian reader sees the category's Persian name,
    the default badge's Persian name and the date in the Solar Hijri calendar with Persian digits,
    while the English reader of the same kind of notification sees English."""
    from datetime import date

    from accounts.services import get_user
    from tests.factories_kb import make_category
    with app.app_context():
        make_user("reader_fa", locale="fa")
        make_user("reader_en", locale="en")
        billing = make_category("billing", "Billing", translations={"fa": "صورت‌حساب"})
        for reader in ("reader_fa", "reader_en"):
            notifications.notify(get_user(reader), "test_award", "/", badge=notifications.Msgid("First article"),
                                 category=billing, date=date(2026, 3, 21))
        db.session.commit()
    auth.login("reader_fa")
    persian = client.get("/notifications").get_data(as_text=True)
    assert "<bdi>نخستین مقاله</bdi> in <bdi>صورت‌حساب</bdi>" in persian
    assert "فروردین" in persian and "۱۴۰۵" in persian and "2026-03-21" not in persian
    auth.logout()
    auth.login("reader_en")
    english = client.get("/notifications").get_data(as_text=True)
    assert "<bdi>First article</bdi> in <bdi>Billing</bdi>" in english and "2026" in english


def test_a_renamed_category_is_shown_by_its_new_name_in_old_notifications(app):
    from accounts.kinds import notification_text
    from tests.factories_kb import make_category
    with app.test_request_context():
        receiver = make_user("receiver")
        billing = make_category("billing", "Billing")
        notification = notifications.notify(receiver, "test_award", "/", badge="Hero", category=billing,
                                            date="soon")
        db.session.commit()
        billing.name = "Billing and payments"
        db.session.commit()
        assert notification_text(notification) == "Hero in Billing and payments, until soon"
