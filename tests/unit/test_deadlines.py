"""Stage deadlines and how they are shown: the dates and words a coordinator, a chair and a victim will see."""

from __future__ import annotations

import dataclasses
import re
import subprocess
import sys
import textwrap
from datetime import date, timedelta
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from trigger.domain.deadlines import (
    ANCHOR_OF,
    PUBLISHED_RANGES,
    DeadlineKind,
    DeadlineState,
    DeadlineStatus,
    Rag,
    TimescalePolicy,
    compute_due,
    deadline_status,
    describe_timescale,
)
from trigger.domain.workdays import HolidayDataMissing, Nation, WorkingCalendar

ROOT = Path(__file__).resolve().parents[2]
ENGLAND = WorkingCalendar(Nation.ENGLAND_AND_WALES)
SCOTLAND = WorkingCalendar(Nation.SCOTLAND)
DEFAULTS = TimescalePolicy()


def status(due: date, today: date, completed_on: date | None = None, **kwargs: int) -> DeadlineStatus:
    return deadline_status(due, completed_on, today, ENGLAND, **kwargs)


# ---- the timescale policy ------------------------------------------------------------------------------


def test_defaults_are_those_of_the_domain_lifecycle() -> None:
    assert dataclasses.asdict(DEFAULTS) == {
        "acknowledge": 5,
        "information_gathered": 10,
        "threshold_decision": 10,
        "meeting_held": 20,
        "outcome_sent": 5,
        "escalation_window": 20,
        "escalation_decided": 20,
    }


@pytest.mark.parametrize(
    ("kind", "days"),
    [
        (DeadlineKind.ACKNOWLEDGE, 5),
        (DeadlineKind.INFORMATION, 10),
        (DeadlineKind.THRESHOLD_DECISION, 10),
        (DeadlineKind.MEETING, 20),
        (DeadlineKind.OUTCOME, 5),
        (DeadlineKind.ESCALATION_REQUEST, 20),
        (DeadlineKind.ESCALATION_DECISION, 20),
    ],
)
def test_days_for_each_kind(kind: DeadlineKind, days: int) -> None:
    assert DEFAULTS.days_for(kind) == days


@pytest.mark.parametrize("field", [f.name for f in dataclasses.fields(TimescalePolicy)])
def test_every_setting_drives_exactly_one_kind_of_deadline(field: str) -> None:
    changed = dataclasses.replace(DEFAULTS, **{field: 7})
    affected = [kind for kind in DeadlineKind if changed.days_for(kind) != DEFAULTS.days_for(kind)]
    assert len(affected) == 1


def test_policy_is_immutable() -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        DEFAULTS.acknowledge = 3  # type: ignore[misc]


@pytest.mark.parametrize("days", [0, -1, 61, 250])
def test_timescales_outside_1_to_60_working_days_are_refused(days: int) -> None:
    with pytest.raises(ValueError) as raised:
        TimescalePolicy(meeting_held=days)
    assert str(raised.value) == (
        f"Hold the case review meeting: the timescale must be between 1 and 60 working days, not {days}."
    )


@pytest.mark.parametrize("days", [1, 60])
def test_the_limits_themselves_are_allowed(days: int) -> None:
    assert TimescalePolicy(acknowledge=days, escalation_decided=days).days_for(DeadlineKind.ACKNOWLEDGE) == days


@pytest.mark.parametrize("value", [True, "5", 5.0, None])
def test_timescales_must_be_whole_numbers(value: object) -> None:
    with pytest.raises(TypeError, match="Acknowledge the application: the timescale must be a whole number"):
        TimescalePolicy(acknowledge=value)  # type: ignore[arg-type]


def test_published_ranges() -> None:
    assert PUBLISHED_RANGES == {
        DeadlineKind.ACKNOWLEDGE: (1, 10),
        DeadlineKind.THRESHOLD_DECISION: (10, 21),
        DeadlineKind.MEETING: (5, 28),
        DeadlineKind.OUTCOME: (5, 10),
    }


def test_defaults_sit_inside_the_published_ranges() -> None:
    assert DEFAULTS.outside_published_ranges() == []


@pytest.mark.parametrize(
    "policy",
    [
        TimescalePolicy(acknowledge=1, threshold_decision=10, meeting_held=5, outcome_sent=5),
        TimescalePolicy(acknowledge=10, threshold_decision=21, meeting_held=28, outcome_sent=10),
    ],
)
def test_published_ranges_include_their_ends(policy: TimescalePolicy) -> None:
    assert policy.outside_published_ranges() == []


