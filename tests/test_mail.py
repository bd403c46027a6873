"""E-mail against a real SMTP server (aiosmtpd on a free port): at once and as a daily digest, in
the recipient's language and direction, the signed one-click unsubscribe, and a failing server
that loses no notification and fails no action."""
import email
import shutil
import ssl
import subprocess
from datetime import timedelta
from email import policy
from urllib.parse import urlsplit

import pytest
from aiosmtpd.controller import Controller
from flask_babel import force_locale, ngettext
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from accounts import notifications
from accounts.mail import preferences, sending
from accounts.mail.models import MailDigest, NotificationPreference
from accounts.models import Notification
from accounts.services import get_user
from extensions import db
from tests.factories import bearer, make_token, make_user
from tests.scheduled import forget_retries, free_port, run_retries

BASE_URL = "https://knowhow.example.test"

notifications.register_kind("test_mail_fanout", _l("%(actor)s pinged you about %(topic)s"))


class Mailbox:
    """An aiosmtpd handler keeping what it accepts; `refuse_with` makes it answer DATA so."""

    def __init__(self):
        self.messages = []
        self.refuse_with = None

    async def handle_DATA(self, server, session, envelope):
        if self.refuse_with:
            return self.refuse_with
        self.messages.append((envelope.rcpt_tos, email.message_from_bytes(envelope.content, policy=policy.default)))
        return "250 OK"


@pytest.fixture(autouse=True)
def no_leftover_retries(app):
    yield
    with app.app_context():
        forget_retries()


