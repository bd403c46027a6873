"""Signed one-click unsubscribe links (itsdangerous): who, from which kind, until when.

A link works without signing in (RFC 8058: mail clients POST to it), so the signature is the
only proof; it is keyed with the application's secret key and a salt of its own, and expires
after KNOWHOW_UNSUBSCRIBE_DAYS. The kind DIGEST stands for the whole daily digest.
"""
from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

SALT = "knowhow-unsubscribe"
DIGEST = "*digest"


class BadUnsubscribeLink(Exception):
    """The link was altered, or is not one of ours; `expired` when it was ours but is too old."""

    def __init__(self, expired=False):
        super().__init__("expired" if expired else "bad signature")
        self.expired = expired


def _serializer():
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=SALT)


def unsubscribe_token(user, kind):
    """The token of `user`'s link to stop e-mails of `kind` (or DIGEST)."""
    return _serializer().dumps({"user": user.id, "kind": kind})


def read_unsubscribe_token(token):
    """(user id, kind) of a token.

    :raises BadUnsubscribeLink: tampered with, foreign, malformed or expired.
    """
    max_age = current_app.config["UNSUBSCRIBE_DAYS"] * 86400
    try:
        data = _serializer().loads(token, max_age=max_age)
    except SignatureExpired:
        raise BadUnsubscribeLink(expired=True) from None
    except (BadSignature, UnicodeError, ValueError):
        raise BadUnsubscribeLink() from None
    if not (isinstance(data, dict) and isinstance(data.get("user"), int) and isinstance(data.get("kind"), str)):
        raise BadUnsubscribeLink()
    return data["user"], data["kind"]
