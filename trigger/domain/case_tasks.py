"""What happens next on a case: the task list at the top of the case page, for this stage and this person's role.

The case page used to leave a coordinator to work out the next step from a long column. This module answers the
question "what do I do next, and what is already done?" from plain facts about the case (gathered by
trigger.cases.tasks.task_facts) and the reader's role. Each task is to do, done, or cannot start yet, the
order follows the lifecycle (DOMAIN.md section 2, trigger.domain.stages) and an agency representative sees only
their own agency's work. Which page each task opens is the view's business: tasks are named by `TaskKey`.

Pure: no Flask, no database; roles, stages and document kinds come in as their string values.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

__all__ = ["CaseFacts", "MeetingFacts", "Task", "TaskKey", "TaskStatus", "tasks_for"]

# The string values of trigger.models.Role.
ADMIN, COORDINATOR, CHAIR, AGENCY_REP, PCC_REVIEWER, VIEWER = (
    "administrator",
    "coordinator",
    "chair",
    "agency-representative",
    "pcc-reviewer",
    "viewer",
)
_RUNS_CASES = frozenset({ADMIN, COORDINATOR})
_RUNS_MEETINGS = frozenset({ADMIN, COORDINATOR, CHAIR})

# Stages (trigger.domain.stages.Stage values) by how far the case has gone.
_BEFORE_DECISION = frozenset({"received", "acknowledged"})
_MEETING_STAGES = frozenset({"threshold-met", "review-scheduled", "review-held", "outcome-sent", "plan-live"})


class TaskStatus(StrEnum):
    TO_DO = "to-do"
    DONE = "done"
    CANNOT_START = "cannot-start"

    @property
    def label(self) -> str:
        return {TaskStatus.TO_DO: "To do", TaskStatus.DONE: "Done", TaskStatus.CANNOT_START: "Cannot start yet"}[self]


class TaskKey(StrEnum):
    ACKNOWLEDGE = "acknowledge"
    DECIDE_THRESHOLD = "decide-threshold"
    SEND_DECISION_LETTER = "send-decision-letter"
    BOOK_MEETING = "book-meeting"
    SEND_INVITATIONS = "send-invitations"
    TAKE_ATTENDANCE = "take-attendance"
    WRITE_MINUTES = "write-minutes"
    APPROVE_MINUTES = "approve-minutes"
    AGREE_ACTIONS = "agree-actions"
    ISSUE_OUTCOME = "issue-outcome"
    ANSWER_INVITATION = "answer-invitation"
    UPDATE_ACTIONS = "update-actions"
    ESCALATION_OUTCOME = "escalation-outcome"


@dataclass(frozen=True)
class MeetingFacts:
    """The case's latest meeting that was not cancelled."""

    started: bool  # its start time has passed
    held: bool  # the attendance was taken (the meeting is marked held)
    attendees: int
    uninvited: int  # on the list, but no invitation sent yet
    minutes_written: bool
    minutes_approved: bool
    reader_chairs: bool  # the reader is this meeting's chair


@dataclass(frozen=True)
class CaseFacts:
    stage: str
    role: str
    decided: bool = False  # a threshold decision is recorded
    issued: frozenset[str] = field(default_factory=frozenset)  # document kinds issued at least once
    meeting: MeetingFacts | None = None
    actions: int = 0  # on the plan
    # An agency representative: their agency's open actions, and their own unanswered meeting invitation.
    my_open_actions: int = 0
    my_actions: int = 0
    my_invitation_pending: bool | None = None  # None: not invited to the coming meeting
    escalation_undecided: bool = False


@dataclass(frozen=True)
class Task:
    key: TaskKey
    label: str
    status: TaskStatus
    hint: str = ""  # why it cannot start yet, or who does it
    actionable: bool = True  # this reader may do it (else it is shown for information, without a link)


def _status(done: bool, can_start: bool) -> TaskStatus:
    if done:
        return TaskStatus.DONE
    return TaskStatus.TO_DO if can_start else TaskStatus.CANNOT_START


def tasks_for(facts: CaseFacts) -> list[Task]:
    """The tasks this reader sees on this case, in the order of the work. Empty for a closed case and for roles
    with nothing to do on it (viewers, for example)."""
    if facts.stage == "closed":
        return []
    if facts.role == AGENCY_REP:
        return _agency_tasks(facts)
    if facts.role == PCC_REVIEWER:
        return _escalation_tasks(facts) if facts.escalation_undecided else []
    if facts.role not in _RUNS_MEETINGS:
        return []
    return _coordination_tasks(facts) + (_escalation_tasks(facts) if facts.escalation_undecided else [])


