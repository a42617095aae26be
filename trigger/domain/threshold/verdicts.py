"""What the threshold rules give back: a verdict for every incident (`IncidentVerdict`, `ReasonCode`), and the
decision with its basis and reasons (`ThresholdEvaluation`, `Basis`); `LinkedApplication` is another
application about the same problem."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from trigger.domain.threshold.inputs import IncidentId, IncidentInput, ReportInput


class ReasonCode(StrEnum):
    """Why an incident did or did not count. Stable values: stored with decisions and used in letters."""

    QUALIFIES = "qualifies"
    REPORTED_LATE = "reported_late"
    OUTSIDE_WINDOW = "outside_window"
    NOT_REPORTED = "not_reported"
    DUPLICATE = "duplicate"
    IDENTICAL_COPY = "identical_copy"
    # No longer given (validate refuses a report dated before its incident); kept so that decisions recorded
    # before that change still read back.
    REPORT_BEFORE_INCIDENT = "report_before_incident"
    REPORTED_AFTER_APPLICATION = "reported_after_application"
    INCIDENT_AFTER_APPLICATION = "incident_after_application"
    SAME_OCCASION = "same_occasion"


class Basis(StrEnum):
    """Which rule met the threshold (or NOT_MET). The first that applies, in the order listed."""

    COMPLAINT_COUNT = "complaint_count"
    HATE_INCIDENT = "hate_incident"
    DISTINCT_COMPLAINANTS = "distinct_complainants"
    NOT_MET = "not_met"


@dataclass(frozen=True)
class IncidentVerdict:
    """Whether one incident counted, why, and the report the decision rests on (None if there is none)."""

    incident_id: IncidentId
    qualifies: bool
    reason_code: ReasonCode
    reason: str
    report: ReportInput | None = None
    number: int = 0
    """The incident's number within the case, 1 to n by date (then time): what pages and letters call it."""
    counted_as: IncidentId | None = None
    """For a record that repeats another (DUPLICATE, IDENTICAL_COPY): the incident it is counted as."""

    @property
    def bookkeeping(self) -> bool:
        """A record that only repeats another (the coordinator's concern, not the applicant's)."""
        return self.reason_code in (ReasonCode.DUPLICATE, ReasonCode.IDENTICAL_COPY)


@dataclass(frozen=True)
class ThresholdEvaluation:
    """The result of `evaluate`: the decision, its basis, and the reasons a coordinator can read out.

    `verdicts` has one entry per incident given, in date order. `qualifying_count` is the number that counted.
    `summary` is one sentence for the decision letter; `reasons` are the lines that justify it, and
    `applicant_reasons` the same without the bookkeeping lines (records that repeat another), for letters.
    `complainants` names the different people whose complaints in time were counted ("the applicant" first).
    """

    met: bool
    qualifying_count: int
    verdicts: tuple[IncidentVerdict, ...]
    basis: Basis
    summary: str
    reasons: tuple[str, ...]
    applicant_reasons: tuple[str, ...] = ()
    complainants: tuple[str, ...] = ()


@dataclass(frozen=True)
class LinkedApplication:
    """Another application the coordinator linked as about the same problem (e.g. five households complaining
    about one address). Its complainants count towards the different-complainants rule of this one."""

    reference: str
    application_date: date
    incidents: tuple[IncidentInput, ...] = ()
    applicant_name: str | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "incidents", tuple(self.incidents))
