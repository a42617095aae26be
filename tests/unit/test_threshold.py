"""Tests for the threshold rules (DOMAIN.md section 3).

The scenario table reads as a specification: each row is a situation a coordinator meets, named by what it
shows. The property-based tests then check the rules hold together (counting never goes backwards when more
evidence arrives, the input order never matters), which a table alone cannot show.
"""

from __future__ import annotations

import ast
import dataclasses
import subprocess
import sys
from datetime import date, time, timedelta
from pathlib import Path
from typing import NamedTuple

import pytest
from hypothesis import given
from hypothesis import strategies as st

from trigger.domain.threshold.dates import add_months, format_date
from trigger.domain.threshold.evaluation import evaluate as _evaluate
from trigger.domain.threshold.inputs import IncidentInput, ReportInput, ThresholdPolicy
from trigger.domain.threshold.validation import check_incidents
from trigger.domain.threshold.verdicts import Basis, ReasonCode, ThresholdEvaluation

# The scenarios run up to 2028; "today" (for refusing dates in the future) is fixed after them all.
TODAY = date(2030, 1, 1)


def evaluate(*args, **kwargs) -> ThresholdEvaluation:
    return _evaluate(*args, **{"today": TODAY, **kwargs})


#: The threshold rules: every module of the package, each checked for purity on its own.
PACKAGE_PATH = Path(__file__).resolve().parents[2] / "trigger" / "domain" / "threshold"
MODULE_PATHS = sorted(PACKAGE_PATH.glob("*.py"))

D = date
POLICE = (1, "Gloucestershire Constabulary")
COUNCIL = (2, "Cheltenham Borough Council")
HOUSING = (3, "Severn Vale Housing")
APP = D(2026, 6, 30)

Q = ReasonCode.QUALIFIES
LATE = ReasonCode.REPORTED_LATE
OUTSIDE = ReasonCode.OUTSIDE_WINDOW
UNREPORTED = ReasonCode.NOT_REPORTED
DUP = ReasonCode.DUPLICATE
AFTER_APP = ReasonCode.INCIDENT_AFTER_APPLICATION
REPORTED_AFTER_APP = ReasonCode.REPORTED_AFTER_APPLICATION
SAME_DAY = ReasonCode.SAME_OCCASION
COPY = ReasonCode.IDENTICAL_COPY


def report(agency: tuple[int, str], on: date) -> ReportInput:
    return ReportInput(agency_id=agency[0], agency_name=agency[1], reported_on=on)


def incident(
    incident_id: int | str,
    occurred_on: date,
    *reports: tuple[tuple[int, str], date],
    hate: bool = False,
    complainant: str | None = None,
    same_as: int | str | None = None,
    at: time | None = None,
    description: str = "",
) -> IncidentInput:
    return IncidentInput(
        id=incident_id,
        occurred_on=occurred_on,
        is_hate=hate,
        reports=tuple(report(agency, on) for agency, on in reports),
        complainant=complainant,
        same_as=same_as,
        occurred_time=at,
        description=description,
    )


def reported(
    incident_id: int | str, occurred_on: date, days_later: int = 1, agency: tuple[int, str] = POLICE, **kwargs
) -> IncidentInput:
    """An incident reported to one agency `days_later` days after it happened."""
    return incident(incident_id, occurred_on, (agency, occurred_on + timedelta(days=days_later)), **kwargs)


class Scenario(NamedTuple):
    incidents: list[IncidentInput]
    policy: ThresholdPolicy
    application_date: date
    met: bool
    count: int
    basis: Basis
    codes: list[ReasonCode]


DEFAULT = ThresholdPolicy()
ONE = ThresholdPolicy(qualifying_complaints=1)  # isolates a single incident's verdict in boundary scenarios
THREE_INCIDENTS = [reported(1, D(2026, 3, 2)), reported(2, D(2026, 4, 1)), reported(3, D(2026, 5, 1))]

