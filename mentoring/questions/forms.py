"""Question and answer forms; the services hold the rules, these only collect the fields."""
from flask_babel import lazy_gettext as _l
from wtforms import SelectField, StringField, SubmitField, TextAreaField

from config import LANGUAGES
from core.forms import MENTIONS, Form

# Text typed here may be Persian, Arabic, Thai or English whatever the page's language.
AUTO_DIRECTION = {"dir": "auto"}


class QuestionForm(Form):
    """Ask or reword a question; "check" lists similar content before posting (works without JS)."""

    title = StringField(_l("Your question in one line"),
                        render_kw={**AUTO_DIRECTION, "maxlength": 200, "autocomplete": "off"})
    # validate_choice is off so that an unknown value reaches the service and its clear message.
    category = SelectField(_l("Category"), choices=[], validate_choice=False)
    lang = SelectField(_l("Language of the question"), choices=lambda: list(LANGUAGES.items()),
                       validate_choice=False)
    body = TextAreaField(_l("Details (Markdown)"), render_kw={**AUTO_DIRECTION, **MENTIONS, "rows": 10})
    tags = StringField(_l("Tags (optional, separated by commas)"), render_kw=AUTO_DIRECTION)
    check = SubmitField(_l("Look for existing answers"))
    submit = SubmitField(_l("Ask the experts"))


class AnswerForm(Form):
    body = TextAreaField(_l("Your answer (Markdown)"), render_kw={**AUTO_DIRECTION, **MENTIONS, "rows": 8})
    submit = SubmitField(_l("Post your answer"))


class CloseForm(Form):
    reason = StringField(_l("Why close it? (optional)"),
                         render_kw={**AUTO_DIRECTION, "maxlength": 300})
