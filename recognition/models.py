"""Resolution data: imported contacts, import batches, weekly metrics and the score settings."""
from datetime import date, datetime

from sqlalchemy import JSON, BigInteger, ForeignKey, Index, Integer, SmallInteger, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.clock import utcnow
from extensions import db

BATCH_STATUSES = ("running", "finished", "failed")
BATCH_SOURCES = ("web", "api", "cli", "demo")
RUN_STATUSES = ("queued", "running", "done", "failed")


class ImportBatch(db.Model):
    """One upload of a resolution-data file: who, when, how it was read and what came of it."""

    id: Mapped[int] = mapped_column(primary_key=True)
    filename: Mapped[str] = mapped_column(String(255), default="")
    sha256: Mapped[str] = mapped_column(String(64), default="", index=True)
    uploaded_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True)
    source: Mapped[str] = mapped_column(String(8), default="web")
    created_at: Mapped[datetime] = mapped_column(default=lambda: utcnow(), index=True)
    finished_at: Mapped[datetime | None]
    status: Mapped[str] = mapped_column(String(16), default="running")
    dry_run: Mapped[bool] = mapped_column(default=False)
    create_agents: Mapped[bool] = mapped_column(default=False)
    encoding: Mapped[str] = mapped_column(String(16), default="")
    delimiter: Mapped[str] = mapped_column(String(4), default="")
    rows_total: Mapped[int] = mapped_column(default=0)
    rows_imported: Mapped[int] = mapped_column(default=0)
    rows_updated: Mapped[int] = mapped_column(default=0)
    rows_duplicate: Mapped[int] = mapped_column(default=0)
    rows_rejected: Mapped[int] = mapped_column(default=0)
    agents_created: Mapped[int] = mapped_column(default=0)
    # Why the whole file was refused (status "failed"), in the uploader's language.
    message: Mapped[str] = mapped_column(Text, default="")
    warnings: Mapped[list] = mapped_column(JSON, default=list)

    uploaded_by = relationship("User")

    def __repr__(self):
        return f"<ImportBatch {self.id} {self.filename}>"


class ImportRun(db.Model):
    """An import started from the web page, run by the job queue: what to import, how far it got.

    The uploaded file waits in the instance folder under `upload_token` (recognition/uploads.py);
    the job makes the batch (`batch`, with its counts and rejected rows) in one transaction with
    the run's final status, so a run is done with its whole batch or failed with none of it (an
    unreadable file keeps its failed batch, as a synchronous import does).
    """

    id: Mapped[int] = mapped_column(primary_key=True)
    status: Mapped[str] = mapped_column(String(16), default="queued")
    # Why a run failed: "unreadable" (the batch says why), "missing" (the upload was gone),
    # "unexpected" or "stopped" (its consumer died; nothing was stored either way).
    failure: Mapped[str] = mapped_column(String(16), default="")
    filename: Mapped[str] = mapped_column(String(255), default="")
    upload_token: Mapped[str] = mapped_column(String(32), default="")
    dry_run: Mapped[bool] = mapped_column(default=False)
    create_agents: Mapped[bool] = mapped_column(default=False)
    encoding: Mapped[str] = mapped_column(String(16), default="")  # "" detects it
    uploaded_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True)
    batch_id: Mapped[int | None] = mapped_column(ForeignKey("import_batch.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=lambda: utcnow(), index=True)
    started_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]
    rows_done: Mapped[int] = mapped_column(default=0)
    bytes_total: Mapped[int] = mapped_column(BigInteger, default=0)

    uploaded_by = relationship("User")
    batch = relationship("ImportBatch")

    @property
    def is_active(self):
        return self.status in ("queued", "running")

    def __repr__(self):
        return f"<ImportRun {self.id} {self.status}>"


class ImportRowError(db.Model):
    """One reason a row of a batch was rejected (a row may have several)."""

    id: Mapped[int] = mapped_column(primary_key=True)
    batch_id: Mapped[int] = mapped_column(ForeignKey("import_batch.id", ondelete="CASCADE"))
    row_number: Mapped[int]
    column: Mapped[str | None] = mapped_column(Text)
    value: Mapped[str | None] = mapped_column(Text)
    message: Mapped[str] = mapped_column(Text, default="")

    __table_args__ = (Index("ix_import_row_error_batch_row", "batch_id", "row_number", "id"),)


class ResolutionRecord(db.Model):
    """One customer contact from the source system, as last imported."""

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[str] = mapped_column(String(200), unique=True)
    agent_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    category_id: Mapped[int] = mapped_column(ForeignKey("category.id", ondelete="CASCADE"))
    channel: Mapped[str | None] = mapped_column(String(8))
    opened_at: Mapped[datetime]
    closed_at: Mapped[datetime | None]
    # Monday of the ISO week of opened_at (UTC), computed at import so that grouping by week is
    # plain, portable SQL on SQLite and PostgreSQL alike.
    week: Mapped[date]
    handle_seconds: Mapped[int] = mapped_column(Integer)
    first_contact_resolution: Mapped[bool]
    reopened: Mapped[bool | None]
    nps: Mapped[int | None] = mapped_column(SmallInteger)
    csat: Mapped[int | None] = mapped_column(SmallInteger)
    # The batch that created or last changed the record.
    batch_id: Mapped[int | None] = mapped_column(ForeignKey("import_batch.id", ondelete="SET NULL"))

    agent = relationship("User")
    category = relationship("Category")

    __table_args__ = (
        Index("ix_resolution_record_category_week", "category_id", "week"),
        Index("ix_resolution_record_agent_week", "agent_id", "week"),
    )


class AgentCategoryWeek(db.Model):
    """Totals of one agent's contacts in one category and ISO week, derived from the records.

    Sums and counts only, so that any run of weeks adds up exactly; the median handle time is
    not additive and is computed from the records when asked for.
    """

    category_id: Mapped[int] = mapped_column(
        ForeignKey("category.id", ondelete="CASCADE"), primary_key=True)
    week: Mapped[date] = mapped_column(primary_key=True)
    agent_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    contacts: Mapped[int] = mapped_column(default=0)
    fcr_count: Mapped[int] = mapped_column(default=0)
    reopened_count: Mapped[int] = mapped_column(default=0)
    handle_sum: Mapped[int] = mapped_column(BigInteger, default=0)
    nps_promoters: Mapped[int] = mapped_column(default=0)
    nps_detractors: Mapped[int] = mapped_column(default=0)
    nps_responses: Mapped[int] = mapped_column(default=0)
    csat_sum: Mapped[int] = mapped_column(default=0)
    csat_responses: Mapped[int] = mapped_column(default=0)

    __table_args__ = (Index("ix_agent_category_week_agent", "agent_id", "week"),)


class ScoreSettingsRecord(db.Model):
    """The top-performer score's weights and thresholds; one row, absent until first changed."""

    id: Mapped[int] = mapped_column(primary_key=True)
    fcr_weight: Mapped[float]
    nps_weight: Mapped[float]
    csat_weight: Mapped[float]
    aht_weight: Mapped[float]
    min_contacts: Mapped[int]
    z: Mapped[float]
    nps_prior_weight: Mapped[float]
    csat_prior_weight: Mapped[float]
    aht_quality_band: Mapped[float]
    # Length of the "current period" of leaderboards and title candidates, in days.
    period_days: Mapped[int] = mapped_column(default=90)
    candidate_count: Mapped[int] = mapped_column(default=3)
    updated_at: Mapped[datetime] = mapped_column(default=lambda: utcnow())
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    updated_by = relationship("User")