SCENARIOS = [
    # The statutory count.
    pytest.param(
        Scenario(THREE_INCIDENTS, DEFAULT, APP, True, 3, Basis.COMPLAINT_COUNT, [Q, Q, Q]),
        id="three_qualifying_complaints_meet_the_threshold",
    ),
    pytest.param(
        Scenario(THREE_INCIDENTS[:2], DEFAULT, APP, False, 2, Basis.NOT_MET, [Q, Q]),
        id="two_qualifying_complaints_do_not_meet_it",
    ),
    pytest.param(
        Scenario(
            [*THREE_INCIDENTS, reported(4, D(2026, 6, 1))], DEFAULT, APP, True, 4, Basis.COMPLAINT_COUNT, [Q, Q, Q, Q]
        ),
        id="four_qualifying_complaints_meet_it",
    ),
    pytest.param(
        Scenario([], DEFAULT, APP, False, 0, Basis.NOT_MET, []),
        id="no_incidents_do_not_meet_it",
    ),
    # The one-month reporting rule, inclusive of the corresponding calendar date.
    pytest.param(
        Scenario(
            [*THREE_INCIDENTS[:2], reported(3, D(2026, 5, 1), days_later=32)],
            DEFAULT,
            APP,
            False,
            2,
            Basis.NOT_MET,
            [Q, Q, LATE],
        ),
        id="report_32_days_after_incident_is_late",
    ),
    pytest.param(
        Scenario(
            [incident(1, D(2026, 3, 15), (POLICE, D(2026, 4, 15)))], ONE, APP, True, 1, Basis.COMPLAINT_COUNT, [Q]
        ),
        id="report_exactly_one_calendar_month_later_is_in_time",
    ),
    pytest.param(
        Scenario([incident(1, D(2026, 3, 15), (POLICE, D(2026, 4, 16)))], ONE, APP, False, 0, Basis.NOT_MET, [LATE]),
        id="report_one_calendar_month_and_a_day_later_is_late",
    ),
    pytest.param(
        Scenario([reported(1, D(2026, 5, 1), days_later=0)], ONE, APP, True, 1, Basis.COMPLAINT_COUNT, [Q]),
        id="report_on_the_day_of_the_incident_is_in_time",
    ),
    pytest.param(
        Scenario(
            [incident(1, D(2026, 1, 31), (POLICE, D(2026, 2, 28)))], ONE, APP, True, 1, Basis.COMPLAINT_COUNT, [Q]
        ),
        id="month_end_clamp_incident_31_january_report_28_february_in_time",
    ),
    pytest.param(
        Scenario([incident(1, D(2026, 1, 31), (POLICE, D(2026, 3, 1)))], ONE, APP, False, 0, Basis.NOT_MET, [LATE]),
        id="month_end_clamp_incident_31_january_report_1_march_late",
    ),
    pytest.param(
        Scenario(
            [incident(1, D(2026, 3, 31), (POLICE, D(2026, 4, 30)))], ONE, APP, True, 1, Basis.COMPLAINT_COUNT, [Q]
        ),
        id="month_end_clamp_incident_31_march_report_30_april_in_time",
    ),
    pytest.param(
        Scenario(
            [incident(1, D(2028, 1, 31), (POLICE, D(2028, 2, 29)))],
            ONE,
            D(2028, 4, 1),
            True,
            1,
            Basis.COMPLAINT_COUNT,
            [Q],
        ),
        id="leap_year_incident_31_january_report_29_february_in_time",
    ),
    pytest.param(
        Scenario(
            [incident(1, D(2028, 1, 31), (POLICE, D(2028, 3, 1)))], ONE, D(2028, 4, 1), False, 0, Basis.NOT_MET, [LATE]
        ),
        id="leap_year_incident_31_january_report_1_march_late",
    ),
    pytest.param(
        Scenario(
            [incident(1, D(2028, 2, 29), (POLICE, D(2028, 3, 29)))],
            ONE,
            D(2028, 4, 1),
            True,
            1,
            Basis.COMPLAINT_COUNT,
            [Q],
        ),
        id="leap_day_incident_report_29_march_in_time",
    ),
    pytest.param(
        Scenario(
            [incident(1, D(2026, 3, 1), (POLICE, D(2026, 4, 20)))],
            ThresholdPolicy(qualifying_complaints=1, enforce_reporting_rule=False),
            APP,
            True,
            1,
            Basis.COMPLAINT_COUNT,
            [Q],
        ),
        id="late_report_counts_when_the_area_does_not_enforce_the_reporting_rule",
    ),
    # The six-month window from complaint to application, inclusive.
    pytest.param(
        Scenario(
            [incident(1, D(2026, 1, 9), (POLICE, D(2026, 1, 10)))],
            ONE,
            D(2026, 7, 10),
            True,
            1,
            Basis.COMPLAINT_COUNT,
            [Q],
        ),
        id="application_exactly_six_months_after_complaint_is_in_time",
    ),
    pytest.param(
        Scenario(
            [incident(1, D(2026, 1, 9), (POLICE, D(2026, 1, 10)))],
            ONE,
            D(2026, 7, 11),
            False,
            0,
            Basis.NOT_MET,
            [OUTSIDE],
        ),
        id="application_six_months_and_a_day_after_complaint_is_too_late",
    ),
    pytest.param(
        Scenario(
            [incident(1, D(2025, 8, 30), (POLICE, D(2025, 8, 31)))],
            ONE,
            D(2026, 2, 28),
            True,
            1,
            Basis.COMPLAINT_COUNT,
            [Q],
        ),
        id="window_clamp_complaint_31_august_application_28_february_in_time",
    ),
    pytest.param(
        Scenario(
            [incident(1, D(2025, 8, 30), (POLICE, D(2025, 8, 31)))],
            ONE,
            D(2026, 3, 1),
            False,
            0,
            Basis.NOT_MET,
            [OUTSIDE],
        ),
        id="window_clamp_complaint_31_august_application_1_march_too_late",
    ),
    pytest.param(
        Scenario(
            [incident(1, D(2026, 1, 1), (POLICE, D(2026, 1, 2)))],
            ThresholdPolicy(qualifying_complaints=1, window_months=12),
            D(2026, 12, 1),
            True,
            1,
            Basis.COMPLAINT_COUNT,
            [Q],
        ),
        id="longer_local_window_of_twelve_months_counts_an_older_complaint",
    ),
    pytest.param(
        Scenario(
            [incident(1, D(2026, 1, 1), (POLICE, D(2026, 1, 2)), (COUNCIL, D(2026, 1, 20)))],
            ONE,
            D(2026, 7, 15),
            True,
            1,
            Basis.COMPLAINT_COUNT,
            [Q],
        ),
        id="first_report_outside_window_but_later_report_to_another_agency_within_it_counts",
    ),
    # One incident, several agencies.
    pytest.param(
        Scenario(
            [incident(1, D(2026, 3, 2), (POLICE, D(2026, 3, 3)), (COUNCIL, D(2026, 3, 4))), reported(2, D(2026, 4, 1))],
            DEFAULT,
            APP,
            False,
            2,
            Basis.NOT_MET,
            [Q, Q],
        ),
        id="same_incident_reported_to_police_and_council_counts_once",
    ),
    pytest.param(
        Scenario(
            [incident(1, D(2026, 3, 1), (POLICE, D(2026, 4, 15)), (COUNCIL, D(2026, 3, 20)))],
            ONE,
            APP,
            True,
            1,
            Basis.COMPLAINT_COUNT,
            [Q],
        ),
        id="late_to_police_but_in_time_to_council_counts",
    ),
    pytest.param(
        Scenario(
            [*THREE_INCIDENTS[:2], incident(3, D(2026, 4, 1), (COUNCIL, D(2026, 4, 2)), same_as=2)],
            DEFAULT,
            APP,
            False,
            2,
            Basis.NOT_MET,
            [Q, Q, DUP],
        ),
        id="incident_entered_twice_and_marked_duplicate_counts_once",
    ),
    pytest.param(
        Scenario(
            [
                incident(1, D(2026, 3, 1), (POLICE, D(2026, 4, 15))),
                incident(2, D(2026, 3, 1), (COUNCIL, D(2026, 3, 3)), same_as=1),
            ],
            ONE,
            APP,
            True,
            1,
            Basis.COMPLAINT_COUNT,
            [Q, DUP],
        ),
        id="duplicate_record_brings_its_in_time_report_to_the_incident",
    ),
    # Dates that cannot count.
    pytest.param(
        Scenario(
            [*THREE_INCIDENTS[:2], reported(3, D(2026, 7, 1), days_later=0)],
            DEFAULT,
            APP,
            False,
            2,
            Basis.NOT_MET,
            [Q, Q, AFTER_APP],
        ),
        id="incident_after_the_application_does_not_count",
    ),
    pytest.param(
        Scenario([reported(1, APP, days_later=0)], ONE, APP, True, 1, Basis.COMPLAINT_COUNT, [Q]),
        id="incident_on_the_application_day_reported_that_day_counts",
    ),
    pytest.param(
        Scenario(
            [incident(1, D(2026, 6, 1), (POLICE, D(2026, 7, 5)))],
            ONE,
            APP,
            False,
            0,
            Basis.NOT_MET,
            [REPORTED_AFTER_APP],
        ),
        id="report_made_after_the_application_does_not_count",
    ),
    pytest.param(
        Scenario([incident(1, D(2026, 5, 1))], ONE, APP, False, 0, Basis.NOT_MET, [UNREPORTED]),
        id="incident_never_reported_does_not_count",
    ),
    # Local variations: a lower number, hate incidents, different complainants, separate occasions.
    pytest.param(
        Scenario(
            THREE_INCIDENTS[:2], ThresholdPolicy(qualifying_complaints=2), APP, True, 2, Basis.COMPLAINT_COUNT, [Q, Q]
        ),
        id="lower_local_threshold_of_two_is_met_by_two",
    ),
    pytest.param(
        Scenario(THREE_INCIDENTS[:1], ONE, APP, True, 1, Basis.COMPLAINT_COUNT, [Q]),
        id="lower_local_threshold_of_one_is_met_by_one",
    ),
    pytest.param(
        Scenario(
            [reported(1, D(2026, 5, 1), hate=True)],
            ThresholdPolicy(hate_incident_suffices=True),
            APP,
            True,
            1,
            Basis.HATE_INCIDENT,
            [Q],
        ),
        id="one_hate_incident_meets_it_where_the_area_says_one_is_enough",
    ),
    pytest.param(
        Scenario([reported(1, D(2026, 5, 1), hate=True)], DEFAULT, APP, False, 1, Basis.NOT_MET, [Q]),
        id="one_hate_incident_does_not_meet_it_under_the_default_policy",
    ),
    pytest.param(
        Scenario(
            [reported(1, D(2026, 3, 1), days_later=40, hate=True)],
            ThresholdPolicy(hate_incident_suffices=True),
            APP,
            False,
            0,
            Basis.NOT_MET,
            [LATE],
        ),
        id="hate_incident_reported_late_does_not_meet_the_hate_rule",
    ),
    pytest.param(
        Scenario(
            [
                incident(1, D(2026, 5, 1), (POLICE, D(2026, 5, 1)), complainant="resident-a"),
                *(
                    incident(n, D(2026, 5, 1), (COUNCIL, D(2026, 5, 2)), complainant=f"resident-{c}", same_as=1)
                    for n, c in zip(range(2, 6), "bcde", strict=True)
                ),
            ],
            ThresholdPolicy(distinct_complainants=5),
            APP,
            True,
            1,
            Basis.DISTINCT_COMPLAINANTS,
            [Q, DUP, DUP, DUP, DUP],
        ),
        id="five_different_people_complaining_about_one_incident_meet_a_five_complainant_rule",
    ),
    pytest.param(
        Scenario(
            [
                incident(1, D(2026, 5, 1), (POLICE, D(2026, 5, 1)), complainant="resident-a"),
                *(
                    incident(n, D(2026, 5, 1), (COUNCIL, D(2026, 5, 2)), complainant=f"resident-{c}", same_as=1)
                    for n, c in zip(range(2, 5), "bcd", strict=True)
                ),
            ],
            ThresholdPolicy(distinct_complainants=5),
            APP,
            False,
            1,
            Basis.NOT_MET,
            [Q, DUP, DUP, DUP],
        ),
        id="four_different_people_do_not_meet_a_five_complainant_rule",
    ),
    pytest.param(
        Scenario(
            [reported(1, D(2026, 4, 1)), reported(2, D(2026, 5, 1), complainant="neighbour")],
            ThresholdPolicy(distinct_complainants=2),
            APP,
            True,
            2,
            Basis.DISTINCT_COMPLAINANTS,
            [Q, Q],
        ),
        id="applicant_and_a_neighbour_meet_a_two_complainant_rule",
    ),
    pytest.param(
        Scenario(
            [reported(1, D(2026, 4, 1)), reported(2, D(2026, 5, 1))],
            ThresholdPolicy(distinct_complainants=2),
            APP,
            False,
            2,
            Basis.NOT_MET,
            [Q, Q],
        ),
        id="the_applicant_alone_twice_does_not_meet_a_two_complainant_rule",
    ),
    pytest.param(
        Scenario(
            [reported(1, D(2026, 3, 2)), reported(2, D(2026, 4, 1)), reported(3, D(2026, 4, 1), agency=COUNCIL)],
            ThresholdPolicy(require_separate_occasions=True),
            APP,
            True,
            3,
            Basis.COMPLAINT_COUNT,
            [Q, Q, Q],
        ),
        id="separate_occasions_rule_counts_separate_incidents_on_the_same_day_separately",
    ),
    pytest.param(
        Scenario(
            [
                reported(1, D(2026, 3, 2)),
                reported(2, D(2026, 4, 1), at=time(23, 0)),
                reported(3, D(2026, 4, 1), agency=COUNCIL, at=time(23, 0)),
            ],
            ThresholdPolicy(require_separate_occasions=True),
            APP,
            False,
            2,
            Basis.NOT_MET,
            [Q, Q, SAME_DAY],
        ),
        id="separate_occasions_rule_counts_incidents_at_the_same_date_and_time_once",
    ),
    pytest.param(
        Scenario(
            [reported(1, D(2026, 3, 2)), reported(2, D(2026, 4, 1)), reported(3, D(2026, 4, 1), agency=COUNCIL)],
            DEFAULT,
            APP,
            True,
            3,
            Basis.COMPLAINT_COUNT,
            [Q, Q, Q],
        ),
        id="without_the_separate_occasions_rule_two_incidents_on_the_same_day_count_twice",
    ),
    pytest.param(
        Scenario(
            THREE_INCIDENTS,
            ThresholdPolicy(require_separate_occasions=True),
            APP,
            True,
            3,
            Basis.COMPLAINT_COUNT,
            [Q, Q, Q],
        ),
        id="separate_occasions_rule_met_by_three_different_days",
    ),
]


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_threshold_scenarios(scenario: Scenario) -> None:
    result = evaluate(scenario.incidents, scenario.policy, scenario.application_date)

    assert [v.reason_code for v in result.verdicts] == scenario.codes
    assert result.qualifying_count == scenario.count
    assert result.basis is scenario.basis
    assert result.met is scenario.met
    assert result.summary.startswith("Threshold met:" if scenario.met else "Threshold not met:")
    assert all(v.qualifies == (v.reason_code is Q) for v in result.verdicts)


