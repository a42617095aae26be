"""Who may do what: every authorisation rule lives here, and every endpoint names one.

Views are wrapped with `@allow(POLICY)`. A test walks `app.url_map` and fails for any endpoint that has no
policy, so a new route cannot be reachable by accident. Object-level rules (may this user see this case?)
are plain functions here too, used by the loaders in the views and by templates to hide what a user may not do.
Deny by default: a policy returns True only for the roles it names.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any

from flask import abort
from flask_login import current_user
from sqlalchemy import false, func, or_, select, true, union

from trigger.domain.stages import Stage
from trigger.extensions import db, login_manager
from trigger.models import Action, ActionPlan, Attendee, Case, CaseAgency, Incident, IncidentReport, Meeting, Role
from trigger.models.escalations import Escalation
from trigger.models.restorative import RestorativeReferral


@dataclass(frozen=True)
class Policy:
    """A named rule about the signed-in person (or the anonymous visitor)."""

    name: str
    check: Callable[[Any], bool]
    needs_login: bool = True

    def allows(self, user: Any) -> bool:
        if self.needs_login and not getattr(user, "is_authenticated", False):
            return False
        return bool(self.check(user))


def _has_role(*roles: Role) -> Callable[[Any], bool]:
    return lambda user: user.role in roles


PUBLIC = Policy("anyone, signed in or not", lambda user: True, needs_login=False)
SIGNED_IN = Policy("any signed-in user", lambda user: True)
ADMIN = Policy("administrators", _has_role(Role.ADMIN))
VIEW_AUDIT = Policy("administrators and auditors", _has_role(Role.ADMIN, Role.VIEWER))
# Which cases each role sees is decided per case by can_view_case / visible_cases below.
VIEW_CASES = Policy("anyone who works on cases", _has_role(*Role))
MANAGE_CASES = Policy("coordinators and administrators", _has_role(Role.ADMIN, Role.COORDINATOR))


# ---- cases: need-to-know (DOMAIN.md sections 4 and 6) -----------------------------------------------------
#
# One SQL condition decides which cases a user may see. The case list filters with it and can_view_case asks
# the database the same question about one case, so the list and the case page can never disagree.


def _involvement_sources():
    """The four ways an agency is involved in a case, each a SELECT of (case id, agency id): an incident on the
    case was reported to it; it owns an action on the case's plan; it is on the attendee list of one of the case's
    meetings; it (a restorative justice service) took a restorative referral of the case. The one statement of
    the rule: case_visibility filters with it, and trigger.involvement keeps case_agencies from it."""
    return (
        select(Incident.case_id.label("case_id"), IncidentReport.agency_id.label("agency_id")).join(
            IncidentReport, IncidentReport.incident_id == Incident.id
        ),
        select(ActionPlan.case_id, Action.owner_agency_id).join(Action, Action.plan_id == ActionPlan.id),
        select(Meeting.case_id, Attendee.agency_id)
        .join(Attendee, Attendee.meeting_id == Meeting.id)
        .where(Attendee.agency_id.is_not(None)),
        select(RestorativeReferral.case_id, RestorativeReferral.agency_id),
    )


def involvement_pairs(case_ids=None):
    """Every (case id, agency id) of an agency involved in a case, once each (a UNION), for all cases or for the
    cases ``case_ids`` (a list, or a SELECT of ids)."""
    involved, owns_action, attends_meeting, restorative = _involvement_sources()
    if case_ids is not None:
        involved = involved.where(Incident.case_id.in_(case_ids))
        owns_action = owns_action.where(ActionPlan.case_id.in_(case_ids))
        attends_meeting = attends_meeting.where(Meeting.case_id.in_(case_ids))
        restorative = restorative.where(RestorativeReferral.case_id.in_(case_ids))
    return union(involved, owns_action, attends_meeting, restorative)


def case_visibility(user: Any, *, one_case: bool = False):
    """A WHERE condition on Case: the cases `user` may see. Deny by default (false() for anyone unknown).

    ``one_case``: the same rule written as correlated EXISTS, for asking about one case (can_view_case): the
    list's IN (...) would make the database gather every case the agency is involved in to answer for one.
    """
    if not getattr(user, "is_authenticated", False) or not getattr(user, "is_active", False):
        return false()
    if _sees_every_case(user):
        return true()
    if user.role is Role.PCC_REVIEWER:
        # Escalated cases, and cases that have been escalated: a reviewer still sees the case after recording
        # the outcome (trigger.escalations).
        return (Case.stage == Stage.ESCALATED) | Case.id.in_(select(Escalation.case_id))
    if user.role is Role.AGENCY_REP and user.agency_id is not None:
        involved, owns_action, attends_meeting, restorative = (
            source.where(agency == user.agency_id)
            for source, agency in zip(
                _involvement_sources(),
                (IncidentReport.agency_id, Action.owner_agency_id, Attendee.agency_id, RestorativeReferral.agency_id),
                strict=True,
            )
        )
        if one_case:
            return or_(
                involved.where(Incident.case_id == Case.id).exists(),
                owns_action.where(ActionPlan.case_id == Case.id).exists(),
                attends_meeting.where(Meeting.case_id == Case.id).exists(),
                restorative.where(RestorativeReferral.case_id == Case.id).exists(),
            )
        return (
            Case.id.in_(involved.with_only_columns(Incident.case_id))
            | Case.id.in_(owns_action.with_only_columns(ActionPlan.case_id))
            | Case.id.in_(attends_meeting.with_only_columns(Meeting.case_id))
            | Case.id.in_(restorative.with_only_columns(RestorativeReferral.case_id))
        )
    return false()


def listed_case_visibility(user: Any):
    """case_visibility for the case list: the same cases, an agency representative's read from case_agencies
    (kept by trigger.involvement) instead of from every report, action and attendee row of their agency. The
    list checks the cases it shows with visible_among, so a case the table wrongly named is never shown."""
    if (
        getattr(user, "is_authenticated", False)
        and getattr(user, "is_active", False)
        and user.role is Role.AGENCY_REP
        and user.agency_id is not None
    ):
        # EXISTS, not IN: the list is newest first, and SQLite then walks the cases in that order and stops at the
        # page's last one, instead of gathering all of the agency's cases and sorting them (police, scale-10 data:
        # 0.1 ms against 16 ms; PostgreSQL 0.7 against 1.2 ms).
        return (
            select(CaseAgency.case_id)
            .where(CaseAgency.case_id == Case.id, CaseAgency.agency_id == user.agency_id)
            .exists()
        )
    return case_visibility(user)


def listed_case_count(user: Any):
    """How many cases an agency representative's unfiltered case list holds, counted from case_agencies alone (one
    range of its agency index: the police, scale-10 data on SQLite, 0.4 ms against 8.7 ms for testing every case
    with listed_case_visibility's EXISTS); None for anyone else, whose count the list's statement gives. The same
    number: case_agencies holds each (case, agency) pair once, and a pair goes with its case."""
    if (
        getattr(user, "is_authenticated", False)
        and getattr(user, "is_active", False)
        and user.role is Role.AGENCY_REP
        and user.agency_id is not None
    ):
        return select(func.count()).select_from(CaseAgency).where(CaseAgency.agency_id == user.agency_id)
    return None


def visible_among(user: Any, case_ids: list[int]) -> set[int]:
    """Which of ``case_ids`` `user` may see, by the rule itself (case_visibility), in one statement."""
    if not case_ids:
        return set()
    if getattr(user, "is_authenticated", False) and getattr(user, "is_active", False) and _sees_every_case(user):
        return set(case_ids)
    visible = case_visibility(user, one_case=True)
    return set(db.session.scalars(select(Case.id).where(Case.id.in_(case_ids), visible)))


def _sees_every_case(user: Any) -> bool:
    return user.role in (Role.ADMIN, Role.COORDINATOR, Role.CHAIR, Role.VIEWER)


def visible_cases(user: Any):
    """SELECT of the cases `user` may see, to be refined (search, filters, order) by the caller."""
    return select(Case).where(case_visibility(user))


def can_view_case(user: Any, case: Any) -> bool:
    if case is None or case.id is None:
        return False
    if getattr(user, "is_authenticated", False) and getattr(user, "is_active", False) and _sees_every_case(user):
        return True  # the same answer as case_visibility's true(), without asking the database (4 times a page)
    visible = case_visibility(user, one_case=True)
    return db.session.scalar(select(Case.id).where(Case.id == case.id, visible)) is not None


def can_manage_case(user: Any, case: Any) -> bool:
    """Change a case (record decisions, move its stage): coordinators and administrators who can see it."""
    return MANAGE_CASES.allows(user) and can_view_case(user, case)


def allow(policy: Policy) -> Callable:
    """Declare and enforce who may use a view: 302 to sign-in when signed out, 403 when not permitted."""

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            if policy.needs_login and not current_user.is_authenticated:
                return login_manager.unauthorized()
            if not policy.allows(current_user):
                abort(403)
            return view(*args, **kwargs)

        wrapped.trigger_policy = policy  # type: ignore[attr-defined]
        return wrapped

    return decorator


def policy_of(view: Callable) -> Policy | None:
    return getattr(view, "trigger_policy", None)


def can_see_notification(user: Any, notification: Any) -> bool:
    """A notification is its recipient's alone, whatever their role (administrators included)."""
    return bool(getattr(user, "is_authenticated", False)) and notification.user_id == user.id


