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
        "SEARCH_DIR": os.environ.get("KNOWHOW_SEARCH_DIR", os.path.join(instance_path, "search")),
        # Load the searcher and the Thai dictionary in the background when the app is created;
        # gunicorn.conf.py turns it off and warms each worker after the fork instead.
        "SEARCH_WARM_UP": _env_bool("KNOWHOW_SEARCH_WARM_UP", True),
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
    }
    config.update(overrides)
    return config


def check_production_config(config):
    """Refuse to run in production with settings that are only safe on a laptop."""
    if config["ENV_NAME"] == "production" and config["SECRET_KEY"] == DEFAULT_SECRET_KEY:
        raise RuntimeError(
            "KNOWHOW_SECRET_KEY must be set to a long random value when KNOWHOW_ENV=production."
        )
