"""Request-wide protections: CSRF policy, security headers and same-origin redirects."""
from urllib.parse import unquote, urlsplit

from flask import current_app, request

from extensions import csrf

UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})

CONTENT_SECURITY_POLICY = "; ".join((
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    # Articles may show images from intranet servers over https; never data: or javascript:.
    "img-src 'self' https:",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
))


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


def protect_against_csrf():
    """CSRF on every state-changing request, except API calls authenticated by bearer token
    (and views whose form checks it, see csrf_checked_by_form)."""
    if request.method not in UNSAFE_METHODS or not current_app.config.get("WTF_CSRF_ENABLED", True):
        return
    if request.path.startswith("/api/") and bearer_token():
        return
    if getattr(current_app.view_functions.get(request.endpoint), "csrf_checked_by_form", False):
        return
    csrf.protect()


def set_security_headers(response):
    """Add the security headers every response carries."""
    headers = response.headers
    headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
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
