"""Sign-in through an OpenID Connect provider (Authlib's Flask client).

The authorization code flow with PKCE (S256): the provider's endpoints and keys come from its
discovery document under KNOWHOW_OIDC_ISSUER, whose `issuer` must be that URL. Authlib keeps the
state, nonce and code verifier in the session, refuses a callback whose state is not the one it
sent, and checks the ID token: its RS256 (or other advertised) signature against the provider's
JWKS, issuer, audience, expiry and nonce. Every request to the provider waits at most
KNOWHOW_OIDC_TIMEOUT_SECONDS.

The username comes from KNOWHOW_OIDC_USERNAME_CLAIM (default preferred_username), the groups
from KNOWHOW_OIDC_GROUPS_CLAIM (default groups), taken from the ID token, or from the userinfo
endpoint when the ID token lacks them; provisioning.py does the rest.
"""
import logging
from urllib.parse import urlsplit

import requests
from authlib.common.errors import AuthlibBaseError
from authlib.integrations.flask_client import FlaskIntegration, FlaskOAuth2App
from flask_babel import lazy_gettext as _l
from joserfc.errors import JoseError

from accounts.external import ServiceUnavailable, SignInRefused
from accounts.external.provisioning import ExternalIdentity
from core.text import unstorable_reason

log = logging.getLogger(__name__)

PROVIDER_DOWN = _l("The company sign-in service does not answer. Try again in a few minutes; if it "
                   "goes on, tell your administrator.")
NOT_COMPLETED = _l("The company sign-in did not complete, so you are not signed in. Try again.")
SETTINGS = ("OIDC_ISSUER", "OIDC_CLIENT_ID", "OIDC_CLIENT_SECRET", "OIDC_SCOPES", "OIDC_TIMEOUT_SECONDS")
# What a provider that misbehaves can make Authlib raise: its own errors, those of the token's
# checks (joserfc), the HTTP client's, and ValueError for answers that are not JSON or keys.
PROVIDER_ERRORS = (AuthlibBaseError, JoseError, requests.RequestException, ValueError)


def oidc_enabled(config):
    return bool(config["OIDC_ISSUER"])


def oidc_button_name(config):
    """The provider's name on the "Sign in with …" button (KNOWHOW_OIDC_NAME, else the issuer's
    host), or None without a provider."""
    if not oidc_enabled(config):
        return None
    return config["OIDC_NAME"] or urlsplit(config["OIDC_ISSUER"]).hostname


def oidc_client(app):
    """The application's Authlib client, made once for its settings (it caches the discovery
    document and the provider's keys)."""
    settings = tuple(app.config[name] for name in SETTINGS)
    made = app.extensions.get("knowhow_oidc")
    if made is None or made[0] != settings:
        config = app.config
        client = FlaskOAuth2App(
            FlaskIntegration("oidc"), name="oidc", client_id=config["OIDC_CLIENT_ID"],
            client_secret=config["OIDC_CLIENT_SECRET"] or None,
            server_metadata_url=config["OIDC_ISSUER"] + "/.well-known/openid-configuration",
            client_kwargs={"scope": config["OIDC_SCOPES"], "code_challenge_method": "S256",
                           "default_timeout": config["OIDC_TIMEOUT_SECONDS"]})
        made = app.extensions["knowhow_oidc"] = (settings, client)
    return made[1]


def _metadata(app):
    """The provider's discovery document, checked to be the configured issuer's."""
    client = oidc_client(app)
    try:
        metadata = client.load_server_metadata()
    except PROVIDER_ERRORS as error:
        log.error("OpenID Connect: the discovery document of %s: %s", app.config["OIDC_ISSUER"], error)
        raise ServiceUnavailable(PROVIDER_DOWN) from None
    if str(metadata.get("issuer", "")).rstrip("/") != app.config["OIDC_ISSUER"]:
        log.error("OpenID Connect: the discovery document names the issuer %r, not %r",
                  metadata.get("issuer"), app.config["OIDC_ISSUER"])
        client.server_metadata.pop("_loaded_at", None)  # read it again next time
        raise ServiceUnavailable(PROVIDER_DOWN)
    return metadata


