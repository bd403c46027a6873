"""The one shape of a page view that changes something: run the service, then commit or explain.

    with committing(form) as change:
        answer = questions.answer_question(question, current_user, form.body.data)
    if change.ok:
        flash(_("Your answer is posted."), "success")
        return redirect(answer.path)

A refusal the reader can act on (Invalid, Conflict) rolls the change back and is shown on the
form's fields, or flashed when there is no form; anything else propagates to the error pages.
"""
from contextlib import contextmanager
from dataclasses import dataclass

from errors import Conflict, DomainError, Invalid, flash_invalid, show_on_form
from extensions import db


@dataclass
class Change:
    """What became of one change: ok after the commit, else the refusal."""

    ok: bool = False
    error: DomainError | None = None


@contextmanager
def committing(form=None, refusals=(Invalid, Conflict)):
    """Commit what the block changed, or roll it back and show why (on `form`, else flashed)."""
    change = Change()
    try:
        yield change
    except refusals as error:
        db.session.rollback()
        change.error = error
        if form is not None:
            show_on_form(form, error)
        else:
            flash_invalid(error)
        return
    db.session.commit()
    change.ok = True
