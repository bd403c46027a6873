"""Configuration defaults and their KNOWHOW_* environment overrides."""
import ipaddress
import os
import re
from datetime import timedelta

DEFAULT_SECRET_KEY = "dev-only-not-secret"

LANGUAGES = {"en": "English", "fa": "فارسی", "ar": "العربية", "th": "ไทย"}
RTL_LANGUAGES = frozenset({"fa", "ar"})


def _env_bool(name, default=False):
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


# A host name, optionally with a port, or "*." and a domain for all of its subdomains.
_IMAGE_HOST = re.compile(r"(\*\.)?[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*(:[0-9]{1,5})?")


def parse_image_hosts(value):
    """The hosts of KNOWHOW_IMAGE_HOSTS ("img.example.com, *.cdn.example:8443") as a tuple."""
    hosts = []
    for entry in (value or "").split(","):
        host = entry.strip().lower()
        if not host:
            continue
        if not _IMAGE_HOST.fullmatch(host):
            raise ValueError("KNOWHOW_IMAGE_HOSTS: %r is not a host name (write img.example.com, "
                             "without https:// or a path)" % entry.strip())
        hosts.append(host)
    return tuple(hosts)


def parse_networks(value, setting="KNOWHOW_METRICS_ALLOW"):
    """The addresses and networks of a list such as "127.0.0.1, ::1, 10.0.0.0/8" as a tuple."""
    networks = []
    for entry in (value or "").split(","):
        entry = entry.strip()
        if not entry:
            continue
        try:
            networks.append(ipaddress.ip_network(entry, strict=False))
        except ValueError:
            raise ValueError("%s: %r is not an IP address or network (write 10.0.0.5 or 10.0.0.0/8)"
                             % (setting, entry)) from None
    return tuple(networks)


ROLE_NAMES = ("agent", "lead", "admin")


def parse_group_map(value, setting, roles=False):
    """The entries of a group mapping such as "knowhow-admins=admin, knowhow-leads=lead" as a
    tuple of (group, role or team) pairs, in the order written (the first team that matches wins).

    Entries are separated by commas, or by semicolons when any is present, so that a group can be
    written as its whole DN ("cn=admins,ou=groups,dc=example,dc=org=admin; cn=leads,...=lead");
    the last "=" of an entry separates the group from its role or team.
    """
    text = (value or "").strip()
    if not text:
        return ()
    entries = []
    for entry in text.split(";" if ";" in text else ","):
        entry = entry.strip()
        if not entry:
            continue
        group, equals, target = (part.strip() for part in entry.rpartition("="))
        if not equals or not group or not target:
            raise ValueError("%s: %r is not group=%s (write knowhow-admins=%s; separate entries with "
                             "commas, or with semicolons when a group is a DN)"
                             % (setting, entry, "role" if roles else "team", "admin" if roles else "Billing"))
        if roles and target not in ROLE_NAMES:
            raise ValueError("%s: %r maps %r to %r, which is no role (choose %s; separate entries with "
                             "semicolons when a group is a DN)" % (setting, entry, group, target,
                                                                   ", ".join(ROLE_NAMES)))
        if not roles and len(target) > 80:
            raise ValueError("%s: the team name of %r is longer than 80 characters" % (setting, entry))
        entries.append((group, target))
    return tuple(entries)


def parse_names(value):
    """Comma-separated usernames (KNOWHOW_BREAK_GLASS_USERS) as a frozenset, lower case."""
    return frozenset(name.strip().lower() for name in (value or "").split(",") if name.strip())


