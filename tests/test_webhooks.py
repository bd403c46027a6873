"""Outgoing webhooks against a small HTTP server of the test's own on 127.0.0.1: the signature
verifies, a 500 is tried again until it succeeds, private addresses are refused unless allowed,
and the administrators' pages."""
import hashlib
import hmac
import ipaddress
import json
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from accounts.webhooks import delivery, services
from accounts.webhooks.models import Webhook, WebhookDelivery
from errors import Invalid
from extensions import db
from tests.factories import make_user
from tests.factories_kb import make_article, make_category
from tests.factories_qa import make_accepted_answer
from tests.scheduled import forget_retries, run_retries

LOOPBACK = (ipaddress.ip_network("127.0.0.1/32"),)


class Receiver:
    """An HTTP server keeping each request; it answers with `statuses` in turn, then 200."""

    def __init__(self):
        self.requests, self.statuses = [], []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                receiver.requests.append((self.path, dict(self.headers), body))
                status = receiver.statuses.pop(0) if receiver.statuses else 200
                self.send_response(status)
                self.end_headers()
                self.wfile.write(b"received" if status < 400 else b"broken today")

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = "http://127.0.0.1:%d/hooks/knowhow?team=desk" % self.server.server_port
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05},
                                       daemon=True)

    def verified(self, secret, max_age=300):
        """The JSON bodies whose signature checks out with `secret` (as the README tells receivers)."""
        bodies = []
        for _path, headers, body in self.requests:
            timestamp = headers["X-Knowhow-Timestamp"]
            expected = "sha256=" + hmac.new(secret.encode(), timestamp.encode() + b"." + body,
                                            hashlib.sha256).hexdigest()
            if hmac.compare_digest(expected, headers["X-Knowhow-Signature"]) \
                    and abs(time.time() - int(timestamp)) <= max_age:
                bodies.append(json.loads(body))
        return bodies


@pytest.fixture(autouse=True)
def no_leftover_retries(app):
    yield
    with app.app_context():
        forget_retries()


@pytest.fixture
def receiver(app):
    """The receiving end, and the application allowed to call 127.0.0.1 (and only that)."""
    endpoint = Receiver()
    endpoint.thread.start()
    app.config.update(WEBHOOK_ALLOW=LOOPBACK, BASE_URL="https://knowhow.example.test")
    try:
        yield endpoint
    finally:
        endpoint.server.shutdown()
        endpoint.server.server_close()


@pytest.fixture
def admin(ctx):
    return make_user("root", role="admin")


def register(admin, url, events=("article.published",)):
    webhook = services.create_webhook(admin, url, list(events), "support chat")
    db.session.commit()
    return webhook


def deliveries():
    return db.session.scalars(db.select(WebhookDelivery).order_by(WebhookDelivery.id)).all()


def test_a_published_article_reaches_the_webhook_signed(receiver, admin):
    webhook = register(admin, receiver.url)
    make_category("internet")
    lead = make_user("lena", role="lead")
    article = make_article(make_user("sara"), status="published", publisher=lead, title="Modem lights")
    [(path, headers, _body)] = receiver.requests
    assert path == "/hooks/knowhow?team=desk" and headers["X-Knowhow-Event"] == "article.published"
    assert headers["Content-Type"].startswith("application/json")
    [payload] = receiver.verified(webhook.secret)
    assert payload["event"] == "article.published" and payload["occurred_at"].endswith("Z")
    assert payload["data"] == {"id": article.id, "title": "Modem lights", "lang": "en", "author": "sara",
                               "url": "https://knowhow.example.test" + article.path,
                               "category": {"slug": "internet", "name": "Internet"}}
    assert receiver.verified("not-the-secret") == []
    [sent] = deliveries()
    assert (sent.status, sent.attempts, sent.response_status) == ("delivered", 1, 200)
    assert sent.response_excerpt == "received"


