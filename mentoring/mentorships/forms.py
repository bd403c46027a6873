"""Mentoring forms; the services hold the rules, these collect the fields and read numbers."""
from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    DateField,
    IntegerField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    widgets,
)
from wtforms.validators import Optional

from core.forms import PEOPLE_PICKER, Form

# Text typed here may be Persian, Arabic, Thai or English whatever the page's language.
AUTO_DIRECTION = {"dir": "auto"}
# Persian and Arabic-Indic digits typed into number fields read as their Latin values.
_DIGITS = str.maketrans("۰۱۲۳۴۵۶۷۸۹٠١٢٣٤٥٦٧٨٩٫", "01234567890123456789.")


def metric_choices():
    return [("", _l("A goal in words")), ("fcr", _l("FCR (%)")), ("aht", _l("AHT (seconds)")),
            ("nps", _l("NPS (−100 to 100)")), ("csat", _l("CSAT (1 to 5)"))]


def outcome_choices():
    return [("completed", _l("Completed")), ("ended_early", _l("Ended early"))]


class CheckboxListField(SelectMultipleField):
    """Several choices as a list of checkboxes (easier than a multi-select on a phone)."""

    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


class GoalFields:
    """The goal part shared by the request, assignment and acceptance forms."""

    goal_metric = SelectField(_l("Goal metric"), choices=metric_choices, validate_choice=False)
    goal_target = StringField(_l("Target"), render_kw={"inputmode": "decimal", "autocomplete": "off"})
    goal_text = TextAreaField(_l("Goal in words"), render_kw=AUTO_DIRECTION)

    def goal(self):
        """{"metric", "target", "text"} for the services; FCR is typed in % and sent as a fraction.

        Returns None (with an error on the target field) when the target is not a number.
        """
        metric = self.goal_metric.data or None
        text = (self.goal_target.data or "").strip().translate(_DIGITS).replace(",", ".").rstrip("%").strip()
        target = None
        if text:
            try:
                target = float(text)
            except ValueError:
                self.goal_target.errors = list(self.goal_target.errors) + [str(_l("Enter a number."))]
                return None
            if metric == "fcr":
                target /= 100.0
        return {"metric": metric, "target": target, "text": self.goal_text.data or ""}


class MentorProfileForm(Form):
    categories = CheckboxListField(_l("Categories you can mentor in"), choices=[], coerce=str,
                                   validate_choice=False)
    capacity = IntegerField(_l("Mentees at once"), default=3, validators=[Optional()],
                            render_kw={"min": 1, "max": 10})
    availability = StringField(_l("When you are available"), render_kw=AUTO_DIRECTION)
    bio = TextAreaField(_l("About you as a mentor (Markdown)"), render_kw=AUTO_DIRECTION)
    active = BooleanField(_l("Take new mentees"), default=True)


class MentoringRequestForm(GoalFields, Form):
    category = SelectField(_l("Category"), choices=[], validate_choice=False)
    mentee = SelectField(_l("Mentee"), choices=[], validate_choice=False)
    mentor = SelectField(_l("Preferred mentor"), choices=[], validate_choice=False)


class AssignForm(GoalFields, Form):
    # Any colleague, typed with the people picker; the suggested mentors are shown beside it.
    mentor = StringField(_l("Mentor"), render_kw=PEOPLE_PICKER)
    mentee = SelectField(_l("Mentee"), choices=[], validate_choice=False)
    category = SelectField(_l("Category"), choices=[], validate_choice=False)
    started_on = DateField(_l("Start"), validators=[Optional()])
    planned_end_on = DateField(_l("Planned end"), validators=[Optional()])


class AcceptForm(GoalFields, Form):
    started_on = DateField(_l("Start"), validators=[Optional()])
    planned_end_on = DateField(_l("Planned end"), validators=[Optional()])


class DeclineForm(Form):
    reason = StringField(_l("Why not (optional)"), render_kw=AUTO_DIRECTION)


class SessionForm(Form):
    held_on = DateField(_l("Date"), validators=[Optional()])
    duration_minutes = IntegerField(_l("Duration (minutes)"), default=30, validators=[Optional()],
                                    render_kw={"min": 1, "max": 480})
    notes = TextAreaField(_l("What you worked on (Markdown)"), render_kw=AUTO_DIRECTION)
    next_steps = TextAreaField(_l("Next steps"), render_kw=AUTO_DIRECTION)


class CloseForm(Form):
    outcome = RadioField(_l("Outcome"), choices=outcome_choices, default="completed", validate_choice=False)
    ended_on = DateField(_l("Ended on"), validators=[Optional()])
    note = StringField(_l("Note (optional)"), render_kw=AUTO_DIRECTION)
    goal_met = BooleanField(_l("The goal in words was reached"))


class ConfirmForm(Form):
    """A button that only needs the CSRF token (approve, withdraw)."""
