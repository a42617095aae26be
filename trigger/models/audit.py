"""The audit trail: who did what to which record, when and from where. Rows are only ever added.

Each row is written unsealed (seq, prev_hash and hash empty) and sealed after it commits by trigger.audit_chain,
which gives it the next place in the chain (seq) and a hash over its content and the previous entry's hash. A
database trigger (see the migration that added the chain) refuses any UPDATE or DELETE except that one sealing.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, Integer, String, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from trigger.models.accounts import User
from trigger.models.base import Base, UTCDateTime, utcnow

#: The action of a view of a case's page (recorded on every view; not part of the case's story).
CASE_VIEWED = "case.viewed"
#: Every event but the views of a case: the case's story, as its timeline shows it.
CASE_STORY_SQL = f"action <> '{CASE_VIEWED}'"
#: Rows not yet in the chain (repeated word for word by the sealer's query so the partial index applies).
UNSEALED_SQL = "seq IS NULL"


class AuditEvent(Base):
    __tablename__ = "audit_events"
    __table_args__ = (
        Index("ix_audit_events_object", "object_type", "object_id"),
        # The case page's timeline, latest first, without walking the case's views (a row per view of the page).
        # Queries repeat CASE_STORY_SQL word for word so that both databases see the partial index applies.
        Index(
            "ix_audit_events_case_story",
            "case_id",
            "at",
            "id",
            sqlite_where=text(CASE_STORY_SQL),
            postgresql_where=text(CASE_STORY_SQL),
        ),
        # The sealer's queue: the few rows written since the last seal, in id order, without walking the trail.
        Index("ix_audit_events_seq", "seq", unique=True),
        Index("ix_audit_events_unsealed", "id", sqlite_where=text(UNSEALED_SQL), postgresql_where=text(UNSEALED_SQL)),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    # Kept as text too, so the trail still reads correctly if the account is later renamed.
    actor_label: Mapped[str] = mapped_column(String(300), default="")
    action: Mapped[str] = mapped_column(String(80), index=True)
    object_type: Mapped[str] = mapped_column(String(40))
    object_id: Mapped[int | None] = mapped_column(Integer)
    # The case an event belongs to, for the case timeline. No foreign key, like object_id: the trail must
    # outlive anything it mentions (retention may delete a case; its trail stays).
    case_id: Mapped[int | None] = mapped_column(Integer, index=True)
    summary: Mapped[str] = mapped_column(String(500), default="")
    details: Mapped[dict] = mapped_column(JSON, default=dict)
    ip_address: Mapped[str] = mapped_column(String(45), default="")
    # The chain (trigger.audit_chain): the entry's place in it, the previous entry's hash and its own. Empty until
    # sealed. The chain's order is seq, not id: a PostgreSQL row may commit after a row with a higher id.
    seq: Mapped[int | None] = mapped_column(Integer)
    prev_hash: Mapped[str | None] = mapped_column(String(64))
    hash: Mapped[str | None] = mapped_column(String(64))

    actor: Mapped[User | None] = relationship(lazy="raise")


class AuditChainHead(Base):
    """The last sealed entry (one row): the chain's end, so that removing the newest entries is detected too."""

    __tablename__ = "audit_chain_head"
    __table_args__ = (CheckConstraint("id = 1", name="singleton"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    last_seq: Mapped[int] = mapped_column(Integer)
    last_hash: Mapped[str] = mapped_column(String(64))
