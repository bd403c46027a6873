"""Pages of the OpenID Connect sign-in: off to the provider, and back from it."""
from flask import abort, current_app, flash, redirect, request, session, url_for

from accounts.external import SignInRefused, oidc
from accounts.external.provisioning import sign_in_external
from accounts.views import accounts, begin_session
from database import begin_write
from extensions import db
from security import safe_next


def _require_provider():
    if not oidc.oidc_enabled(current_app.config):
        abort(404)


@accounts.get("/login/oidc")
def oidc_login():
    """Send the browser to the provider's sign-in page; where to go after is kept meanwhile."""
    _require_provider()
    next_url = safe_next(request.args.get("next"), "")
    try:
        response = oidc.start_sign_in(current_app, url_for("accounts.oidc_callback", _external=True))
    except SignInRefused as refusal:
        flash(str(refusal.message), "error")
        return redirect(url_for("accounts.login", next=next_url or None))
    session["oidc_next"] = next_url
    return response


@accounts.get("/login/oidc/callback")
def oidc_callback():
    """The provider's answer: the code is exchanged and the ID token checked (oidc.py), then the
    user is found or created and kept in step (provisioning.py) and signed in."""
    _require_provider()
    next_url = session.get("oidc_next") or None
    try:
        identity = oidc.finish_sign_in(current_app)
        begin_write()  # only now: the provider's answers were waited for without the lock
        user = sign_in_external(identity, current_app.config["OIDC_ROLE_MAP"],
                                current_app.config["OIDC_TEAM_MAP"])
    except SignInRefused as refusal:
        db.session.rollback()
        flash(str(refusal.message), "error")
        return redirect(url_for("accounts.login", next=next_url))
    begin_session(user)
    session["signed_in_with_oidc"] = True
    db.session.commit()
    return redirect(safe_next(next_url, url_for("accounts.home")))
