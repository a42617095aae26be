"""The Community Trigger (ASB Case Review) threshold: which complaints qualify, and is the threshold met?

Section 104 of the Anti-social Behaviour, Crime and Policing Act 2014 says the threshold is met at three
*qualifying complaints* (an area may set a lower number, never a higher one). A complaint qualifies when it was
made to a relevant body within one month of the incident and the application comes within six months of the
complaint. Areas add their own variations (one hate incident is enough; N different complainants; incidents on
separate occasions only), so every figure lives in a per-area `ThresholdPolicy`.

The decision has to be explainable to the applicant and to a challenge, so `evaluate` returns a verdict for every
incident - counted or not, and why - in plain English, alongside a machine-readable code the web layer can use.

This module is pure: standard library only, no Flask, no database. The web layer turns its rows into
`IncidentInput` values, calls `evaluate`, and stores or renders the result. That keeps the rules testable in
isolation and reusable from the CLI, the API and letter templates.

Boundaries, decided here once:
- "Within one month" and "within six months" are inclusive of the corresponding calendar date: an incident on
  15 March may be reported up to and including 15 April; a complaint made on 10 January supports an application
  made up to and including 10 July. Where the month is shorter, the day is clamped to its last day (31 January
  -> 28 February, or 29 February in a leap year). This is the generous reading; the Act's wording ("the period
  of one month beginning with the date...") can be read as ending one day earlier, and the bodies can always
  decide a borderline case on persistence, harm and adequacy of response, which this module does not attempt.
- A report made on the day of the incident, or an application made on the day of a report, is in time.
- A report dated before the incident cannot be a complaint about it: it is ignored (and flagged for checking).
- A report made after the application cannot have prompted it: it is ignored.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

IncidentId = int | str
"""How the web layer identifies an incident (its primary key, or an imported reference)."""

STATUTORY_MAX_QUALIFYING_COMPLAINTS = 3
STATUTORY_REPORTING_MONTHS = 1
STATUTORY_WINDOW_MONTHS = 6

_MONTH_NAMES = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


# --------------------------------------------------------------------------------------------------------------
# Dates
# --------------------------------------------------------------------------------------------------------------


def add_months(d: date, n: int) -> date:
    """Return the date `n` calendar months after `d` (before it, if `n` is negative).

    The day is clamped to the last day of the target month, so 31 January plus one month is 28 February (29 in a
    leap year). This is how people count "one month after" and how UK courts read calendar-month periods, and it
    avoids the drift of "30 days" or "183 days" approximations.
    """
    year, month_index = divmod(d.year * 12 + (d.month - 1) + n, 12)
    last_day = calendar.monthrange(year, month_index + 1)[1]
    return date(year, month_index + 1, min(d.day, last_day))


def format_date(d: date) -> str:
    """Write a date the way letters do: "3 May 2026".

    Built by hand rather than with strftime: `%-d` is not portable (it fails on Windows) and `%B` follows the
    process locale, while letters must always read the same.
    """
    return f"{d.day} {_MONTH_NAMES[d.month - 1]} {d.year}"


def _months(n: int) -> str:
    return "1 month" if n == 1 else f"{n} months"


def _days_after_incident(days: int) -> str:
    if days == 0:
        return "the day of the incident"
    if days == 1:
        return "1 day after the incident"
    return f"{days} days after the incident"


def _complaints(n: int) -> str:
    if n == 0:
        return "no qualifying complaints"
    return "1 qualifying complaint" if n == 1 else f"{n} qualifying complaints"


# --------------------------------------------------------------------------------------------------------------
# Inputs
# --------------------------------------------------------------------------------------------------------------


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
    - `require_separate_occasions`: incidents on the same day count once (Gloucestershire: "three incidents in six
      months, on separate occasions"). Note this is stricter than the bare statutory count.
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
    """One report of an incident to one agency (police, council, ICB, housing provider...)."""

    agency_id: int | str
    agency_name: str
    reported_on: date


@dataclass(frozen=True)
class IncidentInput:
    """One incident of anti-social behaviour, with every report of it to any agency.

    One incident reported to several agencies is one `IncidentInput` with several reports: it counts once.
    When the same incident was nevertheless entered twice (typically from two agencies' chronologies), the
    coordinator marks the copy with `same_as` pointing at the other record; both must have the same date. The copy
    then counts once, under the record it points at, and its reports, hate flag and complainant are merged in.

    `complainant` identifies who complained, for the different-complainants rule; None means the applicant.
    """

    id: IncidentId
    occurred_on: date
    is_hate: bool = False
    reports: tuple[ReportInput, ...] = ()
    complainant: str | None = None
    same_as: IncidentId | None = None

    def __post_init__(self) -> None:
        # Accept any iterable of reports but store a tuple, so the value stays immutable and hashable.
        object.__setattr__(self, "reports", tuple(self.reports))


# --------------------------------------------------------------------------------------------------------------
# Outputs
# --------------------------------------------------------------------------------------------------------------


class ReasonCode(StrEnum):
    """Why an incident did or did not count. Stable values: stored with decisions and used in letters."""

    QUALIFIES = "qualifies"
    REPORTED_LATE = "reported_late"
    OUTSIDE_WINDOW = "outside_window"
    NOT_REPORTED = "not_reported"
    DUPLICATE = "duplicate"
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


@dataclass(frozen=True)
class ThresholdEvaluation:
    """The result of `evaluate`: the decision, its basis, and the reasons a coordinator can read out.

    `verdicts` has one entry per incident given, in date order. `qualifying_count` is the number that counted.
    `summary` is one sentence for the decision letter; `reasons` are the lines that justify it.
    """

    met: bool
    qualifying_count: int
    verdicts: tuple[IncidentVerdict, ...]
    basis: Basis
    summary: str
    reasons: tuple[str, ...]


# --------------------------------------------------------------------------------------------------------------
# Checking the incidents
# --------------------------------------------------------------------------------------------------------------


def check_incidents(incidents: Sequence[IncidentInput]) -> list[str]:
    """Return the problems that stop `incidents` being evaluated (empty when there are none).

    Exposed so a form can show them next to the fields, rather than meeting them as an exception.
    """
    problems: list[str] = []
    by_id: dict[IncidentId, IncidentInput] = {}
    for incident in incidents:
        if incident.id in by_id:
            problems.append(f"Incident {incident.id} appears more than once.")
        by_id[incident.id] = incident
    for incident in incidents:
        problems.extend(_link_problems(incident, by_id))
    return problems


def _link_problems(incident: IncidentInput, by_id: dict[IncidentId, IncidentInput]) -> list[str]:
    if incident.same_as is None:
        return []
    target = by_id.get(incident.same_as)
    if incident.same_as == incident.id:
        return [f"Incident {incident.id} is marked as the same as itself."]
    if target is None:
        return [f"Incident {incident.id} is marked as the same as incident {incident.same_as}, which is not listed."]
    if target.occurred_on != incident.occurred_on:
        return [
            f"Incident {incident.id} ({format_date(incident.occurred_on)}) is marked as the same as incident"
            f" {target.id}, which has a different date ({format_date(target.occurred_on)})."
        ]
    if _root_id(incident, by_id) is None:
        return [f"Incident {incident.id} is in a loop of incidents each marked as the same as another."]
    return []


def _root_id(incident: IncidentInput, by_id: dict[IncidentId, IncidentInput]) -> IncidentId | None:
    """Follow `same_as` links to the record that counts; None if the links loop or break."""
    seen: set[IncidentId] = set()
    current: IncidentInput | None = incident
    while current is not None and current.same_as is not None:
        if current.id in seen:
            return None
        seen.add(current.id)
        current = by_id.get(current.same_as)
    return None if current is None else current.id


# --------------------------------------------------------------------------------------------------------------
# Evaluating
# --------------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Group:
    """One real incident: a record plus any records marked as the same incident, merged."""

    incident_id: IncidentId
    occurred_on: date
    is_hate: bool
    reports: tuple[ReportInput, ...]
    complainants: frozenset[str | None]


def _id_key(incident_id: IncidentId) -> tuple[int, int, str]:
    # A total order over mixed int and str ids, so results never depend on the order incidents were given in.
    if isinstance(incident_id, int):
        return (0, incident_id, "")
    return (1, 0, str(incident_id))


def _incident_key(incident: IncidentInput) -> tuple[date, tuple[int, int, str]]:
    return (incident.occurred_on, _id_key(incident.id))


def _report_key(report: ReportInput) -> tuple[date, str, str]:
    return (report.reported_on, report.agency_name, str(report.agency_id))


def evaluate(
    incidents: Iterable[IncidentInput], policy: ThresholdPolicy, application_date: date
) -> ThresholdEvaluation:
    """Decide whether the threshold is met for an application made on `application_date`.

    Raises ValueError if the incidents contradict each other (see `check_incidents`): a decision built on
    inconsistent data could not be explained.
    """
    records = sorted(incidents, key=_incident_key)
    problems = check_incidents(records)
    if problems:
        raise ValueError("Cannot evaluate the threshold: " + " ".join(problems))

    by_id = {record.id: record for record in records}
    groups = _merge_duplicates(records, by_id)
    verdicts_by_id = {group.incident_id: _assess(group, policy, application_date) for group in groups}
    if policy.require_separate_occasions:
        verdicts_by_id = _apply_separate_occasions(groups, verdicts_by_id)

    verdicts = tuple(
        verdicts_by_id[record.id] if record.id in verdicts_by_id else _duplicate_verdict(record, by_id)
        for record in records
    )
    # Incidents that pass the time rules. The hate and complainant rules look at all of them: a same-day incident
    # is still a complaint made in time, even where it adds nothing to the count of separate occasions.
    in_time = [
        group
        for group in groups
        if verdicts_by_id[group.incident_id].reason_code in (ReasonCode.QUALIFIES, ReasonCode.SAME_OCCASION)
    ]
    return _decide(records, verdicts, in_time, policy)


def _merge_duplicates(
    records: Sequence[IncidentInput], by_id: dict[IncidentId, IncidentInput]
) -> list[_Group]:
    members: dict[IncidentId, list[IncidentInput]] = {}
    for record in records:
        root = _root_id(record, by_id)
        assert root is not None  # check_incidents refused loops and broken links
        members.setdefault(root, []).append(record)
    groups = [
        _Group(
            incident_id=root,
            occurred_on=by_id[root].occurred_on,
            is_hate=any(member.is_hate for member in group),
            reports=tuple(sorted((r for member in group for r in member.reports), key=_report_key)),
            complainants=frozenset(member.complainant for member in group),
        )
        for root, group in members.items()
    ]
    return sorted(groups, key=lambda g: (g.occurred_on, _id_key(g.incident_id)))


def _duplicate_verdict(record: IncidentInput, by_id: dict[IncidentId, IncidentInput]) -> IncidentVerdict:
    root = _root_id(record, by_id)
    return IncidentVerdict(
        incident_id=record.id,
        qualifies=False,
        reason_code=ReasonCode.DUPLICATE,
        reason=(
            f"Recorded more than once: this is the same incident as incident {root} on"
            f" {format_date(record.occurred_on)}, so it is assessed once, as incident {root}."
        ),
    )


def _assess(group: _Group, policy: ThresholdPolicy, application_date: date) -> IncidentVerdict:
    """Apply the time rules to one incident. Each failed rule is checked in the order a coordinator would."""

    def verdict(code: ReasonCode, reason: str, report: ReportInput | None = None) -> IncidentVerdict:
        return IncidentVerdict(group.incident_id, code is ReasonCode.QUALIFIES, code, reason, report)

    occurred = group.occurred_on
    if occurred > application_date:
        return verdict(
            ReasonCode.INCIDENT_AFTER_APPLICATION,
            f"It happened on {format_date(occurred)}, after the application on {format_date(application_date)}:"
            " only incidents before the application count.",
        )
    if not group.reports:
        return verdict(ReasonCode.NOT_REPORTED, "No report of it to any agency is recorded.")

    valid = [r for r in group.reports if r.reported_on >= occurred]
    if not valid:
        return verdict(ReasonCode.REPORT_BEFORE_INCIDENT, _report_before_incident_reason(group))

    before_application = [r for r in valid if r.reported_on <= application_date]
    if not before_application:
        first = valid[0]
        return verdict(
            ReasonCode.REPORTED_AFTER_APPLICATION,
            f"First reported to {first.agency_name} on {format_date(first.reported_on)}, after the application on"
            f" {format_date(application_date)}: a complaint counts only if it was made before the application.",
            first,
        )

    deadline = add_months(occurred, policy.reporting_rule_months)
    reported_in_time = [
        r for r in before_application if not policy.enforce_reporting_rule or r.reported_on <= deadline
    ]
    if not reported_in_time:
        first = before_application[0]
        return verdict(
            ReasonCode.REPORTED_LATE,
            f"Reported to {first.agency_name} on {format_date(first.reported_on)},"
            f" {_days_after_incident((first.reported_on - occurred).days)} - the policy requires a report within"
            f" {_months(policy.reporting_rule_months)} (by {format_date(deadline)}).",
            first,
        )

    in_window = [r for r in reported_in_time if application_date <= add_months(r.reported_on, policy.window_months)]
    if not in_window:
        # The latest report in time is the one that came closest to supporting the application.
        latest = reported_in_time[-1]
        return verdict(
            ReasonCode.OUTSIDE_WINDOW,
            f"Reported to {latest.agency_name} on {format_date(latest.reported_on)}, but the application on"
            f" {format_date(application_date)} came more than {_months(policy.window_months)} after that report"
            f" (the last day was {format_date(add_months(latest.reported_on, policy.window_months))}).",
            latest,
        )

    # The earliest report that satisfies every rule is the complaint that counts.
    counted = in_window[0]
    return verdict(ReasonCode.QUALIFIES, _qualifies_reason(group, counted, policy, application_date), counted)


def _report_before_incident_reason(group: _Group) -> str:
    listed = "; ".join(f"{r.agency_name}, {format_date(r.reported_on)}" for r in group.reports)
    noun = "report" if len(group.reports) == 1 else "reports"
    return (
        f"The only {noun} recorded ({listed}) {'is' if len(group.reports) == 1 else 'are'} dated before the"
        f" incident on {format_date(group.occurred_on)}, so cannot be a complaint about it; check the dates."
    )


def _qualifies_reason(
    group: _Group, counted: ReportInput, policy: ThresholdPolicy, application_date: date
) -> str:
    days = (counted.reported_on - group.occurred_on).days
    timing = (
        f"within {_months(policy.reporting_rule_months)}"
        if policy.enforce_reporting_rule
        else "the area's policy sets no reporting deadline"
    )
    reason = (
        f"Reported to {counted.agency_name} on {format_date(counted.reported_on)}, {_days_after_incident(days)}"
        f" ({timing}), and the application on {format_date(application_date)} came within"
        f" {_months(policy.window_months)} of that report."
    )
    others = [r for r in group.reports if r != counted]
    if others:
        listed = "; ".join(f"{r.agency_name} on {format_date(r.reported_on)}" for r in others)
        reason += f" Also reported to {listed}: one incident reported to several agencies counts once."
    return reason


def _apply_separate_occasions(
    groups: Sequence[_Group], verdicts_by_id: dict[IncidentId, IncidentVerdict]
) -> dict[IncidentId, IncidentVerdict]:
    """Keep one qualifying incident per day; mark the others SAME_OCCASION.

    The one kept is a hate incident where there is one (so the explanation shows it counting), then the lowest id.
    """
    result = dict(verdicts_by_id)
    qualifying = [g for g in groups if verdicts_by_id[g.incident_id].qualifies]
    kept_on: dict[date, _Group] = {}
    for group in sorted(qualifying, key=lambda g: (g.occurred_on, not g.is_hate, _id_key(g.incident_id))):
        kept = kept_on.setdefault(group.occurred_on, group)
        if kept is group:
            continue
        result[group.incident_id] = IncidentVerdict(
            incident_id=group.incident_id,
            qualifies=False,
            reason_code=ReasonCode.SAME_OCCASION,
            reason=(
                f"It happened on the same day ({format_date(group.occurred_on)}) as incident {kept.incident_id},"
                " which already counts: the area's policy counts incidents on separate occasions only."
            ),
            report=verdicts_by_id[group.incident_id].report,
        )
    return result


# --------------------------------------------------------------------------------------------------------------
# Deciding and explaining
# --------------------------------------------------------------------------------------------------------------


def _decide(
    records: Sequence[IncidentInput],
    verdicts: tuple[IncidentVerdict, ...],
    in_time: Sequence[_Group],
    policy: ThresholdPolicy,
) -> ThresholdEvaluation:
    count = sum(1 for v in verdicts if v.qualifies)
    hate = next((g for g in in_time if g.is_hate), None) if policy.hate_incident_suffices else None
    complainants = len(frozenset().union(*(g.complainants for g in in_time)))

    if count >= policy.qualifying_complaints:
        basis = Basis.COMPLAINT_COUNT
    elif hate is not None:
        basis = Basis.HATE_INCIDENT
    elif policy.distinct_complainants is not None and complainants >= policy.distinct_complainants:
        basis = Basis.DISTINCT_COMPLAINANTS
    else:
        basis = Basis.NOT_MET

    met = basis is not Basis.NOT_MET
    reasons = [
        *_rule_lines(count, hate, complainants, policy),
        *(_incident_line(record, verdict) for record, verdict in zip(records, verdicts, strict=True)),
        *([] if met else _discretion_lines(policy)),
    ]
    return ThresholdEvaluation(
        met=met,
        qualifying_count=count,
        verdicts=verdicts,
        basis=basis,
        summary=_summary(basis, count, hate, complainants, policy),
        reasons=tuple(reasons),
    )


def _count_phrase(count: int, policy: ThresholdPolicy) -> str:
    return (
        f"{_complaints(count)} in the {_months(policy.window_months)} before the application"
        f" (the area's policy requires {policy.qualifying_complaints})"
    )


def _summary(
    basis: Basis, count: int, hate: _Group | None, complainants: int, policy: ThresholdPolicy
) -> str:
    if basis is Basis.COMPLAINT_COUNT:
        return f"Threshold met: {_count_phrase(count, policy)}."
    if basis is Basis.HATE_INCIDENT:
        assert hate is not None
        return (
            f"Threshold met: a hate incident on {format_date(hate.occurred_on)} was reported in time"
            " (the area's policy treats one hate incident as enough)."
        )
    if basis is Basis.DISTINCT_COMPLAINANTS:
        return (
            f"Threshold met: {complainants} different people made complaints in time"
            f" (the area's policy treats {policy.distinct_complainants} as enough)."
        )
    return f"Threshold not met: {_count_phrase(count, policy)}."


def _rule_lines(count: int, hate: _Group | None, complainants: int, policy: ThresholdPolicy) -> list[str]:
    occasions = " (incidents on separate occasions only)" if policy.require_separate_occasions else ""
    lines = [
        f"Qualifying complaints: {count}{occasions}; the area's policy requires {policy.qualifying_complaints}."
    ]
    if policy.hate_incident_suffices:
        lines.append(
            f"Incident {hate.incident_id} on {format_date(hate.occurred_on)} is a hate incident reported in time;"
            " the area's policy treats one as enough."
            if hate is not None
            else "No hate incident was reported in time; the area's policy would treat one as enough."
        )
    if policy.distinct_complainants is not None:
        people = "1 person" if complainants == 1 else f"{complainants} different people"
        lines.append(
            f"Complaints in time came from {people}; the area's policy treats"
            f" {policy.distinct_complainants} different people as enough."
        )
    return lines


def _incident_line(record: IncidentInput, verdict: IncidentVerdict) -> str:
    status = "counts" if verdict.qualifies else "does not count"
    return f"Incident {record.id} on {format_date(record.occurred_on)} {status}: {verdict.reason}"


def _discretion_lines(policy: ThresholdPolicy) -> list[str]:
    lines = [
        "The relevant bodies may still decide the threshold is met, considering the persistence of the behaviour,"
        " the harm or potential harm to the victim, and the adequacy of the response so far."
    ]
    if policy.vulnerability_override_allowed:
        lines.append(
            "A senior manager may also decide the threshold is met because of the victim's vulnerability"
            " (the area's policy allows this override)."
        )
    return lines
