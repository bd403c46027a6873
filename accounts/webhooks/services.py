"""Registering webhooks: their URL, events and secret; the delivery log; a test ping."""
import secrets
from urllib.parse import urlsplit

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from accounts.notifications import record_audit
from accounts.webhooks.delivery import AddressRefused, checked_addresses, dispatch_event
from accounts.webhooks.events import EVENT_LABELS, PING, occurred_now
from accounts.webhooks.models import URL_MAX_CHARS, Webhook, WebhookDelivery
from core.clock import utcnow
from core.text import clean_line
from errors import Invalid, NotFound
from extensions import db
from jobs import queue_after_commit

LOG_LENGTH = 50


def new_secret():
    return "whsec_" + secrets.token_urlsafe(32)


def clean_webhook_url(url):
    """An http(s) URL without credentials, whose host resolves to addresses webhooks may call.

    :raises Invalid: on the field "url".
    """
    url = clean_line(url or "")
    if not url:
        raise Invalid("url", _l("Enter the address that receives the events."))
    if len(url) > URL_MAX_CHARS:
        raise Invalid("url", _l("An address has at most %(n)d characters.", n=URL_MAX_CHARS))
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018  (raises on a port that is not a number)
    except ValueError:
        raise Invalid("url", _l("This is not a web address.")) from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise Invalid("url", _l("Write a full address starting with https://."))
    if parts.username or parts.password:
        raise Invalid("url", _l("Leave the user name and password out of the address: requests are "
                                "signed with the webhook's secret instead."))
    try:
        checked_addresses(url, current_app.config)
    except AddressRefused:
        raise Invalid("url", _l("Webhooks may not call this address: it is private, loopback or link-local, "
                                "or it does not resolve.")) from None
    return url


def clean_events(events):
    chosen = [event for event in EVENT_LABELS if event in set(events or ())]
    if len(chosen) != len(set(events or ())):
        raise Invalid("events", _l("Choose events from the list."))
    if not chosen:
        raise Invalid("events", _l("Choose at least one event."))
    return chosen


def create_webhook(admin, url, events, description=""):
    """Register a webhook; returns it, with the secret to show this once."""
    events = clean_events(events)  # first: resolving the host takes a moment
    webhook = Webhook(url=clean_webhook_url(url), events=events,
                      description=clean_line(description or "")[:120], secret=new_secret(),
                      created_by=admin, created_at=utcnow())
    db.session.add(webhook)
    db.session.flush()
    record_audit(admin, "webhook.create", webhook, webhook.url, events=",".join(webhook.events))
    return webhook


def update_webhook(admin, webhook, url, events, description="", active=True):
    events = clean_events(events)
    webhook.url = clean_webhook_url(url)
    webhook.events = events
    webhook.description = clean_line(description or "")[:120]
    webhook.active = bool(active)
    db.session.flush()
    record_audit(admin, "webhook.update", webhook, webhook.url, events=",".join(webhook.events),
                 active=webhook.active)
    return webhook


def rotate_secret(admin, webhook):
    """A new secret for the webhook (the old one stops working at once); returns it."""
    webhook.secret = new_secret()
    db.session.flush()
    record_audit(admin, "webhook.secret", webhook, webhook.url)
    return webhook.secret


def delete_webhook(admin, webhook):
    record_audit(admin, "webhook.delete", webhook, webhook.url)
    db.session.delete(webhook)
    db.session.flush()


def ping_webhook(webhook):
    """Send the webhook a "ping" event after the commit, to check the receiving end."""
    queue_after_commit(dispatch_event, PING, {"webhook": webhook.id}, occurred_now(), webhook.id)


def get_webhook_or_404(webhook_id):
    webhook = db.session.get(Webhook, webhook_id) if webhook_id is not None else None
    if webhook is None:
        raise NotFound(_l("No such webhook."))
    return webhook


def all_webhooks():
    return db.session.scalars(select(Webhook).order_by(Webhook.id)).all()


def recent_deliveries(webhook, limit=LOG_LENGTH):
    return db.session.scalars(select(WebhookDelivery).where(WebhookDelivery.webhook_id == webhook.id)
                              .order_by(WebhookDelivery.created_at.desc(), WebhookDelivery.id.desc())
                              .limit(limit)).all()


def last_deliveries():
    """{webhook id: its latest delivery}, for the list of webhooks."""
    latest = (select(WebhookDelivery.webhook_id, db.func.max(WebhookDelivery.id).label("id"))
              .group_by(WebhookDelivery.webhook_id).subquery())
    rows = db.session.scalars(select(WebhookDelivery).join(latest, WebhookDelivery.id == latest.c.id))
    return {delivery.webhook_id: delivery for delivery in rows}
