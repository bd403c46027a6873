"""Which way a username and password are checked: Knowhow's own hash or the LDAP directory.

- A Knowhow account with a password (source local) is checked here while local passwords are on
  (KNOWHOW_LOCAL_LOGIN), and always for the break-glass users (KNOWHOW_BREAK_GLASS_USERS); with
  them off, anyone else's password is refused on the server whatever the page shows.
- With a directory set (KNOWHOW_LDAP_URL), any other username, and a local one whose password did
  not match, is tried there; what the directory accepts signs in through provisioning.py (which
  refuses to take a local account over).
- An account of the OpenID provider never signs in with a password.

A wrong password is None, the same answer for every failure, which the sign-in throttling counts.
"""
from flask_babel import lazy_gettext as _l

from accounts import services
from accounts.external import SignInRefused
from accounts.external.ldap import Directory
from accounts.external.provisioning import sign_in_external


def local_passwords_allowed(username, config):
    """Whether `username` may sign in with a Knowhow password."""
    return config["LOCAL_LOGIN"] or services.normalize_username(username) in config["BREAK_GLASS_USERS"]


def authenticate_password(username, password, config):
    """The active user these credentials sign in, or None (a wrong username or password).

    :raises SignInRefused: the password form is off for this username, or the directory vouched
        for someone Knowhow cannot let in (see provisioning.py).
    :raises ServiceUnavailable: the directory did not answer.
    """
    local_allowed = local_passwords_allowed(username, config)
    if not local_allowed and not config["LDAP_URL"]:
        raise SignInRefused(_l("Signing in with a Knowhow password is turned off: use the company "
                               "sign-in."))
    user = services.get_user(username) if services.USERNAME_PATTERN.match(
        services.normalize_username(username)) else None
    if local_allowed and (user is None or user.auth_source == "local"):
        signed_in = services.authenticate(username, password)
        if signed_in is not None or not config["LDAP_URL"]:
            return signed_in
    if not config["LDAP_URL"] or (user is not None and user.auth_source == "oidc"):
        return None
    identity = Directory(config).authenticate(username, password)
    if identity is None:
        return None
    return sign_in_external(identity, config["LDAP_ROLE_MAP"], config["LDAP_TEAM_MAP"])
