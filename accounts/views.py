"""Pages: sign in and out, own account, profiles, and user and team administration."""
from flask import Blueprint, current_app, flash, make_response, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required, login_user, logout_user
from markupsafe import Markup
from sqlalchemy import select

from accounts import notifications as notification_service
from accounts import services, throttling
from accounts.external import SignInRefused, oidc, passwords
from accounts.external.oidc import oidc_button_name
from accounts.forms import (
    SOURCE_LABELS,
    ApiTokenForm,
    ChangePasswordForm,
    LoginForm,
    PreferencesForm,
    TeamForm,
    UserForm,
    UserImportForm,
)
from accounts.models import Team, User
from accounts.permissions import can, require
from accounts.sections import sections as page_sections
from config import LANGUAGES
from core.boundary import page_arg, parse_id
from core.clock import utcnow
from core.text import clean_line
from core.views import committing
from errors import Conflict, Invalid, NotFound, show_on_form
from extensions import db
from security import accepts_uploads, safe_next

accounts = Blueprint("accounts", __name__)


@accounts.route("/")
def home():
    """The start page: search first, then what is new."""
    return render_template("home.html")


@accounts.route("/login", methods=["GET", "POST"])
def login():
    """Sign in with username and password, checked by Knowhow or the company directory
    (accounts/external/passwords.py); wrong passwords are throttled (accounts/throttling.py)."""
    if current_user.is_authenticated:
        return redirect(safe_next(request.args.get("next"), url_for("accounts.home")))
    form = LoginForm(next=request.args.get("next", ""))
    if form.validate_on_submit():
        address = request.remote_addr
        wait = throttling.sign_in_wait(form.username.data, address)
        if wait:
            flash(ngettext("Too many failed sign-ins. Try again in %(num)d second.",
                           "Too many failed sign-ins. Try again in %(num)d seconds.", wait), "error")
            response = make_response(render_login(form), 429)
            response.headers["Retry-After"] = str(wait)
            return response
        try:
            user = passwords.authenticate_password(form.username.data, form.password.data, current_app.config)
        except SignInRefused as refusal:
            db.session.rollback()
            flash(str(refusal.message), "error")
            return render_login(form)
        if user is not None:
            begin_session(user)
            db.session.commit()
            return redirect(safe_next(form.next.data, url_for("accounts.home")))
        throttling.record_failed_sign_in(form.username.data, address)
        flash(_("Wrong username or password."), "error")
    return render_login(form)


def render_login(form):
    """The sign-in page: the company sign-in's button when there is one, and the password form."""
    config = current_app.config
    name = oidc_button_name(config)
    return render_template("accounts/login.html", form=form,
                           oidc_name=Markup("<bdi>{}</bdi>").format(name) if name else None,
                           passwords_hidden=not config["LOCAL_LOGIN"] and not config["LDAP_URL"],
                           provider_logout=session.pop("provider_logout", None))


def begin_session(user):
    """Sign `user` in, in a fresh session: nothing from before sign-in carries over."""
    session.clear()
    session["sid"] = services.start_login_session(user, request.user_agent.string)
    throttling.remember_sign_in_address(user, request.remote_addr)
    login_user(user)


@accounts.post("/logout")
@login_required
def logout():
    """Sign out: the session ends on the server too, so a copied cookie is worthless. After a
    sign-in through the OpenID provider, the sign-in page offers to sign out there too."""
    provider_logout = session.get("signed_in_with_oidc") and oidc.provider_logout_url(
        current_app, url_for("accounts.login", _external=True))
    services.end_login_session(session.get("sid"))
    db.session.commit()
    logout_user()
    session.clear()
    if provider_logout:
        session["provider_logout"] = provider_logout
    flash(_("You are signed out."), "info")
    return redirect(url_for("accounts.login"))


@accounts.post("/language")
def set_language():
    """Pick the UI language: saved on the account when signed in, in the session otherwise."""
    locale = request.form.get("locale", "")
    if locale not in LANGUAGES:
        flash(_("Unknown language."), "error")
    elif current_user.is_authenticated:
        services.update_user(current_user, locale=locale)
        db.session.commit()
    else:
        session["locale"] = locale
    return redirect(safe_next(request.form.get("next"), url_for("accounts.home")))


