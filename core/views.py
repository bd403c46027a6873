"""The one shape of a page view that changes something: run the service, then commit or explain.

    with committing(form) as change:
        answer = questions.answer_question(question, current_user, form.body.data)
    if change.ok:
        flash(_("Your answer is posted."), "success")
        return redirect(answer.path)

A refusal the reader can act on (Invalid, Conflict) rolls the change back and is shown on the
form's fields, or flashed when there is no form; anything else propagates to the error pages.

Editors also name the browser's local copy of a draft here (local_draft_key) and ask the next
page to drop it once the draft is saved (forget_local_draft).
"""
from contextlib import contextmanager
from dataclasses import dataclass

from flask import session
from flask_login import current_user

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


# The browser keeps a local copy of what is typed in an editor (static/js/drafts.js), under a
# key naming the user and the thing edited, so that a crash or a sign-in loses nothing; the
# page after a successful save tells the browser to drop it.
SAVED_DRAFTS_KEPT = 5


def local_draft_key(kind, object_id="new"):
    """The browser's name for the local copy of the current user's draft of `kind`/`object_id`,
    or None when nobody is signed in (a copy is only ever offered back to its writer)."""
    if not current_user.is_authenticated:
        return None
    return "knowhow-draft:%s:%s:%s" % (current_user.get_id(), kind, object_id)


def forget_local_draft(key):
    """After a successful save: the next page asks the browser to drop the local copy."""
    if key:
        session["saved_drafts"] = (session.get("saved_drafts", []) + [key])[-SAVED_DRAFTS_KEPT:]


def saved_local_drafts():
    """The local copies to drop, once (read by the layout, like flashed messages)."""
    return session.pop("saved_drafts", []) if "saved_drafts" in session else []
