"""What the threshold rules are given: the area's policy (`ThresholdPolicy`, with the statutory limits) and the
incidents with their reports (`IncidentInput`, `ReportInput`), as the web layer builds them from its rows."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, time

from trigger.domain.threshold.dates import _months


IncidentId = int | str
"""How the web layer identifies an incident (its primary key, or an imported reference)."""

STATUTORY_MAX_QUALIFYING_COMPLAINTS = 3
STATUTORY_REPORTING_MONTHS = 1
STATUTORY_WINDOW_MONTHS = 6


@dataclass(frozen=True)
class ThresholdPolicy:
    """One area's threshold rules. The defaults are the statutory ones.

    - `qualifying_complaints`: how many qualifying complaints meet the threshold. The Act allows an area to set a
      lower number but not a higher one, so anything outside 1-3 is refused.
    - `window_months` / `reporting_rule_months`: the six-month and one-month periods that define a qualifying
      complaint. An area may be more generous (longer) but not stricter than the Act, so shorter is refused.
    - `enforce_reporting_rule`: False lets a complaint made more than `reporting_rule_months` after the incident
      still qualify (a more generous local rule).
    - `hate_incident_suffices`: one qualifying hate incident or hate crime meets the threshold on its own. A common
      local variation, so off by default.
    - `distinct_complainants`: if set, complaints from this many different people about the problem meet the
      threshold, however many incidents there were (e.g. five neighbours complaining about one party).
    - `vulnerability_override_allowed`: a senior manager may decide the threshold is met because of the victim's
      vulnerability. `evaluate` never applies it - it is a human decision - but says it is available.
    - `require_separate_occasions`: incidents on separate occasions only (Gloucestershire: "three incidents in
      six months, on separate occasions"). Separate incidents are separate occasions, even on the same day: only
      incidents recorded at the same date *and time* count once. Counting two different incidents on one day
      once would be stricter than the law (which counts complaints), and every stricter setting is refused.
    """

    qualifying_complaints: int = STATUTORY_MAX_QUALIFYING_COMPLAINTS
    window_months: int = STATUTORY_WINDOW_MONTHS
    reporting_rule_months: int = STATUTORY_REPORTING_MONTHS
    enforce_reporting_rule: bool = True
    hate_incident_suffices: bool = False
    distinct_complainants: int | None = None
    vulnerability_override_allowed: bool = True
    require_separate_occasions: bool = False

    def __post_init__(self) -> None:
        # Refuse an unlawful or meaningless policy when it is built, so no decision is ever made under one.
        errors = self._errors()
        if errors:
            raise ValueError("Invalid threshold policy: " + " ".join(errors))

    def _errors(self) -> list[str]:
        errors: list[str] = []
        if not _is_int(self.qualifying_complaints) or not (
            1 <= self.qualifying_complaints <= STATUTORY_MAX_QUALIFYING_COMPLAINTS
        ):
            errors.append(
                f"The number of qualifying complaints must be between 1 and {STATUTORY_MAX_QUALIFYING_COMPLAINTS}"
                f" (got {self.qualifying_complaints!r}): the law allows an area to set a lower number than"
                f" {STATUTORY_MAX_QUALIFYING_COMPLAINTS}, not a higher one."
            )
        if not _is_int(self.window_months) or self.window_months < STATUTORY_WINDOW_MONTHS:
            errors.append(
                f"The application window must be at least {STATUTORY_WINDOW_MONTHS} months"
                f" (got {self.window_months!r}): the law gives applicants {STATUTORY_WINDOW_MONTHS} months from a"
                " complaint."
            )
        if not _is_int(self.reporting_rule_months) or self.reporting_rule_months < STATUTORY_REPORTING_MONTHS:
            errors.append(
                f"The reporting period must be at least {_months(STATUTORY_REPORTING_MONTHS)}"
                f" (got {self.reporting_rule_months!r}): the law allows {_months(STATUTORY_REPORTING_MONTHS)}"
                " from an incident to report it."
            )
        if self.distinct_complainants is not None and (
            not _is_int(self.distinct_complainants) or self.distinct_complainants < 2
        ):
            errors.append(
                f"The number of different complainants must be at least 2, or not set"
                f" (got {self.distinct_complainants!r}): one complainant is already covered by the number of"
                " qualifying complaints."
            )
        return errors


def _is_int(value: object) -> bool:
    # bool is an int subclass; True must not pass for "1 complaint".
    return isinstance(value, int) and not isinstance(value, bool)


@dataclass(frozen=True)
class ReportInput:
    """One report of an incident to one agency (police, council, ICB, housing provider...).

    `index` is where the report sits in a form or import (for placing a problem next to it); it is not part of
    the report's identity.
    """

    agency_id: int | str
    agency_name: str
    reported_on: date
    reference: str = ""
    index: int | None = field(default=None, compare=False)


@dataclass(frozen=True)
class IncidentInput:
    """One incident of anti-social behaviour, with every report of it to any agency.

    One incident reported to several agencies is one `IncidentInput` with several reports: it counts once.
    When the same incident was nevertheless entered twice (typically from two agencies' chronologies), the
    coordinator marks the copy with `same_as` pointing at the other record; both must have the same date. The copy
    then counts once, under the record it points at, and its reports, hate flag and complainant are merged in.

    `complainant` identifies who complained, for the different-complainants rule; None means the applicant.
    A record identical to another in every field is counted once automatically; `keep_separate` says the
    coordinator checked and it is a different incident after all.
    """

    id: IncidentId
    occurred_on: date
    is_hate: bool = False
    reports: tuple[ReportInput, ...] = ()
    complainant: str | None = None
    same_as: IncidentId | None = None
    occurred_time: time | None = None
    description: str = ""
    keep_separate: bool = False

    def __post_init__(self) -> None:
        # Accept any iterable of reports but store a tuple, so the value stays immutable and hashable.
        object.__setattr__(self, "reports", tuple(self.reports))
