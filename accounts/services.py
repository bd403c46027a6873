"""Account services: users, teams, passwords, login sessions and API tokens."""
import csv
import hashlib
import io
import re
import secrets
from datetime import timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, func, or_, select, update

from accounts.models import ROLES, ApiToken, LoginSession, Team, User, count_active_admins
from config import LANGUAGES
from core.clock import utcnow
from core.locale_format import CALENDAR_CHOICES, DIGITS_CHOICES
from core.read_buffer import buffer_value
from core.text import UnstorableText, clean_line, unstorable_reason
from errors import Conflict, Invalid, NotFound
from extensions import db

USERNAME_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{1,63}$")
PASSWORD_MIN_LENGTH = 8
PASSWORD_MAX_LENGTH = 256
TOKEN_PREFIX = "kh_"
TOKEN_NAME_MAX_LENGTH = 80
TOKEN_MAX_DAYS = 3650
# A token's last use is written at most this often, so that API reads stay reads.
TOKEN_USE_RESOLUTION = timedelta(minutes=1)
# The largest id any supported database stores (PostgreSQL's integer); larger ones match nothing.
MAX_ROW_ID = 2**31 - 1


def normalize_username(username):
    return (username or "").strip().lower()


def validate_password(password):
    """Raise Invalid unless the password is of acceptable length."""
    if not password:
        raise Invalid("password", _l("Enter a password."))
    if len(password) < PASSWORD_MIN_LENGTH:
        raise Invalid("password", _l("The password must have at least %(n)d characters.",
                                     n=PASSWORD_MIN_LENGTH))
    if len(password) > PASSWORD_MAX_LENGTH:
        raise Invalid("password", _l("The password must have at most %(n)d characters.",
                                     n=PASSWORD_MAX_LENGTH))


def _validate_role(role):
    if role not in ROLES:
        raise Invalid("role", _l("Unknown role %(role)s: choose agent, lead or admin.", role=role))


def _validate_locale(locale):
    if locale not in LANGUAGES:
        raise Invalid("locale", _l("Unknown language %(locale)s: choose one of %(choices)s.",
                                   locale=locale, choices=", ".join(LANGUAGES)))


def _validate_choice(field, value, choices):
    if value not in choices:
        raise Invalid(field, _l("Unknown choice %(value)s: choose one of %(choices)s.",
                                value=value, choices=", ".join(choices)))


def get_user(username):
    """The user with this username, or None (also for text no database could hold, e.g. a NUL)."""
    username = normalize_username(username)
    if unstorable_reason(username):
        return None
    return db.session.scalar(select(User).where(User.username == username))


def get_user_or_404(username):
    user = get_user(username)
    if user is None:
        raise NotFound(_l("No user called %(username)s.", username=username))
    return user


def get_team(name):
    return db.session.scalar(select(Team).where(func.lower(Team.name) == (name or "").strip().lower()))


def get_or_create_team(name):
    """The team called `name`, created when it does not exist yet."""
    team = get_team(name)
    if team is None:
        name = name.strip()
        if not name or len(name) > 80:
            raise Invalid("team", _l("A team name needs 1 to 80 characters."))
        team = Team(name=name)
        db.session.add(team)
        db.session.flush()
    return team


def save_team(name, lead_username=None):
    """Create a team or change its lead; the lead must be a lead or admin."""
    team = get_or_create_team(name)
    if lead_username:
        lead = get_user(lead_username)
        if lead is None or not lead.has_role("lead"):
            raise Invalid("lead", _l("A team's lead must be a lead or an administrator."))
        team.lead = lead
    else:
        team.lead = None
    db.session.flush()
    return team


def create_user(username, role="agent", password=None, display_name="", team=None, locale="en",
                email=None, active=True):
    """Create a user; validates everything before writing anything.

    :raises Invalid: bad username, role, locale, password or e-mail.
    :raises Conflict: the username is taken.
    """
    username = normalize_username(username)
    if not USERNAME_PATTERN.match(username):
        raise Invalid("username", _l("A username has 2 to 64 letters, digits, dots, dashes or "
                                     "underscores, and starts with a letter or digit."))
    _validate_role(role)
    _validate_locale(locale)
    if password is not None:
        validate_password(password)
    display_name = (display_name or "").strip()
    if len(display_name) > 120:
        raise Invalid("name", _l("A name has at most 120 characters."))
    email = (email or "").strip() or None
    if email and ("@" not in email or len(email) > 254):
        raise Invalid("email", _l("Enter a valid e-mail address."))
    if get_user(username) is not None:
        raise Conflict("username", _l("The username %(username)s is taken.", username=username))
    user = User(username=username, role=role, display_name=display_name, locale=locale,
                email=email, active=active)
    if team:
        user.team = get_or_create_team(team)
    if password is not None:
        user.set_password(password)
    db.session.add(user)
    db.session.flush()
    return user


