"""Forms of the knowledge-impact pages."""
from flask_babel import lazy_gettext as _l
from wtforms import StringField

from core.forms import Form
from recognition.impact.models import TICKET_MAX_CHARS


class UseForm(Form):
    """"Used on a contact", from the article page mid-call: the ticket id is optional."""

    ticket_id = StringField(_l("Ticket id (optional)"),
                            render_kw={"maxlength": TICKET_MAX_CHARS, "dir": "auto", "autocomplete": "off"})