@pytest.fixture
def smtp(app):
    """A real SMTP server on 127.0.0.1, and the application sending to it (no StartTLS: loopback)."""
    mailbox = Mailbox()
    controller = Controller(mailbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    app.config.update(SMTP_URL="smtp://127.0.0.1:%d" % controller.port, SMTP_STARTTLS=False,
                      BASE_URL=BASE_URL, MAIL_FROM="Knowhow <knowhow@example.test>")
    try:
        yield mailbox
    finally:
        controller.stop()


@pytest.fixture
def people(ctx):
    make_user("sender", display_name="Sara")
    make_user("mina", display_name="مینا", locale="fa", email="mina@example.test")
    make_user("somchai", display_name="สมชาย", locale="th", email="somchai@example.test")
    make_user("nomail", locale="ar")
    return get_user("sender")


def choose(username, **choices):
    preferences.set_deliveries(get_user(username), choices)
    db.session.commit()


def thank(recipient, sender, message="thanks for the refund trick"):
    notifications.notify(get_user(recipient), "kudos_received", "/people/" + recipient, actor=sender,
                         message=message)
    db.session.commit()


def parts(message):
    return (message.get_body(("plain",)).get_content(), message.get_body(("html",)).get_content())


def unsubscribe_path(message):
    url = message["List-Unsubscribe"].strip("<>")
    assert url.startswith(BASE_URL + "/unsubscribe/")
    return urlsplit(url).path


def test_an_email_at_once_arrives_in_the_recipients_language_and_direction(smtp, people):
    choose("mina", kudos_received="email")
    thank("mina", people, "ممنون بابت راهنما")
    [(recipients, message)] = smtp.messages
    with force_locale("fa"):
        sentence = _("%(actor)s thanked you: %(message)s") % {"actor": "Sara", "message": "ممنون بابت راهنما"}
        subject = _("Knowhow: %(sentence)s", sentence=sentence)
    assert recipients == ["mina@example.test"] and "قدردانی" in sentence
    assert message["Subject"] == subject and sentence in subject
    assert message["Content-Language"] == "fa" and message["To"].addresses[0].display_name == "مینا"
    text, html = parts(message)
    assert sentence in text and BASE_URL + "/people/mina" in text
    assert '<html lang="fa" dir="rtl">' in html and "<bdi>Sara</bdi>" in html
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert unsubscribe_path(message) in text
    notification = db.session.scalar(db.select(Notification))
    assert notification.delivery == "email" and notification.mailed_at is not None


def test_in_the_app_only_is_the_default_and_sends_nothing(smtp, people):
    thank("mina", people)
    assert smtp.messages == []
    assert db.session.scalar(db.select(Notification)).delivery == "app"


def test_someone_without_an_address_is_told_in_the_app(smtp, people):
    choose("nomail", kudos_received="email")
    thank("nomail", people)
    assert smtp.messages == [] and db.session.scalar(db.select(Notification)).delivery == "app"


def test_a_fan_out_mails_those_who_chose_email(smtp, people):
    choose("mina", test_mail_fanout="email")
    notifications.notify_all([get_user("mina"), get_user("somchai")], "test_mail_fanout", "/kb/1",
                             actor=people, topic="billing")
    db.session.commit()
    assert [recipients for recipients, _message in smtp.messages] == [["mina@example.test"]]


def test_the_daily_digest_lists_what_came_since_the_last_one_once(smtp, people, clock):
    choose("somchai", kudos_received="digest", test_mail_fanout="digest")
    thank("somchai", people, "first")
    thank("somchai", people, "second")
    notifications.notify_all([get_user("somchai")], "test_mail_fanout", "/kb/1", actor=people, topic="billing")
    db.session.commit()
    assert smtp.messages == []
    assert sending.queue_digests() == 1
    [(recipients, message)] = smtp.messages
    with force_locale("th"):
        subject = ngettext("Knowhow: your daily digest, %(num)d notification",
                           "Knowhow: your daily digest, %(num)d notifications", 3)
    assert recipients == ["somchai@example.test"] and message["Subject"] == subject
    assert subject != "Knowhow: your daily digest, 3 notifications"
    assert message["Content-Language"] == "th"
    text, html = parts(message)
    assert '<html lang="th" dir="ltr">' in html
    assert text.count(BASE_URL + "/people/somchai") == 2 and "first" in text and "second" in text
    assert sending.queue_digests() == 0 and len(smtp.messages) == 1  # each notification once
    clock.shift(timedelta(days=1))
    thank("somchai", people, "third")
    assert sending.queue_digests() == 1
    text, _html = parts(smtp.messages[-1][1])
    assert "third" in text and "first" not in text
    assert db.session.scalar(db.select(db.func.count(MailDigest.id)).where(MailDigest.sent_at.is_not(None))) == 2


def test_the_one_click_unsubscribe_works_without_signing_in(smtp, people, client):
    choose("mina", kudos_received="email")
    thank("mina", people)
    path = unsubscribe_path(smtp.messages[0][1])
    page = client.get(path)
    assert page.status_code == 200 and "kudos_received" not in db.session.scalars(
        db.select(NotificationPreference.delivery)).all()
    assert preferences.chosen_deliveries(get_user("mina"))["kudos_received"] == "email"  # GET only asks
    response = client.post(path, data={"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    assert preferences.chosen_deliveries(get_user("mina"))["kudos_received"] == "app"
    thank("mina", people)
    assert len(smtp.messages) == 1


def test_the_unsubscribe_link_of_a_digest_stops_the_digest(smtp, people, client):
    choose("somchai", kudos_received="digest", test_mail_fanout="digest")
    thank("somchai", people)
    sending.queue_digests()
    assert client.post(unsubscribe_path(smtp.messages[0][1])).status_code == 200
    chosen = preferences.chosen_deliveries(get_user("somchai"))
    assert (chosen["kudos_received"], chosen["test_mail_fanout"]) == ("app", "app")


@pytest.mark.parametrize("change", [lambda token: token[:-2] + ("AA" if token[-2:] != "AA" else "BB"),
                                    lambda token: token.replace(".", "", 1), lambda token: "x", lambda token: "."])
def test_a_tampered_unsubscribe_link_gets_a_clear_page(smtp, people, client, change):
    choose("mina", kudos_received="email")
    thank("mina", people)
    token = unsubscribe_path(smtp.messages[0][1]).rpartition("/")[2]
    for method in (client.get, client.post):
        response = method("/unsubscribe/" + change(token))
        assert response.status_code == 400 and "not valid" in response.get_data(as_text=True)
    assert preferences.chosen_deliveries(get_user("mina"))["kudos_received"] == "email"


def test_an_expired_unsubscribe_link_says_so(smtp, people, client, clock):
    choose("mina", kudos_received="email")
    thank("mina", people)
    path = unsubscribe_path(smtp.messages[0][1])
    clock.shift(timedelta(days=91))
    response = client.post(path)
    assert response.status_code == 400 and "expired" in response.get_data(as_text=True)
    assert preferences.chosen_deliveries(get_user("mina"))["kudos_received"] == "email"


def test_a_refusing_server_fails_no_action_and_loses_no_notification(smtp, people, client):
    choose("mina", kudos_received="email")
    smtp.refuse_with = "451 4.3.0 Try again later"
    token = make_token(people)
    response = client.post("/api/v1/kudos", json={"to": "mina", "message": "great call"}, headers=bearer(token))
    assert response.status_code == 201
    notification = db.session.scalar(db.select(Notification))
    assert notification.kind == "kudos_received" and notification.mailed_at is None
    assert notification.mail_error == "" and smtp.messages == []
    smtp.refuse_with = None
    assert run_retries() == 1  # the job queue tries again later
    [(recipients, message)] = smtp.messages
    assert recipients == ["mina@example.test"]
    db.session.refresh(notification)
    assert notification.mailed_at is not None


def test_a_closed_port_is_tried_again_then_logged(app, people, caplog):
    app.config.update(SMTP_URL="smtp://127.0.0.1:%d" % free_port(), SMTP_STARTTLS=False, SMTP_TIMEOUT=2)
    choose("mina", kudos_received="email")
    thank("mina", people)
    tries = 1
    while run_retries():
        tries += 1
    notification = db.session.scalar(db.select(Notification))
    db.session.refresh(notification)
    assert tries == sending.RETRIES + 1 and notification.mailed_at is None
    assert "ConnectionRefusedError" in notification.mail_error
    assert any(record.levelname == "ERROR" and "Could not send notification" in record.getMessage()
               for record in caplog.records)
    assert notification.kind == "kudos_received"  # still in the app


def test_a_permanent_refusal_is_not_tried_again(smtp, people):
    choose("mina", kudos_received="email")
    smtp.refuse_with = "550 5.1.1 No such mailbox"
    thank("mina", people)
    assert run_retries() == 0
    assert db.session.scalar(db.select(Notification.mail_error)).startswith("550")


def test_a_digest_the_server_refuses_is_sent_on_a_later_try(smtp, people):
    choose("somchai", kudos_received="digest")
    thank("somchai", people)
    smtp.refuse_with = "421 4.7.0 Busy"
    sending.queue_digests()
    assert smtp.messages == []
    smtp.refuse_with = None
    assert run_retries() == 1 and len(smtp.messages) == 1
    assert sending.queue_digests() == 0


# The settings page

def test_the_settings_page_saves_each_choice(smtp, people, client, auth):
    auth.login("mina")
    page = client.get("/account/notifications").get_data(as_text=True)
    assert 'name="delivery_kudos_received"' in page and "mina@example.test" in page
    assert client.post("/account/notifications", data={"delivery_kudos_received": "digest",
                                                       "delivery_review_due": "digest"}).status_code == 302
    chosen = preferences.chosen_deliveries(get_user("mina"))
    assert chosen["kudos_received"] == "digest" and chosen["review_due"] == "digest"
    assert db.session.scalars(db.select(NotificationPreference.kind)).all() == ["kudos_received"]  # only changes


def test_the_settings_page_refuses_an_unknown_choice(smtp, people, client, auth):
    auth.login("mina")
    response = client.post("/account/notifications", data={"delivery_kudos_received": "pigeon"})
    assert response.status_code == 200 and "Not a valid choice" in response.get_data(as_text=True)
    assert db.session.scalar(db.select(db.func.count(NotificationPreference.id))) == 0


def test_the_settings_form_needs_its_csrf_token(smtp, people, csrf_app, client, auth):
    csrf_app.config["WTF_CSRF_ENABLED"] = False
    auth.login("mina")
    csrf_app.config["WTF_CSRF_ENABLED"] = True
    response = client.post("/account/notifications", data={"delivery_kudos_received": "digest"})
    assert response.status_code == 400
    assert db.session.scalar(db.select(db.func.count(NotificationPreference.id))) == 0


def test_a_kind_whose_default_is_email_sends_one_until_someone_chooses_otherwise(smtp, people):
    notifications.notify(get_user("mina"), "answer_posted", "/questions/1", actor=people, title="Refunds")
    db.session.commit()
    assert len(smtp.messages) == 1
    choose("mina", answer_posted="app")
    notifications.notify(get_user("mina"), "answer_posted", "/questions/1", actor=people, title="Refunds")
    db.session.commit()
    assert len(smtp.messages) == 1
    assert db.session.scalar(db.select(NotificationPreference.delivery)) == "app"


# TLS: StartTLS and smtps against a certificate of the test's own

@pytest.fixture
def certificate(tmp_path):
    """A self-signed certificate for 127.0.0.1 (the openssl command line): (cert file, key file)."""
    if shutil.which("openssl") is None:
        pytest.skip("needs the openssl command")
    cert, key = tmp_path / "smtp.pem", tmp_path / "smtp.key"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=127.0.0.1",
                    "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", str(key), "-out", str(cert)],
                   check=True, capture_output=True)
    return str(cert), str(key)


@pytest.fixture
def tls_server(app, certificate):
    """Start an SMTP server with TLS (starttls=True: StartTLS required; False: smtps); the mailbox."""
    started = []

    def start(starttls):
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(*certificate)
        mailbox = Mailbox()
        options = ({"tls_context": context, "require_starttls": True} if starttls
                   else {"ssl_context": context})
        controller = Controller(mailbox, hostname="127.0.0.1", port=free_port(), **options)
        controller.start()
        started.append(controller)
        app.config.update(SMTP_URL="%s://127.0.0.1:%d" % ("smtp" if starttls else "smtps", controller.port),
                          SMTP_STARTTLS=True, SMTP_CA_FILE=certificate[0], BASE_URL=BASE_URL)
        return mailbox
    yield start
    for controller in started:
        controller.stop()


@pytest.mark.parametrize("starttls", [True, False], ids=["starttls", "smtps"])
def test_mail_goes_over_tls_with_the_certificate_checked(tls_server, people, starttls):
    mailbox = tls_server(starttls)
    choose("mina", kudos_received="email")
    thank("mina", people)
    assert [recipients for recipients, _message in mailbox.messages] == [["mina@example.test"]]


def test_a_certificate_no_authority_signed_is_refused_and_tried_again(tls_server, people, app):
    mailbox = tls_server(True)
    app.config["SMTP_CA_FILE"] = None
    choose("mina", kudos_received="email")
    thank("mina", people)
    assert mailbox.messages == []
    assert db.session.scalar(db.select(Notification.mail_error)) == "" and run_retries() == 1


def test_a_server_requiring_starttls_gets_no_mail_in_clear(tls_server, people, app):
    mailbox = tls_server(True)
    app.config["SMTP_STARTTLS"] = False
    choose("mina", kudos_received="email")
    thank("mina", people)
    assert mailbox.messages == [] and db.session.scalar(db.select(Notification.mail_error)).startswith("530")