# ---- action plans (trigger.actions) ------------------------------------------------------------------------

MANAGE_PLANS = Policy("coordinators, chairs and administrators", _has_role(Role.ADMIN, Role.COORDINATOR, Role.CHAIR))
MY_ACTIONS = Policy("agency representatives", _has_role(Role.AGENCY_REP))
MY_MEETINGS = Policy("chairs and agency representatives", _has_role(Role.CHAIR, Role.AGENCY_REP))


def can_answer_invitation(user: Any, attendee: Any) -> bool:
    """Only the invited person answers their invitation in the product (anyone else uses the emailed link)."""
    return (
        attendee is not None
        and getattr(user, "is_authenticated", False)
        and getattr(user, "is_active", False)
        and attendee.user_id is not None
        and attendee.user_id == user.id
    )


# Pages about one action (/actions/<id>/...): what a person may do to that action is decided per action by
# can_update_action / can_manage_plan. The routes let every case worker in so that a refused attempt (another
# agency's action, a forged post) reaches the view, which refuses it with 403 AND records it in the audit trail.
ACTION_PAGES = Policy("anyone who works on cases; per action by can_update_action / can_manage_plan", VIEW_CASES.check)


def can_manage_plan(user: Any, case: Any) -> bool:
    """Create, edit, reassign and re-date actions, set the plan's status: coordinators, chairs, administrators."""
    return MANAGE_PLANS.allows(user) and can_view_case(user, case)