def test_scenario_table_is_large_enough() -> None:
    assert len(SCENARIOS) >= 25


# ------------------------------------------------------------------------------------------------------------
# The words a coordinator reads
# ------------------------------------------------------------------------------------------------------------


def test_late_report_reason_names_the_agency_the_dates_and_the_rule() -> None:
    result = evaluate([incident(7, D(2026, 3, 23), (POLICE, D(2026, 5, 3)))], DEFAULT, APP)

    assert result.verdicts[0].reason == (
        "Reported to Gloucestershire Constabulary on 3 May 2026, 41 days after the incident"
        " - the policy requires a report within 1 month (by 23 April 2026)."
    )
    assert (  # numbered within the case (1 to n by date), not by its id
        "Incident 1 on 23 March 2026 does not count: Reported to Gloucestershire Constabulary on 3 May 2026"
        in result.reasons[1]
    )


def test_qualifying_reason_names_the_report_relied_on_and_the_other_agencies() -> None:
    result = evaluate([incident(1, D(2026, 3, 2), (COUNCIL, D(2026, 3, 4)), (POLICE, D(2026, 3, 3)))], ONE, APP)
    verdict = result.verdicts[0]

    assert verdict.report == report(POLICE, D(2026, 3, 3))
    assert verdict.reason == (
        "Reported to Gloucestershire Constabulary on 3 March 2026, 1 day after the incident (within 1 month),"
        " and the application on 30 June 2026 came within 6 months of that report."
        " Also reported to Cheltenham Borough Council on 4 March 2026:"
        " one incident reported to several agencies counts once."
    )


