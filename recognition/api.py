"""The resolution-data part of /api/v1: import, performers and title candidates (leads)."""
from datetime import date
from typing import Annotated, Any

from flask import Blueprint, current_app
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from pydantic import BeforeValidator, ConfigDict, Field, PlainValidator, WithJsonSchema, model_validator
from werkzeug.datastructures import FileStorage

from accounts.permissions import require
from core.api import (
    Answer,
    Line,
    Schema,
    operation,
)
from core.categories import get_category_or_404
from core.periods import parse_period
from errors import Invalid, json_error
from extensions import db
from recognition import services
from security import body_limit

recognition_api = Blueprint("recognition_api", __name__, url_prefix="/api/v1")

# Dates a report may name: anything outside is a typing slip, refused before any arithmetic.
EARLIEST_DAY = date(1970, 1, 1)
LATEST_DAY = date(2100, 12, 31)
Day = Annotated[date, Field(ge=EARLIEST_DAY, le=LATEST_DAY,
                            description="An ISO 8601 date from 1970-01-01 to 2100-12-31 (UTC).")]
SEND_THE_FILE = _l("Send the CSV file as the multipart field \"file\".")
# Resolution files are the one upload of the API: up to the upload limit, refused before they
# are read (security.body_limit), with a message that says what the limit is.
accepts_resolution_files = body_limit(
    lambda config: config["MAX_UPLOAD_BYTES"],
    lambda: _l("The file is too large: a resolution file may have at most %(limit)d MB.",
               limit=current_app.config["MAX_UPLOAD_BYTES"] // (1024 * 1024)))


def _uploaded_file(value):
    if not isinstance(value, FileStorage):
        raise ValueError(SEND_THE_FILE)
    return value


def _named_file(value):
    return isinstance(value, FileStorage) and bool(value.filename)


def _file_names(value):
    """A form value with any file object in it replaced by its name."""
    if isinstance(value, list):
        return [_file_names(item) for item in value]
    return value.filename or "" if isinstance(value, FileStorage) else value


def _blank_is_false(value):
    return False if value == "" else value


UploadedCsv = Annotated[Any, PlainValidator(_uploaded_file), WithJsonSchema(
    {"type": "string", "format": "binary", "description": "The resolution-data CSV (SPEC section 6)."})]
FormFlag = Annotated[bool, BeforeValidator(_blank_is_false)]


class ImportForm(Schema):
    """The multipart body of an import: the file, and how to read and store it."""

    file: UploadedCsv
    dry_run: FormFlag = Field(False, description="Check and count everything, store only the batch.")
    create_agents: FormFlag = Field(False, description="Create inactive agents for unknown usernames.")
    encoding: Line | None = Field(None, description="utf-8, utf-16 or cp1256; by default a BOM or UTF-8.")

    @model_validator(mode="before")
    @classmethod
    def _only_the_csv_as_a_file(cls, data):
        # spectree puts the refused inputs in its error report, which must be JSON: so the only
        # file object left is a named upload under "file"; any other becomes its name (and is
        # refused by its member's rule).
        if isinstance(data, dict):
            return {key: value if key == "file" and _named_file(value) else _file_names(value)
                    for key, value in data.items()}
        return data


class ImportRowProblem(Answer):
    row: int
    column: str | None
    value: str | None
    message: str


class ImportSummaryOut(Answer):
    batch_id: int
    dry_run: bool
    rows_total: int
    rows_imported: int
    rows_updated: int
    rows_duplicate: int
    rows_rejected: int
    agents_created: int
    encoding: str
    delimiter: str
    warnings: list[str]
    errors: list[ImportRowProblem] = Field(description="The first row errors; the batch page lists all.")
    errors_truncated: bool


class PerformersQuery(Schema):
    """?category=&since=&until= (ISO dates, UTC, both included; default: the current period)."""

    model_config = ConfigDict(extra="ignore")

    category: Line = Field(description="The category's slug or name.")
    since: Day | None = None
    until: Day | None = None


class CandidatesQuery(Schema):
    model_config = ConfigDict(extra="ignore")

    category: Line = Field(description="The category's slug or name.")


class ScoreComponent(Answer):
    raw: float | None
    adjusted: float | None
    weight: float | None
    points: float | None
    percentile: float | None


class Performer(Answer):
    username: str
    name: str
    contacts: int
    fcr: float | None = Field(description="Share resolved on first contact, 0..1.")
    aht_seconds: float | None
    aht_median_seconds: float | None
    nps: float | None = Field(description="-100..100.")
    nps_responses: int
    csat: float | None = Field(description="Mean answer, 1..5.")
    csat_responses: int
    reopen_rate: float | None
    score: float | None = Field(description="0..100; null when not eligible.")
    rank: int | None
    eligible: bool
    reason: str | None = Field(description="Why the agent is not ranked.")
    components: dict[str, ScoreComponent]
    notes: list[str]


class RankingOut(Answer):
    category: str
    since: date
    until: date
    min_contacts: int


class PerformersOut(RankingOut):
    agents: list[Performer]


class CandidatesOut(RankingOut):
    candidates: list[Performer]


def _iso(day):
    return day.isoformat() if day else None


@recognition_api.post("/resolutions/import")
@accepts_resolution_files
@operation(form=ImportForm, ok=ImportSummaryOut, status=201, answers={200: ImportSummaryOut},
           tags=["resolution data"])
def import_resolutions(form):
    """Import a resolution-data CSV sent as the multipart field `file` (leads); 200 for a dry run."""
    if form is None:  # not a form at all (JSON, plain text…)
        raise Invalid("file", SEND_THE_FILE)
    require(current_user, "resolutions.import")
    try:
        summary = services.import_resolutions(
            form.file.stream, filename=form.file.filename, user=current_user, dry_run=form.dry_run,
            create_agents=form.create_agents, encoding=form.encoding or None, source="api",
            metrics_later=True)
    except services.UnreadableFile as error:
        db.session.commit()  # keep the failed batch in the import history
        return json_error(error.status, error.message, error.code, error.fields)
    db.session.commit()
    return summary.as_json(), 200 if form.dry_run else 201


@recognition_api.get("/performers")
@operation(query=PerformersQuery, ok=PerformersOut, tags=["resolution data"])
def performers(query):
    """A category's ranking over ?since=&until= (default: the current period), eligible first."""
    require(current_user, "performers.view")
    category = get_category_or_404(query.category)
    settings = services.load_ranking_settings()
    period = parse_period(_iso(query.since), _iso(query.until), settings.period_days)
    return services.rank_performers(category, period.since, period.until).as_json()


@recognition_api.get("/recognition/candidates")
@operation(query=CandidatesQuery, ok=CandidatesOut, tags=["resolution data"])
def candidates(query):
    """Title candidates of a category: the current period's best without a current title there."""
    require(current_user, "performers.view")
    return services.title_candidates(get_category_or_404(query.category)).as_json()
