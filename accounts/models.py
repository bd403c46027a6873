"""Users, teams, login sessions and API tokens."""
from datetime import datetime

from flask import current_app
from flask_login import UserMixin
from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint, func, text
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from config import ROLE_NAMES
from core.clock import utcnow
from extensions import db

ROLES = ROLE_NAMES
ROLE_RANK = {"agent": 0, "lead": 1, "admin": 2}


class Team(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80), unique=True)
    lead_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", use_alter=True, ondelete="SET NULL"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(default=lambda: utcnow())

    lead = relationship("User", foreign_keys=[lead_id], post_update=True)
    members = relationship("User", foreign_keys="User.team_id", back_populates="team",
                           order_by="User.username")

    def __repr__(self):
        return f"<Team {self.name}>"


# Where a user signs in: Knowhow's own password, the OpenID provider or the LDAP directory.
AUTH_SOURCES = ("local", "oidc", "ldap")


class User(UserMixin, db.Model):
    """A person who signs in; `auth_source` says where, `external_id` who they are there (the
    OpenID subject, the directory entry's id), unique per source."""

    __tablename__ = "users"  # "user" is reserved in PostgreSQL
    __table_args__ = (Index("uq_users_auth_source_external_id", "auth_source", "external_id", unique=True),)

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(120), default="")
    email: Mapped[str | None] = mapped_column(String(254))
    password_hash: Mapped[str | None] = mapped_column(String(256))
    role: Mapped[str] = mapped_column(String(16), default="agent")
    team_id: Mapped[int | None] = mapped_column(ForeignKey("team.id", ondelete="SET NULL"), index=True)
    locale: Mapped[str] = mapped_column(String(8), default="en")
    # core/locale_format.py: "default" is the language's own calendar (Solar Hijri for fa, the
    # Buddhist era for th) or "gregorian"; digits "default" or "thai" (a choice on Thai pages).
    calendar: Mapped[str] = mapped_column(String(16), default="default", server_default="default")
    digits: Mapped[str] = mapped_column(String(8), default="default", server_default="default")
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=lambda: utcnow())
    auth_source: Mapped[str] = mapped_column(String(16), default="local", server_default="local")
    external_id: Mapped[str | None] = mapped_column(String(255))

    team = relationship("Team", foreign_keys=[team_id], back_populates="members")

    @property
    def is_active(self):
        return self.active

    @property
    def name(self):
        """The name to show: the display name, or the username when none was given."""
        return self.display_name or self.username

    def set_password(self, password):
        self.password_hash = generate_password_hash(
            password, method=current_app.config.get("PASSWORD_HASH_METHOD", "scrypt"))

    def check_password(self, password):
        return bool(self.password_hash) and check_password_hash(self.password_hash, password)

    def has_role(self, role):
        """True when the user's role is `role` or above (admin > lead > agent)."""
        return ROLE_RANK.get(self.role, -1) >= ROLE_RANK[role]

    def __repr__(self):
        return f"<User {self.username}>"


class LoginSession(db.Model):
    """A server-side record of a signed-in browser; deleting it logs that browser out."""

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=lambda: utcnow())
    last_seen_at: Mapped[datetime] = mapped_column(default=lambda: utcnow())
    user_agent: Mapped[str] = mapped_column(String(200), default="")

    user = relationship("User")


class ApiToken(db.Model):
    """A named bearer token for /api/v1; only its SHA-256 is stored.

    Names are unique among a user's tokens that are not revoked, so a revoked name can be reused.
    """

    __table_args__ = (
        UniqueConstraint("token_hash"),
        Index("uq_api_token_user_id_label", "user_id", "label", unique=True,
              sqlite_where=text("revoked_at IS NULL"), postgresql_where=text("revoked_at IS NULL")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64))
    label: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=lambda: utcnow())
    last_used_at: Mapped[datetime | None]
    expires_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]

    user = relationship("User")

    def is_expired(self, now):
        return self.expires_at is not None and self.expires_at <= now


class SignInAddress(db.Model):
    """An address a user signed in from successfully, and when last: sign-in throttling never
    slows the owner down from there. The address is kept as a keyed hash, not as an IP log."""

    __table_args__ = (UniqueConstraint("user_id", "address_hash"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    address_hash: Mapped[str] = mapped_column(String(64))
    last_signed_in_at: Mapped[datetime] = mapped_column(default=lambda: utcnow())


def count_active_admins():
    return db.session.scalar(
        db.select(func.count(User.id)).where(User.role == "admin", User.active.is_(True))
    )


class Notification(db.Model):
    """An in-app notification; its text is built at display time in the reader's language."""

    id: Mapped[int] = mapped_column(primary_key=True)
    recipient_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    kind: Mapped[str] = mapped_column(String(40))
    params: Mapped[dict] = mapped_column(JSON, default=dict)
    url: Mapped[str] = mapped_column(String(500), default="")
    created_at: Mapped[datetime] = mapped_column(default=lambda: utcnow(), index=True)
    read_at: Mapped[datetime | None]
    # How the recipient chose to hear of it when it was written (accounts/mail): "app" only,
    # "email" at once, or in the daily "digest"; then when the e-mail went out, or why not.
    delivery: Mapped[str] = mapped_column(String(8), default="app", server_default="app")
    digest_id: Mapped[int | None] = mapped_column(ForeignKey("mail_digest.id", ondelete="SET NULL"))
    mailed_at: Mapped[datetime | None]
    mail_error: Mapped[str] = mapped_column(String(200), default="", server_default="")

    __table_args__ = (Index("ix_notification_recipient_unread", "recipient_id", "read_at"),
                      Index("ix_notification_delivery_digest", "delivery", "digest_id"))

    recipient = relationship("User", foreign_keys=[recipient_id])
    actor = relationship("User", foreign_keys=[actor_id])


class AuditEntry(db.Model):
    """Who changed what, when and why: awards, revocations, settings, role changes."""

    id: Mapped[int] = mapped_column(primary_key=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    action: Mapped[str] = mapped_column(String(60), index=True)
    target_type: Mapped[str] = mapped_column(String(40), default="")
    target_id: Mapped[str] = mapped_column(String(64), default="")
    summary: Mapped[str] = mapped_column(Text, default="")
    detail: Mapped[dict] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(default=lambda: utcnow(), index=True)

    actor = relationship("User")
