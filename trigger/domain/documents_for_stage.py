"""Which documents matter at each stage of a case, so the Documents page offers those first.

A coordinator at "threshold met" is about to send invitations, not an escalation outcome letter; escalation
letters are not offered at all until the case has an escalation. Pure: stages and document kinds come in as
their string values (trigger.domain.stages.Stage, trigger.models.DocumentKind).
"""

from __future__ import annotations

__all__ = ["ESCALATION_KINDS", "RELEVANT_AT", "split_by_relevance"]

ESCALATION_KINDS = frozenset({"escalation-acknowledgement", "escalation-outcome"})

RELEVANT_AT: dict[str, tuple[str, ...]] = {
    "received": ("acknowledgement",),
    "acknowledged": ("threshold-decision",),
    "threshold-met": ("threshold-decision", "invitation-agency", "invitation-victim"),
    "threshold-not-met": ("threshold-decision",),
    "review-scheduled": ("invitation-agency", "invitation-victim"),
    "review-held": ("minutes-full", "minutes-summary", "action-plan", "outcome"),
    "outcome-sent": ("outcome", "action-plan", "minutes-summary"),
    "plan-live": ("action-plan",),
    "escalated": ("escalation-acknowledgement", "escalation-outcome"),
    "closed": (),
}


def split_by_relevance(stage: str, kinds: list[str], *, has_escalation: bool) -> tuple[list[str], list[str]]:
    """(the kinds for this stage, in the order of work; the other kinds, in their usual order). Escalation
    letters are left out entirely while the case has never been escalated."""
    offered = [k for k in kinds if has_escalation or k not in ESCALATION_KINDS]
    relevant = [k for k in RELEVANT_AT.get(stage, ()) if k in offered]
    return relevant, [k for k in offered if k not in relevant]
