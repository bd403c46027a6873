"""Knowledge-base forms; the services hold the rules, these only collect the fields."""
from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import Optional

from config import LANGUAGES
from core.forms import MENTIONS, Form

# Text typed here may be Persian, Arabic, Thai or English whatever the page's language.
AUTO_DIRECTION = {"dir": "auto"}


def language_choices():
    """(code, name) of the languages an article may be written in."""
    return list(LANGUAGES.items())


class ArticleForm(Form):
    """Write or edit an article; which submit button was pressed decides the status."""

    title = StringField(_l("Title"), render_kw=AUTO_DIRECTION)
    summary = StringField(_l("Summary"), render_kw=AUTO_DIRECTION)
    # validate_choice is off so that an unknown value reaches the service and its clear message.
    category = SelectField(_l("Category"), choices=[], validate_choice=False)
    lang = SelectField(_l("Article language"), choices=language_choices, validate_choice=False)
    tags = StringField(_l("Tags"), render_kw=AUTO_DIRECTION)
    body = TextAreaField(_l("Article (Markdown)"), render_kw=MENTIONS)
    note = StringField(_l("What did you change? (optional)"), render_kw=AUTO_DIRECTION)
    base_revision = HiddenField()
    save = SubmitField(_l("Save"))
    submit_review = SubmitField(_l("Save and submit for review"))
    publish = SubmitField(_l("Save and publish"))
    preview = SubmitField(_l("Preview"))

    def requested_status(self):
        """The status the pressed button asks for; None keeps the current one."""
        if self.publish.data:
            return "published"
        if self.submit_review.data:
            return "in_review"
        return None


class SendBackForm(Form):
    comment = TextAreaField(_l("What should the author change?"))


class FeedbackForm(Form):
    helpful = StringField(_l("Did this solve it?"))  # "yes" or "no", from two submit buttons
    comment = TextAreaField(_l("Comment (optional)"), validators=[Optional()])


class FlagForm(Form):
    reason = TextAreaField(_l("What is outdated or wrong?"))


class ResolveFlagForm(Form):
    note = StringField(_l("What was done (optional)"))


class CategoryForm(Form):
    name = StringField(_l("Name (English)"), render_kw=AUTO_DIRECTION)
    slug = StringField(_l("Slug"))
    description = TextAreaField(_l("Description"), render_kw=AUTO_DIRECTION)
    name_fa = StringField(_l("Name in Persian"), render_kw=AUTO_DIRECTION)
    name_ar = StringField(_l("Name in Arabic"), render_kw=AUTO_DIRECTION)
    name_th = StringField(_l("Name in Thai"), render_kw=AUTO_DIRECTION)

    def translations(self):
        """The translated names typed in, by language code."""
        return {"fa": self.name_fa.data or "", "ar": self.name_ar.data or "",
                "th": self.name_th.data or ""}


class SaveArticleForm(Form):
    saved = StringField()  # "1" saves the article, "0" removes it from the saved articles
    next = HiddenField()
