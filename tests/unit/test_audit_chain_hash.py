"""The audit chain's canonical form and hash (trigger.domain.audit_chain): stable, and sensitive to every field."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone

import pytest

from trigger.domain.audit_chain import (
    GENESIS_HASH,
    HASHED_FIELDS,
    canonical_content,
    canonical_details,
    canonical_details_text,
    canonical_time,
    canonical_time_text,
    entry_hash,
)

ENTRY = {
    "id": 7,
    "seq": 3,
    "at": datetime(2026, 12, 2, 6, 30, 1, 250, tzinfo=UTC),
    "actor_id": 2,
    "actor_label": "Ada Admin <ada@example.org>",
    "action": "case.updated",
    "object_type": "case",
    "object_id": 41,
    "case_id": 41,
    "summary": "Changed the address",
    "details": {"changes": {"street": ["Old Rd", "New Rd"]}},
    "ip_address": "192.0.2.10",
}


def test_the_canonical_form_is_fixed_json_in_utc_to_the_microsecond():
    values = [ENTRY[name] for name in HASHED_FIELDS]
    values[HASHED_FIELDS.index("at")] = canonical_time(ENTRY["at"])
    values[HASHED_FIELDS.index("details")] = canonical_details(ENTRY["details"])
    assert canonical_content(values) == (
        '[7,3,"2026-12-02T06:30:01.000250+00:00",2,"Ada Admin <ada@example.org>","case.updated","case",41,41,'
        '"Changed the address","{\\"changes\\":{\\"street\\":[\\"Old Rd\\",\\"New Rd\\"]}}","192.0.2.10"]'
    )


@pytest.mark.parametrize("stored", ["{}", '{"b": 1, "a": [1, 2.5, "é"]}', '{"changes" : {"n" : [0, 1]}}'])
def test_stored_details_text_gives_the_same_canonical_form_as_the_object(stored):
    assert canonical_details_text(stored) == canonical_details(json.loads(stored))


def test_the_same_moment_in_another_zone_and_details_in_another_key_order_hash_the_same():
    first = dict(ENTRY, details={"a": 2, "b": 1})
    other = dict(ENTRY, at=ENTRY["at"].astimezone(timezone(timedelta(hours=1))), details={"b": 1, "a": 2})
    assert entry_hash(GENESIS_HASH, first) == entry_hash(GENESIS_HASH, other)


@pytest.mark.parametrize(
    "field, value",
    [
        ("id", 8),
        ("seq", 4),
        ("at", datetime(2026, 12, 2, 6, 30, 1, 251, tzinfo=UTC)),
        ("actor_id", None),
        ("actor_label", "system"),
        ("action", "case.viewed"),
        ("object_type", "action"),
        ("object_id", 42),
        ("case_id", None),
        ("summary", "Changed the address."),
        ("details", {}),
        ("ip_address", ""),
    ],
)
def test_changing_any_field_changes_the_hash(field, value):
    assert entry_hash(GENESIS_HASH, dict(ENTRY, **{field: value})) != entry_hash(GENESIS_HASH, ENTRY)


def test_the_previous_hash_is_part_of_the_hash():
    assert entry_hash("1" * 64, ENTRY) != entry_hash(GENESIS_HASH, ENTRY)


def test_a_time_without_a_zone_is_refused():
    with pytest.raises(ValueError):
        entry_hash(GENESIS_HASH, dict(ENTRY, at=datetime(2026, 12, 2, 6, 30)))


@pytest.mark.parametrize(
    "stored",
    [
        "2026-12-02 06:30:01.000250",
        "2026-12-02 06:30:01",
        "2026-12-02T06:30:01.000250",
        "2026-12-02 07:30:01.000250+01:00",
    ],
)
def test_sqlite_time_text_gives_the_same_canonical_form_as_the_datetime(stored):
    assert canonical_time_text(stored) == canonical_time(
        datetime(2026, 12, 2, 6, 30, 1, 250 if "250" in stored else 0, tzinfo=UTC)
    )