def test_unusual_timescales_are_pointed_out_but_allowed() -> None:
    policy = TimescalePolicy(acknowledge=12, threshold_decision=9, meeting_held=29, outcome_sent=1)
    assert policy.outside_published_ranges() == [
        "Acknowledge the application: 12 working days is outside the published range of 1 to 10 working days.",
        "Decide whether the threshold is met: 9 working days is outside the published range of 10 to 21 working days.",
        "Hold the case review meeting: 29 working days is outside the published range of 5 to 28 working days.",
        "Send the outcome letter: 1 working day is outside the published range of 5 to 10 working days.",
    ]


# ---- kinds, anchors and words -------------------------------------------------------------------------


def test_every_kind_has_a_label_and_an_anchor() -> None:
    assert set(ANCHOR_OF) == set(DeadlineKind)
    assert all(kind.label and kind.label[0].isupper() for kind in DeadlineKind)
    assert len({kind.label for kind in DeadlineKind}) == len(DeadlineKind)


@pytest.mark.parametrize(
    ("kind", "words"),
    [
        (DeadlineKind.ACKNOWLEDGE, "5 working days after the application was received"),
        (DeadlineKind.INFORMATION, "10 working days after the application was received"),
        (DeadlineKind.THRESHOLD_DECISION, "10 working days after the application was received"),
        (DeadlineKind.MEETING, "20 working days after the threshold decision"),
        (DeadlineKind.OUTCOME, "5 working days after the case review meeting"),
        (DeadlineKind.ESCALATION_REQUEST, "20 working days after the outcome letter was sent"),
        (DeadlineKind.ESCALATION_DECISION, "20 working days after the escalation request was received"),
    ],
)
def test_describe_timescale(kind: DeadlineKind, words: str) -> None:
    assert describe_timescale(kind, DEFAULTS) == words


def test_describe_timescale_in_the_singular() -> None:
    words = describe_timescale(DeadlineKind.ACKNOWLEDGE, TimescalePolicy(acknowledge=1))
    assert words == "1 working day after the application was received"


# ---- due dates, counted by hand ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "anchor", "due"),
    [
        # Application received Monday 1 December 2025.
        (DeadlineKind.ACKNOWLEDGE, date(2025, 12, 1), date(2025, 12, 8)),
        (DeadlineKind.INFORMATION, date(2025, 12, 1), date(2025, 12, 15)),
        (DeadlineKind.THRESHOLD_DECISION, date(2025, 12, 1), date(2025, 12, 15)),
        # Threshold decided Mon 15 Dec 2025: 4 that week, 3 before Christmas, 29-31 Dec, Fri 2 Jan (11),
        # 5-9 Jan (16), 12-15 Jan (20).
        (DeadlineKind.MEETING, date(2025, 12, 15), date(2026, 1, 15)),
        # Meeting Thu 15 Jan 2026: Fri 16, Mon 19 ... Thu 22.
        (DeadlineKind.OUTCOME, date(2026, 1, 15), date(2026, 1, 22)),
        # Outcome letter Thu 22 Jan 2026: four weeks of working days later.
        (DeadlineKind.ESCALATION_REQUEST, date(2026, 1, 22), date(2026, 2, 19)),
        # Escalation request Fri 20 Feb 2026.
        (DeadlineKind.ESCALATION_DECISION, date(2026, 2, 20), date(2026, 3, 20)),
        # Received on Christmas Eve 2025: Mon 29, Tue 30, Wed 31, Fri 2 Jan, Mon 5 Jan.
        (DeadlineKind.ACKNOWLEDGE, date(2025, 12, 24), date(2026, 1, 5)),
        # Received on a Saturday: the Monday is day 1.
        (DeadlineKind.ACKNOWLEDGE, date(2025, 6, 7), date(2025, 6, 13)),
    ],
)
def test_compute_due(kind: DeadlineKind, anchor: date, due: date) -> None:
    assert compute_due(kind, anchor, DEFAULTS, ENGLAND) == due


def test_threshold_decision_over_easter_differs_by_nation() -> None:
    # Received Wed 16 Apr 2025. England: Thu 17, Tue 22 ... Fri 2 May. Scotland works Easter Monday.
    received = date(2025, 4, 16)
    assert compute_due(DeadlineKind.THRESHOLD_DECISION, received, DEFAULTS, ENGLAND) == date(2025, 5, 2)
    assert compute_due(DeadlineKind.THRESHOLD_DECISION, received, DEFAULTS, SCOTLAND) == date(2025, 5, 1)


def test_compute_due_follows_the_area_policy_and_closures() -> None:
    closed = WorkingCalendar(Nation.ENGLAND_AND_WALES, closures=[date(2025, 12, 29), date(2025, 12, 30)])
    policy = TimescalePolicy(acknowledge=2)
    # Received Tue 23 Dec 2025: Wed 24, (25, 26, weekend, 29-30 closed), Wed 31.
    assert compute_due(DeadlineKind.ACKNOWLEDGE, date(2025, 12, 23), policy, closed) == date(2025, 12, 31)


