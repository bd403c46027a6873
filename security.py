"""Request-wide protections: body size limits, CSRF policy, security headers and redirects."""
from urllib.parse import unquote, urlsplit

from flask import current_app, request
from werkzeug.exceptions import RequestEntityTooLarge

from extensions import csrf

UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})

CONTENT_SECURITY_POLICY = "; ".join((
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    # Markdown images come from Knowhow itself, are small data: images or come from the hosts
    # of KNOWHOW_IMAGE_HOSTS (core/markdown.py turns any other into a link).
    "img-src %s",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
))


def content_security_policy(image_hosts=()):
    """The Content-Security-Policy header, its img-src following the KNOWHOW_IMAGE_HOSTS hosts."""
    return CONTENT_SECURITY_POLICY % " ".join(("'self'", "data:", *image_hosts))


def bearer_token():
    """The token of an `Authorization: Bearer …` header, or None."""
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()


def is_safe_redirect(target):
    """True only for a same-origin path such as `/kb/12?x=1`.

    Browsers strip tabs and newlines from URLs and treat `\\` like `/`, so `/%09/evil`, `/\\evil`
    and `//evil` all leave the site; any control character, space or backslash, raw or
    percent-encoded, is refused, as is anything with a scheme or a host.
    """
    if not target or not isinstance(target, str) or len(target) > 2000:
        return False
    for candidate in (target, unquote(target)):
        if any(ch <= " " or ch == "\\" or ch == "\x7f" for ch in candidate):
            return False
        if not candidate.startswith("/") or candidate.startswith("//"):
            return False
        parts = urlsplit(candidate)
        if parts.scheme or parts.netloc:
            return False
    return True


def safe_next(target, default):
    """`target` when it is a safe same-origin path, else `default`."""
    return target if is_safe_redirect(target) else default


def csrf_checked_by_form(view):
    """Mark a view whose form checks the CSRF token itself (Flask-WTF's FlaskForm does), so that
    an expired or missing token shows the form again with what was typed, not an error page.

    The view must change nothing unless its form validates.
    """
    view.csrf_checked_by_form = True
    return view


def authorised_by_signed_link(view):
    """Mark a view whose URL carries a signed token that is its whole authority (the one-click
    unsubscribe of e-mails, RFC 8058): mail clients POST to it with no session and no CSRF
    token, and a forged request can do no more than the link itself.

    The view must check the signature before it changes anything.
    """
    view.authorised_by_signed_link = True
    return view


def body_limit(limit_of, too_large=None):
    """Let a view accept bodies up to ``limit_of(app.config)`` bytes instead of MAX_CONTENT_LENGTH.

    Views that need more than the small app-wide default say so (CSV uploads, long articles),
    and views whose users deserve a better message than the size in KB: ``too_large()`` gives it.
    """
    def mark(view):
        view.knowhow_body_limit = limit_of
        view.knowhow_too_large = too_large
        return view
    return mark


accepts_uploads = body_limit(lambda config: config["MAX_UPLOAD_BYTES"])


def limit_request_body(view):
    """Set the body limit of the request to ``view`` and refuse a larger declared body at once.

    Runs before the CSRF check, which parses the form: a body over the limit is answered 413
    without being read, let alone parsed or shown back. Chunked bodies, which declare no length,
    are cut off by werkzeug when they are read past the same limit.
    """
    limit_of = getattr(view, "knowhow_body_limit", None)
    if limit_of is not None:
        request.max_content_length = limit_of(current_app.config)
    limit = request.max_content_length
    if limit is not None and (request.content_length or 0) > limit:
        too_large = getattr(view, "knowhow_too_large", None)
        raise RequestEntityTooLarge(str(too_large()) if too_large else None)


def protect_against_csrf():
    """CSRF on every state-changing request, except API calls authenticated by bearer token
    (and views whose form checks it, see csrf_checked_by_form)."""
    if request.method not in UNSAFE_METHODS or not current_app.config.get("WTF_CSRF_ENABLED", True):
        return
    if request.path.startswith("/api/") and bearer_token():
        return
    view = current_app.view_functions.get(request.endpoint)
    if getattr(view, "csrf_checked_by_form", False) or getattr(view, "authorised_by_signed_link", False):
        return
    csrf.protect()


def set_security_headers(response):
    """Add the security headers every response carries."""
    headers = response.headers
    headers.setdefault("Content-Security-Policy",
                       content_security_policy(current_app.config.get("IMAGE_HOSTS", ())))
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("Referrer-Policy", "same-origin")
    headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
    headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    if request.is_secure or current_app.config.get("PREFER_HTTPS"):
        headers.setdefault("Strict-Transport-Security", "max-age=31536000")
    if request.endpoint != "static":
        # Pages and API answers carry personal data: never keep them in shared caches.
        headers.setdefault("Cache-Control", "private, no-store")
    return response