def can_update_action(user: Any, action: Any, *, manages_plan: bool | None = None) -> bool:
    """Post a progress update: the owning agency's representatives, and whoever manages the plan.

    `action.plan` must be loaded (trigger.actions.services.load_action does). A page listing many actions of
    one plan passes `manages_plan` (can_manage_plan, asked once) so the check costs no query per action.
    Deny by default.
    """
    if action is None or not getattr(user, "is_authenticated", False) or not getattr(user, "is_active", False):
        return False
    if user.role is Role.AGENCY_REP:
        return user.agency_id is not None and action.owner_agency_id == user.agency_id
    if manages_plan is not None:
        return manages_plan
    return can_manage_plan(user, db.session.get(Case, action.plan.case_id))


# ---- restricted actions and recommendations -----------------------------------------------------------------
#
# Partners of a case review share its plan; but some actions and recommendations (enforcement against a named
# person, a safeguarding referral) are restricted: read in full only by the owning agency, chairs, coordinators
# and administrators. Everyone else who can see the plan sees one neutral line (trigger.domain.need_to_know),
# on every channel: pages, the timeline, CSV, PDFs and emails.

_RESTRICTED_READERS = (Role.ADMIN, Role.COORDINATOR, Role.CHAIR)


def can_read_restricted(user: Any, owner_agency_id: int | None) -> bool:
    """May `user` read the words of a restricted record owned by (or addressed to) `owner_agency_id`?"""
    if not getattr(user, "is_authenticated", False) or not getattr(user, "is_active", False):
        return False
    if user.role in _RESTRICTED_READERS:
        return True
    return user.role is Role.AGENCY_REP and user.agency_id is not None and user.agency_id == owner_agency_id


def can_read_action(user: Any, action: Any) -> bool:
    """The words of an action (description, updates, reasons) for someone who can see its plan."""
    if action is None:
        return False
    return not action.restricted or can_read_restricted(user, action.owner_agency_id)