@accounts.route("/account", methods=["GET", "POST"])
@login_required
def account():
    """Own preferences (name, language, calendar, digits)."""
    form = PreferencesForm(obj=current_user)
    if form.validate_on_submit():
        try:
            services.update_user(current_user, display_name=form.display_name.data,
                                 locale=form.locale.data, calendar=form.calendar.data,
                                 digits=form.digits.data)
        except Invalid as error:
            show_on_form(form, error)
        else:
            db.session.commit()
            flash(_("Your preferences are saved."), "success")
            return redirect(url_for("accounts.account"))
    return render_template("accounts/account.html", form=form, password_form=ChangePasswordForm())


@accounts.route("/account/tokens", methods=["GET", "POST"])
@login_required
def api_tokens():
    """Own API tokens: create one (its clear text is shown this once), list and revoke them."""
    form = ApiTokenForm()
    new_token = None
    if form.validate_on_submit():
        with committing(form) as change:
            new_token = services.issue_api_token(
                current_user, form.label.data, expires_in_days=int(form.expires.data) if form.expires.data else None)
        if not change.ok:
            new_token = None
    return render_template("accounts/tokens.html", form=form, new_token=new_token,
                           tokens=services.api_tokens(current_user), now=utcnow())


@accounts.post("/account/tokens/<int:token_id>/revoke")
@login_required
def revoke_api_token(token_id):
    """Revoke one of one's own API tokens."""
    api_token = services.revoke_api_token(token_id, owner=current_user)
    db.session.commit()
    flash(_("The token %(name)s is revoked.", name=api_token.label), "success")
    return redirect(url_for("accounts.api_tokens"))


@accounts.route("/account/password", methods=["GET", "POST"])
@login_required
def change_password():
    """Change own password; every other signed-in browser is signed out."""
    form = ChangePasswordForm()
    if form.validate_on_submit():
        try:
            services.change_password(current_user, form.current_password.data,
                                     form.new_password.data, keep_session_id=session.get("sid"))
        except Invalid as error:
            show_on_form(form, error)
        else:
            db.session.commit()
            flash(_("Your password is changed. Other devices were signed out and your API tokens "
                    "revoked."), "success")
            return redirect(url_for("accounts.account"))
    return render_template("accounts/password.html", form=form)


@accounts.route("/people/<username>")
@login_required
def profile(username):
    """A person's profile page."""
    person = services.get_user_or_404(username)
    return render_template("accounts/profile.html", person=person,
                           show_stats=can(current_user, "user.view_stats", person))


@accounts.route("/admin/users")
@login_required
def admin_users():
    """All users, for administrators."""
    require(current_user, "admin.users")
    query = request.args.get("q", "").strip()[:64]
    stmt = select(User).order_by(User.active.desc(), User.username)
    if query:
        pattern = "%" + query.replace("%", r"\%").replace("_", r"\_") + "%"
        stmt = stmt.where(User.username.ilike(pattern, escape="\\")
                          | User.display_name.ilike(pattern, escape="\\"))
    users = db.paginate(stmt, page=page_arg(), per_page=50, error_out=False)
    return render_template("accounts/admin_users.html", users=users, query=query, source_labels=SOURCE_LABELS)


@accounts.route("/admin/users/new", methods=["GET", "POST"])
@login_required
def admin_create_user():
    """Create a user."""
    require(current_user, "admin.users")
    form = UserForm()
    if form.validate_on_submit():
        try:
            user = services.create_user(
                form.username.data, role=form.role.data, password=form.password.data or None,
                display_name=form.display_name.data, team=form.team.data or None,
                locale=form.locale.data, email=form.email.data or None,
                active=form.active.data)
        except (Invalid, Conflict) as error:
            show_on_form(form, error)
        else:
            db.session.commit()
            flash(_("User %(username)s created.", username=user.username), "success")
            return redirect(url_for("accounts.admin_users"))
    return render_template("accounts/admin_user_form.html", form=form, user=None)


