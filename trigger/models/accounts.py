"""Staff accounts, their server-side sessions and the login-attempt ledger used for throttling."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Boolean, CheckConstraint, ForeignKey, Index, Integer, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from trigger.models.base import Base, Timestamped, UTCDateTime, utcnow
from trigger.models.organisation import Agency, enum_column


class Role(StrEnum):
    """DOMAIN.md section 4. One role per account keeps need-to-know rules simple to reason about."""

    ADMIN = "administrator"
    COORDINATOR = "coordinator"
    CHAIR = "chair"
    AGENCY_REP = "agency-representative"
    PCC_REVIEWER = "pcc-reviewer"
    VIEWER = "viewer"

    @property
    def label(self) -> str:
        return ROLE_LABELS[self]


ROLE_LABELS = {
    Role.ADMIN: "Administrator",
    Role.COORDINATOR: "Coordinator (single point of contact)",
    Role.CHAIR: "Chair",
    Role.AGENCY_REP: "Agency representative",
    Role.PCC_REVIEWER: "PCC reviewer",
    Role.VIEWER: "Viewer / auditor",
}


class User(Timestamped, Base):
    __tablename__ = "users"
    __table_args__ = (
        # An agency representative sees only their agency's work, so they must belong to one.
        CheckConstraint("role <> 'agency-representative' OR agency_id IS NOT NULL", name="agency_rep_has_agency"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)  # stored lower-case
    name: Mapped[str] = mapped_column(String(120))
    role: Mapped[Role] = mapped_column(enum_column(Role, "role"))
    agency_id: Mapped[int | None] = mapped_column(ForeignKey("agencies.id"), index=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Authenticator-app second factor (auth.two_factor). The secret must be readable to check codes, so it
    # is a shared secret like a password's salt, never shown again after enrolment; the last accepted time
    # step makes a code unusable twice.
    totp_secret: Mapped[str | None] = mapped_column(String(255))  # sealed: trigger.secrets_at_rest
    totp_last_step: Mapped[int | None] = mapped_column(Integer)
    totp_enrolled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    agency: Mapped[Agency | None] = relationship(lazy="joined")

    # Flask-Login reads these. The id it keeps in the cookie is the *session* token (see auth.sessions),
    # so that logging out or deactivating an account invalidates a copied cookie at once.
    current_session_token = None  # set per request by the session loader; not a column

    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_active(self) -> bool:
        return self.active

    @property
    def is_anonymous(self) -> bool:
        return False

    def get_id(self) -> str | None:
        return self.current_session_token

    @property
    def is_admin(self) -> bool:
        return self.role is Role.ADMIN


class UserSession(Base):
    """One signed-in browser. The cookie holds a random token; only its SHA-256 is stored."""

    __tablename__ = "user_sessions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    revoked_reason: Mapped[str | None] = mapped_column(String(80))
    ip_address: Mapped[str] = mapped_column(String(45), default="")
    user_agent: Mapped[str] = mapped_column(String(255), default="")

    user: Mapped[User] = relationship(lazy="joined")


class LoginAttempt(Base):
    """Every login attempt, kept in the database so throttling holds across server processes."""

    __tablename__ = "login_attempts"
    __table_args__ = (
        Index("ix_login_attempts_email_at", "email", "at"),
        Index("ix_login_attempts_ip_address_at", "ip_address", "at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    email: Mapped[str] = mapped_column(String(254))
    ip_address: Mapped[str] = mapped_column(String(45))
    succeeded: Mapped[bool] = mapped_column(Boolean)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class LinkPurpose(StrEnum):
    INVITATION = "invitation"
    PASSWORD_RESET = "password-reset"


class SignInLink(Base):
    """A single-use emailed link: an invitation to set a first password, or a password reset.

    Only the SHA-256 of the token is stored, so a copy of the database cannot be used to take over an account.
    """

    __tablename__ = "sign_in_links"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    purpose: Mapped[LinkPurpose] = mapped_column(enum_column(LinkPurpose, "link_purpose", length=20))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    user: Mapped[User] = relationship(foreign_keys=[user_id], lazy="joined")


class RecoveryCode(Base):
    """One of ten single-use recovery codes for when the authenticator app is lost; stored as SHA-256
    (each code carries 50 random bits, so a slow hash adds nothing but time)."""

    __tablename__ = "recovery_codes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    code_hash: Mapped[str] = mapped_column(String(64))
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class Passkey(Base):
    """A passkey or security key (WebAuthn credential): a second factor, and a sign-in on its own once
    registered. Only the public key is stored; the sign count helps spot a cloned authenticator."""

    __tablename__ = "passkeys"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    credential_id: Mapped[str] = mapped_column(String(700), unique=True)  # base64url
    public_key: Mapped[bytes] = mapped_column(LargeBinary)
    sign_count: Mapped[int] = mapped_column(Integer, default=0)
    name: Mapped[str] = mapped_column(String(80), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    user: Mapped[User] = relationship(lazy="joined")
