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

import multiprocessing
import os
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import closing
from dataclasses import dataclass
from typing import Any

from sqlalchemy import bindparam, create_engine, func, select, text
from sqlalchemy.pool import NullPool
from sqlalchemy.orm import Session

from trigger.domain.audit_chain import (
    AT,
    DETAILS,
    GENESIS_HASH,
    HASHED_FIELDS,
    canonical_details_text,
    canonical_time_text,
    entry_hash_of_values,
)
from trigger.models.audit import UNSEALED_SQL, AuditChainHead, AuditEvent

#: Events sealed per transaction: each batch holds the sealers' lock (on SQLite, the writer lock) briefly.
SEAL_BATCH = 2000
#: Rows fetched at a time when verifying.
VERIFY_FETCH = 10_000
#: A chain at least this long is verified in parts by worker processes, one per CPU up to VERIFY_WORKERS.
PARALLEL_FROM = 100_000
VERIFY_WORKERS = 4
#: The key of PostgreSQL's advisory lock that sealers take (an arbitrary constant: "trigaudt" as ASCII).
SEAL_LOCK_KEY = 0x7472696761756474

_events = AuditEvent.__table__
_head = AuditChainHead.__table__

# The hashed columns as the driver returns them, without SQLAlchemy's conversions (a million rows are read in a
# verification): the details as their stored JSON text, and the time as text in UTC in SQLite's own format
# ("2026-12-02 06:30:01.000250"), which canonical_time_text turns into the canonical form without parsing it.
_FIELDS = len(HASHED_FIELDS)
_TIME_TEXT = {"postgresql": "to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.US')", "sqlite": "at"}


def _raw_columns(dialect: str) -> str:
    return ", ".join(
        "CAST(details AS TEXT)" if name == "details" else _TIME_TEXT[dialect] if name == "at" else name
        for name in HASHED_FIELDS
    )


_UNSEALED = {
    dialect: text(
        f"SELECT {_raw_columns(dialect)} FROM audit_events WHERE {UNSEALED_SQL} AND id > :after "
        "ORDER BY id LIMIT :batch"
    )
    for dialect in _TIME_TEXT
}
_CHAIN_SQL = {
    dialect: f"SELECT {_raw_columns(dialect)}, prev_hash, hash FROM audit_events WHERE seq IS NOT NULL ORDER BY seq"
    for dialect in _TIME_TEXT
}


def _hashable(row: Any) -> list[Any]:
    """A row of _raw_columns() as entry_hash_of_values takes it."""
    values = list(row[:_FIELDS])
    values[AT] = canonical_time_text(values[AT])
    values[DETAILS] = canonical_details_text(values[DETAILS])
    return values


# PostgreSQL: a batch's seals in one statement (arrays), rather than one UPDATE per event.
_SEAL_POSTGRESQL = text(
    "UPDATE audit_events AS e SET seq = v.seq, prev_hash = v.prev_hash, hash = v.hash "
    "FROM unnest(CAST(:ids AS integer[]), CAST(:seqs AS integer[]), CAST(:prevs AS varchar[]), "
    "CAST(:hashes AS varchar[])) AS v(id, seq, prev_hash, hash) "
    f"WHERE e.id = v.id AND e.{UNSEALED_SQL}"
)
# SQLite: one UPDATE per event, run by the driver's executemany (fast in process).
_SEAL_SQLITE = (
    _events.update()
    .where(_events.c.id == bindparam("event_id"), text(UNSEALED_SQL))
    .values(seq=bindparam("new_seq"), prev_hash=bindparam("new_prev_hash"), hash=bindparam("new_hash"))
)


HEAD_MISSING = "the record of the chain's last entry (audit_chain_head) is missing"


class ChainBroken(Exception):
    """The chain cannot be extended: it has been tampered with (the message says how)."""


def _take_seal_lock(session: Session) -> None:
    if session.get_bind().dialect.name == "postgresql":
        session.connection().execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": SEAL_LOCK_KEY})
    else:
        # SQLite allows one writer at a time; a write first makes this transaction that writer before it reads
        # the chain's end, so two sealers cannot both read the same end.
        session.connection().execute(_head.update().values(last_seq=_head.c.last_seq))


