"""One person's chosen level on one followed thing."""
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.clock import utcnow
from extensions import db

TARGET_KINDS = ("category", "tag", "article", "question")
LEVELS = ("watching", "normal", "muted")
TARGET_KEY_MAX_CHARS = 100


class Follow(db.Model):
    """`user` follows the thing `target_kind`/`target_key` at `level`.

    The key is a string so that one table holds every kind: a category's or article's or
    question's id, a tag's case-folded name. No foreign key to the domains' tables (accounts
    sits below them); a row whose thing is gone is simply never matched again.
    """

    __table_args__ = (UniqueConstraint("user_id", "target_kind", "target_key", name="uq_follow_user_target"),
                      Index("ix_follow_target", "target_kind", "target_key", "level"))

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    target_kind: Mapped[str] = mapped_column(String(16))
    target_key: Mapped[str] = mapped_column(String(TARGET_KEY_MAX_CHARS))
    level: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(default=lambda: utcnow())
    updated_at: Mapped[datetime] = mapped_column(default=lambda: utcnow())

    user = relationship("User")

    def __repr__(self):
        return f"<Follow {self.user_id} {self.target_kind}:{self.target_key} {self.level}>"
