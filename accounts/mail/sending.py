"""Sending: each "e-mail at once" notification as a job, and the daily digest.

The notification is written first and stays in the app whatever becomes of its e-mail. The job
runs after the commit (queue_after_commit), so a slow or failing SMTP server never holds up or
fails the change that caused it: a refusal the server calls temporary (4xx), a refused connection
or a timeout is tried again by the job queue, after 1, 2, 4, 8 and 16 minutes; a permanent
refusal (5xx), an address that cannot be written or the last failed try is logged and kept on
the notification (`mail_error`).
"""
import logging
from email.errors import MessageError

from flask import current_app
from sqlalchemy import func, select, update

from accounts.mail.messages import DIGEST_MAX_ITEMS, digest_message, notification_message
from accounts.mail.models import MailDigest
from accounts.mail.smtp import MailNotSent, send_message, smtp_settings
from accounts.models import Notification, User
from core.clock import utcnow
from extensions import db
from jobs import daily, job

RETRIES = 5
RETRY_SECONDS = 60
RETRY_BACKOFF = 2
ERROR_MAX_CHARS = 200
# A digest another job has claimed is left to it for this long before it may be tried again.
CLAIM_SECONDS = 15 * 60

log = logging.getLogger(__name__)


def _reachable(user):
    return user is not None and user.active and bool((user.email or "").strip())


def _deliver(message_of, settings, task, what):
    """Send the message `message_of()` builds; None when it went, else why it never will.

    :raises MailNotSent: a temporary failure with tries left (the job queue tries again).
    """
    try:
        message = message_of()
    except (ValueError, MessageError) as error:
        log.error("Not sending %s: the message cannot be written (%s).", what, error)
        return str(error)[:ERROR_MAX_CHARS] or "unwritable"
    try:
        send_message(settings, message)
    except MailNotSent as error:
        if error.permanent or task is None or not task.retries:
            log.error("Could not send %s: %s", what, error)
            return str(error)[:ERROR_MAX_CHARS]
        log.warning("Could not send %s yet (%d tries left): %s", what, task.retries, error)
        raise
    return None


@job(retries=RETRIES, retry_delay=RETRY_SECONDS, retry_backoff=RETRY_BACKOFF, context=True)
def send_notification_mail(notification_id, task=None):
    """The e-mail of one notification whose recipient chose e-mail at once."""
    notification = db.session.get(Notification, notification_id)
    if notification is None or notification.mailed_at is not None or notification.mail_error:
        return False  # deleted, or done by an earlier run
    settings = smtp_settings(current_app.config)
    if settings is None or not _reachable(notification.recipient):
        notification.mail_error = "not sent: no e-mail set up or no address"
        db.session.commit()
        return False
    error = _deliver(lambda: notification_message(notification), settings, task,
                     "notification %d" % notification.id)
    if error is None:
        notification.mailed_at = utcnow()
    else:
        notification.mail_error = error
    db.session.commit()
    return error is None


def gather_digests(now=None):
    """Put each person's digest notifications not yet in a digest into a new one; returns them.

    A notification goes into one digest only, even when two consumers gather at once: each
    claims the rows still free, and a digest that got none is dropped.
    """
    now = now or utcnow()
    waiting = db.session.scalars(
        select(Notification.recipient_id).where(Notification.delivery == "digest",
                                                Notification.digest_id.is_(None),
                                                Notification.created_at <= now).distinct()).all()
    digests = []
    for user_id in waiting:
        digest = MailDigest(user_id=user_id, created_at=now)
        db.session.add(digest)
        db.session.flush()
        claimed = db.session.execute(
            update(Notification).where(Notification.recipient_id == user_id, Notification.delivery == "digest",
                                       Notification.digest_id.is_(None), Notification.created_at <= now)
            .values(digest_id=digest.id)).rowcount
        if claimed:
            digests.append(digest)
        else:
            db.session.delete(digest)
    db.session.flush()
    return digests


def _claim_digest(digest_id, now):
    """Claim an unsent digest for this job (None when sent, or another job holds it)."""
    stale = now.timestamp() - CLAIM_SECONDS
    digest = db.session.get(MailDigest, digest_id, with_for_update=True)
    if digest is None or digest.sent_at is not None or digest.error:
        return None
    if digest.claimed_at is not None and digest.claimed_at.timestamp() > stale:
        return None
    digest.claimed_at = now
    db.session.commit()
    return digest


@job(retries=RETRIES, retry_delay=RETRY_SECONDS, retry_backoff=RETRY_BACKOFF, context=True)
def send_digest(digest_id, task=None):
    """Send one gathered digest; its notifications stay in the app whatever happens."""
    settings = smtp_settings(current_app.config)
    digest = _claim_digest(digest_id, utcnow()) if settings is not None else None
    if digest is None:
        return False
    user = db.session.get(User, digest.user_id)
    in_digest = Notification.digest_id == digest.id
    total = db.session.scalar(select(func.count(Notification.id)).where(in_digest))
    items = db.session.scalars(select(Notification).where(in_digest)
                               .order_by(Notification.created_at, Notification.id).limit(DIGEST_MAX_ITEMS)).all()
    if not _reachable(user) or not total:
        digest.error = "not sent: no address or nothing left in it"
        db.session.commit()
        return False
    try:
        error = _deliver(lambda: digest_message(user, items, total), settings, task, "digest %d" % digest.id)
    except MailNotSent:
        digest.claimed_at = None  # the next try claims it again
        db.session.commit()
        raise
    if error is None:
        digest.sent_at = utcnow()
        db.session.execute(update(Notification).where(in_digest).values(mailed_at=digest.sent_at))
    else:
        digest.error = error
    db.session.commit()
    return error is None


def queue_digests():
    """Gather each person's digest and queue one job to send each (also a digest gathered
    before whose job never ran); returns how many were queued."""
    if smtp_settings(current_app.config) is None:
        return 0
    gather_digests()
    db.session.commit()
    unsent = db.session.scalars(select(MailDigest.id).where(MailDigest.sent_at.is_(None), MailDigest.error == "")
                                .order_by(MailDigest.id)).all()
    for digest_id in unsent:
        send_digest(digest_id)
    return len(unsent)


@daily(hour=6, minute=15)
def send_daily_digests():
    """Every day at 06:15 UTC: the daily digests."""
    return queue_digests()