def _seal_batch(session: Session, batch: int, after: int) -> tuple[int, int]:
    """Seal up to `batch` committed events with an id above `after`; returns how many and the last id sealed."""
    _take_seal_lock(session)
    connection = session.connection()  # Core statements on the session's connection, no ORM objects
    head = connection.execute(select(_head.c.last_seq, _head.c.last_hash).where(_head.c.id == 1)).first()
    if head is None:
        if connection.execute(select(_events.c.id).where(_events.c.seq.is_not(None)).limit(1)).first():
            raise ChainBroken(HEAD_MISSING)
        connection.execute(_head.insert().values(id=1, last_seq=0, last_hash=GENESIS_HASH))
        last_seq, last_hash = 0, GENESIS_HASH
    else:
        last_seq, last_hash = head
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        # Read the batch by walking the small partial index in id order. With statistics that predate a large
        # unsealed backlog (right after an upgrade, or a bulk load before autovacuum's ANALYZE) the planner may
        # otherwise pick a bitmap scan of every unsealed row and a sort, for each batch.
        connection.execute(text("SET LOCAL enable_bitmapscan = off"))
    rows = connection.execute(_UNSEALED[dialect], {"after": after, "batch": batch}).all()
    ids, seqs, prevs, hashes = [], [], [], []
    for row in rows:
        last_seq += 1
        values = _hashable(row)
        values[1] = last_seq
        digest = entry_hash_of_values(last_hash, values)
        ids.append(row[0])
        seqs.append(last_seq)
        prevs.append(last_hash)
        hashes.append(digest)
        last_hash = digest
    if ids:
        if dialect == "postgresql":
            connection.execute(_SEAL_POSTGRESQL, {"ids": ids, "seqs": seqs, "prevs": prevs, "hashes": hashes})
        else:
            connection.execute(
                _SEAL_SQLITE,
                [
                    {"event_id": i, "new_seq": q, "new_prev_hash": p, "new_hash": h}
                    for i, q, p, h in zip(ids, seqs, prevs, hashes)
                ],
            )
        connection.execute(_head.update().where(_head.c.id == 1).values(last_seq=last_seq, last_hash=last_hash))
    return len(ids), (ids[-1] if ids else after)


def seal(session: Session, *, batch: int = SEAL_BATCH) -> int:
    """Seal every committed unsealed event, oldest id first, committing each batch. Returns how many.

    Within one run each batch starts after the last id sealed (so a long first seal does not walk the sealed rows
    again); an event with a lower id that commits meanwhile is sealed by the next run."""
    session.commit()  # seal what the caller has written too, and never hold the lock inside someone's transaction
    total, after = 0, -(2**31)  # below any id
    while True:
        try:
            sealed, after = _seal_batch(session, batch, after)
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


def _driver_rows(connection: Any, dialect: str, first: int, last: int | None) -> Iterator[tuple]:
    """The chain's rows from entry `first` to `last` (to the end if None) in seq order, as the driver's own
    tuples, VERIFY_FETCH at a time (a server-side cursor on PostgreSQL, so memory stays flat). Straight from the
    driver: SQLAlchemy's result rows would add a fifth to the time of a verification."""
    if dialect == "postgresql":
        cursor = connection.cursor(name="audit_chain_verify")
        cursor.itersize = VERIFY_FETCH
    else:
        cursor = connection.cursor()
    upto = "" if last is None else f" AND seq <= {int(last)}"
    try:
        cursor.execute(_CHAIN_SQL[dialect].replace("ORDER BY seq", f"AND seq >= {int(first)}{upto} ORDER BY seq"))
        while rows := cursor.fetchmany(VERIFY_FETCH):
            yield from rows
    finally:
        cursor.close()


@dataclass(frozen=True)
class _Walk:
    """One part of the chain, checked: up to where it is good, and its first row (to join it to the part before)."""

    last_seq: int  # the last entry found good (the part's first seq - 1 if none)
    last_hash: str | None
    first: tuple[int, int, str] | None  # event id, seq and previous hash of the part's first row; None if empty
    problem: str | None


def _walk(rows: Iterator[tuple], first_seq: int, head_seq: int, head_hash: str) -> _Walk:
    """Check each row's place, link and hash. The first row's previous hash is taken as given: _join checks it."""
    expected_seq, expected_prev, first = first_seq, None, None
    with closing(rows) as stream:
        for row in stream:
            event_id, seq = row[0], row[1]
            if first is None:
                first, expected_prev = (event_id, seq, row[-2]), row[-2]
            where = f"event {event_id} (entry {seq} of the chain)"
            if seq != expected_seq:
                return _Walk(
                    expected_seq - 1, expected_prev, first, f"{where}: entry {expected_seq} before it is missing"
                )
            if row[-2] != expected_prev:
                return _Walk(
                    seq - 1, expected_prev, first, f"{where}: its previous hash does not match the entry before it"
                )
            digest = entry_hash_of_values(expected_prev, _hashable(row))
            if digest != row[-1]:
                return _Walk(seq - 1, expected_prev, first, f"{where}: its hash does not match its content")
            if seq == head_seq and digest != head_hash:
                return _Walk(seq - 1, expected_prev, first, f"{where}: it is not the entry the last seal ended with")
            expected_seq, expected_prev = seq + 1, digest
    return _Walk(expected_seq - 1, expected_prev, first, None)