@given(kind=st.sampled_from(list(DeadlineKind)), anchor=st.dates(date(2001, 1, 1), date(2038, 6, 30)))
def test_due_dates_are_working_days_exactly_the_policy_away(kind: DeadlineKind, anchor: date) -> None:
    due = compute_due(kind, anchor, DEFAULTS, ENGLAND)
    assert ENGLAND.is_working_day(due)
    assert ENGLAND.working_days_between(anchor, due) == DEFAULTS.days_for(kind)


def test_compute_due_refuses_to_guess_beyond_the_holiday_data() -> None:
    with pytest.raises(HolidayDataMissing, match="2040"):
        compute_due(DeadlineKind.MEETING, date(2039, 12, 15), DEFAULTS, ENGLAND)


# ---- how a deadline stands -----------------------------------------------------------------------------

FRI_19_DEC_2025 = date(2025, 12, 19)


@pytest.mark.parametrize(
    ("due", "today", "completed_on", "state", "rag", "working_days", "label"),
    [
        # Done
        (FRI_19_DEC_2025, date(2026, 1, 5), date(2025, 12, 17), "done-on-time", "grey", 0, "Done on time"),
        (FRI_19_DEC_2025, date(2026, 1, 5), FRI_19_DEC_2025, "done-on-time", "grey", 0, "Done on time"),
        (FRI_19_DEC_2025, date(2026, 1, 5), date(2025, 12, 22), "done-late", "grey", 1, "Done 1 working day late"),
        # Mon 22, Tue 23, Wed 24, (Christmas, Boxing Day, weekend), Mon 29, Tue 30.
        (FRI_19_DEC_2025, date(2026, 1, 5), date(2025, 12, 30), "done-late", "grey", 5, "Done 5 working days late"),
        # Finished on the Saturday after a Friday deadline: still late.
        (FRI_19_DEC_2025, date(2026, 1, 5), date(2025, 12, 20), "done-late", "grey", 1, "Done 1 working day late"),
        # Open, due today
        (FRI_19_DEC_2025, FRI_19_DEC_2025, None, "due-today", "amber", 0, "Due today"),
        # Open, due soon (within 5 working days)
        (FRI_19_DEC_2025, date(2025, 12, 18), None, "due-soon", "amber", 1, "Due in 1 working day"),
        (FRI_19_DEC_2025, date(2025, 12, 15), None, "due-soon", "amber", 4, "Due in 4 working days"),
        (FRI_19_DEC_2025, date(2025, 12, 12), None, "due-soon", "amber", 5, "Due in 5 working days"),
        (FRI_19_DEC_2025, date(2025, 12, 13), None, "due-soon", "amber", 5, "Due in 5 working days"),  # a Sat
        (date(2025, 12, 29), date(2025, 12, 24), None, "due-soon", "amber", 1, "Due in 1 working day"),
        # Open, due later
        (FRI_19_DEC_2025, date(2025, 12, 11), None, "due-later", "green", 6, "Due in 6 working days"),
        (date(2026, 1, 5), FRI_19_DEC_2025, None, "due-later", "green", 8, "Due in 8 working days"),
        # Overdue
        (FRI_19_DEC_2025, date(2025, 12, 22), None, "overdue", "red", 1, "Overdue by 1 working day"),
        (FRI_19_DEC_2025, date(2025, 12, 20), None, "overdue", "red", 1, "Overdue by 1 working day"),  # Sat
        (FRI_19_DEC_2025, date(2025, 12, 23), None, "overdue", "red", 2, "Overdue by 2 working days"),
        (FRI_19_DEC_2025, date(2025, 12, 28), None, "overdue", "red", 3, "Overdue by 3 working days"),
        (FRI_19_DEC_2025, date(2026, 1, 2), None, "overdue", "red", 7, "Overdue by 7 working days"),
    ],
)
def test_deadline_status(
    due: date,
    today: date,
    completed_on: date | None,
    state: str,
    rag: str,
    working_days: int,
    label: str,
) -> None:
    assert status(due, today, completed_on) == DeadlineStatus(DeadlineState(state), Rag(rag), working_days, label)


def test_a_finished_deadline_does_not_depend_on_today() -> None:
    late = status(FRI_19_DEC_2025, today=date(2025, 12, 1), completed_on=date(2025, 12, 23))
    assert late.label == "Done 2 working days late"


def test_a_hand_entered_weekend_due_date_is_never_zero_working_days_away() -> None:
    saturday = date(2025, 12, 20)
    assert status(saturday, today=FRI_19_DEC_2025).label == "Due in 1 working day"
    assert status(saturday, today=date(2025, 12, 21)).label == "Overdue by 1 working day"


