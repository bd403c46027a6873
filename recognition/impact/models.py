"""Knowledge impact: the contacts each article was used on, and each article's latest verdict."""
from datetime import date, datetime

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.clock import utcnow
from extensions import db

USE_SOURCES = ("csv", "api", "page")
VERDICTS = ("helps", "hurts", "no_clear_effect", "too_few")
TICKET_MAX_CHARS = 200  # as resolution_record.ticket_id


class ArticleUse(db.Model):
    """An article used on a contact. It joins the contact's record on `ticket_id`, so it may be
    recorded before or after the contact is imported; a use from the article page may have no
    ticket at all (it counts as a use, never in the impact)."""

    __table_args__ = (
        UniqueConstraint("article_id", "ticket_id"),
        Index("ix_article_use_ticket", "ticket_id"),
        Index("ix_article_use_created", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    article_id: Mapped[int] = mapped_column(ForeignKey("article.id", ondelete="CASCADE"))
    ticket_id: Mapped[str | None] = mapped_column(String(TICKET_MAX_CHARS))
    # Who used it: the contact's agent (CSV), the caller or the agent a lead named (API, page).
    agent_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    # Who recorded it, when someone did (API and page; a CSV's links come with its batch).
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    source: Mapped[str] = mapped_column(String(8))
    created_at: Mapped[datetime] = mapped_column(default=lambda: utcnow())

    article = relationship("Article")
    agent = relationship("User", foreign_keys=[agent_id])

    def __repr__(self):
        return f"<ArticleUse {self.article_id} {self.ticket_id}>"


class ArticleImpact(db.Model):
    """An article's impact over the current period as the last metrics recompute found it: what
    badges, profiles and search read, and whether its `hurts` verdict already sent it to review."""

    article_id: Mapped[int] = mapped_column(ForeignKey("article.id", ondelete="CASCADE"),
                                            primary_key=True)
    computed_at: Mapped[datetime] = mapped_column(default=lambda: utcnow())
    since: Mapped[date]
    until: Mapped[date]
    contacts: Mapped[int] = mapped_column(default=0)
    fcr: Mapped[float | None]
    baseline_fcr: Mapped[float | None]
    fcr_lift: Mapped[float | None]
    fcr_lift_low: Mapped[float | None]
    fcr_lift_high: Mapped[float | None]
    verdict: Mapped[str] = mapped_column(String(16), default="too_few", index=True)
    # When a `hurts` verdict sent the article to review; cleared when the verdict changes, so a
    # later harm asks again but a recompute that finds the same harm does not.
    review_requested_at: Mapped[datetime | None]

    article = relationship("Article")