def _walk_part(url: str, first: int, last: int | None, head_seq: int, head_hash: str) -> _Walk:
    """_walk over one part, in a worker process with a connection of its own."""
    engine = create_engine(url, poolclass=NullPool)
    try:
        connection = engine.raw_connection()
        try:
            return _walk(_driver_rows(connection, engine.dialect.name, first, last), first, head_seq, head_hash)
        finally:
            connection.close()
    finally:
        engine.dispose()


def _join(walks: list[_Walk]) -> tuple[int, str | None]:
    """The parts' verdicts in chain order: how many entries are good from the start, and the first problem."""
    good_seq, good_hash = 0, GENESIS_HASH
    for walk in walks:
        if walk.first is None:
            continue
        event_id, seq, previous = walk.first
        where = f"event {event_id} (entry {seq} of the chain)"
        if seq != good_seq + 1:
            return good_seq, f"{where}: entry {good_seq + 1} before it is missing"
        if previous != good_hash:
            return good_seq, f"{where}: its previous hash does not match the entry before it"
        if walk.problem:
            return walk.last_seq, walk.problem
        good_seq, good_hash = walk.last_seq, walk.last_hash
    return good_seq, None


def _walk_all(session: Session, head_seq: int, head_hash: str, workers: int) -> tuple[int, str | None]:
    dialect = session.get_bind().dialect.name
    in_memory = dialect == "sqlite" and session.get_bind().url.database in (None, "", ":memory:")  # not shareable
    if workers < 2 or head_seq < PARALLEL_FROM or in_memory:
        rows = _driver_rows(session.connection().connection, dialect, 1, None)
        return _join([_walk(rows, 1, head_seq, head_hash)])
    # Parts split at fixed entries up to the head read before; the last part runs to the end of the chain.
    bounds = [1 + head_seq * part // workers for part in range(workers)] + [None]
    parts = [(bounds[i], bounds[i + 1] - 1 if bounds[i + 1] else None) for i in range(workers)]
    url = session.get_bind().url.render_as_string(hide_password=False)
    context = multiprocessing.get_context("fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn")
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        walks = list(
            pool.map(
                _walk_part,
                [url] * workers,
                [p[0] for p in parts],
                [p[1] for p in parts],
                [head_seq] * workers,
                [head_hash] * workers,
            )
        )
    return _join(walks)


def verify(session: Session, *, seal_first: bool = True, workers: int | None = None) -> Verdict:
    """Check the whole chain, first sealing anything unsealed; names the first entry that does not match.

    A long chain is checked in parts, one worker process per CPU (a million entries are a few seconds of hashing
    per core): each part checks its own entries, and the parts are then joined, the first entry of each against
    the last of the part before."""
    if seal_first:
        try:
            seal(session)
        except ChainBroken as broken:
            return Verdict(0, str(broken))
    # The end of the chain as the last seal left it, read before the walk: the chain only grows, so the walk
    # (one statement per part, one snapshot each) must reach this entry with this hash, whatever is sealed meanwhile.
    head = session.execute(select(_head.c.last_seq, _head.c.last_hash).where(_head.c.id == 1)).first()
    sealed_before = session.execute(select(_events.c.id).where(_events.c.seq.is_not(None)).limit(1)).first()
    if head is None and sealed_before:
        return Verdict(0, HEAD_MISSING)
    head_seq, head_hash = head if head is not None else (0, GENESIS_HASH)
    workers = min(VERIFY_WORKERS, os.cpu_count() or 1) if workers is None else workers
    count, problem = _walk_all(session, head_seq, head_hash, workers)
    if problem:
        return Verdict(count, problem)
    if count < head_seq:
        return Verdict(
            count,
            f"the chain ends at entry {count} but the last seal ended at entry {head_seq}: "
            "the newest entries were removed",
        )
    stray = session.execute(
        select(_events.c.id).where(_events.c.seq.is_(None), _events.c.hash.is_not(None)).order_by(_events.c.id).limit(1)
    ).scalar()
    if stray is not None:
        return Verdict(count, f"event {stray}: it carries a hash but has no place in the chain")
    unsealed = session.execute(select(func.count()).select_from(_events).where(text(UNSEALED_SQL))).scalar_one()
    return Verdict(count, None, unsealed)