def test_a_changed_body_or_an_old_timestamp_does_not_verify(receiver, admin):
    webhook = register(admin, receiver.url, ["answer.accepted", "question.asked"])
    people = {name: make_user(name) for name in ("asker", "answerer")}
    make_category("internet")
    make_accepted_answer(people["asker"], people["answerer"])
    assert [body["event"] for body in receiver.verified(webhook.secret)] == ["question.asked", "answer.accepted"]
    path, headers, body = receiver.requests[-1]
    assert json.loads(body)["data"]["accepted_by"] == "asker"
    receiver.requests[-1] = (path, headers, body.replace(b"asker", b"other"))
    assert len(receiver.verified(webhook.secret)) == 1
    assert receiver.verified(webhook.secret, max_age=-1) == []  # a receiver refuses stale ones


def test_events_a_webhook_did_not_choose_are_not_sent(receiver, admin):
    register(admin, receiver.url, ["title.awarded"])
    make_category("internet")
    make_article(make_user("sara"), status="published", publisher=make_user("lena", role="lead"))
    assert receiver.requests == [] and deliveries() == []


def test_a_rolled_back_change_tells_no_webhook(receiver, admin):
    from kb import services as kb
    register(admin, receiver.url)
    make_category("internet")
    article = kb.create_article(make_user("sara"), "Modem lights", "Body text long enough", "internet")
    kb.publish_article(article, make_user("lena", role="lead"))
    db.session.rollback()
    assert receiver.requests == [] and deliveries() == []


def test_a_500_is_tried_again_with_the_same_body_until_it_succeeds(receiver, admin):
    webhook = register(admin, receiver.url)
    receiver.statuses = [500, 503]
    services.ping_webhook(webhook)
    db.session.commit()
    [sent] = deliveries()
    assert (sent.status, sent.attempts, sent.response_status) == ("pending", 1, 500)
    assert sent.response_excerpt == "broken today" and sent.error == "HTTP 500"
    assert run_retries() == 1 and run_retries() == 1
    db.session.refresh(sent)
    assert (sent.status, sent.attempts, sent.response_status, sent.error) == ("delivered", 3, 200, "")
    bodies = [body for _path, _headers, body in receiver.requests]
    assert len(bodies) == 3 and len(set(bodies)) == 1
    assert len({headers["X-Knowhow-Delivery"] for _path, headers, _body in receiver.requests}) == 1
    assert len(receiver.verified(webhook.secret)) == 3


def test_a_webhook_that_keeps_failing_is_logged_as_failed(receiver, admin, caplog):
    webhook = register(admin, receiver.url)
    receiver.statuses = [500] * 10
    services.ping_webhook(webhook)
    db.session.commit()
    while run_retries():
        pass
    [sent] = deliveries()
    db.session.refresh(sent)
    assert (sent.status, sent.attempts) == ("failed", delivery.RETRIES + 1)
    assert any(record.levelname == "ERROR" and "failed after 6 tries" in record.getMessage()
               for record in caplog.records)


def test_a_closed_port_is_tried_again(receiver, admin):
    webhook = register(admin, receiver.url)
    receiver.server.shutdown()
    receiver.server.server_close()
    services.ping_webhook(webhook)
    db.session.commit()
    [sent] = deliveries()
    assert sent.status == "pending" and "ConnectionRefusedError" in sent.error


@pytest.mark.parametrize("address", ["127.0.0.1", "10.1.2.3", "192.168.0.10", "172.16.5.5", "169.254.169.254",
                                     "100.64.0.1", "0.0.0.0", "::1", "fe80::1", "fc00::1", "::ffff:127.0.0.1",
                                     "224.0.0.1"])
def test_private_loopback_and_link_local_addresses_are_refused(app, address):
    assert not delivery.address_allowed(ipaddress.ip_address(address), app.config)
    assert delivery.address_allowed(ipaddress.ip_address(address), {"WEBHOOK_ALLOW_PRIVATE": True})


def test_public_addresses_and_allowed_networks_are_called(app):
    assert delivery.address_allowed(ipaddress.ip_address("93.184.216.34"), app.config)
    assert delivery.address_allowed(ipaddress.ip_address("10.1.2.3"),
                                    {"WEBHOOK_ALLOW": (ipaddress.ip_network("10.1.0.0/16"),)})


def test_a_private_address_cannot_be_registered(app, admin, receiver):
    app.config["WEBHOOK_ALLOW"] = ()
    with pytest.raises(Invalid) as refused:
        services.create_webhook(admin, receiver.url, ["article.published"])
    assert refused.value.field == "url"


