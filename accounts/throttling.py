"""Sign-in throttling that slows password guessing without letting anyone lock others out.

Three rules, counted on wrong passwords only (a successful sign-in costs nothing), in the
rate-limit storage of Flask-Limiter (memory, or Redis shared by the workers):

- per (username, address): LOGIN_LIMIT_PER_USER_ADDRESS, e.g. 10 a minute. Guessing one
  person's password from one place is slow, and it touches no one else: not the colleague behind
  the same proxy or NAT, not the owner signing in from elsewhere;
- per address: LOGIN_LIMIT_PER_ADDRESS, generous (300 a minute) so that a whole contact centre
  behind one NAT signs in at the start of a shift; it stops one address trying many usernames;
- per username: after LOGIN_SLOWDOWN_AFTER wrong passwords within LOGIN_SLOWDOWN_WINDOW_MINUTES,
  from anywhere, each further one makes the username wait 1, 2, 4 … seconds (at most
  LOGIN_SLOWDOWN_MAX_SECONDS) before the next try from an unfamiliar address. This is what slows a
  botnet trying one account from thousands of addresses.

An address is familiar to a user who signed in successfully from it within LOGIN_FAMILIAR_DAYS.
From a familiar address neither the per-username delay nor the per-address limit applies, so an
attacker failing a thousand times against "admin" from elsewhere never keeps the admin out at
their desk. Unknown usernames are counted like known ones: the answers tell nothing about which
usernames exist. Refused attempts check no password and count for nothing. Attempts arriving at
the same moment are each let through before any of them is counted, so the number of workers
bounds how far a burst gets past a limit.
"""
import hashlib
import hmac
import math
import time
from datetime import timedelta

from flask import current_app
from limits import parse
from sqlalchemy import delete, select

from accounts.models import SignInAddress, User
from accounts.services import USERNAME_PATTERN, normalize_username
from core.clock import utcnow
from extensions import db, limiter


def _digest(*parts):
    """A fixed-length key for storage: usernames and addresses are whatever a client sent."""
    key = current_app.config["SECRET_KEY"].encode("utf-8")
    message = "\x1f".join(parts).encode("utf-8", "replace")
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def _username(username):
    return normalize_username(username)[:64]


def _pair_limit():
    return parse(current_app.config["LOGIN_LIMIT_PER_USER_ADDRESS"])


def _address_limit():
    return parse(current_app.config["LOGIN_LIMIT_PER_ADDRESS"])


def _slowdown_key(username):
    return "sign-in-slowdown/" + _digest("slowdown", _username(username))


def _failures_key(username):
    return "sign-in-failures/" + _digest("failures", _username(username))


def _seconds_until(moment):
    return max(1, math.ceil(moment - time.time()))


def sign_in_wait(username, address):
    """Seconds to wait before this username may try a password from this address; 0: go ahead."""
    if not limiter.enabled:
        return 0
    strategy = limiter.limiter
    pair = ("sign-in-pair", _digest("pair", _username(username), address or ""))
    if not strategy.test(_pair_limit(), *pair):
        return _seconds_until(strategy.get_window_stats(_pair_limit(), *pair).reset_time)
    if is_familiar_address(username, address):
        return 0
    per_address = ("sign-in-address", _digest("address", address or ""))
    if not strategy.test(_address_limit(), *per_address):
        return _seconds_until(strategy.get_window_stats(_address_limit(), *per_address).reset_time)
    storage = limiter.storage
    if storage.get(_slowdown_key(username)) > 0:
        return _seconds_until(storage.get_expiry(_slowdown_key(username)))
    return 0


def record_failed_sign_in(username, address):
    """Count a wrong password against the pair, the address and the username."""
    if not limiter.enabled:
        return
    strategy, storage, config = limiter.limiter, limiter.storage, current_app.config
    strategy.hit(_pair_limit(), "sign-in-pair", _digest("pair", _username(username), address or ""))
    strategy.hit(_address_limit(), "sign-in-address", _digest("address", address or ""))
    failures = storage.incr(_failures_key(username), config["LOGIN_SLOWDOWN_WINDOW_MINUTES"] * 60)
    beyond = failures - config["LOGIN_SLOWDOWN_AFTER"]
    if beyond >= 0:
        delay = min(2 ** min(beyond, 30), config["LOGIN_SLOWDOWN_MAX_SECONDS"])
        storage.clear(_slowdown_key(username))
        storage.incr(_slowdown_key(username), delay)


def _address_hash(address):
    return _digest("familiar", address or "")


def is_familiar_address(username, address):
    """Whether the user called `username` signed in successfully from `address` lately."""
    if not USERNAME_PATTERN.match(_username(username)):
        return False  # no user has that name (and a NUL in it would be an error on PostgreSQL)
    since = utcnow() - timedelta(days=current_app.config["LOGIN_FAMILIAR_DAYS"])
    return db.session.scalar(
        select(SignInAddress.id).join(User, User.id == SignInAddress.user_id)
        .where(User.username == _username(username), SignInAddress.address_hash == _address_hash(address),
               SignInAddress.last_signed_in_at >= since).limit(1)) is not None


def remember_sign_in_address(user, address):
    """Note a successful sign-in of `user` from `address`; forget addresses not used lately."""
    now = utcnow()
    address_hash = _address_hash(address)
    known = db.session.scalar(select(SignInAddress).where(
        SignInAddress.user_id == user.id, SignInAddress.address_hash == address_hash))
    if known is None:
        db.session.add(SignInAddress(user_id=user.id, address_hash=address_hash, last_signed_in_at=now))
    else:
        known.last_signed_in_at = now
    db.session.execute(delete(SignInAddress).where(
        SignInAddress.user_id == user.id,
        SignInAddress.last_signed_in_at < now - timedelta(days=current_app.config["LOGIN_FAMILIAR_DAYS"])))
    db.session.flush()