def _sign_in_config():
    """Company sign-in: OpenID Connect, LDAP / Active Directory and whether local passwords work."""
    env = os.environ.get
    return {
        # Local passwords: off leaves them to the break-glass users only (refused on the server).
        "LOCAL_LOGIN": _env_bool("KNOWHOW_LOCAL_LOGIN", True),
        "BREAK_GLASS_USERS": parse_names(env("KNOWHOW_BREAK_GLASS_USERS", "")),
        # OpenID Connect (accounts/external/oidc.py); the client's secret only from the environment.
        "OIDC_ISSUER": env("KNOWHOW_OIDC_ISSUER", "").strip().rstrip("/"),
        "OIDC_CLIENT_ID": env("KNOWHOW_OIDC_CLIENT_ID", "").strip(),
        "OIDC_CLIENT_SECRET": env("KNOWHOW_OIDC_CLIENT_SECRET", ""),
        "OIDC_NAME": env("KNOWHOW_OIDC_NAME", "").strip(),
        "OIDC_SCOPES": env("KNOWHOW_OIDC_SCOPES", "openid profile email").strip(),
        "OIDC_USERNAME_CLAIM": env("KNOWHOW_OIDC_USERNAME_CLAIM", "preferred_username").strip(),
        "OIDC_GROUPS_CLAIM": env("KNOWHOW_OIDC_GROUPS_CLAIM", "groups").strip(),
        "OIDC_ROLE_MAP": parse_group_map(env("KNOWHOW_OIDC_ROLE_MAP"), "KNOWHOW_OIDC_ROLE_MAP", roles=True),
        "OIDC_TEAM_MAP": parse_group_map(env("KNOWHOW_OIDC_TEAM_MAP"), "KNOWHOW_OIDC_TEAM_MAP"),
        "OIDC_TIMEOUT_SECONDS": float(env("KNOWHOW_OIDC_TIMEOUT_SECONDS", "5")),
        # LDAP / Active Directory (accounts/external/ldap.py).
        "LDAP_URL": env("KNOWHOW_LDAP_URL", "").strip(),
        "LDAP_STARTTLS": _env_bool("KNOWHOW_LDAP_STARTTLS"),
        "LDAP_CA_FILE": env("KNOWHOW_LDAP_CA_FILE", "").strip(),
        "LDAP_BIND_DN": env("KNOWHOW_LDAP_BIND_DN", "").strip(),
        "LDAP_BIND_PASSWORD": env("KNOWHOW_LDAP_BIND_PASSWORD", ""),
        "LDAP_BASE_DN": env("KNOWHOW_LDAP_BASE_DN", "").strip(),
        "LDAP_USER_FILTER": env("KNOWHOW_LDAP_USER_FILTER", "(&(objectClass=inetOrgPerson)(uid={username}))").strip(),
        "LDAP_USERNAME_ATTRIBUTE": env("KNOWHOW_LDAP_USERNAME_ATTRIBUTE", "uid").strip(),
        "LDAP_NAME_ATTRIBUTE": env("KNOWHOW_LDAP_NAME_ATTRIBUTE", "displayName").strip(),
        "LDAP_EMAIL_ATTRIBUTE": env("KNOWHOW_LDAP_EMAIL_ATTRIBUTE", "mail").strip(),
        "LDAP_LOCALE_ATTRIBUTE": env("KNOWHOW_LDAP_LOCALE_ATTRIBUTE", "preferredLanguage").strip(),
        "LDAP_ID_ATTRIBUTE": env("KNOWHOW_LDAP_ID_ATTRIBUTE", "entryUUID").strip(),
        # Groups: the user's memberOf, or, with a filter, a search under the group base.
        "LDAP_GROUP_BASE_DN": env("KNOWHOW_LDAP_GROUP_BASE_DN", "").strip(),
        "LDAP_GROUP_FILTER": env("KNOWHOW_LDAP_GROUP_FILTER", "").strip(),
        "LDAP_ROLE_MAP": parse_group_map(env("KNOWHOW_LDAP_ROLE_MAP"), "KNOWHOW_LDAP_ROLE_MAP", roles=True),
        "LDAP_TEAM_MAP": parse_group_map(env("KNOWHOW_LDAP_TEAM_MAP"), "KNOWHOW_LDAP_TEAM_MAP"),
        "LDAP_TIMEOUT_SECONDS": float(env("KNOWHOW_LDAP_TIMEOUT_SECONDS", "5")),
    }