def can_read_recommendation(user: Any, recommendation: Any) -> bool:
    """The words of a recommendation (and the body's response) for someone who can see its meeting."""
    if recommendation is None:
        return False
    return not recommendation.restricted or can_read_restricted(user, recommendation.agency_id)


# ---- case review meetings (trigger.meetings) ----------------------------------------------------------------
#
# Minutes are agency-only (OFFICIAL-SENSITIVE). An agency representative reads a meeting only when their agency
# is on its attendee list; everyone else reads it when they can see the case. Nobody outside the product (the
# applicant included) ever sees the minutes: the applicant gets a summary letter, not these pages.

MANAGE_MEETINGS = MANAGE_CASES
EDIT_MINUTES = Policy("coordinators, chairs and administrators", _has_role(Role.ADMIN, Role.COORDINATOR, Role.CHAIR))
APPROVE_MINUTES = Policy("chairs and administrators", _has_role(Role.ADMIN, Role.CHAIR))


def can_view_meeting(user: Any, meeting: Any) -> bool:
    if meeting is None or not getattr(user, "is_authenticated", False) or not getattr(user, "is_active", False):
        return False
    if user.role is Role.AGENCY_REP:
        if user.agency_id is None:
            return False
        on_the_list = db.session.scalar(
            select(Attendee.id).where(Attendee.meeting_id == meeting.id, Attendee.agency_id == user.agency_id).limit(1)
        )
        if on_the_list is None:
            return False
    return can_view_case(user, db.session.get(Case, meeting.case_id))


def visible_meetings(user: Any, case: Any, meetings: list) -> list:
    """`can_view_meeting` for all the meetings of one case at once, in at most two queries however many there
    are (a case reviewed for years has dozens). Same rule: the case must be visible, and an agency
    representative's agency must be on the meeting's attendee list. Deny by default."""
    if not meetings or not getattr(user, "is_authenticated", False) or not getattr(user, "is_active", False):
        return []
    if not can_view_case(user, case):
        return []
    if user.role is Role.AGENCY_REP:
        if user.agency_id is None:
            return []
        listed = set(
            db.session.scalars(
                select(Attendee.meeting_id).where(
                    Attendee.meeting_id.in_([m.id for m in meetings]), Attendee.agency_id == user.agency_id
                )
            )
        )
        return [m for m in meetings if m.id in listed and m.case_id == case.id]
    return [m for m in meetings if m.case_id == case.id]


def can_edit_minutes(user: Any, meeting: Any) -> bool:
    """Record minutes, attendance and recommendations: coordinators, chairs and administrators."""
    return EDIT_MINUTES.allows(user) and can_view_meeting(user, meeting)


def can_approve_minutes(user: Any, meeting: Any) -> bool:
    """Only the meeting's own chair (or an administrator) approves its minutes."""
    if meeting is None or not APPROVE_MINUTES.allows(user) or not can_view_meeting(user, meeting):
        return False
    return user.role is Role.ADMIN or meeting.chair_id == user.id


# ---- escalations (trigger.escalations) ----------------------------------------------------------------------
#
# Coordinators record the applicant's request; PCC reviewers (and administrators) record the outcome. Anyone
# who can see the case can read its escalations (agency representatives included, read only); nobody else.

RECORD_ESCALATIONS = Policy("coordinators and administrators", _has_role(Role.ADMIN, Role.COORDINATOR))
DECIDE_ESCALATIONS = Policy("PCC reviewers and administrators", _has_role(Role.ADMIN, Role.PCC_REVIEWER))
LIST_ESCALATIONS = Policy(
    "PCC reviewers, coordinators and administrators", _has_role(Role.ADMIN, Role.COORDINATOR, Role.PCC_REVIEWER)
)
# One escalation's page: per escalation by can_view_escalation (whoever can see its case).
ESCALATION_PAGES = Policy("anyone who works on cases; per escalation by can_view_escalation", VIEW_CASES.check)


def can_view_escalation(user: Any, escalation: Any) -> bool:
    if escalation is None:
        return False
    return can_view_case(user, db.session.get(Case, escalation.case_id))


