"""The restorative justice pathway's rules (DOMAIN.md section 7a), with no Flask or database import.

A referral moves through named states. Everything is voluntary: each participant's consent is recorded
separately and can be withdrawn at any time, and nothing proceeds on one side's consent alone. The rules that
matter most, checked by property tests (tests/unit/test_restorative_rules.py):

* a conference (direct or community) can only be booked when the referral was assessed suitable and BOTH the
  person harmed and the person responsible currently consent;
* a withdrawal of either consent while a conference is booked takes the referral back to "waiting for
  consent" and flags the booking (the meeting is flagged, the facilitators and the chair are told), so no
  sequence of steps leaves a booked conference without both current consents;
* an indirect process (shuttle, letters) needs both consents too, but books no meeting;
* a closed referral accepts no further step.

Follow-up checks fall on the working-day calendar (default 20 working days and 3 months after the conference),
and a feedback link is single-use and valid for 30 days.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Protocol

from trigger.domain.threshold.dates import add_months

FOLLOW_UP_WORKING_DAYS = 20
FOLLOW_UP_MONTHS = 3
FEEDBACK_LINK_DAYS = 30


class PathwayState(StrEnum):
    REFERRED = "referred"  # waiting for the victim to be told about RJ
    VICTIM_TOLD = "victim-told"  # waiting for the suitability assessment
    NOT_SUITABLE = "not-suitable"  # assessed not suitable (final unless reassessed)
    AWAITING_CONSENT = "awaiting-consent"  # suitable; waiting for both consents
    READY = "ready"  # suitable and both consent: choose the process, book the conference
    CONFERENCE_BOOKED = "conference-booked"
    CONFERENCE_HELD = "conference-held"  # or the indirect exchange took place
    AGREEMENT_MADE = "agreement-made"  # follow-up checks are running
    CLOSED = "closed"

    @property
    def label(self) -> str:
        return _STATE_LABELS[self]

    @property
    def next_step(self) -> str:
        return _NEXT_STEPS[self]


_STATE_LABELS = {
    PathwayState.REFERRED: "Referred",
    PathwayState.VICTIM_TOLD: "Victim told about restorative justice",
    PathwayState.NOT_SUITABLE: "Not suitable",
    PathwayState.AWAITING_CONSENT: "Suitable: waiting for consent",
    PathwayState.READY: "Both consent: ready to prepare and book",
    PathwayState.CONFERENCE_BOOKED: "Conference booked",
    PathwayState.CONFERENCE_HELD: "Conference held",
    PathwayState.AGREEMENT_MADE: "Agreement made: following up",
    PathwayState.CLOSED: "Closed",
}

_NEXT_STEPS = {
    PathwayState.REFERRED: "Tell the victim about restorative justice and record their answer",
    PathwayState.VICTIM_TOLD: "A facilitator assesses suitability and safety",
    PathwayState.NOT_SUITABLE: "Nothing more: the referral can be closed, or reassessed if things change",
    PathwayState.AWAITING_CONSENT: "Record the consent of the person harmed and of the person responsible",
    PathwayState.READY: "Prepare each participant separately, then book the conference or run the indirect process",
    PathwayState.CONFERENCE_BOOKED: "Hold the conference (record attendance only, then the agreement)",
    PathwayState.CONFERENCE_HELD: "Record the outcome agreement",
    PathwayState.AGREEMENT_MADE: "Record progress on the agreement and the follow-up checks, then close",
    PathwayState.CLOSED: "Nothing more: the pathway is closed",
}


class ParticipantRole(StrEnum):
    HARMED = "harmed"  # the applicant or another person harmed
    RESPONSIBLE = "responsible"  # the alleged perpetrator
    NEIGHBOUR = "neighbour"  # another affected neighbour or household

    @property
    def label(self) -> str:
        return {
            "harmed": "Person harmed",
            "responsible": "Person responsible",
            "neighbour": "Other affected neighbour",
        }[self.value]


class ProcessKind(StrEnum):
    DIRECT = "direct-conference"
    INDIRECT_SHUTTLE = "indirect-shuttle"
    INDIRECT_LETTERS = "indirect-letters"
    COMMUNITY = "community-conference"

    @property
    def label(self) -> str:
        return {
            "direct-conference": "Direct conference",
            "indirect-shuttle": "Indirect: shuttle communication through the facilitator",
            "indirect-letters": "Indirect: letter exchange",
            "community-conference": "Community conference (several households)",
        }[self.value]

    @property
    def is_conference(self) -> bool:
        """Direct and community conferences are held as restorative conference meetings."""
        return self in (ProcessKind.DIRECT, ProcessKind.COMMUNITY)


class ClosingOutcome(StrEnum):
    COMPLETED = "completed"
    PARTLY = "partly-completed"
    NOT_COMPLETED = "not-completed"

    @property
    def label(self) -> str:
        return {"completed": "Completed", "partly-completed": "Partly completed", "not-completed": "Not completed"}[
            self.value
        ]


class PathwayRefused(Exception):
    """A step the rules do not allow now, with a message a facilitator can act on."""


# ---- consent --------------------------------------------------------------------------------------------------


class ConsentLike(Protocol):
    participant_id: int
    given_on: date
    withdrawn_on: date | None


def current_consents(consents: Iterable[ConsentLike]) -> set[int]:
    """The participants whose latest consent record is not withdrawn."""
    latest: dict[int, ConsentLike] = {}
    for consent in consents:
        latest[consent.participant_id] = consent  # callers pass them in the order they were recorded
    return {pid for pid, consent in latest.items() if consent.withdrawn_on is None}


def both_consent(roles: dict[int, ParticipantRole], consenting: set[int]) -> bool:
    """At least one person harmed and at least one person responsible, and every one of them consents."""
    harmed = {pid for pid, role in roles.items() if role is ParticipantRole.HARMED}
    responsible = {pid for pid, role in roles.items() if role is ParticipantRole.RESPONSIBLE}
    return bool(harmed) and bool(responsible) and harmed <= consenting and responsible <= consenting


def missing_consent_message(roles: dict[int, ParticipantRole], consenting: set[int]) -> str | None:
    """Why a conference cannot be booked yet, or None when both sides consent."""
    if not any(role is ParticipantRole.HARMED for role in roles.values()):
        return "Add the person harmed to the referral and record their consent first"
    if not any(role is ParticipantRole.RESPONSIBLE for role in roles.values()):
        return "Add the person responsible to the referral and record their consent first"
    missing = [
        role
        for pid, role in roles.items()
        if role in (ParticipantRole.HARMED, ParticipantRole.RESPONSIBLE) and pid not in consenting
    ]
    if ParticipantRole.HARMED in missing and ParticipantRole.RESPONSIBLE in missing:
        return "Neither the person harmed nor the person responsible currently consents"
    if ParticipantRole.HARMED in missing:
        return "The person harmed does not currently consent"
    if ParticipantRole.RESPONSIBLE in missing:
        return "The person responsible does not currently consent"
    return None


# ---- the state machine ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Pathway:
    """The facts the state depends on. Steps return a new Pathway or raise PathwayRefused."""

    state: PathwayState = PathwayState.REFERRED
    roles: dict[int, ParticipantRole] = field(default_factory=dict)
    consenting: frozenset[int] = frozenset()
    suitable: bool | None = None
    process: ProcessKind | None = None
    booking_flagged: bool = False

    @property
    def both_consent(self) -> bool:
        return both_consent(self.roles, set(self.consenting))

    # --- steps ---

    def _open(self) -> None:
        if self.state is PathwayState.CLOSED:
            raise PathwayRefused("This referral is closed")

    def add_participant(self, pid: int, role: ParticipantRole) -> Pathway:
        self._open()
        if pid in self.roles:
            raise PathwayRefused("This person is already on the referral")
        if self.state is PathwayState.CONFERENCE_BOOKED and role is not ParticipantRole.NEIGHBOUR:
            # They would join without consent: the booking would no longer rest on everyone's consent.
            raise PathwayRefused(
                "A conference is booked: cancel it before adding another person harmed or "
                "responsible, then record their consent"
            )
        roles = {**self.roles, pid: role}
        return replace(self, roles=roles)._settled()

    def tell_victim(self) -> Pathway:
        self._open()
        if self.state is not PathwayState.REFERRED:
            return self  # telling again (another date, another way) changes no state
        return replace(self, state=PathwayState.VICTIM_TOLD)

    def assess(self, suitable: bool) -> Pathway:
        self._open()
        if self.state is PathwayState.REFERRED:
            raise PathwayRefused("Tell the victim about restorative justice before assessing suitability")
        if self.state in (PathwayState.CONFERENCE_BOOKED, PathwayState.CONFERENCE_HELD, PathwayState.AGREEMENT_MADE):
            raise PathwayRefused("The conference has been booked or held: the assessment can no longer change")
        if not suitable:
            return replace(self, suitable=False, state=PathwayState.NOT_SUITABLE)
        return replace(self, suitable=True)._settled()

    def give_consent(self, pid: int) -> Pathway:
        self._open()
        if pid not in self.roles:
            raise PathwayRefused("Consent can only be recorded for someone on this referral")
        return replace(self, consenting=self.consenting | {pid})._settled()

    def withdraw_consent(self, pid: int) -> Pathway:
        """Always allowed (no reason needed). After booking it flags the booking and goes back to waiting."""
        self._open()
        if pid not in self.consenting:
            raise PathwayRefused("This person does not currently consent")
        after = replace(self, consenting=self.consenting - {pid})
        if self.state is PathwayState.CONFERENCE_BOOKED and not after.both_consent:
            return replace(after, state=PathwayState.AWAITING_CONSENT, booking_flagged=True)
        return after._settled()

    def choose_process(self, process: ProcessKind) -> Pathway:
        self._open()
        if self.state is not PathwayState.READY:
            raise PathwayRefused("Choose the process once the referral is suitable and both sides consent")
        return replace(self, process=process)

    def book_conference(self) -> Pathway:
        self._open()
        if self.suitable is not True:
            raise PathwayRefused("The referral must be assessed suitable before a conference is booked")
        message = missing_consent_message(self.roles, set(self.consenting))
        if message:
            raise PathwayRefused(f"A conference cannot be booked: {message[0].lower()}{message[1:]}")
        if self.process is None or not self.process.is_conference:
            raise PathwayRefused("Choose a direct or community conference before booking one")
        if self.state is not PathwayState.READY:
            raise PathwayRefused("A conference is already booked or held")
        return replace(self, state=PathwayState.CONFERENCE_BOOKED, booking_flagged=False)

    def unbook(self) -> Pathway:
        """The conference meeting was cancelled: back to choosing and booking (or waiting for consent)."""
        self._open()
        if self.state is not PathwayState.CONFERENCE_BOOKED:
            raise PathwayRefused("No conference is booked")
        return replace(self, state=PathwayState.READY if self.both_consent else PathwayState.AWAITING_CONSENT)

    def hold(self) -> Pathway:
        """The conference was held, or (indirect process) the exchange took place."""
        self._open()
        if self.state is PathwayState.CONFERENCE_BOOKED:
            return replace(self, state=PathwayState.CONFERENCE_HELD)
        if self.state is PathwayState.READY and self.process is not None and not self.process.is_conference:
            return replace(self, state=PathwayState.CONFERENCE_HELD)
        raise PathwayRefused("Only a booked conference (or an indirect process both sides agreed to) can be held")

    def record_agreement(self) -> Pathway:
        self._open()
        if self.state not in (PathwayState.CONFERENCE_HELD, PathwayState.AGREEMENT_MADE):
            raise PathwayRefused("An agreement is recorded after the conference or the indirect exchange")
        return replace(self, state=PathwayState.AGREEMENT_MADE)

    def close(self) -> Pathway:
        self._open()
        return replace(self, state=PathwayState.CLOSED)

    # --- derived ---

    def _settled(self) -> Pathway:
        """Move between "waiting for consent" and "ready" as consents come and go (before any booking)."""
        if self.suitable is True and self.state in (
            PathwayState.VICTIM_TOLD,
            PathwayState.NOT_SUITABLE,
            PathwayState.AWAITING_CONSENT,
            PathwayState.READY,
        ):
            return replace(self, state=PathwayState.READY if self.both_consent else PathwayState.AWAITING_CONSENT)
        return self


# ---- follow-up and feedback -----------------------------------------------------------------------------------


class Calendar(Protocol):
    def add_working_days(self, start: date, n: int) -> date: ...
    def next_working_day(self, day: date) -> date: ...


def follow_up_dates(
    held_on: date, calendar: Calendar, *, working_days: int = FOLLOW_UP_WORKING_DAYS, months: int = FOLLOW_UP_MONTHS
) -> list[date]:
    """The follow-up checks after the conference: n working days later, then m calendar months later (moved to
    the next working day when that falls on a weekend or holiday)."""
    first = calendar.add_working_days(held_on, working_days)
    second = calendar.next_working_day(add_months(held_on, months))
    return sorted({first, second})


class LinkState(StrEnum):
    VALID = "valid"
    USED = "used"
    EXPIRED = "expired"


def feedback_expires_at(issued_at: datetime) -> datetime:
    return issued_at + timedelta(days=FEEDBACK_LINK_DAYS)


def feedback_link_state(issued_at: datetime, used_at: datetime | None, now: datetime) -> LinkState:
    if used_at is not None:
        return LinkState.USED
    if now >= feedback_expires_at(issued_at):
        return LinkState.EXPIRED
    return LinkState.VALID


LINK_REFUSALS = {
    LinkState.USED: "This feedback link has already been used. Each link can be used once. If you want to add "
    "something, contact the restorative justice service.",
    LinkState.EXPIRED: f"This feedback link has expired (links last {FEEDBACK_LINK_DAYS} days). If you still "
    "want to give feedback, contact the restorative justice service.",
}


def mean_score(scores: Iterable[int | None]) -> float | None:
    values = [s for s in scores if s is not None]
    return round(sum(values) / len(values), 1) if values else None