def test_outside_window_reason_gives_the_last_day_the_application_could_have_been_made() -> None:
    result = evaluate([incident(1, D(2025, 8, 30), (HOUSING, D(2025, 8, 31)))], ONE, D(2026, 3, 1))

    assert result.verdicts[0].reason == (
        "Reported to Severn Vale Housing on 31 August 2025, but the application on 1 March 2026 came more than"
        " 6 months after that report (the last day was 28 February 2026)."
    )


def test_summary_when_met_by_count() -> None:
    result = evaluate(THREE_INCIDENTS, DEFAULT, APP)

    assert result.summary == (
        "Threshold met: 3 qualifying complaints in the 6 months before the application (the area's policy requires 3)."
    )


def test_summary_when_not_met_uses_the_singular_and_offers_discretion_and_the_override() -> None:
    result = evaluate(THREE_INCIDENTS[:1], DEFAULT, APP)

    assert result.summary == (
        "Threshold not met: 1 qualifying complaint in the 6 months before the application"
        " (the area's policy requires 3)."
    )
    assert any("persistence of the behaviour" in line for line in result.reasons)
    assert any("vulnerability" in line for line in result.reasons)


def test_override_is_not_offered_where_the_area_does_not_allow_it() -> None:
    result = evaluate(THREE_INCIDENTS[:1], ThresholdPolicy(vulnerability_override_allowed=False), APP)

    assert not any("vulnerability" in line for line in result.reasons)


