"""In-app notifications and the audit log.

Each domain registers the kinds of notification it sends with a translatable message
(accounts/kinds.py); the text is built when the notification is shown, in the reader's language,
from the stored parameters. An event that tells many people (a review requested of a category's
experts, a flag, a question routed to experts) goes through `notify_all`: one job, queued after
the commit, writes them all. A recipient who chose e-mail at once for the kind gets one, sent by
a job after the commit (accounts/mail/sending.py); the daily digest collects the others'.
"""
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, insert, select, update

from accounts.kinds import (  # noqa: F401  (the domains' API)
    Msgid,
    check_kind,
    notification_html,
    notification_text,
    register_kind,
    stored_params,
)
from accounts.mail.preferences import deliveries_for
from accounts.mail.sending import send_notification_mail
from accounts.models import AuditEntry, Notification, User
from core.clock import utcnow
from errors import NotFound
from extensions import db
from jobs import job, queue_after_commit


def notify(recipient, kind, url, actor=None, **params):
    """Queue an in-app notification for `recipient` (nothing is sent to oneself)."""
    check_kind(kind)
    if recipient is None or (actor is not None and actor.id == recipient.id):
        return None
    delivery = deliveries_for([recipient.id], kind)[recipient.id]
    notification = Notification(recipient=recipient, actor=actor, kind=kind, url=url or "",
                                params=_stored_params(params, actor), delivery=delivery)
    db.session.add(notification)
    if delivery == "email":
        db.session.flush()  # its id, for the job
        queue_after_commit(send_notification_mail, notification.id)
    return notification


def notify_all(recipients, kind, url, actor=None, per_recipient=None, **params):
    """Notify each of `recipients` once (never the actor), as `notify` would, but written by one
    job after the commit; returns how many will be told.

    :param per_recipient: recipient -> more params for that one (a name in their language).
    """
    check_kind(kind)
    entries, told = [], set()
    for recipient in recipients:
        if recipient is None or recipient.id in told or (actor is not None and actor.id == recipient.id):
            continue
        told.add(recipient.id)
        extra = per_recipient(recipient) if per_recipient is not None else {}
        entries.append((recipient.id, _stored_params({**params, **extra}, actor)))
    if entries:
        queue_after_commit(write_notifications, kind, url or "", actor.id if actor is not None else None,
                           entries, utcnow())
    return len(entries)


@job()
def write_notifications(kind, url, actor_id, entries, created_at):
    """The fan-out job of `notify_all`: the notifications of [(recipient id, params)] at once."""
    wanted = {recipient_id for recipient_id, _params in entries} | {actor_id}
    existing = set(db.session.scalars(select(User.id).where(User.id.in_(wanted - {None}))))
    deliveries = deliveries_for(existing - {actor_id}, kind)
    rows = [{"recipient_id": recipient_id, "actor_id": actor_id if actor_id in existing else None,
             "kind": kind, "url": url, "params": params, "created_at": created_at,
             "delivery": deliveries[recipient_id]}
            for recipient_id, params in entries if recipient_id in existing]  # not the deleted
    mailed = []
    if rows:
        written = db.session.execute(insert(Notification).returning(Notification.id, Notification.delivery), rows)
        mailed = [notification_id for notification_id, delivery in written if delivery == "email"]
    db.session.commit()
    for notification_id in mailed:
        send_notification_mail(notification_id)
    return len(rows)


def _stored_params(params, actor):
    if actor is not None:
        params = {"actor": actor.name, **params}
    return stored_params(params)


def unread_count(user):
    return db.session.scalar(select(func.count(Notification.id)).where(
        Notification.recipient_id == user.id, Notification.read_at.is_(None)))


def recent_notifications(user, limit=50):
    return db.session.scalars(
        select(Notification).where(Notification.recipient_id == user.id)
        .order_by(Notification.created_at.desc(), Notification.id.desc()).limit(limit)).all()


def mark_read(user, notification_id=None):
    """Mark one of the user's notifications read, or all of them when no id is given."""
    stmt = update(Notification).where(Notification.recipient_id == user.id,
                                      Notification.read_at.is_(None))
    if notification_id is not None:
        notification = db.session.get(Notification, notification_id)
        if notification is None or notification.recipient_id != user.id:
            raise NotFound(_l("No such notification."))
        stmt = stmt.where(Notification.id == notification_id)
    db.session.execute(stmt.values(read_at=utcnow()))


def record_audit(actor, action, target=None, summary="", **detail):
    """Write an audit entry: who did `action` to `target`, with a human summary and details."""
    entry = AuditEntry(
        actor=actor, action=action, summary=str(summary),
        target_type=type(target).__name__.lower() if target is not None else "",
        target_id=str(getattr(target, "id", "") or "") if target is not None else "",
        detail={k: v if isinstance(v, (int, float, bool, type(None))) else str(v)
                for k, v in detail.items()})
    db.session.add(entry)
    return entry


def audit_entries(limit=200, action=None):
    stmt = select(AuditEntry).order_by(AuditEntry.created_at.desc(), AuditEntry.id.desc()).limit(limit)
    if action:
        stmt = stmt.where(AuditEntry.action == action)
    return db.session.scalars(stmt).all()
