"""Pages: the e-mail choices on the account, and the one-click unsubscribe of each e-mail."""
from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from accounts.kinds import kind_label
from accounts.mail import preferences
from accounts.mail.forms import delivery_form
from accounts.mail.smtp import mail_is_set_up
from accounts.mail.unsubscribe import DIGEST, BadUnsubscribeLink, read_unsubscribe_token
from accounts.models import User
from accounts.views import accounts
from core.views import committing
from extensions import db
from security import authorised_by_signed_link


@accounts.route("/account/notifications", methods=["GET", "POST"])
@login_required
def notification_settings():
    """How the signed-in person hears of each kind of notification: in the app, e-mail, digest."""
    form = delivery_form(preferences.chosen_deliveries(current_user))
    if form.validate_on_submit():
        with committing(form) as change:
            preferences.set_deliveries(current_user, form.choices())
        if change.ok:
            flash(_("Your notification choices are saved."), "success")
            return redirect(url_for("accounts.notification_settings"))
    return render_template("accounts/notification_settings.html", form=form,
                           mail_set_up=mail_is_set_up(current_app.config))


def _unsubscribe_target(token):
    """(user, kind) of a link, or the page that says why the link cannot be used."""
    try:
        user_id, kind = read_unsubscribe_token(token)
    except BadUnsubscribeLink as error:
        return None, _bad_link(expired=error.expired)
    user = db.session.get(User, user_id)
    if user is None:
        return None, _bad_link(expired=False)
    return (user, kind), None


def _bad_link(expired):
    message = (_("This unsubscribe link has expired. Sign in and choose what you receive in your "
                 "notification settings.") if expired else
               _("This unsubscribe link is not valid: it may have been cut or changed. Sign in and "
                 "choose what you receive in your notification settings."))
    return render_template("accounts/unsubscribe.html", problem=message), 400


def _what(kind):
    return _("the daily digest") if kind == DIGEST else kind_label(kind)


@accounts.route("/unsubscribe/<token>", methods=["GET", "POST"])
@authorised_by_signed_link
def unsubscribe(token):
    """Stop one kind of e-mail from its link, without signing in: GET asks (link checkers open
    links), POST does it, from the page's button or the mail client's one-click (RFC 8058)."""
    target, problem = _unsubscribe_target(token)
    if problem is not None:
        return problem
    user, kind = target
    if request.method == "GET":
        return render_template("accounts/unsubscribe.html", token=token, what=_what(kind), done=False)
    with committing() as change:
        preferences.unsubscribe(user, kind)
    if not change.ok:
        return render_template("accounts/unsubscribe.html", token=token, what=_what(kind), done=False), 400
    return render_template("accounts/unsubscribe.html", what=_what(kind), done=True)
