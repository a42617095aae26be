"""The applicant's right to escalate (DOMAIN.md section 2, "Escalation"): the rules, with no Flask or database.

- Which stages a case may be escalated from: those the lifecycle lets move to ESCALATED (a threshold decision
  that was not met, an outcome sent, a live plan). A closed case is final (see trigger.domain.stages).
- The escalation window: a request is due within N working days of the outcome letter (20 by default). A late
  request may still be accepted, with a reason; `check_window` says by how much it is late, in words.
- Where the case goes after the reviewing body's decision:
  * upheld (referred back with points to reconsider): `reopen_stage`. A disputed threshold decision (or an
    escalation of a "threshold not met" decision, which is the only thing there is to reconsider) goes back to
    "acknowledged", the stage just before a threshold decision, so the bodies record a new one. Anything else
    (a policy or fact not considered, a review not carried out properly) goes back to "review scheduled":
    the bodies hold another case review meeting.
  * not upheld (properly reviewed): `resume_stage`. The earlier decision stands. A "threshold not met" case
    returns to that stage; a case escalated after its outcome returns to "action plan live", the stage that
    follows "outcome sent", because the plan the review agreed is what now happens. The coordinator closes the
    case from there in the ordinary way when the plan is done (closing needs the date the applicant was told,
    which the reviewing body does not know).
- `reconsider_deadline`: which stage deadline the reopened case must meet, counted from the decision date.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from trigger.domain.deadlines import DeadlineKind, TimescalePolicy, compute_due
from trigger.domain.stages import ALLOWED_TRANSITIONS, Stage
from trigger.domain.workdays import WorkingCalendar

__all__ = [
    "ESCALATABLE_STAGES",
    "WindowCheck",
    "check_window",
    "reconsider_deadline",
    "reopen_stage",
    "resume_stage",
]

#: Stages from which an applicant's escalation request can be recorded.
ESCALATABLE_STAGES = frozenset(stage for stage, targets in ALLOWED_TRANSITIONS.items() if Stage.ESCALATED in targets)


def reopen_stage(escalated_from: Stage, *, threshold_disputed: bool) -> Stage:
    """The stage an upheld escalation refers the case back to."""
    _check_escalatable(escalated_from)
    if threshold_disputed or escalated_from is Stage.THRESHOLD_NOT_MET:
        return Stage.ACKNOWLEDGED
    return Stage.REVIEW_SCHEDULED


def resume_stage(escalated_from: Stage) -> Stage:
    """The stage a case returns to when its escalation is not upheld."""
    _check_escalatable(escalated_from)
    if escalated_from is Stage.THRESHOLD_NOT_MET:
        return Stage.THRESHOLD_NOT_MET
    return Stage.PLAN_LIVE


_RECONSIDER_DEADLINE = {
    Stage.ACKNOWLEDGED: DeadlineKind.THRESHOLD_DECISION,
    Stage.REVIEW_SCHEDULED: DeadlineKind.MEETING,
}


def reconsider_deadline(reopened_at: Stage) -> DeadlineKind:
    """The deadline a case referred back to `reopened_at` must now meet (counted from the escalation decision)."""
    try:
        return _RECONSIDER_DEADLINE[reopened_at]
    except KeyError:
        raise ValueError(f"An upheld escalation never reopens a case at “{reopened_at.label}”.") from None


def _check_escalatable(stage: Stage) -> None:
    if stage not in ESCALATABLE_STAGES:
        raise ValueError(f"A case at “{stage.label}” cannot be escalated.")


@dataclass(frozen=True, slots=True)
class WindowCheck:
    """How an escalation request stands against the escalation window."""

    window_due_on: date  # the last day of the window
    window_working_days: int
    working_days_after: int  # from the outcome letter to the request (a non-working day counts as the next one)
    late: bool

    @property
    def message(self) -> str:
        """For example "received 23 working days after the outcome letter; the window is 20 working days"."""
        return (
            f"received {_days(self.working_days_after)} after the outcome letter; "
            f"the window is {_days(self.window_working_days)}"
        )


def check_window(
    outcome_letter_on: date, received_on: date, policy: TimescalePolicy, calendar: WorkingCalendar
) -> WindowCheck:
    """Check a request received on `received_on` against the window opened by the letter of `outcome_letter_on`.

    Raises ValueError when the request predates the letter, and HolidayDataMissing when a year has no
    bank-holiday data (the window is never counted as if there were no holidays).
    """
    if received_on < outcome_letter_on:
        raise ValueError("The date received must be the same as or after the date of the outcome letter")
    due = compute_due(DeadlineKind.ESCALATION_REQUEST, outcome_letter_on, policy, calendar)
    # A request that arrives at a weekend or on a bank holiday is dealt with on the next working day, so that
    # is the day counted: a request on the Saturday after a window ending on Friday is one working day late.
    effective = calendar.next_working_day(received_on)
    return WindowCheck(
        window_due_on=due,
        window_working_days=policy.days_for(DeadlineKind.ESCALATION_REQUEST),
        working_days_after=calendar.working_days_between(outcome_letter_on, effective),
        late=received_on > due,
    )


def _days(n: int) -> str:
    return f"{n} working day" if n == 1 else f"{n} working days"