def can_record_escalation(user: Any, case: Any) -> bool:
    return RECORD_ESCALATIONS.allows(user) and can_view_case(user, case)


def can_decide_escalation(user: Any, escalation: Any) -> bool:
    """Record the outcome of an undecided escalation: PCC reviewers and administrators who can see the case."""
    if escalation is None or escalation.outcome is not None:
        return False
    return DECIDE_ESCALATIONS.allows(user) and can_view_escalation(user, escalation)


# ---- correcting a case's details after intake (trigger.cases.corrections) ----------------------------------------
#
# The applicant's details and each incident's details can be corrected after intake, with a reason, by the people
# who manage the case (coordinators and administrators who can see it). Everyone else reads them only.

CORRECT_CASES = MANAGE_CASES


def can_correct_case(user: Any, case: Any) -> bool:
    return CORRECT_CASES.allows(user) and can_view_case(user, case)


# ---- risk assessment, duplicate incidents, recommendation responses (issues 3 and 5 leftovers) ---------------
#
# Administrators edit the risk questionnaire (ADMIN). Coordinators and administrators who can see a case assess
# its risk and mark duplicate incidents (can_manage_case). Coordinators and administrators record each body's
# response to a recommendation, on meetings they can see.

ASSESS_RISK = MANAGE_CASES
MARK_DUPLICATES = MANAGE_CASES
RECORD_RESPONSES = MANAGE_MEETINGS


def can_assess_risk(user: Any, case: Any) -> bool:
    return can_manage_case(user, case)


def can_record_response(user: Any, meeting: Any) -> bool:
    return RECORD_RESPONSES.allows(user) and can_view_meeting(user, meeting)


# ---- deadlines (trigger.deadlines) -------------------------------------------------------------------------------
#
# The dashboard scopes itself by role (trigger.deadlines.dashboard.dashboard): staff see every case deadline and
# action, an agency representative their agency's actions only, a PCC reviewer the escalation deadlines.

DEADLINE_DASHBOARD = Policy(
    "coordinators, chairs, administrators, agency representatives and PCC reviewers",
    _has_role(Role.ADMIN, Role.COORDINATOR, Role.CHAIR, Role.AGENCY_REP, Role.PCC_REVIEWER),
)


# ---- documents (trigger.documents) --------------------------------------------------------------------------------
#
# Coordinators and administrators issue documents; chairs (and they) preview drafts. Letters to the applicant are
# read by staff who see the whole case (coordinators, chairs, administrators, viewers) and by PCC reviewers on the
# escalated cases they see; agency representatives read only the agencies' documents (full minutes of meetings
# their agency is on, the action plan, the agency invitation) on cases they can see. Deny by default.

DOCUMENT_PAGES = Policy("anyone who works on cases; per document by can_see_document", VIEW_CASES.check)
PREVIEW_DOCUMENTS = Policy(
    "coordinators, chairs and administrators", _has_role(Role.ADMIN, Role.COORDINATOR, Role.CHAIR)
)
ISSUE_DOCUMENTS = MANAGE_CASES
_ALL_DOCUMENT_READERS = (Role.ADMIN, Role.COORDINATOR, Role.CHAIR, Role.VIEWER, Role.PCC_REVIEWER)


def reads_every_document(user: Any) -> bool:
    """Roles that read every document of the cases they see, letters to the applicant included."""
    return getattr(user, "is_authenticated", False) and user.role in _ALL_DOCUMENT_READERS


def can_see_document_kind(user: Any, case: Any, kind: Any) -> bool:
    """May `user` read documents of this kind on this case (the register rows, downloads)?"""
    if not getattr(user, "is_authenticated", False) or not can_view_case(user, case):
        return False
    if user.role in _ALL_DOCUMENT_READERS:
        return True
    return user.role is Role.AGENCY_REP and not kind.for_applicant


def can_see_document(user: Any, case: Any, document: Any) -> bool:
    if document is None or not can_see_document_kind(user, case, document.kind):
        return False
    if user.role is Role.AGENCY_REP and document.meeting_id is not None:
        return can_view_meeting(user, db.session.get(Meeting, document.meeting_id))
    return True


def can_preview_documents(user: Any, case: Any) -> bool:
    return PREVIEW_DOCUMENTS.allows(user) and can_view_case(user, case)


