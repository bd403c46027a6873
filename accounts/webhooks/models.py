"""A registered webhook and the log of its deliveries."""
from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.clock import utcnow
from extensions import db

URL_MAX_CHARS = 500
EXCERPT_MAX_CHARS = 500


class Webhook(db.Model):
    """A URL told of `events` (names of accounts/webhooks/events.py), signed with `secret`.

    The secret is kept as it is, since each delivery is signed with it; the pages show it once.
    """

    id: Mapped[int] = mapped_column(primary_key=True)
    url: Mapped[str] = mapped_column(String(URL_MAX_CHARS))
    description: Mapped[str] = mapped_column(String(120), default="")
    events: Mapped[list] = mapped_column(JSON, default=list)
    secret: Mapped[str] = mapped_column(String(64))
    active: Mapped[bool] = mapped_column(default=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=lambda: utcnow())

    created_by = relationship("User")


class WebhookDelivery(db.Model):
    """One event sent (or to be sent) to one webhook: the exact body, every try's outcome.

    status: "pending" (a try is to come), "delivered" (a 2xx answer), "failed" (no more tries),
    "refused" (the address is not one Knowhow may call).
    """

    __table_args__ = (Index("ix_webhook_delivery_webhook_created", "webhook_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    webhook_id: Mapped[int] = mapped_column(ForeignKey("webhook.id", ondelete="CASCADE"))
    event: Mapped[str] = mapped_column(String(40))
    body: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(12), default="pending")
    attempts: Mapped[int] = mapped_column(default=0)
    response_status: Mapped[int | None]
    response_excerpt: Mapped[str] = mapped_column(String(EXCERPT_MAX_CHARS), default="")
    error: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(default=lambda: utcnow())
    last_attempt_at: Mapped[datetime | None]
    delivered_at: Mapped[datetime | None]

    webhook = relationship("Webhook")