def start_sign_in(app, redirect_uri):
    """The redirect to the provider's sign-in page (state, nonce and PKCE kept in the session).

    :raises ServiceUnavailable: the provider's discovery document could not be read.
    """
    _metadata(app)
    try:
        return oidc_client(app).authorize_redirect(redirect_uri)
    except PROVIDER_ERRORS as error:
        log.error("OpenID Connect: starting a sign-in: %s", error)
        raise ServiceUnavailable(PROVIDER_DOWN) from None


def finish_sign_in(app):
    """The identity the provider's answer to this request (the callback) vouches for.

    :raises SignInRefused: the provider said no, the state is not the one sent, the ID token
        fails its checks, or it lacks a subject or a username.
    :raises ServiceUnavailable: the provider did not answer the token (or userinfo) request.
    """
    client = oidc_client(app)
    _metadata(app)
    try:
        token = client.authorize_access_token()
        claims = dict(token.get("userinfo") or {})
        if not token.get("id_token") or not claims.get("sub"):
            raise SignInRefused(NOT_COMPLETED)
        claims = _with_userinfo(app, client, token, claims)
    except requests.RequestException as error:
        log.error("OpenID Connect: the token request failed: %s", error)
        raise ServiceUnavailable(PROVIDER_DOWN) from None
    except PROVIDER_ERRORS as error:
        log.warning("OpenID Connect: a sign-in was refused: %s: %s", type(error).__name__, error)
        raise SignInRefused(NOT_COMPLETED) from None
    return _identity(app.config, claims)


def _with_userinfo(app, client, token, claims):
    """The ID token's claims, completed from the userinfo endpoint when the username (or, with a
    map to apply, the groups) are missing there; the subject must be the same."""
    config = app.config
    wanted = [config["OIDC_USERNAME_CLAIM"]]
    if config["OIDC_ROLE_MAP"] or config["OIDC_TEAM_MAP"]:
        wanted.append(config["OIDC_GROUPS_CLAIM"])
    endpoint = client.server_metadata.get("userinfo_endpoint")
    if all(name in claims for name in wanted) or not endpoint:
        return claims
    userinfo = client.userinfo(token=token)
    if userinfo.get("sub") != claims["sub"]:
        raise SignInRefused(NOT_COMPLETED)
    return {**userinfo, **claims}


def _identity(config, claims):
    groups = claims.get(config["OIDC_GROUPS_CLAIM"]) or ()
    if isinstance(groups, str):
        groups = (groups,)
    username, subject = claims.get(config["OIDC_USERNAME_CLAIM"]), str(claims["sub"])
    if len(subject) > 255 or unstorable_reason(subject):
        log.warning("OpenID Connect: a subject no database can hold (%d characters)", len(subject))
        raise SignInRefused(NOT_COMPLETED)
    if not isinstance(username, str) or not username.strip():
        log.warning("OpenID Connect: the ID token of %r has no %s claim", claims.get("sub"),
                    config["OIDC_USERNAME_CLAIM"])
        raise SignInRefused(NOT_COMPLETED)
    return ExternalIdentity(
        source="oidc", subject=subject, username=username,
        display_name=str(claims.get("name") or ""), email=str(claims.get("email") or ""),
        locale=str(claims.get("locale") or ""),
        groups=tuple(str(group) for group in groups if isinstance(group, str | int))[:1000])


def provider_logout_url(app, return_to):
    """Where to end the session at the provider too (its end_session_endpoint, naming Knowhow's
    client and `return_to` after it), or None: no provider, no endpoint, no answer.

    The ID token is not kept for a hint: with many groups it would outgrow the session cookie.
    """
    if not oidc_enabled(app.config):
        return None
    client = oidc_client(app)
    try:
        if not _metadata(app).get("end_session_endpoint"):
            return None
        return client.create_logout_url(post_logout_redirect_uri=return_to,
                                        client_id=app.config["OIDC_CLIENT_ID"])["url"]
    except ServiceUnavailable:
        return None