def load_config(instance_path, overrides=None):
    """Build the configuration mapping: defaults, then environment, then explicit overrides."""
    overrides = dict(overrides or {})
    instance_path = overrides.get("INSTANCE_PATH", instance_path)
    database_url = os.environ.get(
        "KNOWHOW_DATABASE_URL",
        "sqlite:///" + os.path.join(instance_path, "knowhow.db"),
    )
    https = _env_bool("KNOWHOW_HTTPS")
    redis_url = os.environ.get("KNOWHOW_REDIS_URL", "").strip() or None
    config = {
        "ENV_NAME": os.environ.get("KNOWHOW_ENV", "development"),
        "SECRET_KEY": os.environ.get("KNOWHOW_SECRET_KEY", DEFAULT_SECRET_KEY),
        "SQLALCHEMY_DATABASE_URI": database_url,
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        # "whoosh": an index on this host's disk, in SEARCH_DIR; "postgres": in the database (which
        # must then be PostgreSQL), shared by every host (search/backends.py).
        "SEARCH_BACKEND": os.environ.get("KNOWHOW_SEARCH_BACKEND", "whoosh").strip().lower(),
        "SEARCH_DIR": os.environ.get("KNOWHOW_SEARCH_DIR", os.path.join(instance_path, "search")),
        # Load the searcher and the Thai dictionary in the background when the app is created;
        # gunicorn.conf.py turns it off and warms each worker after the fork instead.
        "SEARCH_WARM_UP": _env_bool("KNOWHOW_SEARCH_WARM_UP", True),
        # Compile the templates and load what a first request needs as the app starts (app.warm_up).
        "WARM_UP": _env_bool("KNOWHOW_WARM_UP", True),
        # Files people upload and the database refers to; `flask backup` keeps them with it.
        "UPLOADS_DIR": os.environ.get("KNOWHOW_UPLOADS_DIR", os.path.join(instance_path, "uploads")),
        # Every request body is small, but where a CSV is uploaded (security.accepts_uploads)
        # or a long article is sent (kb.views.articles): those routes set their own limit.
        "MAX_CONTENT_LENGTH": int(os.environ.get("KNOWHOW_MAX_REQUEST_KB", "1024")) * 1024,
        "MAX_UPLOAD_BYTES": int(os.environ.get("KNOWHOW_MAX_UPLOAD_MB", "200")) * 1024 * 1024,
        # Markdown fields: longer texts are refused with a field error (core/markdown.py).
        "MAX_ARTICLE_CHARS": int(os.environ.get("KNOWHOW_MAX_ARTICLE_CHARS", "200000")),
        # Markdown images: Knowhow's own (relative URLs), data: images up to this size, and
        # those of these hosts; any other image is shown as a link. The CSP follows.
        "IMAGE_HOSTS": parse_image_hosts(os.environ.get("KNOWHOW_IMAGE_HOSTS", "")),
        "MAX_DATA_IMAGE_BYTES": int(os.environ.get("KNOWHOW_MAX_DATA_IMAGE_KB", "64")) * 1024,
        # Uploaded article images (kb/images.py): the largest file, the most pixels a file may
        # decode to, and the width wider images are scaled down to.
        "MAX_IMAGE_BYTES": int(os.environ.get("KNOWHOW_MAX_IMAGE_MB", "10")) * 1024 * 1024,
        "MAX_IMAGE_PIXELS": int(os.environ.get("KNOWHOW_MAX_IMAGE_MEGAPIXELS", "25")) * 1_000_000,
        "MAX_IMAGE_WIDTH": int(os.environ.get("KNOWHOW_MAX_IMAGE_WIDTH", "2000")),
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": https,
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_SECURE": https,
        "PERMANENT_SESSION_LIFETIME": timedelta(hours=int(os.environ.get("KNOWHOW_SESSION_HOURS", "12"))),
        "PREFER_HTTPS": https,
        "WTF_CSRF_TIME_LIMIT": None,  # tied to the session instead: a shift can be long
        "WTF_CSRF_CHECK_DEFAULT": False,  # security.py decides (bearer-token API calls are exempt)
        # With a Redis for the job queue, the rate limits live there too: every host sees them.
        "RATELIMIT_STORAGE_URI": os.environ.get("KNOWHOW_RATELIMIT_STORAGE_URI", redis_url or "memory://"),
        # The job queue (jobs.py): Redis when set, else a SQLite file in the instance folder.
        "REDIS_URL": redis_url,
        "JOBS_IMMEDIATE": _env_bool("KNOWHOW_JOBS_IMMEDIATE"),
        "RATELIMIT_HEADERS_ENABLED": True,
        # How many reverse proxies in front of Knowhow append to X-Forwarded-For; 0 ignores it.
        "TRUSTED_PROXIES": int(os.environ.get("KNOWHOW_TRUSTED_PROXIES", "0")),
        # Sign-in throttling (accounts/throttling.py): wrong passwords per (username, address)
        # and per address, then a growing per-username delay for unfamiliar addresses.
        "LOGIN_LIMIT_PER_USER_ADDRESS": os.environ.get("KNOWHOW_LOGIN_LIMIT_PER_USER_ADDRESS",
                                                       "10 per minute"),
        "LOGIN_LIMIT_PER_ADDRESS": os.environ.get("KNOWHOW_LOGIN_LIMIT_PER_ADDRESS", "300 per minute"),
        "LOGIN_SLOWDOWN_AFTER": int(os.environ.get("KNOWHOW_LOGIN_SLOWDOWN_AFTER", "5")),
        "LOGIN_SLOWDOWN_WINDOW_MINUTES": int(os.environ.get("KNOWHOW_LOGIN_SLOWDOWN_WINDOW_MINUTES", "60")),
        "LOGIN_SLOWDOWN_MAX_SECONDS": int(os.environ.get("KNOWHOW_LOGIN_SLOWDOWN_MAX_SECONDS", "300")),
        "LOGIN_FAMILIAR_DAYS": int(os.environ.get("KNOWHOW_LOGIN_FAMILIAR_DAYS", "90")),
        "BABEL_DEFAULT_LOCALE": "en",
        "BABEL_DEFAULT_TIMEZONE": "UTC",
        "LANGUAGES": LANGUAGES,
        "PASSWORD_HASH_METHOD": "scrypt",  # werkzeug's default cost; tests use a cheaper one
        "REVIEW_INTERVAL_DAYS": int(os.environ.get("KNOWHOW_REVIEW_INTERVAL_DAYS", "90")),
        # Knowledge impact (recognition/impact): below this many linked contacts an article's
        # effect is "too few to tell"; an effect smaller than so many points of first-contact
        # resolution is no clear effect, however certain.
        "IMPACT_MIN_CONTACTS": int(os.environ.get("KNOWHOW_IMPACT_MIN_CONTACTS", "30")),
        "IMPACT_MIN_LIFT_POINTS": float(os.environ.get("KNOWHOW_IMPACT_MIN_LIFT_POINTS", "2")),
        # Search ranks an article with a `helps` verdict this much higher (scores × (1 + boost);
        # the other lifts add up to at most 1), so it orders close results, never relevance.
        "IMPACT_SEARCH_BOOST": float(os.environ.get("KNOWHOW_IMPACT_SEARCH_BOOST", "0.15")),
        # What reads record (query log, views, opens) is buffered and written in batches every
        # so many seconds (core/read_buffer.py); 0 writes it only when full, at exit or on demand.
        "READ_BUFFER_SECONDS": float(os.environ.get("KNOWHOW_READ_BUFFER_SECONDS", "5")),
        "READ_BUFFER_MAX": int(os.environ.get("KNOWHOW_READ_BUFFER_MAX", "10000")),
        "READ_BUFFER_LOCK_WAIT": float(os.environ.get("KNOWHOW_READ_BUFFER_LOCK_WAIT", "2")),
        # Operations (core/ops): who may read /metrics (others get a 404), how long /readyz waits
        # for the database, how many index updates may wait before it says "not ready".
        "METRICS_ALLOW": parse_networks(os.environ.get("KNOWHOW_METRICS_ALLOW", "127.0.0.1, ::1")),
        "READY_TIMEOUT_SECONDS": float(os.environ.get("KNOWHOW_READY_TIMEOUT_SECONDS", "2")),
        "READY_MAX_INDEX_PENDING": int(os.environ.get("KNOWHOW_READY_MAX_INDEX_PENDING", "1000")),
        # Logs: "text" (Python's defaults) or "json" (one JSON object a line, core/ops/logs.py).
        "LOG_FORMAT": os.environ.get("KNOWHOW_LOG_FORMAT", "text").strip().lower(),
        "LOG_LEVEL": os.environ.get("KNOWHOW_LOG_LEVEL", "INFO").strip().upper(),
        # An X-Request-ID sent with the request is used only when a proxy we trust sets it.
        "TRUST_REQUEST_ID": _env_bool("KNOWHOW_TRUST_REQUEST_ID",
                                      int(os.environ.get("KNOWHOW_TRUSTED_PROXIES", "0")) > 0),
        # Where people open Knowhow: the links of e-mails and webhook payloads start with it.
        "BASE_URL": os.environ.get("KNOWHOW_BASE_URL", "http://127.0.0.1:5000").strip().rstrip("/"),
        # E-mail (accounts/mail): unset SMTP_URL sends none; smtp://[user:password@]host[:port]
        # (StartTLS unless SMTP_STARTTLS is off) or smtps:// (TLS from the first byte).
        "SMTP_URL": os.environ.get("KNOWHOW_SMTP_URL", "").strip() or None,
        "SMTP_USERNAME": os.environ.get("KNOWHOW_SMTP_USERNAME") or None,
        "SMTP_PASSWORD": os.environ.get("KNOWHOW_SMTP_PASSWORD") or None,
        "SMTP_STARTTLS": _env_bool("KNOWHOW_SMTP_STARTTLS", True),
        "SMTP_CA_FILE": os.environ.get("KNOWHOW_SMTP_CA_FILE") or None,
        "SMTP_TIMEOUT": float(os.environ.get("KNOWHOW_SMTP_TIMEOUT", "10")),
        "MAIL_FROM": os.environ.get("KNOWHOW_MAIL_FROM", "Knowhow <knowhow@localhost>").strip(),
        "UNSUBSCRIBE_DAYS": int(os.environ.get("KNOWHOW_UNSUBSCRIBE_DAYS", "90")),
        # Outgoing webhooks (accounts/webhooks): addresses they may reach besides public ones.
        "WEBHOOK_ALLOW_PRIVATE": _env_bool("KNOWHOW_WEBHOOK_ALLOW_PRIVATE"),
        "WEBHOOK_ALLOW": parse_networks(os.environ.get("KNOWHOW_WEBHOOK_ALLOW", ""), "KNOWHOW_WEBHOOK_ALLOW"),
        "WEBHOOK_TIMEOUT": float(os.environ.get("KNOWHOW_WEBHOOK_TIMEOUT", "10")),
    }
    config.update(_sign_in_config())
    config.update(overrides)
    return config


