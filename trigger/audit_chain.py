"""Sealing and verifying the audit trail's hash chain (the pure rules are in trigger.domain.audit_chain).

Writers never wait for the chain: trigger.audit inserts events unsealed, exactly as before, with no lock and no
read of the previous entry. The sealer runs afterwards (`flask audit seal`, the end of `flask outbox send` every
minute, and `flask audit verify` before it checks): it takes one lock that only sealers take (a transaction-level
advisory lock on PostgreSQL; SQLite's single writer lock, taken first by a no-op write), reads the committed
unsealed events in id order and gives each the next place in the chain (seq) and its hash.

The chain's order is seq, not id. On PostgreSQL ids are handed out when a row is inserted, not when it commits,
so an event with a lower id can commit after a higher one has been sealed. It is simply sealed by a later run,
with a later seq: nothing is skipped, nothing has to wait, and the chain never needs a row inserted "before" a
sealed one. A sealer sees only committed rows, so a transaction still in flight is sealed by the next run.

Verification walks the chain in seq order, streaming rows (a server-side cursor on PostgreSQL), and checks that
each entry's seq follows the last, that its previous hash is the last entry's hash, that its own hash matches its
content, and that the chain ends where audit_chain_head says the last seal ended (so removing the newest entries
is detected as well).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import closing
from dataclasses import dataclass
from typing import Any

from sqlalchemy import bindparam, func, select, text
from sqlalchemy.orm import Session

from trigger.domain.audit_chain import (
    AT,
    DETAILS,
    GENESIS_HASH,
    HASHED_FIELDS,
    canonical_details_text,
    canonical_time,
    canonical_time_text,
    entry_hash_of_values,
)
from trigger.models.audit import UNSEALED_SQL, AuditChainHead, AuditEvent

#: Events sealed per transaction: each batch holds the sealers' lock (on SQLite, the writer lock) briefly.
SEAL_BATCH = 2000
#: Rows fetched at a time when verifying.
VERIFY_FETCH = 10_000
#: The key of PostgreSQL's advisory lock that sealers take (an arbitrary constant: "trigaudt" as ASCII).
SEAL_LOCK_KEY = 0x7472696761756474

_events = AuditEvent.__table__
_head = AuditChainHead.__table__
# The hashed columns as the driver returns them, without SQLAlchemy's conversions (a million rows are read in a
# verification): the details as their stored JSON text, the time as SQLite's text or PostgreSQL's datetime.
_FIELDS = len(HASHED_FIELDS)
_RAW_COLUMNS = ", ".join("CAST(details AS TEXT)" if name == "details" else name for name in HASHED_FIELDS)
_UNSEALED = text(f"SELECT {_RAW_COLUMNS} FROM audit_events WHERE {UNSEALED_SQL} ORDER BY id LIMIT :batch")
_CHAIN_SQL = f"SELECT {_RAW_COLUMNS}, prev_hash, hash FROM audit_events WHERE seq IS NOT NULL ORDER BY seq"


def _hashable(row: Any) -> list[Any]:
    """A row of _RAW_COLUMNS as entry_hash_of_values takes it."""
    values = list(row[:_FIELDS])
    at = values[AT]
    values[AT] = canonical_time_text(at) if isinstance(at, str) else canonical_time(at)  # SQLite keeps text
    values[DETAILS] = canonical_details_text(values[DETAILS])
    return values


def _take_seal_lock(session: Session) -> None:
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": SEAL_LOCK_KEY})
    else:
        # SQLite allows one writer at a time; a write first makes this transaction that writer before it reads
        # the chain's end, so two sealers cannot both read the same end.
        session.execute(_head.update().values(last_seq=_head.c.last_seq))


def _seal_batch(session: Session, batch: int) -> int:
    _take_seal_lock(session)
    head = session.execute(select(_head.c.last_seq, _head.c.last_hash).where(_head.c.id == 1)).first()
    if head is None:
        session.execute(_head.insert().values(id=1, last_seq=0, last_hash=GENESIS_HASH))
        last_seq, last_hash = 0, GENESIS_HASH
    else:
        last_seq, last_hash = head
    rows = session.execute(_UNSEALED, {"batch": batch}).all()
    seals = []
    for row in rows:
        last_seq += 1
        values = _hashable(row)
        values[1] = last_seq
        digest = entry_hash_of_values(last_hash, values)
        seals.append({"event_id": row[0], "new_seq": last_seq, "new_prev_hash": last_hash, "new_hash": digest})
        last_hash = digest
    if seals:
        session.execute(
            _events.update()
            .where(_events.c.id == bindparam("event_id"), text(UNSEALED_SQL))
            .values(seq=bindparam("new_seq"), prev_hash=bindparam("new_prev_hash"), hash=bindparam("new_hash")),
            seals,
        )
        session.execute(_head.update().where(_head.c.id == 1).values(last_seq=last_seq, last_hash=last_hash))
    return len(seals)


def seal(session: Session, *, batch: int = SEAL_BATCH) -> int:
    """Seal every committed unsealed event, oldest id first, committing each batch. Returns how many."""
    session.commit()  # seal what the caller has written too, and never hold the lock inside someone's transaction
    total = 0
    while True:
        try:
            sealed = _seal_batch(session, batch)
            session.commit()
        except Exception:
            session.rollback()
            raise
        total += sealed
        if sealed < batch:
            return total


@dataclass(frozen=True)
class Verdict:
    events: int  # entries in the chain that were checked
    problem: str | None = None  # what is wrong with the first bad entry, naming it
    unsealed: int = 0  # events committed after the seal that opened the check (not yet in the chain)

    @property
    def ok(self) -> bool:
        return self.problem is None


def _chain_rows(session: Session) -> Iterator[tuple]:
    """The chain's rows in seq order as the driver's own tuples, VERIFY_FETCH at a time (a server-side cursor on
    PostgreSQL, so memory stays flat). Straight from the driver: SQLAlchemy's result rows would add a fifth to the
    time of a verification."""
    connection = session.connection().connection  # the driver's connection, inside the session's transaction
    if session.get_bind().dialect.name == "postgresql":
        cursor = connection.cursor(name="audit_chain_verify")
        cursor.itersize = VERIFY_FETCH
    else:
        cursor = connection.cursor()
    try:
        cursor.execute(_CHAIN_SQL)
        while rows := cursor.fetchmany(VERIFY_FETCH):
            yield from rows
    finally:
        cursor.close()


def verify(session: Session, *, seal_first: bool = True) -> Verdict:
    """Check the whole chain, first sealing anything unsealed. Stops at the first entry that does not match."""
    if seal_first:
        seal(session)
    # The end of the chain as the last seal left it, read before the walk: the chain only grows, so the walk
    # (one statement, one snapshot) must reach this entry with this hash, however many seals happen meanwhile.
    head = session.execute(select(_head.c.last_seq, _head.c.last_hash).where(_head.c.id == 1)).first()
    sealed_before = session.execute(select(_events.c.id).where(_events.c.seq.is_not(None)).limit(1)).first()
    if head is None and sealed_before:
        return Verdict(0, "the record of the chain's last entry (audit_chain_head) is missing")
    head_seq, head_hash = head if head is not None else (0, GENESIS_HASH)
    expected_seq, expected_prev = 1, GENESIS_HASH
    with closing(_chain_rows(session)) as stream:
        for row in stream:
            event_id, seq = row[0], row[1]
            checked = expected_seq - 1
            if seq != expected_seq:
                return Verdict(checked, f"event {event_id} (entry {seq} of the chain): entry {expected_seq} "
                                        "before it is missing")
            if row[-2] != expected_prev:
                return Verdict(checked, f"event {event_id} (entry {seq} of the chain): its previous hash does not "
                                        "match the entry before it")
            digest = entry_hash_of_values(expected_prev, _hashable(row))
            if digest != row[-1]:
                return Verdict(checked, f"event {event_id} (entry {seq} of the chain): its hash does not match "
                                        "its content")
            if seq == head_seq and digest != head_hash:
                return Verdict(checked, f"event {event_id} (entry {seq} of the chain): it is not the entry the "
                                        "last seal ended with")
            expected_seq, expected_prev = seq + 1, digest
    count = expected_seq - 1
    if count < head_seq:
        return Verdict(count, f"the chain ends at entry {count} but the last seal ended at entry {head_seq}: "
                              "the newest entries were removed")
    stray = session.execute(select(_events.c.id).where(_events.c.seq.is_(None), _events.c.hash.is_not(None))
                            .order_by(_events.c.id).limit(1)).scalar()
    if stray is not None:
        return Verdict(count, f"event {stray}: it carries a hash but has no place in the chain")
    unsealed = session.execute(select(func.count()).select_from(_events).where(text(UNSEALED_SQL))).scalar_one()
    return Verdict(count, None, unsealed)
