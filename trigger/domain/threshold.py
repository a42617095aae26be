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
- A report dated before its incident, or an incident or report dated after today, is a mistake in the data:
  `validate` finds it (with the same messages the intake forms show) and `evaluate` refuses to decide on it.
- A report made after the application cannot have prompted it: it is ignored.
- Records identical in every field (date, time, description, complainant, and every report's agency, date and
  reference) are one complaint recorded twice: they count once, automatically, unless the coordinator says the
  copy is a separate incident (`keep_separate`). Records that differ in anything stay separate.
- Complainants are compared by name with case, spaces and punctuation ignored; a blank name, or the applicant's
  own name, is the applicant.
"""

from __future__ import annotations

import calendar
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, time
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


# --------------------------------------------------------------------------------------------------------------
# Checking the incidents: the one validation entry point
# --------------------------------------------------------------------------------------------------------------

INCIDENT_IN_FUTURE = "The date of the incident must be today or in the past"
REPORT_IN_FUTURE = "The date reported must be today or in the past"
REPORT_BEFORE_INCIDENT = "The date reported must be the same as or after the date of the incident"


@dataclass(frozen=True)
class Problem:
    """A message and where it belongs, e.g. ("incidents", 0, "reports", 1, "reported_on").

    The incident part of the path is the incident's id; the report part is the report's `index` (its position
    among the incident's reports when not given).
    """

    path: tuple[str | int, ...]
    message: str


def validate(incidents: Sequence[IncidentInput], *, today: date | None) -> list[Problem]:
    """Every problem that stops `incidents` being saved or evaluated (empty when there are none).

    The one entry point for the rules on dates and links: the intake forms, imports and any API call it to put
    each message next to its field, and `evaluate` calls it to refuse the same input with the same messages.
    `today` None skips the "not in the future" checks (for re-checking links only).
    """
    problems: list[Problem] = []
    for incident in incidents:
        at = ("incidents", incident.id)
        if today is not None and incident.occurred_on > today:
            problems.append(Problem((*at, "occurred_on"), INCIDENT_IN_FUTURE))
        for position, report in enumerate(incident.reports):
            here = (*at, "reports", position if report.index is None else report.index, "reported_on")
            if today is not None and report.reported_on > today:
                problems.append(Problem(here, REPORT_IN_FUTURE))
            elif report.reported_on < incident.occurred_on:
                problems.append(Problem(here, REPORT_BEFORE_INCIDENT))
    problems.extend(Problem(("incidents", incident_id, "same_as"), message)
                    for incident_id, message in _structure_problems(incidents))
    return problems


def check_incidents(incidents: Sequence[IncidentInput]) -> list[str]:
    """The problems in how `incidents` refer to each other (ids, same-as links), as messages.

    Kept for the same-as form, which re-checks the links it is about to change; everything else calls `validate`.
    """
    return [message for _, message in _structure_problems(incidents)]


def _structure_problems(incidents: Sequence[IncidentInput]) -> list[tuple[IncidentId, str]]:
    problems: list[tuple[IncidentId, str]] = []
    by_id: dict[IncidentId, IncidentInput] = {}
    for incident in incidents:
        if incident.id in by_id:
            problems.append((incident.id, f"Incident {incident.id} appears more than once."))
        by_id[incident.id] = incident
    for incident in incidents:
        problems.extend((incident.id, message) for message in _link_problems(incident, by_id))
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
    if _root_id(incident.id, {i: r.same_as for i, r in by_id.items()}) is None:
        return [f"Incident {incident.id} is in a loop of incidents each marked as the same as another."]
    return []


def _root_id(incident_id: IncidentId, links: dict[IncidentId, IncidentId | None]) -> IncidentId | None:
    """Follow same-as links to the record that counts; None if the links loop or break."""
    seen: set[IncidentId] = set()
    current: IncidentId | None = incident_id
    while current is not None and links.get(current) is not None:
        if current in seen:
            return None
        seen.add(current)
        current = links[current]
    return current if current in links else None


# --------------------------------------------------------------------------------------------------------------
# Numbering, copies and complainants
# --------------------------------------------------------------------------------------------------------------


def _id_key(incident_id: IncidentId) -> tuple[int, int, str]:
    # A total order over mixed int and str ids, so results never depend on the order incidents were given in.
    if isinstance(incident_id, int):
        return (0, incident_id, "")
    return (1, 0, str(incident_id))


def _incident_key(incident: IncidentInput) -> tuple:
    # By date, then time (an incident with no time first), then id: the order incidents are numbered in.
    when = incident.occurred_time
    return (incident.occurred_on, when is not None, when or time.min, _id_key(incident.id))


def number_incidents(incidents: Iterable[IncidentInput]) -> dict[IncidentId, int]:
    """Each incident's number within its case, 1 to n by date then time: "Incident 2" on pages and letters,
    rather than a database id shared by every case."""
    return {incident.id: n for n, incident in enumerate(sorted(incidents, key=_incident_key), start=1)}


def _report_key(report: ReportInput) -> tuple[date, str, str, str]:
    return (report.reported_on, report.agency_name, str(report.agency_id), report.reference)


def normalise_name(name: str | None) -> str:
    """A name as compared: case, accents' forms, spaces and punctuation ignored ("Ann  Lee." is "ann lee")."""
    text = unicodedata.normalize("NFKC", name or "").casefold()
    return " ".join(re.sub(r"[\W_]+", " ", text).split())


def _person_key(complainant: str | None, applicant_key: str) -> str:
    """Who complained, as compared: "" is the applicant (a blank name or the applicant's own name)."""
    key = normalise_name(complainant)
    return "" if key == applicant_key else key


def _copy_key(incident: IncidentInput, applicant_key: str) -> tuple:
    """Everything that makes a record what it is: two records with the same key are one complaint entered twice."""
    return (
        incident.occurred_on,
        incident.occurred_time,
        " ".join(incident.description.split()),
        incident.is_hate,
        _person_key(incident.complainant, applicant_key),
        frozenset((str(r.agency_id), r.reported_on, r.reference.strip()) for r in incident.reports),
    )


def _identical_copies(records: Sequence[IncidentInput], applicant_key: str) -> dict[IncidentId, IncidentId]:
    """Records identical to an earlier one (in numbering order) -> that earlier record. Records already marked as
    the same as another, or that the coordinator kept separate, are left alone."""
    first: dict[tuple, IncidentId] = {}
    copies: dict[IncidentId, IncidentId] = {}
    for record in records:
        if record.same_as is not None:
            continue
        key = _copy_key(record, applicant_key)
        if key in first and not record.keep_separate:
            copies[record.id] = first[key]
        else:
            first.setdefault(key, record.id)
    return copies


def repeated_records(
    incidents: Iterable[IncidentInput], *, applicant_name: str | None = None
) -> dict[IncidentId, IncidentId]:
    """Records that only repeat another -> the record they are counted as: the ones marked as the same incident,
    and the ones identical in every field (unless kept separate). Letters that list the applicant's incidents
    leave these out, as the evaluation counts them once. With broken links, only the marked ones are given."""
    records = sorted(incidents, key=_incident_key)
    if _structure_problems(records):
        return {r.id: r.same_as for r in records if r.same_as is not None}
    numbers = {record.id: n for n, record in enumerate(records, start=1)}
    _, links, _ = _merge(records, numbers, normalise_name(applicant_name))
    roots = {record.id: _root_id(record.id, links) for record in records}
    return {record_id: root for record_id, root in roots.items() if root is not None and root != record_id}


# --------------------------------------------------------------------------------------------------------------
# Evaluating
# --------------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Group:
    """One real incident: a record plus any records marked as (or identical to) the same incident, merged."""

    incident_id: IncidentId
    number: int
    occurred_on: date
    occurred_time: time | None
    is_hate: bool
    reports: tuple[ReportInput, ...]
    complainants: frozenset[str]


def evaluate(
    incidents: Iterable[IncidentInput],
    policy: ThresholdPolicy,
    application_date: date,
    *,
    applicant_name: str | None = None,
    linked: Sequence[LinkedApplication] = (),
    today: date | None = None,
) -> ThresholdEvaluation:
    """Decide whether the threshold is met for an application made on `application_date`.

    `applicant_name` lets a complainant typed as the applicant's own name count as the applicant. `linked` are
    other applications about the same problem, whose complainants count towards the different-complainants rule.

    Raises ValueError if `validate` finds problems (a report before its incident, a date after `today` - by
    default the real today -, contradictory links): a decision built on wrong data could not be explained.
    """
    records = sorted(incidents, key=_incident_key)
    numbers = {record.id: n for n, record in enumerate(records, start=1)}
    problems = validate(records, today=date.today() if today is None else today)
    if problems:
        raise ValueError("Cannot evaluate the threshold: " + " ".join(_described(p, records, numbers)
                                                                     for p in problems))
    applicant_key = normalise_name(applicant_name)
    names = _display_names(records, applicant_key)
    groups, links, copies = _merge(records, numbers, applicant_key)
    verdicts_by_id = {group.incident_id: _assess(group, policy, application_date) for group in groups}
    if policy.require_separate_occasions:
        verdicts_by_id = _apply_separate_occasions(groups, verdicts_by_id)

    by_id = {record.id: record for record in records}
    verdicts = tuple(
        verdicts_by_id[record.id] if record.id in verdicts_by_id
        else _copy_verdict(record, by_id[_root_id(record.id, links)], numbers, automatic=record.id in copies)
        for record in records
    )
    # Incidents that pass the time rules. The hate and complainant rules look at all of them: a same-occasion
    # incident is still a complaint made in time, even where it adds nothing to the count of separate occasions.
    in_time = [
        group
        for group in groups
        if verdicts_by_id[group.incident_id].reason_code in (ReasonCode.QUALIFIES, ReasonCode.SAME_OCCASION)
    ]
    people = _People.of(in_time, names, applicant_key)
    others = _linked_people(linked, policy, today) if policy.distinct_complainants is not None else _Linked()
    return _decide(records, verdicts, in_time, policy, people, others)


def _described(problem: Problem, records: Sequence[IncidentInput], numbers: dict[IncidentId, int]) -> str:
    incident_id = problem.path[1]
    record = next((r for r in records if r.id == incident_id), None)
    if record is None or problem.path[-1] == "same_as":
        return problem.message
    return f"Incident {numbers[incident_id]} ({format_date(record.occurred_on)}): {problem.message}."


def _display_names(records: Sequence[IncidentInput], applicant_key: str) -> dict[str, str]:
    """One way of writing each complainant, chosen independently of the input order (the first, sorted)."""
    written: dict[str, set[str]] = {}
    for record in records:
        key = _person_key(record.complainant, applicant_key)
        if key:
            written.setdefault(key, set()).add(" ".join((record.complainant or "").split()))
    return {key: sorted(forms)[0] for key, forms in written.items()}


def _merge(
    records: Sequence[IncidentInput], numbers: dict[IncidentId, int], applicant_key: str
) -> tuple[list[_Group], dict[IncidentId, IncidentId | None], dict[IncidentId, IncidentId]]:
    copies = _identical_copies(records, applicant_key)
    links = {record.id: record.same_as if record.same_as is not None else copies.get(record.id)
             for record in records}
    members: dict[IncidentId, list[IncidentInput]] = {}
    for record in records:
        root = _root_id(record.id, links)
        assert root is not None  # validate refused loops and broken links; copies point at roots
        members.setdefault(root, []).append(record)
    by_id = {record.id: record for record in records}
    groups = []
    for root, group in members.items():
        # A report recorded on two copies (the same agency on the same day) is one report.
        reports: dict[tuple, ReportInput] = {}
        for report in sorted((r for member in group for r in member.reports), key=_report_key):
            reports.setdefault((str(report.agency_id), report.reported_on), report)
        groups.append(_Group(
            incident_id=root,
            number=numbers[root],
            occurred_on=by_id[root].occurred_on,
            occurred_time=by_id[root].occurred_time,
            is_hate=any(member.is_hate for member in group),
            reports=tuple(reports.values()),
            complainants=frozenset(_person_key(member.complainant, applicant_key) for member in group),
        ))
    return sorted(groups, key=lambda g: g.number), links, copies


def _copy_verdict(
    record: IncidentInput, root: IncidentInput, numbers: dict[IncidentId, int], *, automatic: bool
) -> IncidentVerdict:
    if automatic:
        return IncidentVerdict(
            incident_id=record.id, qualifies=False, reason_code=ReasonCode.IDENTICAL_COPY,
            reason=(
                f"Recorded more than once: identical in every detail to incident {numbers[root.id]}, so it is"
                f" counted once, as incident {numbers[root.id]}. If it was a separate incident, the coordinator"
                " can count it separately."
            ),
            number=numbers[record.id],
            counted_as=root.id,
        )
    return IncidentVerdict(
        incident_id=record.id,
        qualifies=False,
        reason_code=ReasonCode.DUPLICATE,
        reason=(
            f"Recorded more than once: this is the same incident as incident {numbers[root.id]} on"
            f" {format_date(record.occurred_on)}, so it is assessed once, as incident {numbers[root.id]}."
        ),
        number=numbers[record.id],
        counted_as=root.id,
    )


def _assess(group: _Group, policy: ThresholdPolicy, application_date: date) -> IncidentVerdict:
    """Apply the time rules to one incident. Each failed rule is checked in the order a coordinator would."""

    def verdict(code: ReasonCode, reason: str, report: ReportInput | None = None) -> IncidentVerdict:
        return IncidentVerdict(group.incident_id, code is ReasonCode.QUALIFIES, code, reason, report, group.number)

    occurred = group.occurred_on
    if occurred > application_date:
        return verdict(
            ReasonCode.INCIDENT_AFTER_APPLICATION,
            f"It happened on {format_date(occurred)}, after the application on {format_date(application_date)}:"
            " only incidents on or before the day of the application count.",
        )
    if not group.reports:
        return verdict(ReasonCode.NOT_REPORTED, "No report of it to any agency is recorded.")

    # validate() refused reports dated before their incident, so every report here is about it.
    before_application = [r for r in group.reports if r.reported_on <= application_date]
    if not before_application:
        first = group.reports[0]
        return verdict(
            ReasonCode.REPORTED_AFTER_APPLICATION,
            f"First reported to {first.agency_name} on {format_date(first.reported_on)}, after the application on"
            f" {format_date(application_date)}: a complaint counts only if it was made on or before the day of"
            " the application.",
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
    # Each other agency and date once, however many copies of the incident recorded it.
    others = list(dict.fromkeys(
        f"{r.agency_name} on {format_date(r.reported_on)}" for r in group.reports
        if (r.agency_name, r.reported_on) != (counted.agency_name, counted.reported_on)
    ))
    if others:
        reason += f" Also reported to {'; '.join(others)}: one incident reported to several agencies counts once."
    return reason


def _apply_separate_occasions(
    groups: Sequence[_Group], verdicts_by_id: dict[IncidentId, IncidentVerdict]
) -> dict[IncidentId, IncidentVerdict]:
    """Keep one qualifying incident per occasion; mark the others SAME_OCCASION.

    An occasion is a date and a time: separate incidents on one day are separate occasions (counting them once
    would be stricter than the law), but two incidents recorded at the same date and time are one occasion. An
    incident with no time recorded is an occasion of its own. The one kept is a hate incident where there is
    one (so the explanation shows it counting), then the first by number.
    """
    result = dict(verdicts_by_id)
    qualifying = [g for g in groups if verdicts_by_id[g.incident_id].qualifies and g.occurred_time is not None]
    kept_at: dict[tuple[date, time | None], _Group] = {}
    for group in sorted(qualifying, key=lambda g: (g.occurred_on, g.occurred_time, not g.is_hate, g.number)):
        kept = kept_at.setdefault((group.occurred_on, group.occurred_time), group)
        if kept is group:
            continue
        result[group.incident_id] = IncidentVerdict(
            incident_id=group.incident_id,
            qualifies=False,
            reason_code=ReasonCode.SAME_OCCASION,
            reason=(
                f"It happened on the same occasion ({format_date(group.occurred_on)} at"
                f" {group.occurred_time:%H:%M}) as incident {kept.number}, which already counts: the area's policy"
                " counts incidents on separate occasions only."
            ),
            report=verdicts_by_id[group.incident_id].report,
            number=group.number,
        )
    return result


# --------------------------------------------------------------------------------------------------------------
# Complainants, here and on linked applications
# --------------------------------------------------------------------------------------------------------------

APPLICANT = "the applicant"


@dataclass(frozen=True)
class _People:
    """The different people whose complaints in time count here: keys as compared, names as shown."""

    keys: frozenset[str]
    names: tuple[str, ...]

    @classmethod
    def of(cls, in_time: Sequence[_Group], names: dict[str, str], applicant_key: str) -> _People:
        keys = frozenset().union(*(g.complainants for g in in_time))
        shown = ([APPLICANT] if "" in keys else []) + sorted(names[k] for k in keys if k)
        # Across applications the applicant is a person like any other: compare them by their name.
        compared = frozenset(applicant_key if k == "" else k for k in keys)
        return cls(compared, tuple(shown))


@dataclass(frozen=True)
class _Linked:
    """What the linked applications add: people not already counted here, how many applications, and how many
    could not be evaluated."""

    keys: frozenset[str] = frozenset()
    applications: int = 0
    unevaluated: int = 0


def _linked_people(linked: Sequence[LinkedApplication], policy: ThresholdPolicy, today: date | None) -> _Linked:
    keys: set[str] = set()
    unevaluated = 0
    for n, application in enumerate(sorted(linked, key=lambda a: a.reference)):
        try:
            result = evaluate(application.incidents, policy, application.application_date,
                              applicant_name=application.applicant_name, today=today)
        except ValueError:
            unevaluated += 1
            continue
        applicant_key = normalise_name(application.applicant_name)
        for name in result.complainants:
            if name == APPLICANT:
                # An applicant with no name recorded is still one person, different from everyone else.
                keys.add(applicant_key or f"\0applicant of linked application {n}")
            else:
                keys.add(normalise_name(name))
    return _Linked(frozenset(keys), len(linked) - unevaluated, unevaluated)


# --------------------------------------------------------------------------------------------------------------
# Deciding and explaining
# --------------------------------------------------------------------------------------------------------------


def _decide(
    records: Sequence[IncidentInput],
    verdicts: tuple[IncidentVerdict, ...],
    in_time: Sequence[_Group],
    policy: ThresholdPolicy,
    people: _People,
    linked: _Linked,
) -> ThresholdEvaluation:
    count = sum(1 for v in verdicts if v.qualifies)
    hate = next((g for g in in_time if g.is_hate), None) if policy.hate_incident_suffices else None
    complainants = len(people.keys | linked.keys)

    if count >= policy.qualifying_complaints:
        basis = Basis.COMPLAINT_COUNT
    elif hate is not None:
        basis = Basis.HATE_INCIDENT
    elif policy.distinct_complainants is not None and complainants >= policy.distinct_complainants:
        basis = Basis.DISTINCT_COMPLAINANTS
    else:
        basis = Basis.NOT_MET

    met = basis is not Basis.NOT_MET
    rules = _rule_lines(count, hate, complainants, policy, people, linked)
    incident_lines = [(verdict, _incident_line(record, verdict))
                      for record, verdict in zip(records, verdicts, strict=True)]
    discretion = [] if met else _discretion_lines(policy)
    return ThresholdEvaluation(
        met=met,
        qualifying_count=count,
        verdicts=verdicts,
        basis=basis,
        summary=_summary(basis, count, hate, complainants, policy, linked),
        reasons=(*rules, *(line for _, line in incident_lines), *discretion),
        applicant_reasons=(*rules, *(line for verdict, line in incident_lines if not verdict.bookkeeping),
                           *discretion),
        complainants=people.names,
    )


def _count_phrase(count: int, policy: ThresholdPolicy) -> str:
    return (
        f"{_complaints(count)} in the {_months(policy.window_months)} before the application"
        f" (the area's policy requires {policy.qualifying_complaints})"
    )


def _applications(n: int) -> str:
    return "1 other application" if n == 1 else f"{n} other applications"


def _summary(
    basis: Basis, count: int, hate: _Group | None, complainants: int, policy: ThresholdPolicy, linked: _Linked
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
        across = (f", counting {_applications(linked.applications)} about the same problem"
                  if linked.applications else "")
        return (
            f"Threshold met: {complainants} different people made complaints in time{across}"
            f" (the area's policy treats {policy.distinct_complainants} as enough)."
        )
    return f"Threshold not met: {_count_phrase(count, policy)}."


def _rule_lines(
    count: int, hate: _Group | None, complainants: int, policy: ThresholdPolicy, people: _People, linked: _Linked
) -> list[str]:
    occasions = " (incidents on separate occasions only)" if policy.require_separate_occasions else ""
    lines = [
        f"Qualifying complaints: {count}{occasions}; the area's policy requires {policy.qualifying_complaints}."
    ]
    if policy.hate_incident_suffices:
        lines.append(
            f"Incident {hate.number} on {format_date(hate.occurred_on)} is a hate incident reported in time;"
            " the area's policy treats one as enough."
            if hate is not None
            else "No hate incident was reported in time; the area's policy would treat one as enough."
        )
    if policy.distinct_complainants is not None:
        people_here = len(people.names)
        counted = "1 person" if complainants == 1 else f"{complainants} different people"
        named = f" ({_and(people.names)})" if people.names else ""
        if linked.applications:
            more = complainants - people_here
            here = "1 person" if people_here == 1 else f"{people_here} people"
            counted += (f": {here} on this application{named} and {more} more on"
                        f" {_applications(linked.applications)} linked as about the same problem")
        else:
            counted += named
        lines.append(
            f"Complaints in time came from {counted}; the area's policy treats"
            f" {policy.distinct_complainants} different people as enough."
        )
        if linked.unevaluated:
            lines.append(
                f"{_applications(linked.unevaluated).capitalize()} linked as about the same problem could not be"
                " evaluated (its incidents need checking), so its complainants are not counted."
            )
    return lines


def _and(names: Sequence[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def _incident_line(record: IncidentInput, verdict: IncidentVerdict) -> str:
    status = "counts" if verdict.qualifies else "does not count"
    return f"Incident {verdict.number} on {format_date(record.occurred_on)} {status}: {verdict.reason}"


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