def test_met_decision_does_not_offer_discretion() -> None:
    result = evaluate(THREE_INCIDENTS, DEFAULT, APP)

    assert not any("may still decide" in line for line in result.reasons)


def test_reasons_have_one_line_per_incident_in_date_order() -> None:
    shuffled = [THREE_INCIDENTS[2], THREE_INCIDENTS[0], THREE_INCIDENTS[1]]
    result = evaluate(shuffled, DEFAULT, APP)

    incident_lines = [line for line in result.reasons if line.startswith("Incident ")]
    assert incident_lines == [
        f"Incident 1 on 2 March 2026 counts: {result.verdicts[0].reason}",
        f"Incident 2 on 1 April 2026 counts: {result.verdicts[1].reason}",
        f"Incident 3 on 1 May 2026 counts: {result.verdicts[2].reason}",
    ]
    assert "Reported to Gloucestershire Constabulary on 3 March 2026" in result.verdicts[0].reason


def test_hate_incident_summary_names_its_date() -> None:
    result = evaluate([reported(4, D(2026, 5, 3), hate=True)], ThresholdPolicy(hate_incident_suffices=True), APP)

    assert result.summary == (
        "Threshold met: a hate incident on 3 May 2026 was reported in time"
        " (the area's policy treats one hate incident as enough)."
    )


def test_distinct_complainants_summary() -> None:
    result = evaluate(
        [reported(1, D(2026, 4, 1)), reported(2, D(2026, 5, 1), complainant="neighbour")],
        ThresholdPolicy(distinct_complainants=2),
        APP,
    )

    assert result.summary == (
        "Threshold met: 2 different people made complaints in time (the area's policy treats 2 as enough)."
    )