@accounts.route("/admin/users/<username>/edit", methods=["GET", "POST"])
@login_required
def admin_edit_user(username):
    """Edit a user's role, team, language, or set a new password."""
    require(current_user, "admin.users")
    user = services.get_user_or_404(username)
    # Not obj=user: the form's "team" is a name, the user's a Team, and obj would win over it.
    form = UserForm(data={"display_name": user.display_name, "email": user.email, "role": user.role,
                          "locale": user.locale, "active": user.active,
                          "team": user.team.name if user.team else ""})
    form.username.data = user.username  # usernames are permanent: tokens and imports use them
    if form.validate_on_submit():
        with committing(form) as change:
            services.update_user(user, display_name=form.display_name.data, role=form.role.data,
                                 team=form.team.data, locale=form.locale.data,
                                 email=form.email.data or "", active=form.active.data)
            if form.password.data:
                services.set_password(user, form.password.data)
        if change.ok:
            flash(_("User %(username)s saved.", username=user.username), "success")
            return redirect(url_for("accounts.admin_users"))
    return render_template("accounts/admin_user_form.html", form=form, user=user,
                           tokens=services.api_tokens(user), now=utcnow())


@accounts.post("/admin/users/<username>/tokens/<int:token_id>/revoke")
@login_required
def admin_revoke_api_token(username, token_id):
    """Revoke one API token of a user (administrators)."""
    require(current_user, "admin.users")
    user = services.get_user_or_404(username)
    api_token = services.revoke_api_token(token_id, owner=user)
    db.session.commit()
    flash(_("The token %(name)s is revoked.", name=api_token.label), "success")
    return redirect(url_for("accounts.admin_edit_user", username=user.username))


@accounts.route("/admin/users/import", methods=["GET", "POST"])
@accepts_uploads
@login_required
def admin_import_users():
    """Create many users from a CSV file; all or nothing."""
    require(current_user, "admin.users")
    form = UserImportForm()
    if form.validate_on_submit():
        try:
            text = form.file.data.read().decode("utf-8-sig")
        except UnicodeDecodeError:
            form.file.errors = [_("The file is not UTF-8 text. Save it as CSV UTF-8 and try again.")]
        else:
            with committing(form) as change:
                created = services.import_users_csv(text)
            if change.ok:
                flash(_("%(n)d users created.", n=len(created)), "success")
                return redirect(url_for("accounts.admin_users"))
    return render_template("accounts/admin_import.html", form=form)


@accounts.route("/admin/teams", methods=["GET", "POST"])
@login_required
def admin_teams():
    """Teams and their leads."""
    require(current_user, "admin.teams")
    form = TeamForm()
    leads = db.session.scalars(select(User).where(User.role.in_(("lead", "admin")),
                                                  User.active.is_(True)).order_by(User.username)).all()
    form.lead.choices = [("", "—")] + [(lead.username, lead.name) for lead in leads]
    if form.validate_on_submit():
        try:
            services.save_team(form.name.data, form.lead.data or None)
        except Invalid as error:
            show_on_form(form, error)
        else:
            db.session.commit()
            flash(_("Team saved."), "success")
            return redirect(url_for("accounts.admin_teams"))
    teams = db.session.scalars(select(Team).order_by(Team.name)).all()
    return render_template("accounts/admin_teams.html", form=form, teams=teams)


@accounts.route("/notifications")
@login_required
def notifications():
    """The signed-in user's notifications, newest first."""
    items = notification_service.recent_notifications(current_user)
    return render_template("accounts/notifications.html", items=items,
                           text_of=notification_service.notification_html)


@accounts.post("/notifications/read")
@login_required
def mark_notifications_read():
    """Mark one notification (field `id`) or all of them read; follow it when opened."""
    raw_id = clean_line(request.form.get("id", ""))
    if raw_id and parse_id(raw_id) is None:
        raise NotFound(_("No such notification."))
    notification_service.mark_read(current_user, parse_id(raw_id))
    db.session.commit()
    return redirect(safe_next(request.form.get("next"), url_for("accounts.notifications")))


@accounts.route("/admin/audit")
@login_required
def audit_log():
    """Every award, revocation and settings change, for leads and admins."""
    require(current_user, "audit.view")
    return render_template("accounts/audit.html",
                           entries=notification_service.audit_entries(
                               action=request.args.get("action") or None))


@accounts.app_context_processor
def _notification_bell():
    """`unread_notifications()` for the header bell; queried only when a page shows it."""
    def unread_notifications():
        if not current_user.is_authenticated:
            return 0
        return notification_service.unread_count(current_user)
    return {"unread_notifications": unread_notifications}


@accounts.app_context_processor
def _page_sections():
    return {"home_sections": page_sections("home"), "profile_sections": page_sections("profile"),
            "article_sections": page_sections("article")}
