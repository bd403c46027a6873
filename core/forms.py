"""The base of every form: each text field is cleaned by core.text as it is read.

`Form` binds a filter to every field: multi-line fields (TextAreaField) get `clean_text`, every
other field whose value is text (one-line, hidden and select fields) `clean_line`; passwords are
kept exactly as typed. Text that cannot be stored (a lone surrogate, possible only in a JSON
body) is a field error with its message, and the field holds no value, so a view that reads the
field without validating stores nothing broken either.
"""
from flask import abort, request
from flask_wtf import FlaskForm
from flask_wtf.form import _Auto  # Flask-WTF's "read the form from the request" marker
from werkzeug.datastructures import ImmutableMultiDict
from wtforms import PasswordField, TextAreaField

from core.text import clean_line, clean_text, has_lone_surrogate, replace_lone_surrogates

# A username field with static/js/people.js's type-ahead; the server still checks the username.
PEOPLE_PICKER = {"data-people-picker": "", "autocomplete": "off", "spellcheck": "false"}
# A Markdown editor in which "@" offers the same people picker.
MENTIONS = {"data-mentions": ""}


def _filter(clean):
    """A WTForms filter applying `clean` to text and lists of text, leaving other values be."""

    def run(value):
        if isinstance(value, str):
            return clean(value)
        if isinstance(value, list):
            return [clean(item) if isinstance(item, str) else item for item in value]
        return value

    return run


_CLEAN_TEXT, _CLEAN_LINE = _filter(clean_text), _filter(clean_line)


def _is_unstorable(value):
    items = value if isinstance(value, list) else [value]
    return any(isinstance(item, str) and has_lone_surrogate(item) for item in items)


def _shown(value):
    """A submitted value as the form shows it again: a broken character as U+FFFD."""
    return replace_lone_surrogates(value) if isinstance(value, str) else value


def _json_formdata():
    """A JSON object's values as form data (what Flask-WTF does), refusing any other JSON.

    Nested values are dropped: no form field takes them.
    """
    body = request.get_json()  # malformed JSON is a 400 already
    if not isinstance(body, dict):
        abort(400)
    pairs = []
    for name, value in body.items():
        for item in value if isinstance(value, list) else [value]:
            if isinstance(item, str | int | float | bool):
                pairs.append((name, str(item)))
    return ImmutableMultiDict(pairs)


class Form(FlaskForm):
    """A Flask-WTF form whose text fields hold only text Knowhow can store and show."""

    class Meta:
        def bind_field(self, form, unbound_field, options):
            field_class = unbound_field.field_class
            if not issubclass(field_class, PasswordField):
                clean = _CLEAN_TEXT if issubclass(field_class, TextAreaField) else _CLEAN_LINE
                options = dict(options, filters=(clean, *unbound_field.kwargs.get("filters", ())))
            return super().bind_field(form, unbound_field, options)

        def wrap_formdata(self, form, formdata):
            if (formdata is _Auto and form.is_submitted() and request.is_json
                    and not request.form and not request.files):
                return _json_formdata()
            return super().wrap_formdata(form, formdata)

    def process(self, formdata=None, obj=None, data=None, extra_filters=None, **kwargs):
        super().process(formdata, obj, data=data, extra_filters=extra_filters, **kwargs)
        for field in self:
            if _is_unstorable(field.data):
                field.data = None
            if field.raw_data and _is_unstorable(field.raw_data):
                field.raw_data = [_shown(value) for value in field.raw_data]
