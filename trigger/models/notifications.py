"""The outbox (emails waiting to be delivered over SMTP) and the notifications each user sees in the product.

Both are written inside the same transaction as the change that causes them, so a rolled-back request
sends nothing; `flask outbox send` delivers the outbox afterwards. A ``dedupe_key`` is UNIQUE, so a
reminder that a periodic job might queue twice (two runs, two machines) exists once, enforced by the database.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import CheckConstraint, ForeignKey, Index, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from trigger.models.accounts import User
from trigger.models.base import Base, Timestamped, UTCDateTime, utcnow
from trigger.models.organisation import enum_column


class OutboxStatus(StrEnum):
    QUEUED = "queued"  # waiting for its next attempt (the first, or a retry after a failure)
    SENDING = "sending"  # claimed by one sender; nobody else may send it
    SENT = "sent"  # accepted by the SMTP server
    FAILED = "failed"  # gave up after the last retry; kept, shown to administrators, can be retried

    @property
    def label(self) -> str:
        return {"queued": "Queued", "sending": "Sending", "sent": "Sent", "failed": "Failed"}[self.value]


class OutboxMessage(Timestamped, Base):
    """One email. Never deleted: a failed message stays for administrators to see and retry."""

    __tablename__ = "outbox_messages"
    __table_args__ = (
        # What the sender asks on every run: which queued messages are due?
        Index("ix_outbox_messages_status_next_attempt_at", "status", "next_attempt_at"),
        CheckConstraint("attempts >= 0", name="attempts_not_negative"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    to_address: Mapped[str] = mapped_column(String(254))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    subject: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    html_body: Mapped[str | None] = mapped_column(Text)
    status: Mapped[OutboxStatus] = mapped_column(
        enum_column(OutboxStatus, "outbox_status", length=20), default=OutboxStatus.QUEUED
    )
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_error: Mapped[str | None] = mapped_column(String(500))
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # e.g. "deadline:123:reminder:2026-12-01": a second insert with the same key fails, so it is queued once.
    dedupe_key: Mapped[str | None] = mapped_column(String(200), unique=True)

    user: Mapped[User | None] = relationship(lazy="raise")
    attachments: Mapped[list[OutboxAttachment]] = relationship(
        back_populates="message", lazy="raise", cascade="all, delete-orphan", order_by="OutboxAttachment.id"
    )


class OutboxAttachment(Base):
    """A file sent with an email (an .ics invitation, a PDF letter), kept as the exact bytes sent."""

    __tablename__ = "outbox_attachments"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    message_id: Mapped[int] = mapped_column(ForeignKey("outbox_messages.id", ondelete="CASCADE"), index=True)
    filename: Mapped[str] = mapped_column(String(255))
    mime_type: Mapped[str] = mapped_column(String(100))
    content: Mapped[bytes] = mapped_column(LargeBinary)

    message: Mapped[OutboxMessage] = relationship(back_populates="attachments", lazy="raise")


class Notification(Base):
    """A message to one user, shown on their notifications page until they mark it read."""

    __tablename__ = "notifications"
    __table_args__ = (
        # The header's unread count runs on every page: (user_id, read_at) answers it from the index.
        Index("ix_notifications_user_id_read_at", "user_id", "read_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    subject: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text, default="")
    link: Mapped[str | None] = mapped_column(String(500))  # a path inside the product, e.g. /cases/12
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    dedupe_key: Mapped[str | None] = mapped_column(String(200), unique=True)

    user: Mapped[User] = relationship(lazy="raise")
