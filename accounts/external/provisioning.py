"""Users of a company sign-in: created on the first sign-in, kept in step at every one.

A user is found by the identity the provider vouched for (`auth_source` and `external_id`: the
OpenID subject, the directory entry's id), never by a name alone, so a renamed account stays the
same person, and a username keeps the one it was given first. A Knowhow account of the same
username that signs in another way (a local password, the other provider) is never taken over:
the sign-in is refused, and an administrator hands the account over with `flask
set-sign-in-source` when it is the same person.

At every sign-in the name, e-mail and language the provider gives replace Knowhow's (an empty or
unusable value changes nothing), and, where a role or team map is set, the role and team follow
the groups, except that the last administrator keeps the role.
"""
import logging
from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from accounts.external import SignInRefused
from accounts.external.groups import DEFAULT_ROLE, role_for, team_for
from accounts.models import AUTH_SOURCES, User
from accounts.notifications import record_audit
from accounts.services import (
    USERNAME_PATTERN,
    create_user,
    end_user_access,
    get_user,
    normalize_username,
    update_user,
)
from config import LANGUAGES
from core.text import UnstorableText, clean_line
from errors import Invalid
from extensions import db

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ExternalIdentity:
    """Who a provider or directory says signed in, and what it says about them."""

    source: str  # "oidc" or "ldap"
    subject: str
    username: str
    display_name: str = ""
    email: str = ""
    locale: str = ""
    groups: tuple = field(default=())


def knowhow_username(value):
    """The Knowhow username for a provider's username: lower case, the part before "@" of an
    e-mail-shaped one (Entra ID's and many IdPs' preferred_username); None when it cannot be one."""
    username = normalize_username(value).partition("@")[0]
    return username if USERNAME_PATTERN.match(username) else None


def knowhow_locale(value):
    """The UI language for a provider's locale ("fa-IR", "th_TH", "ar"), or None."""
    language = str(value or "").strip().replace("_", "-").partition("-")[0].lower()
    return language if language in LANGUAGES else None


def _line(value, longest):
    try:
        text = clean_line(str(value or ""))
    except UnstorableText:
        return ""
    return text if len(text) <= longest else ""


def sign_in_external(identity, role_map=(), team_map=()):
    """The user `identity` signs in as: found by its subject, created on the first sign-in, and
    brought in step with what the provider says.

    :raises SignInRefused: a username Knowhow cannot use, one taken by an account that signs in
        another way, or a deactivated account.
    """
    user = _user_of(identity) or _claim_or_create(identity, role_map, team_map)
    if not user.active:
        raise SignInRefused(_l("Your Knowhow account is deactivated. Ask an administrator."))
    _keep_in_step(user, identity, role_map, team_map)
    return user


def _user_of(identity):
    return db.session.scalar(select(User).where(User.auth_source == identity.source,
                                                User.external_id == identity.subject))


def _claim_or_create(identity, role_map, team_map):
    username = knowhow_username(identity.username)
    if username is None:
        raise SignInRefused(_l(
            "Your company account's username %(username)s cannot be used in Knowhow: a username has "
            "2 to 64 letters, digits, dots, dashes or underscores. Ask an administrator.",
            username=_line(identity.username, 200)))
    user = get_user(username)
    if user is not None:
        if user.auth_source != identity.source or user.external_id is not None:
            log.warning("%s sign-in of %r refused: the username belongs to an account of source %s",
                        identity.source, username, user.auth_source)
            raise SignInRefused(_l(
                "A Knowhow account called %(username)s already exists and signs in another way. "
                "Ask an administrator to hand it over to the company sign-in.", username=username))
        user.external_id = identity.subject  # handed over by an administrator, first sign-in since
        return user
    try:
        # In a savepoint: the same person's first sign-in in two tabs at once creates one user,
        # and the second finds it when the first one's insert wins.
        with db.session.begin_nested():
            user = create_user(username, role=role_for(identity.groups, role_map) or DEFAULT_ROLE,
                               display_name=_line(identity.display_name, 120),
                               team=team_for(identity.groups, team_map) or None,
                               locale=knowhow_locale(identity.locale) or "en")
            user.auth_source, user.external_id = identity.source, identity.subject
            db.session.flush()
    except Invalid as error:
        raise SignInRefused(error.message) from None
    except IntegrityError:
        user = _user_of(identity)
        if user is None:
            raise SignInRefused(_l("Your sign-in met another one at the same moment. Try again.")) from None
        return user
    log.info("%s sign-in created the user %s", identity.source, username)
    return user


def _keep_in_step(user, identity, role_map, team_map):
    email = _line(identity.email, 254)
    changes = {"display_name": _line(identity.display_name, 120) or None,
               "email": email if "@" in email else None,
               "locale": knowhow_locale(identity.locale),
               "team": team_for(identity.groups, team_map)}
    update_user(user, **changes)
    role = role_for(identity.groups, role_map)
    if role is not None and role != user.role:
        try:
            update_user(user, role=role)
        except Invalid:
            log.warning("%s sign-in: %s keeps the admin role its groups no longer give, as the last "
                        "administrator", identity.source, user.username)


def set_sign_in_source(user, source, actor=None):
    """Hand an account over to another way of signing in (`flask set-sign-in-source`): its next
    sign-in there binds it to that identity. Away from local, its password is removed; every
    session and API token it had ends either way.

    :raises Invalid: an unknown source.
    """
    if source not in AUTH_SOURCES:
        raise Invalid("source", _l("Unknown sign-in source %(source)s: choose local, oidc or ldap.",
                                   source=source))
    previous = user.auth_source
    user.auth_source, user.external_id = source, None
    if source != "local":
        user.password_hash = None
    end_user_access(user)
    record_audit(actor, "user.sign_in_source", target=user,
                 summary="%s: %s -> %s" % (user.username, previous, source), previous=previous, source=source)
    db.session.flush()
    return user