def update_user(user, *, display_name=None, role=None, team=None, locale=None, email=None,
                active=None, calendar=None, digits=None):
    """Change a user's profile fields; None leaves a field as it is, team "" removes the team."""
    if calendar is not None:
        _validate_choice("calendar", calendar, CALENDAR_CHOICES)
    if digits is not None:
        _validate_choice("digits", digits, DIGITS_CHOICES)
    if role is not None:
        _validate_role(role)
        if user.role == "admin" and role != "admin" and count_active_admins() <= 1:
            raise Invalid("role", _l("The last administrator cannot lose the admin role."))
        if role != user.role:
            end_user_access(user)  # what was granted under the old role ends with it
        user.role = role
    if locale is not None:
        _validate_locale(locale)
        user.locale = locale
    if calendar is not None:
        user.calendar = calendar
    if digits is not None:
        user.digits = digits
    if display_name is not None:
        if len(display_name.strip()) > 120:
            raise Invalid("name", _l("A name has at most 120 characters."))
        user.display_name = display_name.strip()
    if email is not None:
        email = email.strip()
        if email and ("@" not in email or len(email) > 254):
            raise Invalid("email", _l("Enter a valid e-mail address."))
        user.email = email or None
    if team is not None:
        user.team = get_or_create_team(team) if team.strip() else None
    if active is not None and active != user.active:
        if not active:
            deactivate_user(user)
        else:
            user.active = True
    db.session.flush()
    return user


def deactivate_user(user):
    """Deactivate a user and end every session and token they have."""
    if user.role == "admin" and user.active and count_active_admins() <= 1:
        raise Invalid("active", _l("The last administrator cannot be deactivated."))
    user.active = False
    end_user_access(user)
    db.session.flush()


def end_user_access(user, keep_session_id=None):
    """End every API token and login session of `user` (but the session `keep_session_id`)."""
    end_other_sessions(user, keep_session_id)
    db.session.execute(
        update(ApiToken)
        .where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
        .values(revoked_at=utcnow())
        .execution_options(synchronize_session="fetch")
    )


def authenticate(username, password):
    """The active user with these credentials, or None (the same answer for every failure)."""
    # A name no user can have is not looked up (a NUL in it would even be an error on PostgreSQL).
    user = get_user(username) if USERNAME_PATTERN.match(normalize_username(username)) else None
    if user is None or not user.active or not password or len(password) > PASSWORD_MAX_LENGTH:
        # Hash anyway so that unknown usernames take as long as wrong passwords.
        User().set_password(password[:PASSWORD_MAX_LENGTH] if password else "x")
        return None
    return user if user.check_password(password) else None


def change_password(user, current_password, new_password, keep_session_id=None):
    """Set a new password; end every API token and other login session of the user."""
    if not user.check_password(current_password or ""):
        raise Invalid("current_password", _l("The current password is not right."))
    validate_password(new_password)
    if new_password == current_password:
        raise Invalid("new_password", _l("Choose a password different from the current one."))
    user.set_password(new_password)
    end_user_access(user, keep_session_id)
    db.session.flush()


def set_password(user, new_password):
    """Set a password without the current one (admins); ends all the user's sessions and tokens."""
    validate_password(new_password)
    user.set_password(new_password)
    end_user_access(user)
    db.session.flush()


def start_login_session(user, user_agent=""):
    """Record a new signed-in browser and return its id (kept in the session cookie)."""
    session_id = secrets.token_urlsafe(32)
    db.session.add(LoginSession(id=session_id, user=user, user_agent=(user_agent or "")[:200]))
    db.session.flush()
    return session_id


def end_login_session(session_id):
    if session_id:
        db.session.execute(delete(LoginSession).where(LoginSession.id == session_id))


def end_other_sessions(user, keep_session_id):
    stmt = delete(LoginSession).where(LoginSession.user_id == user.id)
    if keep_session_id:
        stmt = stmt.where(LoginSession.id != keep_session_id)
    db.session.execute(stmt)


def user_for_session(user_id, session_id):
    """The active user a session cookie stands for, or None when it was logged out."""
    if not session_id or not str(user_id).isdigit():
        return None
    login = db.session.get(LoginSession, session_id)
    if login is None or login.user_id != int(user_id) or not login.user.active:
        return None
    return login.user


