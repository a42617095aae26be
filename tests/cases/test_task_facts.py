"""The task list's facts (trigger.cases.tasks.task_facts) are read in two statements (issue 19). This checks them,
for every case of the demo county and every kind of reader, against the same facts worked out the slow, plain way
from the ORM objects, and that the pages a task opens are the ones the facts name."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from tests.conftest import login, text_of
from trigger.authz import visible_meetings
from trigger.cases.tasks import task_facts
from trigger.demo.county import load_demo
from trigger.demo.restorative import load_restorative_demo
from trigger.demo.stories import load_stories
from trigger.domain.case_tasks import CaseFacts, MeetingFacts
from trigger.extensions import db
from trigger.models import (
    Action,
    ActionPlan,
    Attendee,
    AttendeeStatus,
    Case,
    Escalation,
    IssuedDocument,
    Meeting,
    MeetingStatus,
    MinuteItem,
    MinuteRevision,
    MinutesApproval,
    Role,
    ThresholdDecision,
    User,
    utcnow,
)
from trigger.models.actions import OPEN_STATUSES


def plainly(case: Case, viewer: User, now) -> tuple[CaseFacts, int | None, int | None]:
    """The facts the slow way: every row loaded, counted in Python."""
    issued = {d.kind.value for d in db.session.scalars(select(IssuedDocument).where(IssuedDocument.case_id == case.id))}
    meetings = [
        m
        for m in db.session.scalars(select(Meeting).where(Meeting.case_id == case.id))
        if m.status is not MeetingStatus.CANCELLED
    ]
    latest = max(meetings, key=lambda m: (m.starts_at, m.id), default=None)
    if latest is not None and not visible_meetings(viewer, case, [latest]):
        latest = None
    meeting_facts, invitation = None, None
    rep = viewer.role is Role.AGENCY_REP and viewer.agency_id is not None
    if latest is not None:
        attendees = list(db.session.scalars(select(Attendee).where(Attendee.meeting_id == latest.id)))
        items = list(db.session.scalars(select(MinuteItem).where(MinuteItem.meeting_id == latest.id)))
        revisions = [
            r
            for r in db.session.scalars(select(MinuteRevision).where(MinuteRevision.item_id.in_([i.id for i in items])))
            if r.text
        ]
        approvals = list(db.session.scalars(select(MinutesApproval).where(MinutesApproval.meeting_id == latest.id)))
        meeting_facts = MeetingFacts(
            started=latest.starts_at <= now,
            held=latest.status is MeetingStatus.HELD,
            attendees=len(attendees),
            uninvited=sum(1 for a in attendees if a.invited_at is None),
            minutes_written=bool(revisions),
            minutes_approved=bool(approvals),
            reader_chairs=latest.chair_id == viewer.id,
        )
        own = [a for a in attendees if a.user_id == viewer.id and a.invited_at is not None]
        if rep and latest.status is MeetingStatus.SCHEDULED and own:
            invitation = own[0].status is AttendeeStatus.INVITED
    actions = list(
        db.session.scalars(
            select(Action).join(ActionPlan, Action.plan_id == ActionPlan.id).where(ActionPlan.case_id == case.id)
        )
    )
    mine = [a for a in actions if rep and a.owner_agency_id == viewer.agency_id]
    undecided = [
        e.id for e in db.session.scalars(select(Escalation).where(Escalation.case_id == case.id)) if e.outcome is None
    ]
    decided = db.session.scalars(select(ThresholdDecision).where(ThresholdDecision.case_id == case.id)).first()
    facts = CaseFacts(
        stage=case.stage.value,
        role=viewer.role.value,
        decided=decided is not None,
        issued=frozenset(issued & {"acknowledgement", "threshold-decision", "outcome"}),
        meeting=meeting_facts,
        actions=len(actions),
        my_actions=len(mine),
        my_open_actions=sum(1 for a in mine if a.status in OPEN_STATUSES),
        my_invitation_pending=invitation,
        escalation_undecided=bool(undecided),
    )
    return facts, latest.id if latest is not None else None, max(undecided, default=None)


@pytest.fixture
def county(app):
    accounts = load_demo("test")
    load_stories()  # one case at every stage
    db.session.commit()
    load_restorative_demo()  # and the restorative pathway's
    db.session.commit()
    return accounts


def test_the_facts_match_the_plain_reading_for_every_case_and_reader(app, county):
    readers = list(db.session.scalars(select(User).where(User.active.is_(True)).order_by(User.id)))
    roles = {r.role for r in readers}
    assert {Role.COORDINATOR, Role.CHAIR, Role.AGENCY_REP, Role.ADMIN} <= roles
    cases = list(db.session.scalars(select(Case).order_by(Case.id)))
    # The demo county must exercise every fact, or this test would prove little.
    seen = {"meeting": 0, "written": 0, "approved": 0, "uninvited": 0, "my_open": 0, "invited": 0, "escalation": 0}
    now = utcnow()
    for case in cases:
        for reader in readers:
            gathered = task_facts(case, reader, now)
            expected, meeting_id, escalation_id = plainly(case, reader, now)
            assert gathered.facts == expected, (case.reference, reader.role, reader.email)
            assert gathered.meeting_id == meeting_id and gathered.escalation_id == escalation_id
            meeting = gathered.facts.meeting
            seen["meeting"] += meeting is not None
            seen["written"] += bool(meeting and meeting.minutes_written)
            seen["approved"] += bool(meeting and meeting.minutes_approved)
            seen["uninvited"] += bool(meeting and meeting.uninvited)
            seen["my_open"] += gathered.facts.my_open_actions > 0
            seen["invited"] += gathered.facts.my_invitation_pending is not None
            seen["escalation"] += gathered.facts.escalation_undecided
    assert all(seen[key] for key in ("meeting", "written", "approved", "my_open", "escalation")), seen
    # A meeting tomorrow has not started; one an hour ago has.
    case = next(c for c in cases if task_facts(c, readers[0], now).meeting_id is not None)
    coordinator = next(r for r in readers if r.role is Role.COORDINATOR)
    meeting = db.session.get(Meeting, task_facts(case, coordinator, now).meeting_id)
    assert task_facts(case, coordinator, meeting.starts_at - timedelta(hours=1)).facts.meeting.started is False
    assert task_facts(case, coordinator, meeting.starts_at + timedelta(hours=1)).facts.meeting.started is True


def test_the_escalation_task_opens_the_escalation_waiting_for_a_decision(app, county):
    escalation = db.session.scalar(select(Escalation).where(Escalation.outcome.is_(None)).order_by(Escalation.id))
    assert escalation is not None, "the demo county has an escalation waiting for a decision"
    password = {a.email: a.password for a in county}
    pages = {}
    for role in (Role.ADMIN, Role.COORDINATOR):
        user = db.session.scalar(select(User).where(User.role == role).order_by(User.id))
        client = app.test_client()
        login(client, user, password[user.email])
        pages[role] = client.get(f"/cases/{escalation.case_id}").get_data(as_text=True)
    # The administrator records it: one click away. The coordinator is told who does.
    assert f'href="/escalations/{escalation.id}/outcome"' in pages[Role.ADMIN]
    assert "Record the escalation outcome" in pages[Role.COORDINATOR]
    assert "The reviewing body records it" in pages[Role.COORDINATOR]
    assert f'href="/escalations/{escalation.id}/outcome"' not in pages[Role.COORDINATOR]


def test_the_summary_facts_match_the_plain_reading_and_the_page_shows_what_they_name(app, county):
    """trigger.cases.summary reads the summary's other facts in the same statement: each matches the plain count,
    and the summary shows each section it says a case has (and loads none it says the case has not)."""
    from trigger.cases import services as case_services
    from trigger.cases.summary import summary_facts
    from trigger.governance.retention import place_hold
    from trigger.models import AnonymisedCase, CaseLink, LegalHold, RestorativeReferral, RiskAssessment, RiskLevel

    admin = db.session.scalar(select(User).where(User.role == Role.ADMIN).order_by(User.id))
    cases = list(db.session.scalars(select(Case).order_by(Case.id)))
    place_hold(cases[0], "Litigation pending", admin)
    # The demo county has no risk questionnaire answered: one assessment, as trigger.risk.services keeps it.
    db.session.add(
        RiskAssessment(
            case_id=cases[1].id,
            assessed_by_id=admin.id,
            assessed_on=date.today(),
            level=RiskLevel.HIGH,
            score=5,
            max_score=6,
        )
    )
    db.session.commit()

    def count(model, *where) -> int:
        return len(db.session.scalars(select(model).where(*where)).all())

    seen = {"escalations": 0, "risk": 0, "referrals": 0, "links": 0, "held": 0, "coordinator": 0}
    for case in cases:
        facts = summary_facts(case, admin)
        assert facts.tasks.facts == task_facts(case, admin).facts
        assert facts.has_escalations == bool(count(Escalation, Escalation.case_id == case.id)), case.reference
        assert facts.has_risk_assessment == bool(count(RiskAssessment, RiskAssessment.case_id == case.id))
        assert facts.has_referrals == bool(count(RestorativeReferral, RestorativeReferral.case_id == case.id))
        linked = count(CaseLink, (CaseLink.case_id == case.id) | (CaseLink.linked_case_id == case.id))
        assert facts.has_links == bool(linked) == bool(case_services.links_of(case, admin))
        assert facts.held == bool(count(LegalHold, LegalHold.case_id == case.id, LegalHold.lifted_at.is_(None)))
        assert facts.anonymised == bool(count(AnonymisedCase, AnonymisedCase.case_id == case.id))
        coordinator = db.session.get(User, case.coordinator_id) if case.coordinator_id else None
        assert (facts.coordinator and facts.coordinator.name) == (coordinator and coordinator.name)
        for key, value in (
            ("escalations", facts.has_escalations),
            ("risk", facts.has_risk_assessment),
            ("referrals", facts.has_referrals),
            ("links", facts.has_links),
            ("held", facts.held),
            ("coordinator", facts.coordinator),
        ):
            seen[key] += bool(value)
    assert all(seen.values()), seen  # the demo county (and the hold above) exercise every fact

    password = {a.email: a.password for a in county}
    client = app.test_client()
    login(client, admin, password[admin.email])
    held = client.get(f"/cases/{cases[0].id}").get_data(as_text=True)
    assert "Legal hold" in held and "Litigation pending" in held
    escalated = next(c for c in cases if summary_facts(c, admin).has_escalations)
    assert "Escalation received" in client.get(f"/cases/{escalated.id}").get_data(as_text=True)
    referred = next(c for c in cases if summary_facts(c, admin).has_referrals)
    assert "Referral of" in client.get(f"/cases/{referred.id}").get_data(as_text=True)
    assessed = text_of(client.get(f"/cases/{cases[1].id}"))
    assert "a score of 5 out of 6" in assessed
