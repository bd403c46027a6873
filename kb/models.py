"""Knowledge-base models: categories (shared by articles, questions, resolution data, titles)."""
from datetime import datetime

from sqlalchemy import JSON, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from accounts.models import utcnow
from extensions import db


class Category(db.Model):
    """A problem area such as billing or internet; names may be translated per UI language."""

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    description: Mapped[str] = mapped_column(Text, default="")
    translations: Mapped[dict] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(default=lambda: utcnow())

    def display_name(self, locale):
        """The category's name in `locale`, falling back to its main name."""
        return (self.translations or {}).get(str(locale)) or self.name

    def __repr__(self):
        return f"<Category {self.slug}>"
