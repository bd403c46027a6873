"""Forms for kudos, titles and badges; length and content rules live in the services."""
from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, DateField, HiddenField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from core.forms import PEOPLE_PICKER, Form
from recognition.awards.models import KUDOS_MAX_CHARS, REASON_MAX_CHARS, TITLE_NAME_MAX_CHARS


class KudosForm(Form):
    to = StringField(_l("Who do you want to thank? (username)"),
                     validators=[DataRequired(), Length(max=64)], render_kw=PEOPLE_PICKER)
    message = TextAreaField(_l("Your message"),
                            validators=[DataRequired(), Length(max=KUDOS_MAX_CHARS)])
    article_id = HiddenField()
    answer_id = HiddenField()


class AwardTitleForm(Form):
    # A candidate's form sends it hidden; the form for anyone else types it, with the picker.
    username = StringField(_l("Who (username)"), validators=[DataRequired(), Length(max=64)],
                           render_kw=PEOPLE_PICKER)
    category = HiddenField(validators=[DataRequired()])
    title = StringField(_l("Title (leave empty for the usual wording)"),
                        validators=[Optional(), Length(max=TITLE_NAME_MAX_CHARS)])
    reason = TextAreaField(_l("Note for the expert"), validators=[Length(max=REASON_MAX_CHARS)])
    expires_at = DateField(_l("Valid through"), validators=[Optional()])


class TitleReasonForm(Form):
    """Renewal note or revocation reason."""

    reason = TextAreaField(_l("Reason"), validators=[Length(max=REASON_MAX_CHARS)])


class AwardBadgeForm(Form):
    username = StringField(_l("Username"), validators=[DataRequired(), Length(max=64)],
                           render_kw=PEOPLE_PICKER)
    badge = SelectField(_l("Badge"), validators=[DataRequired()])
    reason = TextAreaField(_l("Why?"), validators=[Length(max=REASON_MAX_CHARS)])


class BadgeDefinitionForm(Form):
    slug = StringField(_l("Slug (used in the API)"), validators=[Length(max=64)])
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=120)])
    description = TextAreaField(_l("How it is earned"), validators=[Length(max=500)])
    icon = SelectField(_l("Icon"))
    repeatable = BooleanField(_l("Can be awarded to the same person more than once"))
    active = BooleanField(_l("In use"), default=True)
