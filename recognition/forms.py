"""Forms of the resolution-data pages: upload, run an import, score settings."""
from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, DecimalField, HiddenField, IntegerField, SelectField
from wtforms.validators import InputRequired

from core.forms import Form

ENCODING_CHOICES = (
    ("", _l("Detect automatically")),
    ("utf-8", "UTF-8"),
    ("utf-16", "UTF-16"),
    ("cp1256", _l("Windows-1256 (Arabic, Persian)")),
)


def encoding_choices():
    return list(ENCODING_CHOICES)


class UploadForm(Form):
    file = FileField(_l("CSV file"), validators=[FileRequired()])
    encoding = SelectField(_l("Encoding"), choices=encoding_choices, default="")


class RunImportForm(Form):
    """Import (or dry-run) a file already uploaded and previewed."""

    encoding = HiddenField()
    create_agents = BooleanField(_l("Create inactive accounts for unknown agents"))


class ScoreSettingsForm(Form):
    fcr_weight = DecimalField(_l("FCR weight"), places=None, validators=[InputRequired()])
    nps_weight = DecimalField(_l("NPS weight"), places=None, validators=[InputRequired()])
    csat_weight = DecimalField(_l("CSAT weight"), places=None, validators=[InputRequired()])
    aht_weight = DecimalField(_l("AHT weight"), places=None, validators=[InputRequired()])
    min_contacts = IntegerField(_l("Minimum contacts to be ranked"), validators=[InputRequired()])
    aht_quality_band = DecimalField(_l("AHT quality band"), places=None, validators=[InputRequired()])
    z = DecimalField(_l("Confidence (z) of the FCR lower bound"), places=None,
                     validators=[InputRequired()])
    nps_prior_weight = DecimalField(_l("NPS prior weight (answers)"), places=None,
                                    validators=[InputRequired()])
    csat_prior_weight = DecimalField(_l("CSAT prior weight (answers)"), places=None,
                                     validators=[InputRequired()])
    period_days = IntegerField(_l("Current period (days)"), validators=[InputRequired()])
    candidate_count = IntegerField(_l("Title candidates per category"), validators=[InputRequired()])

    def values(self):
        """The submitted numbers by setting name (decimals as floats)."""
        return {name: (float(field.data) if isinstance(field, DecimalField) else field.data)
                for name, field in self._fields.items() if name != "csrf_token"}


PERIOD_PRESETS = (
    (30, _l("Last 30 days")),
    (90, _l("Last 90 days")),
    (182, _l("Last 6 months")),
    (365, _l("Last 12 months")),
)

