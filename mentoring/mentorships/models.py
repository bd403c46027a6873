"""Mentor profiles, mentoring requests, mentorships and their sessions."""
from datetime import date, datetime

from sqlalchemy import CheckConstraint, Column, Float, ForeignKey, Index, String, Table, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.clock import utcnow
from extensions import db

REQUEST_STATUSES = ("open", "accepted", "declined", "withdrawn")
MENTORSHIP_STATUSES = ("active", "completed", "ended_early")
# The service metrics a goal can name; the ranges live with the goal rules in the services.
GOAL_METRICS = ("fcr", "aht", "nps", "csat")
AVAILABILITY_MAX_CHARS = 300
GOAL_TEXT_MAX_CHARS = 1000
REASON_MAX_CHARS = 500

mentor_profile_category = Table(
    "mentor_profile_category",
    db.metadata,
    Column("profile_id", ForeignKey("mentor_profile.id", ondelete="CASCADE"), primary_key=True),
    Column("category_id", ForeignKey("category.id", ondelete="CASCADE"), primary_key=True, index=True),
)


class MentorProfile(db.Model):
    """A person's offer to mentor in some categories, with how many mentees they can take."""

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), unique=True)
    capacity: Mapped[int] = mapped_column(default=3)
    availability: Mapped[str] = mapped_column(String(AVAILABILITY_MAX_CHARS), default="")
    bio: Mapped[str] = mapped_column(Text, default="")
    active: Mapped[bool] = mapped_column(default=True)
    # Set when an expert opts in (approved by themselves, through their title) or a lead approves.
    approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    approved_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=lambda: utcnow())
    updated_at: Mapped[datetime] = mapped_column(default=lambda: utcnow())

    user = relationship("User", foreign_keys=[user_id])
    approved_by = relationship("User", foreign_keys=[approved_by_id])
    categories = relationship("Category", secondary=mentor_profile_category, order_by="Category.name")

    __table_args__ = (CheckConstraint("capacity >= 1 AND capacity <= 10", name="capacity_range"),)

    @property
    def approved(self):
        return self.approved_at is not None

    def covers(self, category):
        return any(item.id == category.id for item in self.categories)

    def __repr__(self):
        return f"<MentorProfile {self.user_id}>"


class MentoringRequest(db.Model):
    """An agent asking for help in a category (or a lead proposing it for them)."""

    id: Mapped[int] = mapped_column(primary_key=True)
    mentee_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    category_id: Mapped[int] = mapped_column(ForeignKey("category.id", ondelete="CASCADE"))
    preferred_mentor_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True)
    # The lead who proposed it; None when the mentee asked themselves.
    proposed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    goal_text: Mapped[str] = mapped_column(Text, default="")
    goal_metric: Mapped[str | None] = mapped_column(String(8))
    goal_target: Mapped[float | None] = mapped_column(Float)
    status: Mapped[str] = mapped_column(String(12), default="open")
    created_at: Mapped[datetime] = mapped_column(default=lambda: utcnow(), index=True)
    decided_at: Mapped[datetime | None]
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    decline_reason: Mapped[str] = mapped_column(String(REASON_MAX_CHARS), default="")
    mentorship_id: Mapped[int | None] = mapped_column(ForeignKey("mentorship.id", ondelete="SET NULL"))

    mentee = relationship("User", foreign_keys=[mentee_id])
    category = relationship("Category")
    preferred_mentor = relationship("User", foreign_keys=[preferred_mentor_id])
    proposed_by = relationship("User", foreign_keys=[proposed_by_id])
    decided_by = relationship("User", foreign_keys=[decided_by_id])
    mentorship = relationship("Mentorship", foreign_keys=[mentorship_id])

    __table_args__ = (Index("ix_mentoring_request_status_category", "status", "category_id"),)

    def __repr__(self):
        return f"<MentoringRequest {self.id} {self.status}>"


class Mentorship(db.Model):
    """A mentor helping a mentee in one category towards a goal, from a start date."""

    id: Mapped[int] = mapped_column(primary_key=True)
    mentor_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    mentee_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    category_id: Mapped[int] = mapped_column(ForeignKey("category.id", ondelete="CASCADE"), index=True)
    # The lead who assigned it, or the mentor who accepted a request.
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    goal_text: Mapped[str] = mapped_column(Text, default="")
    goal_metric: Mapped[str | None] = mapped_column(String(8))
    goal_target: Mapped[float | None] = mapped_column(Float)
    # The mentee's value of the goal metric over the weeks before the start (None without data).
    goal_baseline: Mapped[float | None] = mapped_column(Float)
    started_on: Mapped[date]
    planned_end_on: Mapped[date]
    ended_on: Mapped[date | None]
    status: Mapped[str] = mapped_column(String(12), default="active")
    # Measured at completion: the goal metric and FCR before and since the start.
    goal_met: Mapped[bool | None]
    outcome_value: Mapped[float | None] = mapped_column(Float)
    fcr_before: Mapped[float | None] = mapped_column(Float)
    fcr_after: Mapped[float | None] = mapped_column(Float)
    end_note: Mapped[str] = mapped_column(String(REASON_MAX_CHARS), default="")
    created_at: Mapped[datetime] = mapped_column(default=lambda: utcnow())

    mentor = relationship("User", foreign_keys=[mentor_id])
    mentee = relationship("User", foreign_keys=[mentee_id])
    category = relationship("Category")
    created_by = relationship("User", foreign_keys=[created_by_id])
    sessions = relationship("MentoringSession", back_populates="mentorship", cascade="all, delete-orphan",
                            order_by=lambda: [MentoringSession.held_on.desc(), MentoringSession.id.desc()])

    __table_args__ = (
        CheckConstraint("planned_end_on > started_on", name="planned_end_after_start"),
        Index("ix_mentorship_mentor_status", "mentor_id", "status"),
    )

    @property
    def has_metric_goal(self):
        return self.goal_metric is not None and self.goal_target is not None

    def __repr__(self):
        return f"<Mentorship {self.id} {self.status}>"


class MentoringSession(db.Model):
    """One meeting of a mentorship: when, how long, what was worked on and what comes next."""

    id: Mapped[int] = mapped_column(primary_key=True)
    mentorship_id: Mapped[int] = mapped_column(ForeignKey("mentorship.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    held_on: Mapped[date]
    duration_minutes: Mapped[int]
    notes: Mapped[str] = mapped_column(Text, default="")
    next_steps: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=lambda: utcnow())

    mentorship = relationship("Mentorship", back_populates="sessions")
    author = relationship("User")

    __table_args__ = (
        CheckConstraint("duration_minutes >= 1 AND duration_minutes <= 480", name="duration_range"),
    )

    def __repr__(self):
        return f"<MentoringSession {self.id}>"
