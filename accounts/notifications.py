"""In-app notifications and the audit log.

Each domain registers the kinds of notification it sends with a translatable message; the text
is built when the notification is shown, in the reader's language, from the stored parameters.
"""
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, update

from accounts.models import AuditEntry, Notification
from core.clock import utcnow
from errors import NotFound
from extensions import db

_kinds = {}


def register_kind(kind, message):
    """Declare a notification kind; `message` is a lazy gettext string with %(name)s params."""
    _kinds[kind] = message


def notify(recipient, kind, url, actor=None, **params):
    """Queue an in-app notification for `recipient` (nothing is sent to oneself)."""
    if kind not in _kinds:
        raise ValueError("unregistered notification kind %r" % kind)
    if recipient is None or (actor is not None and actor.id == recipient.id):
        return None
    if actor is not None:
        params.setdefault("actor", actor.name)
    notification = Notification(recipient=recipient, actor=actor, kind=kind, url=url or "",
                                params={k: str(v) for k, v in params.items()})
    db.session.add(notification)
    return notification


def notification_text(notification):
    """The notification's sentence in the current language."""
    message = _kinds.get(notification.kind)
    if message is None:
        return notification.kind
    try:
        return str(message) % notification.params
    except (KeyError, TypeError, ValueError):
        return str(message)


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
