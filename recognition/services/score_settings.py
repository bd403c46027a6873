"""The stored weights and thresholds of the top-performer score, and their audited changes."""
from dataclasses import dataclass, fields

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from accounts.notifications import record_audit
from core.clock import utcnow
from errors import Invalid
from extensions import db
from recognition.models import ScoreSettingsRecord
from recognition.scoring import ScoreSettings

DEFAULT_PERIOD_DAYS = 90
DEFAULT_CANDIDATE_COUNT = 3
# Bounds a lead can set; outside them the score stops meaning anything.
LIMITS = {
    "fcr_weight": (0.0, 10.0),
    "nps_weight": (0.0, 10.0),
    "csat_weight": (0.0, 10.0),
    "aht_weight": (0.0, 10.0),
    "min_contacts": (1, 100_000),
    "z": (0.5, 4.0),
    "nps_prior_weight": (0.0, 10_000.0),
    "csat_prior_weight": (0.0, 10_000.0),
    "aht_quality_band": (0.0, 1.0),
    "period_days": (7, 366),
    "candidate_count": (1, 20),
}
SCORE_FIELDS = tuple(item.name for item in fields(ScoreSettings))
WEIGHT_FIELDS = ("fcr_weight", "nps_weight", "csat_weight", "aht_weight")


@dataclass(frozen=True)
class RankingSettings:
    """The score settings plus the length of the current period and how many candidates to propose."""

    score: ScoreSettings
    period_days: int = DEFAULT_PERIOD_DAYS
    candidate_count: int = DEFAULT_CANDIDATE_COUNT
    updated_at: object = None
    updated_by: object = None

    def as_dict(self):
        values = {name: getattr(self.score, name) for name in SCORE_FIELDS}
        values.update(period_days=self.period_days, candidate_count=self.candidate_count)
        return values


def _stored():
    return db.session.scalars(select(ScoreSettingsRecord).order_by(ScoreSettingsRecord.id)).first()


def load_ranking_settings():
    """The current settings: the stored row, or the defaults when nobody changed them yet."""
    record = _stored()
    if record is None:
        return RankingSettings(ScoreSettings())
    return RankingSettings(
        ScoreSettings(**{name: getattr(record, name) for name in SCORE_FIELDS}),
        period_days=record.period_days, candidate_count=record.candidate_count,
        updated_at=record.updated_at, updated_by=record.updated_by)


def update_ranking_settings(actor, **values):
    """Change some settings (names as in RankingSettings.as_dict); audited; returns the new settings.

    :raises Invalid: an unknown name, a value out of bounds, or all weights zero.
    """
    current = load_ranking_settings().as_dict()
    changed = {}
    for name, value in values.items():
        if name not in LIMITS:
            raise Invalid(name, _l("Unknown setting %(name)s.", name=name))
        low, high = LIMITS[name]
        if not isinstance(value, int | float) or isinstance(value, bool) or value != value:
            raise Invalid(name, _l("Enter a number."))
        if not low <= value <= high:
            raise Invalid(name, _l("Enter a value from %(low)s to %(high)s.", low=low, high=high))
        value = int(value) if isinstance(low, int) else float(value)
        if value != current[name]:
            changed[name] = value
    merged = {**current, **changed}
    if not sum(merged[name] for name in WEIGHT_FIELDS) > 0:
        raise Invalid("fcr_weight", _l("At least one weight must be more than zero."))
    score = ScoreSettings(**{name: merged[name] for name in SCORE_FIELDS})
    if not changed:
        return load_ranking_settings()
    record = _stored()
    if record is None:
        record = ScoreSettingsRecord()
        db.session.add(record)
    for name, value in merged.items():
        setattr(record, name, value)
    record.updated_at = utcnow()
    record.updated_by = actor
    db.session.flush()
    record_audit(actor, "recognition.score_settings", record,
                 _l("Changed the top-performer score settings: %(names)s.",
                    names=", ".join(sorted(changed))),
                 **{f"{name}_from": current[name] for name in changed},
                 **{f"{name}_to": value for name, value in changed.items()})
    return RankingSettings(score, period_days=merged["period_days"],
                           candidate_count=merged["candidate_count"],
                           updated_at=record.updated_at, updated_by=actor)
