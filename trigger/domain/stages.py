"""The stages of one Community Trigger case and the moves allowed between them (DOMAIN.md section 2).

The allowed transitions live here, in one table, so the web layer, the CLI and the API cannot disagree about
what may follow what. `trigger.cases.services.move_to` is the only code that changes a case's stage: it asks
`transition_problem` first and writes the audit event. Pure: no Flask, no database.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum

__all__ = ["ALLOWED_TRANSITIONS", "DECISION_STAGES", "OPEN_STAGES", "Stage", "next_stages", "transition_problem"]


class Stage(StrEnum):
    RECEIVED = "received"
    ACKNOWLEDGED = "acknowledged"
    THRESHOLD_MET = "threshold-met"
    THRESHOLD_NOT_MET = "threshold-not-met"
    REVIEW_SCHEDULED = "review-scheduled"
    REVIEW_HELD = "review-held"
    OUTCOME_SENT = "outcome-sent"
    PLAN_LIVE = "plan-live"
    ESCALATED = "escalated"
    CLOSED = "closed"

    @property
    def label(self) -> str:
        return _LABELS[self]


_LABELS: Mapping[Stage, str] = {
    Stage.RECEIVED: "Application received",
    Stage.ACKNOWLEDGED: "Acknowledged",
    Stage.THRESHOLD_MET: "Threshold met",
    Stage.THRESHOLD_NOT_MET: "Threshold not met",
    Stage.REVIEW_SCHEDULED: "Review meeting scheduled",
    Stage.REVIEW_HELD: "Review meeting held",
    Stage.OUTCOME_SENT: "Outcome sent",
    Stage.PLAN_LIVE: "Action plan live",
    Stage.ESCALATED: "Escalated",
    Stage.CLOSED: "Closed",
}

#: Stages reached only by recording a threshold decision (which carries reasons, decision maker and date).
DECISION_STAGES = frozenset({Stage.THRESHOLD_MET, Stage.THRESHOLD_NOT_MET})

# Why the less obvious moves exist:
# - an application may be withdrawn (closed) at any open stage;
# - "threshold not met" may become "met" when the bodies reconsider (new information, or a challenge);
# - a plan that is live may need another review meeting;
# - an escalation that is upheld is referred back (to a new decision or a new review), one not upheld ends
#   where the case was (plan live) or closes.
ALLOWED_TRANSITIONS: Mapping[Stage, frozenset[Stage]] = {
    Stage.RECEIVED: frozenset({Stage.ACKNOWLEDGED, Stage.THRESHOLD_MET, Stage.THRESHOLD_NOT_MET, Stage.CLOSED}),
    Stage.ACKNOWLEDGED: frozenset({Stage.THRESHOLD_MET, Stage.THRESHOLD_NOT_MET, Stage.CLOSED}),
    Stage.THRESHOLD_MET: frozenset({Stage.REVIEW_SCHEDULED, Stage.CLOSED}),
    Stage.THRESHOLD_NOT_MET: frozenset({Stage.THRESHOLD_MET, Stage.ESCALATED, Stage.CLOSED}),
    Stage.REVIEW_SCHEDULED: frozenset({Stage.REVIEW_HELD, Stage.CLOSED}),
    Stage.REVIEW_HELD: frozenset({Stage.OUTCOME_SENT, Stage.REVIEW_SCHEDULED, Stage.CLOSED}),
    Stage.OUTCOME_SENT: frozenset({Stage.PLAN_LIVE, Stage.ESCALATED, Stage.CLOSED}),
    Stage.PLAN_LIVE: frozenset({Stage.REVIEW_SCHEDULED, Stage.ESCALATED, Stage.CLOSED}),
    # ACKNOWLEDGED: an upheld escalation that disputes the threshold decision is referred back for a new
    # decision, i.e. to the stage just before one (trigger.domain.escalations.reopen_stage).
    Stage.ESCALATED: frozenset(
        {
            Stage.ACKNOWLEDGED,
            Stage.THRESHOLD_MET,
            Stage.THRESHOLD_NOT_MET,
            Stage.REVIEW_SCHEDULED,
            Stage.PLAN_LIVE,
            Stage.CLOSED,
        }
    ),
    Stage.CLOSED: frozenset(),
}

OPEN_STAGES = frozenset(stage for stage in Stage if stage is not Stage.CLOSED)


def transition_problem(current: Stage, target: Stage) -> str | None:
    """Why a case at `current` may not move to `target`, in plain English; None when the move is allowed."""
    if current is Stage.CLOSED:
        return "The case is closed: its stage cannot change."
    if target is current:
        return f"The case is already at the stage “{current.label}”."
    if target not in ALLOWED_TRANSITIONS[current]:
        allowed = ", ".join(f"“{s.label}”" for s in sorted(ALLOWED_TRANSITIONS[current], key=_order))
        return f"A case at “{current.label}” cannot move to “{target.label}”. It can move to: {allowed}."
    return None


def _order(stage: Stage) -> int:
    return list(Stage).index(stage)


def next_stages(current: Stage) -> list[Stage]:
    """The stages `current` may move to, in lifecycle order."""
    return sorted(ALLOWED_TRANSITIONS[current], key=_order)