@pytest.mark.parametrize(
    ("soon_within", "state"),
    [(0, DeadlineState.DUE_LATER), (3, DeadlineState.DUE_LATER), (4, DeadlineState.DUE_SOON)],
)
def test_how_soon_is_soon_is_configurable(soon_within: int, state: DeadlineState) -> None:
    assert status(FRI_19_DEC_2025, date(2025, 12, 15), soon_within=soon_within).state is state


def test_soon_cannot_be_negative() -> None:
    with pytest.raises(ValueError, match="soon_within"):
        status(FRI_19_DEC_2025, date(2025, 12, 15), soon_within=-1)


def test_rag_for_every_state() -> None:
    shown = {
        status(FRI_19_DEC_2025, today, completed).state: status(FRI_19_DEC_2025, today, completed).rag
        for today, completed in [
            (date(2025, 12, 30), date(2025, 12, 18)),
            (date(2025, 12, 30), date(2025, 12, 30)),
            (date(2025, 12, 1), None),
            (date(2025, 12, 17), None),
            (FRI_19_DEC_2025, None),
            (date(2025, 12, 30), None),
        ]
    }
    assert shown == {
        DeadlineState.DONE_ON_TIME: Rag.GREY,
        DeadlineState.DONE_LATE: Rag.GREY,
        DeadlineState.DUE_LATER: Rag.GREEN,
        DeadlineState.DUE_SOON: Rag.AMBER,
        DeadlineState.DUE_TODAY: Rag.AMBER,
        DeadlineState.OVERDUE: Rag.RED,
    }


def test_status_values_are_stable_strings() -> None:
    assert [str(s) for s in DeadlineState] == [
        "done-on-time", "done-late", "due-later", "due-soon", "due-today", "overdue",
    ]  # fmt: skip
    assert [str(r) for r in Rag] == ["green", "amber", "red", "grey"]


def test_status_is_immutable() -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        status(FRI_19_DEC_2025, FRI_19_DEC_2025).label = "Fine"  # type: ignore[misc]


def test_an_overdue_deadline_in_an_unsupported_year_is_an_error_not_a_guess() -> None:
    with pytest.raises(HolidayDataMissing, match="2040"):
        status(date(2039, 12, 30), today=date(2040, 1, 10))


dates_2025_2027 = st.dates(min_value=date(2025, 1, 1), max_value=date(2027, 12, 31))


@given(due=dates_2025_2027, today=dates_2025_2027, completed_on=st.none() | dates_2025_2027)
def test_labels_are_consistent_with_state_and_count(due: date, today: date, completed_on: date | None) -> None:
    shown = status(due, today, completed_on)
    assert not re.search(r"\b0 working day", shown.label)
    assert ("1 working day " in shown.label + " ") == (shown.working_days == 1)
    if shown.state in (DeadlineState.DONE_ON_TIME, DeadlineState.DUE_TODAY):
        assert shown.working_days == 0
    else:
        assert shown.working_days >= 1
        assert str(shown.working_days) in shown.label
    assert (shown.state is DeadlineState.OVERDUE) == (completed_on is None and today > due)


@given(due=dates_2025_2027, days_after=st.integers(min_value=1, max_value=200))
def test_overdue_never_shrinks_as_days_pass(due: date, days_after: int) -> None:
    today = due + timedelta(days=days_after)
    tomorrow = today + timedelta(days=1)
    assert status(due, tomorrow).working_days >= status(due, today).working_days


# ---- purity: no web framework, no database --------------------------------------------------------------


def _run(code: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)], cwd=ROOT, capture_output=True, text=True, check=False
    )


def test_domain_modules_import_neither_flask_nor_sqlalchemy() -> None:
    # Stub the top-level package so only the domain modules' own imports are measured, whatever the
    # application package's __init__ pulls in.
    result = _run(
        """
        import sys, types
        package = types.ModuleType("trigger")
        package.__path__ = ["trigger"]
        sys.modules["trigger"] = package
        import trigger.domain.workdays, trigger.domain.deadlines
        leaked = sorted(m for m in sys.modules if m.split(".")[0] in {"flask", "sqlalchemy", "werkzeug"})
        assert not leaked, leaked
        """
    )
    assert result.returncode == 0, result.stderr


def test_importing_the_domain_through_the_package_does_not_start_flask() -> None:
    result = _run("import trigger.domain.workdays, trigger.domain.deadlines, sys; assert 'flask' not in sys.modules")
    assert result.returncode == 0, (
        "Importing trigger.domain imported Flask; keep trigger/__init__.py free of top-level Flask imports.\n"
        + result.stderr
    )