def _coordination_tasks(facts: CaseFacts) -> list[Task]:
    runs_case = facts.role in _RUNS_CASES
    stage = facts.stage
    tasks: list[Task] = []
    acknowledged = stage != "received" or "acknowledgement" in facts.issued
    if runs_case:
        tasks.append(Task(TaskKey.ACKNOWLEDGE, "Acknowledge the application", _status(acknowledged, True)))
    decided = facts.decided or stage not in _BEFORE_DECISION
    tasks.append(
        Task(
            TaskKey.DECIDE_THRESHOLD,
            "Decide the threshold",
            _status(decided, True),
            actionable=runs_case,
            hint="" if runs_case else "The coordinator records it",
        )
    )
    letter_sent = "threshold-decision" in facts.issued
    if runs_case:
        tasks.append(
            Task(
                TaskKey.SEND_DECISION_LETTER,
                "Send the threshold decision letter",
                _status(letter_sent, decided),
                hint="" if decided else "After the threshold decision",
            )
        )
    if stage == "threshold-not-met" or (stage == "escalated" and facts.meeting is None):
        return tasks  # no review meeting follows a "not met" decision (unless the bodies reconsider)
    meeting = facts.meeting
    met = stage in _MEETING_STAGES or (stage == "escalated" and meeting is not None)
    booked = meeting is not None
    if runs_case:
        tasks.append(
            Task(
                TaskKey.BOOK_MEETING,
                "Book the case review meeting",
                _status(booked, met),
                hint="" if met else "After the threshold is met",
            )
        )
        invited = booked and meeting.attendees > 0 and meeting.uninvited == 0
        tasks.append(
            Task(
                TaskKey.SEND_INVITATIONS,
                "Send the invitations",
                _status(invited, booked),
                hint="" if booked else "After the meeting is booked",
            )
        )
    held = booked and meeting.held
    started = booked and meeting.started
    tasks.append(
        Task(
            TaskKey.TAKE_ATTENDANCE,
            "Take the attendance",
            _status(held, started),
            hint="" if started else "When the meeting starts",
        )
    )
    written = booked and meeting.minutes_written
    tasks.append(
        Task(
            TaskKey.WRITE_MINUTES,
            "Write the minutes",
            _status(written, held),
            hint="" if held else "After the meeting is held",
        )
    )
    approved = booked and meeting.minutes_approved
    may_approve = facts.role == ADMIN or (booked and meeting.reader_chairs)
    tasks.append(
        Task(
            TaskKey.APPROVE_MINUTES,
            "Approve the minutes",
            _status(approved, written),
            hint=("" if may_approve else "The chair approves them") if written else "After the minutes are written",
            actionable=may_approve,
        )
    )
    tasks.append(
        Task(
            TaskKey.AGREE_ACTIONS,
            "Agree the action plan",
            _status(facts.actions > 0, held),
            hint="" if held else "After the meeting is held",
        )
    )
    if runs_case:
        outcome_sent = "outcome" in facts.issued or stage in {"outcome-sent", "plan-live"}
        tasks.append(
            Task(
                TaskKey.ISSUE_OUTCOME,
                "Issue the outcome letter",
                _status(outcome_sent, held),
                hint="" if held else "After the meeting is held",
            )
        )
    return tasks


def _agency_tasks(facts: CaseFacts) -> list[Task]:
    tasks: list[Task] = []
    if facts.my_invitation_pending is not None:
        tasks.append(
            Task(
                TaskKey.ANSWER_INVITATION,
                "Answer your meeting invitation",
                _status(not facts.my_invitation_pending, True),
            )
        )
    if facts.my_actions or facts.stage in _MEETING_STAGES:
        plan_agreed = facts.my_actions > 0
        tasks.append(
            Task(
                TaskKey.UPDATE_ACTIONS,
                f"Update your agency's actions ({facts.my_open_actions} open)"
                if plan_agreed
                else "Update your agency's actions",
                _status(plan_agreed and facts.my_open_actions == 0, plan_agreed),
                hint="" if plan_agreed else "When the plan gives your agency an action",
            )
        )
    return tasks


def _escalation_tasks(facts: CaseFacts) -> list[Task]:
    may_decide = facts.role in {ADMIN, PCC_REVIEWER}
    return [
        Task(
            TaskKey.ESCALATION_OUTCOME,
            "Record the escalation outcome",
            TaskStatus.TO_DO,
            hint="" if may_decide else "The reviewing body records it",
            actionable=may_decide,
        )
    ]
