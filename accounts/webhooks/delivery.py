"""Delivering an event to a webhook: where it may go, how it is signed, and the job that POSTs it.

Where: the URL's host is resolved and every address it has must be public (not private,
loopback, link-local, shared or reserved), unless KNOWHOW_WEBHOOK_ALLOW_PRIVATE is on or the
address is in KNOWHOW_WEBHOOK_ALLOW; the request then goes to the very address that was checked
(so a name that changes its answer between the check and the call reaches nothing new), and
redirects are not followed.

Signing: `X-Knowhow-Signature: sha256=<hex>` is HMAC-SHA256, keyed with the webhook's secret,
of `<X-Knowhow-Timestamp>.<body>` (the timestamp in Unix seconds, as in the header), so a
receiver checks the body is ours and refuses old ones (a replayed request).

Retries: an answer other than 2xx, a refused connection or a timeout is tried again by the job
queue after 30 s, 1, 2, 4 and 8 minutes; then the delivery is "failed" and logged.
"""
import hashlib
import hmac
import http.client
import ipaddress
import json
import logging
import socket
import ssl
import time
from urllib.parse import urlsplit

from flask import current_app
from sqlalchemy import select

from accounts.webhooks.models import EXCERPT_MAX_CHARS, Webhook, WebhookDelivery
from core.clock import utcnow
from extensions import db
from jobs import job

RETRIES = 5
RETRY_SECONDS = 30
RETRY_BACKOFF = 2
RESPONSE_READ_BYTES = 4096
USER_AGENT = "Knowhow-Webhooks/1"

log = logging.getLogger(__name__)


class AddressRefused(Exception):
    """The URL leads to an address webhooks may not call (or nowhere)."""


class DeliveryFailed(Exception):
    """A try that did not get a 2xx answer; the job queue tries again."""


def signature(secret, timestamp, body):
    """The X-Knowhow-Signature value of `body` (bytes) sent at `timestamp` (Unix seconds)."""
    digest = hmac.new(secret.encode(), b"%d." % timestamp + body, hashlib.sha256).hexdigest()
    return "sha256=" + digest


def address_allowed(address, config):
    """May a webhook call this IP address (an ipaddress object)?"""
    if address.version == 6 and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    if config.get("WEBHOOK_ALLOW_PRIVATE"):
        return True
    if any(address in network for network in config.get("WEBHOOK_ALLOW", ())):
        return True
    return address.is_global and not address.is_multicast


def checked_addresses(url, config):
    """The addresses of the URL's host, every one allowed.

    :raises AddressRefused: no such host, or one of its addresses is not allowed.
    """
    parts = urlsplit(url)
    host, port = parts.hostname, parts.port or (443 if parts.scheme == "https" else 80)
    try:
        found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as error:
        raise AddressRefused("cannot resolve %s: %s" % (host, error)) from None
    addresses = list(dict.fromkeys(ipaddress.ip_address(info[4][0].split("%")[0]) for info in found))
    refused = [str(address) for address in addresses if not address_allowed(address, config)]
    if refused or not addresses:
        raise AddressRefused("%s resolves to %s, which webhooks may not call (private, loopback or "
                             "link-local; see KNOWHOW_WEBHOOK_ALLOW)" % (host, ", ".join(refused) or "nothing"))
    return addresses


class _PinnedHTTPConnection(http.client.HTTPConnection):
    """HTTP to the address that was checked, with the URL's host name in the Host header."""

    def __init__(self, host, port, address, timeout):
        super().__init__(host, port, timeout=timeout)
        self.address = address

    def connect(self):
        self.sock = socket.create_connection((str(self.address), self.port), self.timeout)


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    """HTTPS to the checked address; the certificate is checked against the URL's host name."""

    def __init__(self, host, port, address, timeout):
        super().__init__(host, port, timeout=timeout, context=ssl.create_default_context())
        self.address = address

    def connect(self):
        sock = socket.create_connection((str(self.address), self.port), self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)


