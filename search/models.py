"""Search tables: the query log (what agents searched and opened) and the index outbox."""
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.clock import utcnow
from extensions import db

QUERY_MAX_CHARS = 200
KEY_MAX_CHARS = 40
SLUG_MAX_CHARS = 64
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


class SearchOutbox(db.Model):
    """An index operation waiting to be applied: the key of a document that changed.

    Written in the same transaction as the change it stands for (search/sync.py), so the index
    learns of every committed change and of nothing rolled back; the job queue's consumer applies
    the rows oldest first and deletes them by id (search/outbox.py). The document is read from the
    database when the row is applied, so a key written twice is applied as its last state.
    """

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(KEY_MAX_CHARS))
    created_at: Mapped[datetime] = mapped_column(default=lambda: utcnow(), index=True)
    attempts: Mapped[int] = mapped_column(default=0)

    def __repr__(self):
        return f"<SearchOutbox {self.id} {self.key}>"