def check_production_config(config):
    """Refuse to run in production with settings that are only safe on a laptop."""
    if config["ENV_NAME"] == "production" and config["SECRET_KEY"] == DEFAULT_SECRET_KEY:
        raise RuntimeError(
            "KNOWHOW_SECRET_KEY must be set to a long random value when KNOWHOW_ENV=production."
        )


def check_sign_in_config(config):
    """Refuse to start with company sign-in settings that cannot work, saying which and why."""
    problems = []
    if config["OIDC_ISSUER"]:
        if not config["OIDC_ISSUER"].startswith(("https://", "http://")):
            problems.append("KNOWHOW_OIDC_ISSUER must be the provider's URL (https://...)")
        if not config["OIDC_CLIENT_ID"]:
            problems.append("KNOWHOW_OIDC_ISSUER is set, so KNOWHOW_OIDC_CLIENT_ID must be too")
        if "openid" not in config["OIDC_SCOPES"].split():
            problems.append("KNOWHOW_OIDC_SCOPES must include openid")
    if config["LDAP_URL"]:
        if not config["LDAP_URL"].startswith(("ldap://", "ldaps://")):
            problems.append("KNOWHOW_LDAP_URL must start with ldap:// or ldaps://")
        if not config["LDAP_BASE_DN"]:
            problems.append("KNOWHOW_LDAP_URL is set, so KNOWHOW_LDAP_BASE_DN must be too")
        if "{username}" not in config["LDAP_USER_FILTER"]:
            problems.append("KNOWHOW_LDAP_USER_FILTER must contain {username}")
        if config["LDAP_GROUP_FILTER"] and "{dn}" not in config["LDAP_GROUP_FILTER"]:
            problems.append("KNOWHOW_LDAP_GROUP_FILTER must contain {dn} (the user's DN)")
        if config["LDAP_CA_FILE"] and not os.path.isfile(config["LDAP_CA_FILE"]):
            problems.append("KNOWHOW_LDAP_CA_FILE: no such file %r" % config["LDAP_CA_FILE"])
    if not config["LOCAL_LOGIN"] and not (config["OIDC_ISSUER"] or config["LDAP_URL"]):
        problems.append("KNOWHOW_LOCAL_LOGIN=off needs KNOWHOW_OIDC_ISSUER or KNOWHOW_LDAP_URL, "
                        "or only the break-glass users could sign in")
    if problems:
        raise ValueError("Company sign-in settings: " + "; ".join(problems) + ".")
