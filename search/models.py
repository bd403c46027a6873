"""Search tables: the query log (what agents searched and opened) and the index retry queue."""
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.clock import utcnow
from extensions import db

QUERY_MAX_CHARS = 200
KEY_MAX_CHARS = 40
SLUG_MAX_CHARS = 64
QUEUE_ACTIONS = ("index", "remove")
SEARCH_CHANNELS = ("page", "api")
REF_CHARS = 32


class SearchLog(db.Model):
    """One search as an agent ran it: normalised text, filters, result count and what they opened.

    `category` is the category filter, or else the category of the best hit, so that content gaps
    can be listed per category; it stays empty for an unfiltered search that found nothing.
    """

    __table_args__ = (Index("ix_search_log_created", "created_at"),
                      Index("ix_search_log_category_text", "category", "text"))

    id: Mapped[int] = mapped_column(primary_key=True)
    # Given when the search runs, before the buffered row is written: the results page links
    # opened results to it (search/log.py).
    ref: Mapped[str | None] = mapped_column(String(REF_CHARS), unique=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    text: Mapped[str] = mapped_column(String(QUERY_MAX_CHARS))
    type_filter: Mapped[str | None] = mapped_column(String(16))
    category_filter: Mapped[str | None] = mapped_column(String(SLUG_MAX_CHARS))
    lang_filter: Mapped[str | None] = mapped_column(String(8))
    # "page" or "api": API clients cannot report which result they opened.
    channel: Mapped[str] = mapped_column(String(8), default="page")
    category: Mapped[str | None] = mapped_column(String(SLUG_MAX_CHARS))
    result_count: Mapped[int] = mapped_column(default=0)
    took_ms: Mapped[float] = mapped_column(default=0.0)
    created_at: Mapped[datetime] = mapped_column(default=lambda: utcnow())
    opened_key: Mapped[str | None] = mapped_column(String(KEY_MAX_CHARS))
    opened_at: Mapped[datetime | None]

    user = relationship("User")

    def __repr__(self):
        return f"<SearchLog {self.id} {self.text!r}>"


class SearchIndexQueue(db.Model):
    """A document whose index update failed (index busy or missing), to be written again later.

    One row per document key; queueing a key again refreshes `queued_at`, so a retry that read
    the database before a newer change never deletes the newer row.
    """

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(KEY_MAX_CHARS), unique=True)
    action: Mapped[str] = mapped_column(String(8))
    queued_at: Mapped[datetime] = mapped_column(default=lambda: utcnow(), index=True)
    attempts: Mapped[int] = mapped_column(default=0)

    def __repr__(self):
        return f"<SearchIndexQueue {self.key} {self.action}>"