def test_same_occasion_and_duplicate_reasons_point_at_the_incident_that_counts() -> None:
    result = evaluate(
        [
            reported(1, D(2026, 4, 1), at=time(22, 30)),
            reported(2, D(2026, 4, 1), agency=COUNCIL, at=time(22, 30)),
            incident(3, D(2026, 4, 1), (HOUSING, D(2026, 4, 2)), same_as=1, at=time(22, 30)),
        ],
        ThresholdPolicy(require_separate_occasions=True),
        APP,
    )

    reasons = {v.incident_id: v.reason for v in result.verdicts}
    assert reasons[2] == (
        "It happened on the same occasion (1 April 2026 at 22:30) as incident 1, which already counts:"
        " the area's policy counts incidents on separate occasions only."
    )
    assert reasons[3] == (
        "Recorded more than once: this is the same incident as incident 1 on 1 April 2026,"
        " so it is assessed once, as incident 1."
    )


def test_separate_occasions_keeps_the_hate_incident_of_a_day_so_the_hate_rule_is_explained() -> None:
    result = evaluate(
        [reported(1, D(2026, 4, 1), at=time(9, 0)), reported(2, D(2026, 4, 1), hate=True, at=time(9, 0))],
        ThresholdPolicy(require_separate_occasions=True, hate_incident_suffices=True),
        APP,
    )

    assert [(v.incident_id, v.reason_code) for v in result.verdicts] == [(1, SAME_DAY), (2, Q)]
    assert result.basis is Basis.HATE_INCIDENT


# ------------------------------------------------------------------------------------------------------------
# Dates
# ------------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        pytest.param(D(2026, 3, 15), 1, D(2026, 4, 15), id="same_day_next_month"),
        pytest.param(D(2026, 1, 31), 1, D(2026, 2, 28), id="clamps_to_28_february"),
        pytest.param(D(2028, 1, 31), 1, D(2028, 2, 29), id="clamps_to_29_february_in_a_leap_year"),
        pytest.param(D(2026, 3, 31), 1, D(2026, 4, 30), id="clamps_to_30_april"),
        pytest.param(D(2025, 8, 31), 6, D(2026, 2, 28), id="six_months_across_a_year_end"),
        pytest.param(D(2026, 11, 15), 2, D(2027, 1, 15), id="into_next_year"),
        pytest.param(D(2026, 3, 31), -1, D(2026, 2, 28), id="backwards_clamps_too"),
        pytest.param(D(2026, 1, 15), -1, D(2025, 12, 15), id="backwards_into_last_year"),
        pytest.param(D(2026, 5, 3), 0, D(2026, 5, 3), id="zero_months_is_the_same_date"),
    ],
)
def test_add_months(start: date, months: int, expected: date) -> None:
    assert add_months(start, months) == expected


@given(st.dates(min_value=D(1900, 1, 1), max_value=D(2200, 12, 31)), st.integers(-120, 120))
def test_add_months_moves_by_whole_calendar_months_and_never_overshoots_the_month(start: date, months: int) -> None:
    result = add_months(start, months)

    assert (result.year * 12 + result.month) - (start.year * 12 + start.month) == months
    assert result.day == start.day or (result.day < start.day and (result + timedelta(days=1)).day == 1)


@pytest.mark.parametrize(
    ("value", "expected"),
    [(D(2026, 5, 3), "3 May 2026"), (D(2026, 12, 25), "25 December 2026"), (D(2028, 2, 29), "29 February 2028")],
)
def test_format_date_has_no_leading_zero(value: date, expected: str) -> None:
    assert format_date(value) == expected


