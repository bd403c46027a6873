"""The form of a webhook: its address, what it is for, the events it receives."""
from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, SelectMultipleField, StringField
from wtforms.validators import Length
from wtforms.widgets import CheckboxInput, ListWidget

from accounts.webhooks.events import EVENT_LABELS
from accounts.webhooks.models import URL_MAX_CHARS
from core.forms import Form


def event_choices():
    return list(EVENT_LABELS.items())


class WebhookForm(Form):
    url = StringField(_l("Address (URL)"), validators=[Length(max=URL_MAX_CHARS)])
    description = StringField(_l("What it is for"), validators=[Length(max=120)])
    events = SelectMultipleField(_l("Events it receives"), choices=event_choices,
                                 widget=ListWidget(prefix_label=False), option_widget=CheckboxInput(),
                                 validate_choice=False)  # the service says which are unknown
    active = BooleanField(_l("Active"), default=True)
