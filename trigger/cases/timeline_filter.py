"""Which of a case's timeline entries a person may read.

The timeline is the case's audit trail, and an audit summary quotes its subject: a recommendation's text,
another agency's response, who was added to a meeting, a linked case's reference. So each entry is shown only
to people who may see its subject, by the same rules as the subject's own page (trigger.authz):

- a meeting, its minutes, attendees and recommendations: people who may see the meeting (an agency
  representative only when their agency is on its attendee list); other people do not learn of the entry;
- a restricted action or recommendation: people who may read it; others who may see the plan or the meeting
  read one neutral line instead (trigger.domain.need_to_know);
- an issued document: people who may read that document;
- a possible link to another case: people who may open the other case;
- a step of a restorative justice referral: people who may see the referral (trigger.authz.can_view_referral).

Everything else about the case (its stage, threshold, deadlines, escalations) is for whoever may see the case.
Subjects are looked up in a few queries per page, whatever the number of entries.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from sqlalchemy import select

from trigger.authz import can_read_restricted, case_visibility, reads_every_document, visible_meetings
from trigger.domain.need_to_know import restricted_action_line, restricted_recommendation_line
from trigger.extensions import db
from trigger.models import (
    Action,
    Agency,
    AnonymisedCase,
    Case,
    IssuedDocument,
    Meeting,
    MinuteItem,
    Recommendation,
    Role,
)
from trigger.models.restorative import RestorativeReferral

#: How a neutral line says what happened to a restricted record, by the audit action.
_NEUTRAL_VERBS = {
    "action.created": "added",
    "action.changed": "changed",
    "action.reassigned": "reassigned",
    "action.redated": "re-dated",
    "action.updated": "updated",
    "action.update_refused": "an update was refused",
    "meeting.recommendation_added": "added",
    "meeting.recommendation_response": "response recorded",
    "meeting.recommendation_sharing": "changed",
}


def filter_timeline(viewer: Any, case: Case, rows: Iterable[Any]) -> Iterator[tuple[Any, str, str]]:
    """(at, actor label, summary) for each row the viewer may read, a neutral summary where that is all they may
    know. `rows` carry at, actor_label, summary, action, object_type, object_id, details."""
    rows = list(rows)
    if rows and _anonymised(case):
        # The trail is append-only, so the words of events written before the case was anonymised (a reason, a
        # name quoted in a summary) are still in it; the timeline no longer shows them to anyone.
        for row in rows:
            yield row.at, row.actor_label, _ANONYMISED_SUMMARY.get(row.action.split(".")[0], _ANONYMISED_DEFAULT)
        return
    subjects = _Subjects(viewer, case, rows)
    for row in rows:
        summary = subjects.summary_for(row)
        if summary is not None:
            yield row.at, row.actor_label, summary


class _Subjects:
    """The subjects of a page of timeline rows, loaded at once, and what the viewer may know of each."""

    def __init__(self, viewer: Any, case: Case, rows: list[Any]) -> None:
        self.viewer = viewer
        ids: dict[str, set[int]] = {}
        for row in rows:
            if row.object_id is not None:
                ids.setdefault(row.object_type, set()).add(row.object_id)
        meetings = list(db.session.scalars(select(Meeting).where(Meeting.case_id == case.id)))
        self.meetings = {m.id for m in meetings}
        self.visible_meetings = {m.id for m in visible_meetings(viewer, case, meetings)}
        self.minute_items = (
            dict(
                db.session.execute(
                    select(MinuteItem.id, MinuteItem.meeting_id).where(MinuteItem.id.in_(ids.get("minute_item", set())))
                ).all()
            )
            if ids.get("minute_item")
            else {}
        )
        self.recommendations = (
            {
                r.id: r
                for r in db.session.execute(
                    select(
                        Recommendation.id,
                        Recommendation.meeting_id,
                        Recommendation.restricted,
                        Recommendation.agency_id,
                        Agency.name.label("agency_name"),
                    )
                    .join(Agency, Agency.id == Recommendation.agency_id)
                    .where(Recommendation.id.in_(ids["recommendation"]))
                )
            }
            if ids.get("recommendation")
            else {}
        )
        self.actions = (
            {
                a.id: a
                for a in db.session.execute(
                    select(
                        Action.id,
                        Action.restricted,
                        Action.owner_agency_id,
                        Action.due_on,
                        Agency.name.label("agency_name"),
                    )
                    .join(Agency, Agency.id == Action.owner_agency_id)
                    .where(Action.id.in_(ids["action"]))
                )
            }
            if ids.get("action")
            else {}
        )
        self.documents = (
            {
                d.id: d
                for d in db.session.execute(
                    select(IssuedDocument.id, IssuedDocument.kind, IssuedDocument.meeting_id).where(
                        IssuedDocument.id.in_(ids["issued_document"])
                    )
                )
            }
            if ids.get("issued_document")
            else {}
        )
        self.referral_agencies = (
            dict(
                db.session.execute(
                    select(RestorativeReferral.id, RestorativeReferral.agency_id).where(
                        RestorativeReferral.id.in_(ids["restorative_referral"])
                    )
                ).all()
            )
            if ids.get("restorative_referral")
            else {}
        )
        linked = {
            int(row.details["linked_case_id"])
            for row in rows
            if row.action == "case.linked"
            and isinstance(row.details, dict)
            and str(row.details.get("linked_case_id", "")).isdigit()
        }
        self.openable_cases = (
            set(db.session.scalars(select(Case.id).where(Case.id.in_(linked), case_visibility(viewer))))
            if linked
            else set()
        )

    def _meeting_visible(self, meeting_id: int | None) -> bool:
        # A meeting deleted since (cancelled meetings stay) leaves its entries to those who see every meeting.
        if meeting_id in self.meetings:
            return meeting_id in self.visible_meetings
        return self.viewer.role is not Role.AGENCY_REP

    def _referral_visible(self, referral_id: int | None) -> bool:
        """The rule of can_view_referral, for a case the viewer already sees: staff who see whole cases, and the
        restorative justice service the referral was made to."""
        if self.viewer.role in (Role.ADMIN, Role.COORDINATOR, Role.CHAIR, Role.VIEWER):
            return True
        return (
            self.viewer.role is Role.AGENCY_REP
            and self.viewer.agency_id is not None
            and self.referral_agencies.get(referral_id) == self.viewer.agency_id
        )

    def summary_for(self, row: Any) -> str | None:
        """The summary the viewer reads, a neutral line, or None: they do not learn of this entry."""
        kind, object_id = row.object_type, row.object_id
        if kind == "meeting":
            return row.summary if self._meeting_visible(object_id) else None
        if kind == "minute_item":
            return row.summary if self._meeting_visible(self.minute_items.get(object_id)) else None
        if kind == "recommendation":
            recommendation = self.recommendations.get(object_id)
            if recommendation is None:
                return row.summary if self.viewer.role is not Role.AGENCY_REP else None
            if not self._meeting_visible(recommendation.meeting_id):
                return None
            if recommendation.restricted and not can_read_restricted(self.viewer, recommendation.agency_id):
                return _neutral(restricted_recommendation_line(recommendation.agency_name), row.action)
            return row.summary
        if kind == "action":
            action = self.actions.get(object_id)
            if (
                action is not None
                and action.restricted
                and not can_read_restricted(self.viewer, action.owner_agency_id)
            ):
                return _neutral(restricted_action_line(action.agency_name, action.due_on), row.action)
            return row.summary
        if kind == "issued_document":
            document = self.documents.get(object_id)
            if reads_every_document(self.viewer):
                return row.summary
            if document is None or document.kind.for_applicant:
                return None
            return row.summary if document.meeting_id is None or self._meeting_visible(document.meeting_id) else None
        if kind == "restorative_referral":
            return row.summary if self._referral_visible(object_id) else None
        if row.action == "case.linked":
            details = row.details if isinstance(row.details, dict) else {}
            other = details.get("linked_case_id")
            return row.summary if other is not None and int(other) in self.openable_cases else None
        return row.summary


_ANONYMISED_DEFAULT = "A change to the case (details removed when the case was anonymised)"
_ANONYMISED_SUMMARY = {
    "case": "A change to the case (details removed when the case was anonymised)",
    "meeting": "A change to a meeting (details removed when the case was anonymised)",
    "minutes": "A change to the minutes (details removed when the case was anonymised)",
    "action": "A change to an action (details removed when the case was anonymised)",
    "document": "A document event (details removed when the case was anonymised)",
}


def _anonymised(case: Case) -> bool:
    return db.session.scalar(select(AnonymisedCase.case_id).where(AnonymisedCase.case_id == case.id)) is not None


def _neutral(line: str, action: str) -> str:
    verb = _NEUTRAL_VERBS.get(action)
    return f"{line}: {verb}" if verb else line