# ------------------------------------------------------------------------------------------------------------
# Policy and input validation
# ------------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        pytest.param({"qualifying_complaints": 4}, "between 1 and 3", id="more_than_three_complaints"),
        pytest.param({"qualifying_complaints": 0}, "between 1 and 3", id="zero_complaints"),
        pytest.param({"qualifying_complaints": -1}, "between 1 and 3", id="negative_complaints"),
        pytest.param({"qualifying_complaints": True}, "between 1 and 3", id="boolean_is_not_a_number"),
        pytest.param({"window_months": 3}, "at least 6 months", id="window_shorter_than_the_law"),
        pytest.param({"reporting_rule_months": 0}, "at least 1 month", id="no_reporting_period"),
        pytest.param({"distinct_complainants": 1}, "at least 2", id="one_distinct_complainant"),
    ],
)
def test_invalid_policy_is_refused_with_a_clear_message(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        ThresholdPolicy(**kwargs)  # type: ignore[arg-type]


def test_higher_than_statutory_threshold_message_explains_the_law() -> None:
    with pytest.raises(ValueError) as excinfo:
        ThresholdPolicy(qualifying_complaints=4)

    assert "the law allows an area to set a lower number than 3, not a higher one" in str(excinfo.value)


@pytest.mark.parametrize(
    "kwargs",
    [
        {},
        {"qualifying_complaints": 1},
        {"qualifying_complaints": 2},
        {"window_months": 12, "reporting_rule_months": 2},
        {"distinct_complainants": 5, "hate_incident_suffices": True, "require_separate_occasions": True},
    ],
)
def test_valid_policies_are_accepted(kwargs: dict[str, object]) -> None:
    ThresholdPolicy(**kwargs)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("incidents", "message"),
    [
        pytest.param([reported(1, D(2026, 4, 1)), reported(1, D(2026, 5, 1))], "appears more than once", id="same_id"),
        pytest.param([incident(1, D(2026, 4, 1), same_as=9)], "not listed", id="link_to_unknown_incident"),
        pytest.param([incident(1, D(2026, 4, 1), same_as=1)], "same as itself", id="link_to_itself"),
        pytest.param(
            [reported(1, D(2026, 4, 1)), incident(2, D(2026, 4, 2), same_as=1)], "different date", id="different_date"
        ),
        pytest.param([incident(1, D(2026, 4, 1), same_as=2), incident(2, D(2026, 4, 1), same_as=1)], "loop", id="loop"),
    ],
)
def test_contradictory_incidents_are_refused(incidents: list[IncidentInput], message: str) -> None:
    assert any(message in problem for problem in check_incidents(incidents))
    with pytest.raises(ValueError, match=message):
        evaluate(incidents, DEFAULT, APP)


def test_chained_duplicates_count_once_under_the_first_record() -> None:
    incidents = [
        reported(1, D(2026, 4, 1)),
        incident(2, D(2026, 4, 1), same_as=1),
        incident(3, D(2026, 4, 1), same_as=2),
    ]

    assert check_incidents(incidents) == []
    result = evaluate(incidents, ONE, APP)
    assert [v.reason_code for v in result.verdicts] == [Q, DUP, DUP]
    assert "as incident 1." in result.verdicts[2].reason


def test_reports_may_be_given_as_a_list_and_are_stored_as_a_tuple() -> None:
    value = IncidentInput(1, D(2026, 4, 1), reports=[report(POLICE, D(2026, 4, 2))])  # type: ignore[arg-type]

    assert value.reports == (report(POLICE, D(2026, 4, 2)),)
    hash(value)


# ------------------------------------------------------------------------------------------------------------
# Properties
# ------------------------------------------------------------------------------------------------------------

AGENCIES = [POLICE, COUNCIL, HOUSING]

policies = st.builds(
    ThresholdPolicy,
    qualifying_complaints=st.integers(1, 3),
    window_months=st.integers(6, 12),
    reporting_rule_months=st.integers(1, 2),
    enforce_reporting_rule=st.booleans(),
    hate_incident_suffices=st.booleans(),
    distinct_complainants=st.none() | st.integers(2, 5),
    vulnerability_override_allowed=st.booleans(),
    require_separate_occasions=st.booleans(),
)


@st.composite
def incident_lists(draw: st.DrawFn) -> list[IncidentInput]:
    """Realistic muddles: late, early and missing reports, incidents after the application, marked duplicates."""
    incidents: list[IncidentInput] = []
    for n in range(draw(st.integers(0, 8))):
        # Mostly a fresh date; sometimes a marked duplicate of an earlier record, or another incident that day.
        kind = draw(st.sampled_from(["fresh"] * 4 + ["duplicate", "same_day"])) if incidents else "fresh"
        earlier = draw(st.sampled_from(incidents)) if kind != "fresh" else None
        same_as = earlier if kind == "duplicate" else None
        occurred = earlier.occurred_on if earlier else APP + timedelta(days=draw(st.integers(-300, 10)))
        reports = tuple(
            report(draw(st.sampled_from(AGENCIES)), occurred + timedelta(days=draw(st.integers(0, 70))))
            for _ in range(draw(st.integers(0, 3)))
        )
        incidents.append(
            IncidentInput(
                id=n,
                occurred_on=occurred,
                is_hate=draw(st.booleans()),
                reports=reports,
                complainant=draw(st.sampled_from([None, "a", "b", "c", "d", "e"])),
                same_as=same_as.id if same_as else None,
            )
        )
    return incidents


def _decision(result: ThresholdEvaluation) -> tuple[bool, int, Basis, list[ReasonCode]]:
    return result.met, result.qualifying_count, result.basis, [v.reason_code for v in result.verdicts]