def post(url, body, headers, config):
    """POST `body` to `url` at its first checked address; returns (status, excerpt of the answer).

    :raises AddressRefused: see checked_addresses.
    :raises OSError: no connection, a timeout, a TLS failure.
    """
    address = checked_addresses(url, config)[0]
    parts = urlsplit(url)
    connection_class = _PinnedHTTPSConnection if parts.scheme == "https" else _PinnedHTTPConnection
    connection = connection_class(parts.hostname, parts.port, address, config.get("WEBHOOK_TIMEOUT", 10))
    try:
        connection.request("POST", (parts.path or "/") + ("?" + parts.query if parts.query else ""), body, headers)
        response = connection.getresponse()
        excerpt = response.read(RESPONSE_READ_BYTES).decode("utf-8", "replace")
        return response.status, excerpt[:EXCERPT_MAX_CHARS]
    except http.client.HTTPException as error:  # a server that does not speak HTTP
        raise OSError("bad answer: %s" % (type(error).__name__,)) from None
    finally:
        connection.close()


@job()
def dispatch_event(event, data, occurred_at, webhook_id=None):
    """Write one delivery of `event` for each active webhook that receives it (or for
    `webhook_id` alone: a test ping), then queue each one's job."""
    stmt = select(Webhook).where(Webhook.active.is_(True))
    if webhook_id is not None:
        stmt = stmt.where(Webhook.id == webhook_id)
    deliveries = []
    for webhook in db.session.scalars(stmt.order_by(Webhook.id)):
        if webhook_id is None and event not in (webhook.events or []):
            continue
        body = json.dumps({"event": event, "occurred_at": occurred_at, "data": data},
                          ensure_ascii=False, separators=(",", ":"), sort_keys=True)
        delivery = WebhookDelivery(webhook=webhook, event=event, body=body)
        db.session.add(delivery)
        deliveries.append(delivery)
    db.session.commit()
    for delivery in deliveries:
        deliver(delivery.id)
    return len(deliveries)


@job(retries=RETRIES, retry_delay=RETRY_SECONDS, retry_backoff=RETRY_BACKOFF, context=True)
def deliver(delivery_id, task=None):
    """One try of one delivery; raises DeliveryFailed (so the queue tries again) while tries are left."""
    delivery = db.session.get(WebhookDelivery, delivery_id)
    if delivery is None or delivery.status != "pending":
        return delivery is not None and delivery.status == "delivered"
    webhook = delivery.webhook
    body = delivery.body.encode("utf-8")
    timestamp = int(time.time())
    headers = {"Content-Type": "application/json; charset=utf-8", "User-Agent": USER_AGENT,
               "X-Knowhow-Event": delivery.event, "X-Knowhow-Delivery": str(delivery.id),
               "X-Knowhow-Timestamp": str(timestamp),
               "X-Knowhow-Signature": signature(webhook.secret, timestamp, body)}
    delivery.attempts += 1
    delivery.last_attempt_at = utcnow()
    try:
        status, excerpt = post(webhook.url, body, headers, current_app.config)
    except AddressRefused as error:
        delivery.status, delivery.error = "refused", str(error)[:200]
        db.session.commit()
        log.warning("Webhook %d: delivery %d refused: %s", webhook.id, delivery.id, error)
        return False
    except OSError as error:
        status, excerpt = None, ""
        delivery.error = ("%s: %s" % (type(error).__name__, error))[:200]
    else:
        delivery.error = "" if 200 <= status < 300 else "HTTP %d" % status
    delivery.response_status, delivery.response_excerpt = status, excerpt
    if status is not None and 200 <= status < 300:
        delivery.status, delivery.delivered_at = "delivered", utcnow()
        db.session.commit()
        return True
    final = task is None or not task.retries
    if final:
        delivery.status = "failed"
    db.session.commit()
    if final:
        log.error("Webhook %d: delivery %d failed after %d tries: %s", webhook.id, delivery.id,
                  delivery.attempts, delivery.error)
        return False
    raise DeliveryFailed("webhook %d, delivery %d: %s" % (webhook.id, delivery.id, delivery.error))