def can_issue_documents(user: Any, case: Any) -> bool:
    return ISSUE_DOCUMENTS.allows(user) and can_view_case(user, case)


# ---- statistics (trigger.statistics) ------------------------------------------------------------------------------
#
# The statutory figures are aggregate counts with no personal data: staff who see every case (administrators,
# coordinators, chairs, viewers / auditors) and PCC reviewers, who report timeliness and escalation outcomes to the
# PCC and the Home Office, may see them for every area. Agency representatives may not: they see only their own
# agency's work, and a per-area count of a small area can point at a case they are not involved in. Users are not
# tied to areas, so whoever may see the statistics may see every area's; an area that does not exist is refused
# with a message on the form (trigger.statistics.selection).

VIEW_STATISTICS = Policy(
    "administrators, coordinators, chairs, viewers and PCC reviewers",
    _has_role(Role.ADMIN, Role.COORDINATOR, Role.CHAIR, Role.VIEWER, Role.PCC_REVIEWER),
)

# ---- information governance (trigger.governance) --------------------------------------------------------------

MANAGE_LEGAL_HOLDS = Policy("administrators", _has_role(Role.ADMIN))


def can_manage_legal_hold(user: Any, case: Any) -> bool:
    return MANAGE_LEGAL_HOLDS.allows(user) and can_view_case(user, case)


# ---- restorative justice (trigger.restorative) ----------------------------------------------------------------
#
# Coordinators, chairs and administrators refer a case. The referral is worked by the restorative justice service
# it was made to (agency representatives of that agency) and by chairs, coordinators and administrators.
# Viewers read the pathway's state. Preparation notes and feedback answers are seen only by the restorative
# justice service that holds the referral and by chairs (DOMAIN.md section 7a): not other agencies, not the
# coordinator, not viewers or PCC reviewers, and never the other party. Deny by default.

REFER_RESTORATIVE = Policy(
    "coordinators, chairs and administrators", _has_role(Role.ADMIN, Role.COORDINATOR, Role.CHAIR)
)
RESTORATIVE_PAGES = Policy("anyone who works on cases; per referral by can_view_referral", VIEW_CASES.check)
RESTORATIVE_QUESTIONS = ADMIN
RESTORATIVE_FIGURES = Policy(
    "coordinators, chairs, administrators and viewers", _has_role(Role.ADMIN, Role.COORDINATOR, Role.CHAIR, Role.VIEWER)
)


def _is_referral_service(user: Any, referral: Any) -> bool:
    return (
        user.role is Role.AGENCY_REP
        and user.agency_id is not None
        and referral is not None
        and user.agency_id == referral.agency_id
    )


def can_refer_restorative(user: Any, case: Any) -> bool:
    return REFER_RESTORATIVE.allows(user) and can_view_case(user, case)


def can_view_referral(user: Any, referral: Any) -> bool:
    if referral is None or not getattr(user, "is_authenticated", False) or not getattr(user, "is_active", False):
        return False
    if user.role in (Role.ADMIN, Role.COORDINATOR, Role.CHAIR, Role.VIEWER) or _is_referral_service(user, referral):
        return can_view_case(user, db.session.get(Case, referral.case_id))
    return False


def can_work_referral(user: Any, referral: Any) -> bool:
    """Record the steps of the pathway (telling, assessment, consent, booking, agreement, follow-up, closing)."""
    if not can_view_referral(user, referral):
        return False
    return user.role in (Role.ADMIN, Role.COORDINATOR, Role.CHAIR) or _is_referral_service(user, referral)


def can_read_restorative_confidential(user: Any, referral: Any) -> bool:
    """Preparation notes and feedback answers: the referral's restorative justice service and chairs only."""
    if not can_view_referral(user, referral):
        return False
    return user.role is Role.CHAIR or _is_referral_service(user, referral)


# ---- operations: the monitoring endpoint ---------------------------------------------------------------------


def status_token_allows(authorization_header: str, configured_token: str) -> bool:
    """`Authorization: Bearer <STATUS_TOKEN>`, compared in constant time (no timing hint about the token)."""
    import hmac

    scheme, _, presented = authorization_header.partition(" ")
    if scheme.lower() != "bearer" or not presented.strip():
        return False
    return hmac.compare_digest(presented.strip().encode(), configured_token.encode())
