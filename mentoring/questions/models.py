"""Peer questions and answers: questions with their edit history and tags, answers, votes, routing."""
from datetime import datetime

from markupsafe import Markup
from sqlalchemy import CheckConstraint, ForeignKey, Index, SmallInteger, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.clock import utcnow
from core.markdown import restrict_images
from extensions import db

QUESTION_STATUSES = ("open", "answered", "closed")
QUESTION_TITLE_MIN_CHARS = 10
QUESTION_TITLE_MAX_CHARS = 200
BODY_MAX_CHARS = 50_000
TAG_MAX_CHARS = 50
CLOSE_REASON_MAX_CHARS = 300
# Why someone was asked to answer: they hold a title in the category, rank among its top
# performers, or lead a team (the last resort).
ROUTING_REASONS = ("title", "performer", "lead")


class Question(db.Model):
    """A question an agent asks their colleagues; `html` is the sanitised rendering of `body`."""

    __table_args__ = (
        Index("ix_question_listing", "deleted", "status", "created_at"),
        Index("ix_question_category_status", "category_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(QUESTION_TITLE_MAX_CHARS))
    body: Mapped[str] = mapped_column(Text, default="")
    # Rendered once on save: a question is read far more often than it is written.
    html: Mapped[str] = mapped_column(Text, default="")
    category_id: Mapped[int] = mapped_column(ForeignKey("category.id", ondelete="RESTRICT"))
    lang: Mapped[str] = mapped_column(String(8), default="en")
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"),
                                                  index=True)
    status: Mapped[str] = mapped_column(String(16), default="open")
    accepted_answer_id: Mapped[int | None] = mapped_column(
        ForeignKey("answer.id", use_alter=True, ondelete="SET NULL"))
    # Kept in step by the services so that lists and the unanswered queue need no join.
    answer_count: Mapped[int] = mapped_column(default=0)
    view_count: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(default=lambda: utcnow())
    updated_at: Mapped[datetime] = mapped_column(default=lambda: utcnow())
    closed_at: Mapped[datetime | None]
    closed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    close_reason: Mapped[str] = mapped_column(String(CLOSE_REASON_MAX_CHARS), default="")
    deleted: Mapped[bool] = mapped_column(default=False)
    deleted_at: Mapped[datetime | None]
    # The how-to article an accepted answer of this question was promoted to.
    article_id: Mapped[int | None] = mapped_column(ForeignKey("article.id", ondelete="SET NULL"))

    category = relationship("Category")
    author = relationship("User", foreign_keys=[author_id])
    closed_by = relationship("User", foreign_keys=[closed_by_id])
    article = relationship("Article")
    tags = relationship("QuestionTag", order_by="QuestionTag.key", cascade="all, delete-orphan",
                        passive_deletes=True)
    answers = relationship("Answer", back_populates="question", foreign_keys="Answer.question_id",
                           order_by="Answer.id", cascade="all, delete-orphan",
                           passive_deletes=True)
    accepted_answer = relationship("Answer", foreign_keys=[accepted_answer_id], post_update=True)
    revisions = relationship("QuestionRevision", back_populates="question",
                             order_by="QuestionRevision.number", cascade="all, delete-orphan",
                             passive_deletes=True)
    routings = relationship("QuestionRouting", back_populates="question",
                            order_by="QuestionRouting.rank", cascade="all, delete-orphan",
                            passive_deletes=True)

    @property
    def path(self):
        """The question page's path, for notifications built outside a request."""
        return "/questions/%d" % self.id

    @property
    def rendered_html(self):
        """The body's HTML for templates: sanitised by core.markdown when it was saved."""
        return Markup(restrict_images(self.html))

    @property
    def tag_names(self):
        """The tags as written, in alphabetical order of their keys."""
        return [tag.name for tag in self.tags]

    @property
    def is_answered(self):
        """True once the asker (or a lead) has accepted an answer."""
        return self.accepted_answer_id is not None

    def sorted_answers(self):
        """Answers as readers see them: the accepted one first, then by score, oldest first."""
        return sorted(self.answers, key=lambda answer: (not answer.accepted, -answer.score,
                                                        answer.created_at, answer.id))

    def __repr__(self):
        return f"<Question {self.id} {self.status}>"


class QuestionTag(db.Model):
    """A free label on a question; `key` is the case-folded name ("PUK" and "puk" are one tag).

    Questions keep their own tag rows rather than sharing the knowledge base's Tag table: the
    knowledge base offers no service to create tags, and a question must not write kb tables.
    """

    __table_args__ = (UniqueConstraint("question_id", "key"), Index("ix_question_tag_key", "key"))

    id: Mapped[int] = mapped_column(primary_key=True)
    question_id: Mapped[int] = mapped_column(ForeignKey("question.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(TAG_MAX_CHARS))
    key: Mapped[str] = mapped_column(String(2 * TAG_MAX_CHARS))


class QuestionRevision(db.Model):
    """One saved version of a question's title and body: the asker's edit history."""

    __table_args__ = (UniqueConstraint("question_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    question_id: Mapped[int] = mapped_column(ForeignKey("question.id", ondelete="CASCADE"))
    number: Mapped[int]
    title: Mapped[str] = mapped_column(String(QUESTION_TITLE_MAX_CHARS))
    body: Mapped[str] = mapped_column(Text, default="")
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=lambda: utcnow())

    question = relationship("Question", back_populates="revisions")
    author = relationship("User")


class Answer(db.Model):
    """An answer to a question; `score` is the sum of its votes, `html` its sanitised rendering."""

    __table_args__ = (Index("ix_answer_question_score", "question_id", "score"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    question_id: Mapped[int] = mapped_column(ForeignKey("question.id", ondelete="CASCADE"))
    body: Mapped[str] = mapped_column(Text, default="")
    html: Mapped[str] = mapped_column(Text, default="")
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"),
                                                  index=True)
    score: Mapped[int] = mapped_column(default=0)
    accepted: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=lambda: utcnow())
    updated_at: Mapped[datetime] = mapped_column(default=lambda: utcnow())

    question = relationship("Question", back_populates="answers", foreign_keys=[question_id])
    author = relationship("User")
    votes = relationship("Vote", back_populates="answer", cascade="all, delete-orphan",
                         passive_deletes=True)

    @property
    def rendered_html(self):
        """The body's HTML for templates: sanitised by core.markdown when it was saved."""
        return Markup(restrict_images(self.html))

    def __repr__(self):
        return f"<Answer {self.id} of question {self.question_id}>"


class Vote(db.Model):
    """One person's +1 or −1 on an answer; changeable, never on one's own answer."""

    __table_args__ = (
        UniqueConstraint("user_id", "answer_id"),
        CheckConstraint("value IN (-1, 1)", name="value_plus_or_minus_one"),
        Index("ix_vote_answer", "answer_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    answer_id: Mapped[int] = mapped_column(ForeignKey("answer.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    value: Mapped[int] = mapped_column(SmallInteger)
    created_at: Mapped[datetime] = mapped_column(default=lambda: utcnow())
    updated_at: Mapped[datetime] = mapped_column(default=lambda: utcnow())

    answer = relationship("Answer", back_populates="votes")
    user = relationship("User")


class QuestionRouting(db.Model):
    """Someone asked to answer a question (ask-an-expert): who, when, in which order and why."""

    __table_args__ = (UniqueConstraint("question_id", "expert_id"),
                      Index("ix_question_routing_expert", "expert_id", "asked_at"))

    id: Mapped[int] = mapped_column(primary_key=True)
    question_id: Mapped[int] = mapped_column(ForeignKey("question.id", ondelete="CASCADE"))
    expert_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    rank: Mapped[int]
    reason: Mapped[str] = mapped_column(String(16))
    asked_at: Mapped[datetime] = mapped_column(default=lambda: utcnow())

    question = relationship("Question", back_populates="routings")
    expert = relationship("User")
