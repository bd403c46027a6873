"""Knowledge-base models: categories, articles with their revisions and tags, feedback and flags."""
from datetime import datetime

from sqlalchemy import Column, ForeignKey, Index, String, Table, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from config import LANGUAGES
from core.clock import utcnow
from core.markdown import restrict_images
from extensions import db

ARTICLE_STATUSES = ("draft", "in_review", "published", "archived")
ARTICLE_LANGUAGES = tuple(LANGUAGES)
TITLE_MAX_CHARS = 200
SUMMARY_MAX_CHARS = 300
TAG_MAX_CHARS = 50
NOTE_MAX_CHARS = 300


article_tag = Table(
    "article_tag",
    db.metadata,
    Column("article_id", ForeignKey("article.id", ondelete="CASCADE"), primary_key=True),
    Column("tag_id", ForeignKey("tag.id", ondelete="CASCADE"), primary_key=True, index=True),
)


class Tag(db.Model):
    """A free label on articles; `key` is the case-folded name, so "PUK" and "puk" are one tag."""

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(TAG_MAX_CHARS))
    key: Mapped[str] = mapped_column(String(2 * TAG_MAX_CHARS), unique=True)

    def __repr__(self):
        return f"<Tag {self.key}>"


class Article(db.Model):
    """A how-to article; `body` is the Markdown of the current revision."""

    __table_args__ = (
        Index("ix_article_status_category", "status", "category_id"),
        Index("ix_article_review_due", "review_due"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(TITLE_MAX_CHARS))
    slug: Mapped[str] = mapped_column(String(TITLE_MAX_CHARS))
    summary: Mapped[str] = mapped_column(String(SUMMARY_MAX_CHARS), default="")
    body: Mapped[str] = mapped_column(Text, default="")
    category_id: Mapped[int] = mapped_column(ForeignKey("category.id", ondelete="RESTRICT"))
    lang: Mapped[str] = mapped_column(String(8), default="en")
    status: Mapped[str] = mapped_column(String(16), default="draft")
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"),
                                                  index=True)
    created_at: Mapped[datetime] = mapped_column(default=lambda: utcnow())
    updated_at: Mapped[datetime] = mapped_column(default=lambda: utcnow())
    published_at: Mapped[datetime | None]
    verifier_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    verified_at: Mapped[datetime | None]
    review_due: Mapped[datetime | None]
    # The review date its experts were last reminded of (kb/jobs.py): one reminder per date.
    review_reminded_for: Mapped[datetime | None]
    view_count: Mapped[int] = mapped_column(default=0)
    helpful_count: Mapped[int] = mapped_column(default=0)
    unhelpful_count: Mapped[int] = mapped_column(default=0)
    revision_number: Mapped[int] = mapped_column(default=0)
    # The accepted answer this article was promoted from (mentoring); no foreign key on purpose,
    # so that the knowledge base does not depend on the mentoring tables.
    source_answer_id: Mapped[int | None]
    # The first-contact resolution lift of the article's `helps` verdict, None without one; kept
    # here by the impact recompute (recognition) so that search can rank proven articles a
    # little higher without knowing about outcomes.
    impact_lift: Mapped[float | None]

    category = relationship("Category")
    author = relationship("User", foreign_keys=[author_id])
    verifier = relationship("User", foreign_keys=[verifier_id])
    tags = relationship("Tag", secondary=article_tag, order_by="Tag.key")
    revisions = relationship("ArticleRevision", back_populates="article",
                             order_by="ArticleRevision.number", cascade="all, delete-orphan",
                             passive_deletes=True)
    current_revision = relationship(
        "ArticleRevision", uselist=False, viewonly=True,
        primaryjoin="and_(Article.id == foreign(ArticleRevision.article_id), "
                    "Article.revision_number == foreign(ArticleRevision.number))",
    )

    @property
    def path(self):
        """The article page's path, for notifications built outside a request."""
        return "/kb/%d/%s" % (self.id, self.slug)

    @property
    def html(self):
        """The sanitised rendering of the current revision, cached when it was saved."""
        return restrict_images(self.current_revision.html) if self.current_revision is not None else ""

    def is_overdue(self, now=None):
        """True when the article is published and its review date has passed."""
        return (self.status == "published" and self.review_due is not None
                and self.review_due < (now or utcnow()))

    def __repr__(self):
        return f"<Article {self.id} {self.status}>"


