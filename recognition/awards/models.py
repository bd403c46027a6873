"""Award models: expert titles, badge definitions and awards, kudos."""
from datetime import datetime, timedelta

from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.clock import utcnow
from extensions import db

BADGE_KINDS = ("auto", "manual")
TITLE_NAME_MAX_CHARS = 160
REASON_MAX_CHARS = 1000
KUDOS_MAX_CHARS = 500
BADGE_NAME_MAX_CHARS = 120


class Title(db.Model):
    """An expert title held for one category and term (e.g. "Billing Expert — 2026 Q4").

    A title is current from `starts_at` until `expires_at` unless revoked; a renewal is a new
    title for the next term, so the history of terms stays readable.
    """

    __table_args__ = (Index("ix_title_holder", "user_id", "category_id", "expires_at"),
                      Index("ix_title_expires_at", "expires_at"))

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    category_id: Mapped[int] = mapped_column(ForeignKey("category.id", ondelete="CASCADE"),
                                             index=True)
    name: Mapped[str] = mapped_column(String(TITLE_NAME_MAX_CHARS))
    term: Mapped[str] = mapped_column(String(40), default="")
    reason: Mapped[str] = mapped_column(Text, default="")
    # The awardee's metrics at award time: why the lead chose them, kept as they were then.
    evidence: Mapped[dict] = mapped_column(JSON, default=dict)
    awarded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    awarded_at: Mapped[datetime] = mapped_column(default=lambda: utcnow(), index=True)
    starts_at: Mapped[datetime] = mapped_column(default=lambda: utcnow())
    expires_at: Mapped[datetime]
    renewal_of_id: Mapped[int | None] = mapped_column(ForeignKey("title.id", ondelete="SET NULL"))
    revoked_at: Mapped[datetime | None]
    revoked_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    revoke_reason: Mapped[str] = mapped_column(Text, default="")
    # Set when the holder and their lead were told the title is about to expire (sent once).
    expiry_notified_at: Mapped[datetime | None]

    user = relationship("User", foreign_keys=[user_id])
    category = relationship("Category")
    awarded_by = relationship("User", foreign_keys=[awarded_by_id])
    revoked_by = relationship("User", foreign_keys=[revoked_by_id])

    @property
    def valid_through(self):
        """The last day the title is valid (expires_at is the first instant after it)."""
        return (self.expires_at - timedelta(microseconds=1)).date()

    def is_current(self, now=None):
        """True while the title grants expert rights: started, not expired, not revoked."""
        now = now or utcnow()
        return self.revoked_at is None and self.starts_at <= now < self.expires_at

    def __repr__(self):
        return f"<Title {self.id} user={self.user_id} category={self.category_id}>"


class BadgeDefinition(db.Model):
    """What a badge is: automatic (awarded by a rule) or manual (awarded by a lead)."""

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(BADGE_NAME_MAX_CHARS))
    description: Mapped[str] = mapped_column(Text, default="")
    icon: Mapped[str] = mapped_column(String(64), default="star")
    kind: Mapped[str] = mapped_column(String(10), default="manual")
    # Name of the automatic rule in recognition/awards/rules.py; None for manual badges.
    rule: Mapped[str | None] = mapped_column(String(40))
    # A repeatable badge may be held more than once (e.g. "Customer hero" for each good deed).
    repeatable: Mapped[bool] = mapped_column(default=False)
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=lambda: utcnow())

    def __repr__(self):
        return f"<BadgeDefinition {self.slug}>"


class BadgeAward(db.Model):
    """One badge held by one person.

    `award_key` makes awards idempotent in the database itself: it is "" for badges held once,
    the period for per-period badges ("billing:2026-Q3"), and a fresh token for repeatable manual
    awards; UNIQUE(user, badge, award_key) then refuses a second copy even from a concurrent
    request.
    """

    __table_args__ = (UniqueConstraint("user_id", "badge_id", "award_key"),
                      Index("ix_badge_award_awarded_at", "awarded_at"))

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    badge_id: Mapped[int] = mapped_column(ForeignKey("badge_definition.id", ondelete="CASCADE"),
                                          index=True)
    award_key: Mapped[str] = mapped_column(String(80), default="")
    category_id: Mapped[int | None] = mapped_column(ForeignKey("category.id", ondelete="SET NULL"))
    reason: Mapped[str] = mapped_column(Text, default="")
    awarded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    awarded_at: Mapped[datetime] = mapped_column(default=lambda: utcnow())
    # The event that triggered an automatic award ("answer_accepted", …); "" for manual ones.
    event: Mapped[str] = mapped_column(String(40), default="")

    user = relationship("User", foreign_keys=[user_id])
    badge = relationship("BadgeDefinition")
    category = relationship("Category")
    awarded_by = relationship("User", foreign_keys=[awarded_by_id])

    def __repr__(self):
        return f"<BadgeAward {self.badge_id} user={self.user_id}>"


class Kudos(db.Model):
    """A thank-you from one person to another, optionally for an article or an answer."""

    __tablename__ = "kudos"
    __table_args__ = (Index("ix_kudos_sender_created", "sender_id", "created_at"),
                      Index("ix_kudos_recipient_created", "recipient_id", "created_at"),
                      Index("ix_kudos_created_at", "created_at"))

    id: Mapped[int] = mapped_column(primary_key=True)
    sender_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    recipient_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    message: Mapped[str] = mapped_column(String(KUDOS_MAX_CHARS))
    # No foreign keys to articles and answers: recognition must not depend on those tables.
    article_id: Mapped[int | None]
    answer_id: Mapped[int | None]
    category_id: Mapped[int | None] = mapped_column(ForeignKey("category.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=lambda: utcnow())

    sender = relationship("User", foreign_keys=[sender_id])
    recipient = relationship("User", foreign_keys=[recipient_id])
    category = relationship("Category")

    def __repr__(self):
        return f"<Kudos {self.sender_id}->{self.recipient_id}>"
