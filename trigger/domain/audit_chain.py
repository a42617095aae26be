"""The audit trail's hash chain, as pure functions: the canonical form of one entry and its hash.

An entry's hash is SHA-256 over the previous entry's hash and the entry's canonical content, so changing,
removing or reordering any sealed entry changes every hash after it. The canonical form is a JSON array with a
fixed order of fields, the time in UTC to the microsecond (ISO 8601), and the details as JSON text with sorted
keys and no spaces: the same entry gives the same bytes on SQLite and PostgreSQL and in any Python version.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

#: The "previous hash" of the first entry in the chain.
GENESIS_HASH = "0" * 64

#: The columns the hash covers, in the order they appear in the canonical form. Changing this list (or the form)
#: breaks every existing seal, so it must never change without a way to verify the entries sealed before.
HASHED_FIELDS = (
    "id",
    "seq",
    "at",
    "actor_id",
    "actor_label",
    "action",
    "object_type",
    "object_id",
    "case_id",
    "summary",
    "details",
    "ip_address",
)
AT, DETAILS = HASHED_FIELDS.index("at"), HASHED_FIELDS.index("details")


def _refuse(value: Any) -> Any:
    raise TypeError(f"not JSON: {type(value).__name__}")


def _json_encoder():
    """Compact JSON with sorted keys. The C encoder is made once: json.dumps would make one per call, which is
    half the time of hashing an entry (a million entries are hashed in a verification)."""
    if json.encoder.c_make_encoder is None:  # no C accelerator: the same output, slower
        return json.JSONEncoder(
            sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False, default=_refuse
        ).encode
    encode = json.encoder.c_make_encoder(
        None, _refuse, json.encoder.encode_basestring, None, ":", ",", True, False, False
    )
    return lambda value: "".join(encode(value, 0))


_dumps = _json_encoder()
_loads = json.JSONDecoder().decode


def canonical_time(at: datetime) -> str:
    if at.tzinfo is None:
        raise ValueError("audit times are UTC-aware")
    return (at if at.tzinfo is UTC else at.astimezone(UTC)).isoformat(timespec="microseconds")


def canonical_time_text(stored: str) -> str:
    """The same, from the text SQLite stores (UTC without its zone: "2026-12-02 06:30:01.000250"); the usual
    shape is rewritten without parsing."""
    if len(stored) == 26 and stored[10] == " " and stored[19] == ".":
        return f"{stored[:10]}T{stored[11:]}+00:00"
    parsed = datetime.fromisoformat(stored)
    return canonical_time(parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC))


def canonical_details(details: Any) -> str:
    """An event's details as canonical JSON text."""
    return _dumps(details)


def canonical_details_text(stored: str) -> str:
    """The same, from the JSON text a database stored (most events' details are empty: no parsing then)."""
    return "{}" if stored == "{}" else _dumps(_loads(stored))


def canonical_content(values: Sequence[Any]) -> str:
    """One entry's hashed content as text; `values` are its columns in the order of HASHED_FIELDS, with the time
    and the details already in their canonical text (canonical_time, canonical_details)."""
    if len(values) != len(HASHED_FIELDS):
        raise ValueError(f"expected {len(HASHED_FIELDS)} values, got {len(values)}")
    return _dumps(values if isinstance(values, list) else list(values))


def entry_hash_of_values(previous_hash: str, values: Sequence[Any]) -> str:
    """The hash sealing an entry (as canonical_content takes it) after the entry whose hash is `previous_hash`."""
    return hashlib.sha256(f"{previous_hash}\n{canonical_content(values)}".encode()).hexdigest()


def entry_hash(previous_hash: str, entry: Mapping[str, Any]) -> str:
    """The same, for an entry given as {column name: value} with its details as a Python object."""
    values = [entry[name] for name in HASHED_FIELDS]
    values[AT] = canonical_time(values[AT])
    values[DETAILS] = canonical_details(values[DETAILS])
    return entry_hash_of_values(previous_hash, values)
