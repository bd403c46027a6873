"""What each person chose to receive by e-mail, and the digests sent to them."""
from datetime import datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from core.clock import utcnow
from extensions import db


class NotificationPreference(db.Model):
    """A person's choice for one kind of notification, where it differs from the kind's default."""

    __table_args__ = (UniqueConstraint("user_id", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(40))
    delivery: Mapped[str] = mapped_column(String(8))


class MailDigest(db.Model):
    """One daily digest of a person: its notifications point at it (Notification.digest_id), so
    each is listed in one digest only; `sent_at` stays empty until the SMTP server took it."""

    __tablename__ = "mail_digest"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=lambda: utcnow())
    claimed_at: Mapped[datetime | None]  # a job is sending it (accounts/mail/sending.py)
    sent_at: Mapped[datetime | None]
    error: Mapped[str] = mapped_column(String(200), default="")
