"""The session log of a mentorship: date, duration, notes and next steps, private to its people."""
from datetime import date

from flask_babel import lazy_gettext as _l

from accounts.notifications import notify
from accounts.permissions import require
from core.periods import today_utc
from errors import Invalid
from extensions import db
from mentoring.mentorships.models import MentoringSession
from mentoring.mentorships.services.lifecycle import mentorship_path

DURATION_RANGE = (1, 480)
NOTES_MAX_CHARS = 20_000
NEXT_STEPS_MAX_CHARS = 5_000


def list_sessions(viewer, mentorship):
    """The sessions, newest first, for someone allowed to read them."""
    require(viewer, "mentorship.view", mentorship)
    return list(mentorship.sessions)


def log_session(author, mentorship, held_on, duration_minutes, notes, next_steps="", today=None):
    """The mentor or mentee records a session; the other one is told.

    :raises Invalid: a date before the start or in the future, a duration outside 1..480
        minutes, empty notes, texts over their limits.
    """
    require(author, "mentorship.log_session", mentorship)
    today = today or today_utc()
    if not isinstance(held_on, date):
        raise Invalid("held_on", _l("Give the date of the session."))
    if held_on < mentorship.started_on or held_on > today:
        raise Invalid("held_on", _l("The session date must lie between the start (%(start)s) and today.",
                                    start=mentorship.started_on.isoformat()))
    low, high = DURATION_RANGE
    if isinstance(duration_minutes, bool) or not isinstance(duration_minutes, int) \
            or not low <= duration_minutes <= high:
        raise Invalid("duration_minutes", _l("The duration is in minutes, from %(low)d to %(high)d.",
                                             low=low, high=high))
    notes, next_steps = (notes or "").strip(), (next_steps or "").strip()
    if not notes:
        raise Invalid("notes", _l("Write a few words about what you worked on."))
    if len(notes) > NOTES_MAX_CHARS:
        raise Invalid("notes", _l("Keep the notes to %(count)d characters.", count=NOTES_MAX_CHARS))
    if len(next_steps) > NEXT_STEPS_MAX_CHARS:
        raise Invalid("next_steps", _l("Keep the next steps to %(count)d characters.",
                                       count=NEXT_STEPS_MAX_CHARS))
    session = MentoringSession(mentorship=mentorship, author=author, held_on=held_on,
                               duration_minutes=duration_minutes, notes=notes, next_steps=next_steps)
    db.session.add(session)
    other = mentorship.mentee if author.id == mentorship.mentor_id else mentorship.mentor
    notify(other, "mentoring_session_logged", mentorship_path(mentorship), actor=author,
           date=held_on.isoformat())
    db.session.flush()
    return session
