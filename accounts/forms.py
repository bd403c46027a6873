"""Forms for signing in, passwords and user administration."""
from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, EmailField, HiddenField, PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, Length, Optional

from accounts.models import ROLES
from accounts.services import PASSWORD_MAX_LENGTH, TOKEN_NAME_MAX_LENGTH
from config import LANGUAGES
from core.forms import Form

ROLE_LABELS = {"agent": _l("Agent"), "lead": _l("Team lead"), "admin": _l("Administrator")}
# How each user signs in (User.auth_source), as the user list says it.
SOURCE_LABELS = {"local": _l("Password"), "oidc": _l("OpenID Connect"), "ldap": _l("Directory (LDAP)")}

# The keys are core/locale_format.py's CALENDAR_CHOICES and DIGITS_CHOICES.
CALENDAR_LABELS = {"default": _l("The language's own (Solar Hijri in Persian, Buddhist era in Thai)"),
                   "gregorian": _l("Gregorian")}
DIGITS_LABELS = {"default": _l("The language's own"), "thai": _l("Thai digits (on Thai pages)")}


def role_choices():
    return [(role, ROLE_LABELS[role]) for role in ROLES]


def language_choices():
    return list(LANGUAGES.items())


class LoginForm(Form):
    username = StringField(_l("Username"), validators=[DataRequired(), Length(max=64)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=PASSWORD_MAX_LENGTH)])
    next = HiddenField()


class ChangePasswordForm(Form):
    current_password = PasswordField(_l("Current password"), validators=[DataRequired()])
    # Length rules live in services.validate_password, the one place for them.
    new_password = PasswordField(_l("New password"), validators=[DataRequired()])


class PreferencesForm(Form):
    display_name = StringField(_l("Name"), validators=[Length(max=120)])
    locale = SelectField(_l("Language"), choices=language_choices)
    calendar = SelectField(_l("Calendar"), choices=lambda: list(CALENDAR_LABELS.items()))
    digits = SelectField(_l("Digits"), choices=lambda: list(DIGITS_LABELS.items()))


class UserForm(Form):
    """Create or edit a user (admins)."""

    username = StringField(_l("Username"), validators=[DataRequired(), Length(min=2, max=64)])
    display_name = StringField(_l("Name"), validators=[Length(max=120)])
    email = EmailField(_l("E-mail"), validators=[Optional(), Length(max=254)])
    role = SelectField(_l("Role"), choices=role_choices)
    team = StringField(_l("Team"), validators=[Length(max=80)])
    locale = SelectField(_l("Language"), choices=language_choices)
    password = PasswordField(_l("Password"), validators=[Optional()])
    active = BooleanField(_l("Active"), default=True)


class UserImportForm(Form):
    file = FileField(_l("CSV file"), validators=[FileRequired()])


class TeamForm(Form):
    name = StringField(_l("Team name"), validators=[DataRequired(), Length(max=80)])
    lead = SelectField(_l("Lead"), choices=[], validate_choice=False)


def token_expiry_choices():
    return [("", _l("Never")), ("30", _l("In 30 days")), ("90", _l("In 90 days")), ("365", _l("In a year"))]


class ApiTokenForm(Form):
    """Create a named API token."""

    label = StringField(_l("Name"), validators=[DataRequired(), Length(max=TOKEN_NAME_MAX_LENGTH)])
    expires = SelectField(_l("Expires"), choices=token_expiry_choices, default="")