def test_a_host_with_one_private_address_among_public_ones_is_refused(app, monkeypatch):
    def resolve(host, port, type=0):
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (ip, port)) for ip in ("93.184.216.34", "10.0.0.7")]
    monkeypatch.setattr(delivery.socket, "getaddrinfo", resolve)
    with pytest.raises(delivery.AddressRefused, match="10.0.0.7"):
        delivery.checked_addresses("https://hooks.example.test/x", app.config)


def test_a_delivery_to_an_address_no_longer_allowed_is_refused_and_not_sent(receiver, admin, app):
    webhook = register(admin, receiver.url)
    app.config["WEBHOOK_ALLOW"] = ()
    services.ping_webhook(webhook)
    db.session.commit()
    [sent] = deliveries()
    assert sent.status == "refused" and "127.0.0.1" in sent.error
    assert receiver.requests == [] and run_retries() == 0


@pytest.mark.parametrize("url", ["", "ftp://example.test/x", "https://", "https://user:pw@example.test/",
                                 "https://example.test:99999/", "not a url", "https://" + "a" * 600 + ".test/"])
def test_bad_addresses_are_refused_with_a_reason(app, admin, url):
    with pytest.raises(Invalid) as refused:
        services.create_webhook(admin, url, ["article.published"])
    assert refused.value.field == "url"


def test_unknown_or_no_events_are_refused(app, admin, receiver):
    for events in ([], ["article.deleted"]):
        with pytest.raises(Invalid) as refused:
            services.create_webhook(admin, receiver.url, events)
        assert refused.value.field == "events"


# The administrators' pages

def test_an_admin_registers_a_webhook_and_sees_its_secret_once(receiver, admin, client, auth):
    auth.login("root")
    page = client.post("/admin/webhooks", data={"url": receiver.url, "description": "support chat",
                                                "events": ["article.published", "title.awarded"]})
    webhook = db.session.scalar(db.select(Webhook))
    assert page.status_code == 200 and webhook.secret in page.get_data(as_text=True)
    assert webhook.events == ["article.published", "title.awarded"]
    assert webhook.secret not in client.get("/admin/webhooks").get_data(as_text=True)
    assert webhook.secret not in client.get("/admin/webhooks/%d" % webhook.id).get_data(as_text=True)


def test_the_delivery_log_shows_the_last_answer(receiver, admin, client, auth):
    webhook = register(admin, receiver.url)
    receiver.statuses = [500]
    auth.login("root")
    assert client.post("/admin/webhooks/%d/ping" % webhook.id).status_code == 302
    page = client.get("/admin/webhooks/%d" % webhook.id).get_data(as_text=True)
    assert "broken today" in page and "HTTP 500" in page and "ping" in page


def test_a_new_secret_replaces_the_old_one(receiver, admin, client, auth):
    webhook = register(admin, receiver.url)
    old = webhook.secret
    auth.login("root")
    page = client.post("/admin/webhooks/%d/secret" % webhook.id).get_data(as_text=True)
    db.session.refresh(webhook)
    assert webhook.secret != old and webhook.secret in page
    services.ping_webhook(webhook)
    db.session.commit()
    assert len(receiver.verified(webhook.secret)) == 1 and receiver.verified(old) == []


def test_a_private_address_on_the_form_is_a_field_error(app, admin, client, auth):
    auth.login("root")
    page = client.post("/admin/webhooks", data={"url": "http://169.254.169.254/latest", "events": ["question.asked"]})
    assert page.status_code == 200 and "may not call this address" in page.get_data(as_text=True)
    assert db.session.scalar(db.select(db.func.count(Webhook.id))) == 0


def test_only_admins_see_webhooks(app, admin, client, auth):
    make_user("lena", role="lead")
    auth.login("lena")
    assert client.get("/admin/webhooks").status_code == 403
    assert client.post("/admin/webhooks", data={"url": "https://example.test/", "events": ["ping"]}).status_code == 403


def test_removing_a_webhook_removes_its_log(receiver, admin, client, auth):
    webhook = register(admin, receiver.url)
    services.ping_webhook(webhook)
    db.session.commit()
    auth.login("root")
    assert client.post("/admin/webhooks/%d/delete" % webhook.id).status_code == 302
    assert db.session.scalar(db.select(db.func.count(WebhookDelivery.id))) == 0