class ArticleRevision(db.Model):
    """One saved version of an article: what it said, who saved it and why."""

    __table_args__ = (UniqueConstraint("article_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    article_id: Mapped[int] = mapped_column(ForeignKey("article.id", ondelete="CASCADE"))
    number: Mapped[int]
    title: Mapped[str] = mapped_column(String(TITLE_MAX_CHARS))
    summary: Mapped[str] = mapped_column(String(SUMMARY_MAX_CHARS), default="")
    body: Mapped[str] = mapped_column(Text, default="")
    # Sanitised HTML of `body`, rendered once on save rather than on every read.
    html: Mapped[str] = mapped_column(Text, default="")
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=lambda: utcnow())
    note: Mapped[str] = mapped_column(String(NOTE_MAX_CHARS), default="")

    article = relationship("Article", back_populates="revisions")
    author = relationship("User")

    def __repr__(self):
        return f"<ArticleRevision {self.article_id}#{self.number}>"


class ArticleFeedback(db.Model):
    """A reader's answer to "Did this solve it?"; one per reader and article, changeable."""

    __table_args__ = (UniqueConstraint("article_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    article_id: Mapped[int] = mapped_column(ForeignKey("article.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    helpful: Mapped[bool]
    comment: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=lambda: utcnow())
    updated_at: Mapped[datetime] = mapped_column(default=lambda: utcnow())

    article = relationship("Article")
    user = relationship("User")


class ArticleFlag(db.Model):
    """A reader's report that an article is outdated or wrong, open until an expert resolves it."""

    __table_args__ = (Index("ix_article_flag_open", "article_id", "resolved_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    article_id: Mapped[int] = mapped_column(ForeignKey("article.id", ondelete="CASCADE"))
    flagged_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    reason: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=lambda: utcnow())
    resolved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    resolved_at: Mapped[datetime | None]
    resolution: Mapped[str] = mapped_column(Text, default="")

    article = relationship("Article")
    flagged_by = relationship("User", foreign_keys=[flagged_by_id])
    resolved_by = relationship("User", foreign_keys=[resolved_by_id])

    @property
    def is_open(self):
        """True until an expert resolves the flag."""
        return self.resolved_at is None


class ArticleVerification(db.Model):
    """One time someone confirmed an article right (verifying or publishing it): its verification history."""

    id: Mapped[int] = mapped_column(primary_key=True)
    article_id: Mapped[int] = mapped_column(ForeignKey("article.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    verified_at: Mapped[datetime] = mapped_column(default=lambda: utcnow())

    article = relationship("Article")
    user = relationship("User")

    __table_args__ = (Index("ix_article_verification_user", "user_id", "verified_at"),)


class ArticleReviewComment(db.Model):
    """A reviewer's reason for sending an article back to its author."""

    id: Mapped[int] = mapped_column(primary_key=True)
    article_id: Mapped[int] = mapped_column(ForeignKey("article.id", ondelete="CASCADE"),
                                            index=True)
    reviewer_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    revision_number: Mapped[int]
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=lambda: utcnow())

    article = relationship("Article")
    reviewer = relationship("User")


class ArticleImage(db.Model):
    """An uploaded image (kb/images.py): its stored file, who uploaded it and the article it
    belongs to, None until the article it was pasted into is saved."""

    id: Mapped[int] = mapped_column(primary_key=True)
    # The key of the re-encoded file in the image store (core/storage.py); shared by uploads of
    # the same image.
    storage_key: Mapped[str] = mapped_column(String(80), index=True)
    uploader_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"),
                                                    index=True)
    article_id: Mapped[int | None] = mapped_column(ForeignKey("article.id", ondelete="CASCADE"),
                                                   index=True)
    width: Mapped[int]
    height: Mapped[int]
    size_bytes: Mapped[int]
    mime: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(default=lambda: utcnow())

    article = relationship("Article")
    uploader = relationship("User")

    def __repr__(self):
        return f"<ArticleImage {self.id} {self.mime}>"


class SavedArticle(db.Model):
    """An article a reader saved to find again (a bookmark); one per reader and article."""

    __table_args__ = (UniqueConstraint("user_id", "article_id"),
                      Index("ix_saved_article_user_created", "user_id", "created_at"))

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    article_id: Mapped[int] = mapped_column(ForeignKey("article.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=lambda: utcnow())

    article = relationship("Article")
