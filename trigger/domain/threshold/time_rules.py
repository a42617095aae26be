"""The time rules applied to one incident: reported within the reporting period, the application within the
window after the report, and (where the area asks) one incident per occasion."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, time

from trigger.domain.threshold.dates import _days_after_incident, _months, add_months, format_date
from trigger.domain.threshold.inputs import IncidentId, ReportInput, ThresholdPolicy
from trigger.domain.threshold.records import _Group
from trigger.domain.threshold.verdicts import IncidentVerdict, ReasonCode


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
    reported_in_time = [r for r in before_application if not policy.enforce_reporting_rule or r.reported_on <= deadline]
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


def _qualifies_reason(group: _Group, counted: ReportInput, policy: ThresholdPolicy, application_date: date) -> str:
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
    others = list(
        dict.fromkeys(
            f"{r.agency_name} on {format_date(r.reported_on)}"
            for r in group.reports
            if (r.agency_name, r.reported_on) != (counted.agency_name, counted.reported_on)
        )
    )
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