def issue_api_token(user, label=None, expires_in_days=None):
    """Create a named bearer token for `user`; the clear token is returned once and never stored.

    :param label: the token's name, unique among the user's live tokens; None names it "cli",
        "cli 2", … (the CLI's and scripts' tokens).
    :param expires_in_days: the token stops working this many days from now; None: never.
    :raises Invalid: deactivated user, blank or too long name, expiry out of range.
    :raises Conflict: the user already has a live token of that name.
    """
    if not user.active:
        raise Invalid("username", _l("%(username)s is deactivated.", username=user.username))
    try:
        label = _next_token_name(user) if label is None else clean_line(label)
    except UnstorableText as error:
        raise Invalid("label", error.message) from None
    if not label:
        raise Invalid("label", _l("Give the token a name, such as the script that will use it."))
    if len(label) > TOKEN_NAME_MAX_LENGTH:
        raise Invalid("label", _l("A token name has at most %(n)d characters.", n=TOKEN_NAME_MAX_LENGTH))
    if label in _live_token_names(user):
        raise Conflict("label", _l("You already have a token called %(name)s.", name=label))
    expires_at = None
    if expires_in_days is not None:
        if not 1 <= expires_in_days <= TOKEN_MAX_DAYS:
            raise Invalid("expires", _l("A token expires after 1 to %(n)d days.", n=TOKEN_MAX_DAYS))
        expires_at = utcnow() + timedelta(days=expires_in_days)
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    db.session.add(ApiToken(user=user, token_hash=_hash_token(token), label=label, expires_at=expires_at))
    db.session.flush()
    return token


def _live_token_names(user):
    return set(db.session.scalars(select(ApiToken.label).where(
        ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))))


def _next_token_name(user, base="cli"):
    taken = _live_token_names(user)
    return next(name for name in (base if n == 1 else "%s %d" % (base, n) for n in range(1, len(taken) + 2))
                if name not in taken)


def api_tokens(user):
    """The user's tokens that are not revoked (expired ones included), newest first."""
    return db.session.scalars(select(ApiToken).where(
        ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
        .order_by(ApiToken.created_at.desc(), ApiToken.id.desc())).all()


def revoke_api_token(token_id, owner=None):
    """Revoke one token by id (only among `owner`'s tokens when given); returns it.

    :raises NotFound: no such live token (or not the owner's).
    """
    api_token = None
    if isinstance(token_id, int) and 1 <= token_id <= MAX_ROW_ID:
        api_token = db.session.get(ApiToken, token_id)
    if api_token is None or api_token.revoked_at is not None or (
            owner is not None and api_token.user_id != owner.id):
        raise NotFound(_l("No such token: it may have been revoked already."))
    api_token.revoked_at = utcnow()
    db.session.flush()
    return api_token


def user_for_token(token, now=None):
    """The active user owning a valid bearer token and the token itself, or (None, None).

    Revoked and expired tokens, and tokens of deactivated users, are refused.
    """
    if not token or not token.startswith(TOKEN_PREFIX) or len(token) > 200:
        return None, None
    api_token = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == _hash_token(token)))
    now = now or utcnow()
    if (api_token is None or api_token.revoked_at is not None or api_token.is_expired(now)
            or not api_token.user.active):
        return None, None
    return api_token.user, api_token


def token_use_is_stale(api_token, now):
    """Whether the token's last use should be written again (at most once a TOKEN_USE_RESOLUTION)."""
    return api_token.last_used_at is None or now - api_token.last_used_at >= TOKEN_USE_RESOLUTION


API_TOKEN_USES = "api-token-uses"


def note_token_use(token_id, now):
    """Have a token's last use written by the next flush of the read buffer (core/read_buffer.py),
    so an API read takes no write lock."""
    buffer_value(API_TOKEN_USES, token_id, now)


def write_token_uses(session, uses):
    """The read buffer's sink of token uses: {token id: last use}, each written unless another
    process wrote a use within TOKEN_USE_RESOLUTION of it."""
    for token_id, now in sorted(uses.items()):
        session.execute(
            update(ApiToken)
            .where(ApiToken.id == token_id, or_(ApiToken.last_used_at.is_(None),
                                                ApiToken.last_used_at <= now - TOKEN_USE_RESOLUTION))
            .values(last_used_at=now)
            .execution_options(synchronize_session=False)
        )


def _hash_token(token):
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


USER_CSV_FIELDS = ("username", "name", "role", "team", "locale", "email", "password")


def import_users_csv(text):
    """Create users from CSV text (header: username,name,role,team,locale,email,password).

    All rows are validated first; when any row is wrong nothing is written and the errors are
    raised together, each with its row number.
    """
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    header = [(h or "").strip().lower() for h in (reader.fieldnames or [])]
    if "username" not in header:
        raise Invalid("file", _l("The CSV needs a header row with at least a username column."))
    reader.fieldnames = header
    errors, created = {}, []
    with db.session.begin_nested() as savepoint:
        for row_number, row in enumerate(reader, start=2):
            values = {k: (row.get(k) or "").strip() for k in USER_CSV_FIELDS}
            try:
                created.append(create_user(
                    values["username"], role=values["role"] or "agent",
                    password=values["password"] or None, display_name=values["name"],
                    team=values["team"] or None, locale=values["locale"] or "en",
                    email=values["email"] or None))
            except (Invalid, Conflict) as error:
                errors["row %d" % row_number] = _l("Row %(row)d: %(message)s", row=row_number,
                                                   message=error.message)
        if errors:
            savepoint.rollback()
    if errors:
        raise Invalid(None, fields=errors)
    if not created:
        raise Invalid("file", _l("The CSV has no user rows."))
    return created