@given(
    incident_lists(),
    policies,
    st.integers(0, 150),
    st.integers(0, 28),
    st.booleans(),
    st.sampled_from([None, "a", "z"]),
)
def test_adding_a_qualifying_incident_never_turns_met_into_not_met(
    incidents: list[IncidentInput],
    policy: ThresholdPolicy,
    days_before_application: int,
    report_delay: int,
    hate: bool,
    complainant: str | None,
) -> None:
    occurred = APP - timedelta(days=days_before_application)
    reported_on = occurred + timedelta(days=min(report_delay, days_before_application))
    extra = IncidentInput("new", occurred, hate, (report(POLICE, reported_on),), complainant)

    before = evaluate(incidents, policy, APP)
    after = evaluate([*incidents, extra], policy, APP)

    # It counts, or it is identical to an incident already recorded (and then that one counts).
    assert next(v for v in after.verdicts if v.incident_id == "new").reason_code in (Q, SAME_DAY, COPY)
    assert after.qualifying_count >= before.qualifying_count
    assert after.met or not before.met


@given(incident_lists(), policies)
def test_reporting_the_same_incident_to_more_agencies_never_changes_the_count(
    incidents: list[IncidentInput], policy: ThresholdPolicy
) -> None:
    extra_agency = (99, "Gloucestershire Fire and Rescue Service")
    more_agencies = [
        dataclasses.replace(i, reports=i.reports + tuple(report(extra_agency, r.reported_on) for r in i.reports))
        for i in incidents
    ]

    assert _decision(evaluate(more_agencies, policy, APP)) == _decision(evaluate(incidents, policy, APP))


@given(incident_lists(), policies)
def test_qualifying_count_never_exceeds_the_number_of_incidents(
    incidents: list[IncidentInput], policy: ThresholdPolicy
) -> None:
    result = evaluate(incidents, policy, APP)

    assert result.qualifying_count <= len(incidents)
    assert result.qualifying_count == sum(v.qualifies for v in result.verdicts)
    assert sorted(v.incident_id for v in result.verdicts) == sorted(i.id for i in incidents)


@given(incident_lists(), policies, st.data())
def test_evaluation_does_not_depend_on_input_order(
    incidents: list[IncidentInput], policy: ThresholdPolicy, data: st.DataObject
) -> None:
    shuffled = [
        dataclasses.replace(i, reports=tuple(data.draw(st.permutations(i.reports))))
        for i in data.draw(st.permutations(incidents))
    ]

    assert evaluate(shuffled, policy, APP) == evaluate(incidents, policy, APP)


@given(incident_lists(), policies)
def test_verdicts_are_in_date_order(incidents: list[IncidentInput], policy: ThresholdPolicy) -> None:
    by_id = {i.id: i for i in incidents}
    dates = [by_id[v.incident_id].occurred_on for v in evaluate(incidents, policy, APP).verdicts]

    assert dates == sorted(dates)


@given(incident_lists(), policies, st.integers(1, 3))
def test_lowering_the_policy_number_never_turns_met_into_not_met(
    incidents: list[IncidentInput], policy: ThresholdPolicy, lower: int
) -> None:
    lowered = dataclasses.replace(policy, qualifying_complaints=min(lower, policy.qualifying_complaints))

    assert evaluate(incidents, lowered, APP).met or not evaluate(incidents, policy, APP).met


# ------------------------------------------------------------------------------------------------------------
# Purity
# ------------------------------------------------------------------------------------------------------------


def test_the_package_has_its_modules() -> None:
    """The purity checks below look at every module of the package; an empty glob would make them pass vacuously."""
    assert {"__init__.py", "evaluation.py", "inputs.py", "validation.py"} <= {path.name for path in MODULE_PATHS}


@pytest.mark.parametrize("path", MODULE_PATHS, ids=lambda path: path.name)
def test_module_imports_no_flask_or_database(path: Path) -> None:
    """Import the module in a fresh interpreter and check nothing web or database came with it.

    A fresh interpreter, so that what the rest of the test run has imported cannot hide what this module pulls in
    (the `trigger` package's `__init__` imports Flask only when create_app is called).
    """
    module = "trigger.domain.threshold" + ("" if path.stem == "__init__" else f".{path.stem}")
    code = f"""
import importlib, sys
importlib.import_module({module!r})
loaded = sorted(m for m in ("flask", "werkzeug", "sqlalchemy", "flask_sqlalchemy", "dateutil") if m in sys.modules)
assert not loaded, loaded
"""
    completed = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=False, cwd=PACKAGE_PATH.parents[2]
    )

    assert completed.returncode == 0, completed.stderr


@pytest.mark.parametrize("path", MODULE_PATHS, ids=lambda path: path.name)
def test_module_imports_only_the_standard_library(path: Path) -> None:
    """The standard library, and the other modules of this package: nothing else of trigger, nothing installed."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    imported = {
        name
        for node in ast.walk(tree)
        for name in (
            [alias.name for alias in node.names]
            if isinstance(node, ast.Import)
            else [node.module or ""]
            if isinstance(node, ast.ImportFrom)
            else []
        )
    }
    outside = {name.split(".")[0] for name in imported if not name.startswith("trigger.domain.threshold.")}

    assert outside <= set(sys.stdlib_module_names) | {"__future__"}
