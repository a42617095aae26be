"""Need to know in words: what someone sees in place of a record they may not read, and what a wording meant for
the applicant must not contain. Pure: no Flask, no database.

Who may read what is decided in trigger.authz; this module only says what is shown instead, so that every
channel (pages, the timeline, CSV, PDFs, emails) prints the same neutral line.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date


def long_date(day: date) -> str:
    return f"{day.day} {day:%B %Y}"


def restricted_action_line(agency_name: str, due_on: date | None) -> str:
    """What someone who may not read a restricted action sees of it."""
    due = f", due {long_date(due_on)}" if due_on is not None else ""
    return f"A restricted action owned by {agency_name}{due}"


def restricted_recommendation_line(agency_name: str) -> str:
    """What someone who may not read a restricted recommendation sees of it."""
    return f"A restricted recommendation to {agency_name}"


# ---- wording meant for the applicant -----------------------------------------------------------------------

#: Said in place of another person's name or address in anything sent to the applicant.
NAME_REPLACEMENT = "another person"
ADDRESS_REPLACEMENT = "another address"

# A UK postcode ("GL50 1AA") and a street address typed into free text ("14 Elm Road", "Flat 2, 7 Oak Close"): a
# number, up to four capitalised words, then a street word. Capitals keep ordinary sentences ("2 hours in the
# park") out. Good enough to catch a slip: staff are warned before saving, and the letter is checked again when
# it is made.
_POSTCODE = r"\b[A-Z]{1,2}[0-9][A-Z0-9]? ?[0-9][A-Z]{2}\b"
_STREET_WORDS = (
    "road|rd|street|st|avenue|ave|close|lane|ln|drive|dr|way|court|ct|crescent|cres|place|pl|grove|gardens|gdns|"
    "terrace|walk|mews|square|sq|hill|row|parade|park|view|rise|green|estate|house|flats|cottages"
)
_STREET = (
    rf"(?:\b(?i:flat)\s+\d+[a-zA-Z]?,?\s+)?\b\d{{1,4}}[a-zA-Z]?,?\s+(?:[A-Z][A-Za-z'’-]*\s+){{1,4}}"
    rf"(?i:{_STREET_WORDS})\b\.?"
)
_ADDRESS_PATTERN = re.compile(rf"{_STREET}|{_POSTCODE}")


def _normalised(text: str) -> str:
    return " ".join((text or "").split()).lower()


class Redactor:
    """Takes other people's names and addresses out of free text meant for the applicant.

    ``protected``: the names and addresses of other people on the case (alleged perpetrators, complainants,
    attendees, named staff). ``keep``: what the applicant may read (their own name and address, the SPOC).
    Any street address or postcode that is not one the applicant may read is removed too: a third party's
    address typed into a description is not on any record to match against.
    """

    def __init__(self, protected: Iterable[str], keep: Iterable[str]) -> None:
        keep_lower = {_normalised(k) for k in keep if k and k.strip()}
        self._keep = keep_lower
        names: set[str] = set()
        addresses: set[str] = set()
        for value in protected:
            value = " ".join((value or "").split())
            if len(value) < 3 or value.lower() in keep_lower:
                continue
            if _ADDRESS_PATTERN.search(value):
                addresses.add(value)
                # An address is also recognised by its first line ("3 Elm Road, Testbury" -> "3 Elm Road").
                first = re.split(r"[,\n]", value)[0].strip()
                if len(first) >= 6 and first.lower() not in keep_lower:
                    addresses.add(first)
            else:
                names.add(value)
        self._names = _alternation(names)
        self._addresses = _alternation(addresses)

    def found(self, text: str | None) -> list[str]:
        """The names and addresses in `text` that the applicant may not read, as written there."""
        text = text or ""
        hits: list[str] = []
        for pattern in (self._addresses, _ADDRESS_PATTERN, self._names):
            if pattern is None:
                continue
            for match in pattern.finditer(text):
                value = match.group(0).strip()
                if _normalised(value) not in self._keep and not self._kept_address(value) and value not in hits:
                    hits.append(value)
        return hits

    def _kept_address(self, value: str) -> bool:
        value = _normalised(value).rstrip(".")
        return any(value and value in kept for kept in self._keep)

    def __call__(self, text: str | None) -> str:
        text = text or ""
        if self._addresses is not None:
            text = self._addresses.sub(ADDRESS_REPLACEMENT, text)
        text = _ADDRESS_PATTERN.sub(
            lambda m: m.group(0) if self._kept_address(m.group(0)) else ADDRESS_REPLACEMENT, text
        )
        if self._names is not None:
            text = self._names.sub(NAME_REPLACEMENT, text)
        return text


def _alternation(values: set[str]) -> re.Pattern | None:
    if not values:
        return None
    return re.compile("|".join(re.escape(v) for v in sorted(values, key=len, reverse=True)), re.IGNORECASE)


def wording_problem(found: list[str]) -> str:
    """The message shown to the author of a wording for the applicant that names another person or address."""
    listed = ", ".join(f"“{value}”" for value in found[:3])
    return (
        f"The wording for the victim mentions {listed}: another person or address on the case. "
        "Write it without other people's names or addresses"
    )
