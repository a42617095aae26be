"""case_agencies (trigger.involvement) holds exactly the agencies the rule says are involved in each case
(trigger.authz.involvement_pairs), through every kind of change; an agency representative's case list is read from
it, and never shows a case the rule does not allow them, even when the table is wrong (issue 19)."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import delete, insert, select

from tests.conftest import TEST_PASSWORD, login, text_of
from trigger.auth.passwords import hash_password
from trigger.authz import case_visibility, involvement_pairs
from trigger.demo.county import load_demo
from trigger.demo.restorative import load_restorative_demo
from trigger.demo.stories import load_stories
from trigger.extensions import db
from trigger.models import (
    Action,
    ActionPlan,
    Agency,
    Attendee,
    AttendeeKind,
    Case,
    CaseAgency,
    Incident,
    IncidentReport,
    Meeting,
    Role,
    User,
)


@pytest.fixture
def county(app):
    load_demo("test")
    load_stories()  # one case at every stage
    db.session.commit()
    load_restorative_demo()  # and the restorative pathway's
    db.session.commit()


def table() -> set[tuple[int, int]]:
    return set(db.session.execute(select(CaseAgency.case_id, CaseAgency.agency_id)).tuples())


def rule() -> set[tuple[int, int]]:
    return set(db.session.execute(involvement_pairs()).tuples())


def in_step() -> set[tuple[int, int]]:
    db.session.commit()
    pairs = table()
    assert pairs == rule()
    return pairs


def test_the_demo_county_is_recorded_as_the_rule_says(app, county):
    pairs = in_step()
    # every source is there: reports, actions' owners, attendees and restorative referrals
    assert len(pairs) > 20
    assert {
        (c, a) for c, a in db.session.execute(select(ActionPlan.case_id, Action.owner_agency_id).join(Action))
    } <= pairs


def test_every_kind_of_change_keeps_the_table_to_the_rule(app, county):
    case = db.session.scalar(
        select(Case).where(Case.id.in_(select(Meeting.case_id)), Case.id.in_(select(ActionPlan.case_id))).limit(1)
    )
    involved = {a for c, a in rule() if c == case.id}
    outsiders = db.session.scalars(select(Agency).where(Agency.id.not_in(involved)).order_by(Agency.id)).all()
    first, second = outsiders[0], outsiders[1]
    incident = db.session.scalar(select(Incident).where(Incident.case_id == case.id).limit(1))

    # a report to a new agency involves it; pointed at another agency, it involves that one instead
    report = IncidentReport(incident_id=incident.id, agency_id=first.id, reported_on=date.today())
    db.session.add(report)
    assert (case.id, first.id) in in_step()
    report.agency_id = second.id
    pairs = in_step()
    assert (case.id, second.id) in pairs and (case.id, first.id) not in pairs
    db.session.delete(report)
    assert (case.id, second.id) not in in_step()

    # an agency on a meeting's attendee list, then taken off it
    meeting = db.session.scalar(select(Meeting).where(Meeting.case_id == case.id).limit(1))
    attendee = Attendee(
        meeting_id=meeting.id, kind=AttendeeKind.AGENCY_REPRESENTATIVE, agency_id=first.id, name="A. Newcomer"
    )
    db.session.add(attendee)
    assert (case.id, first.id) in in_step()
    db.session.delete(attendee)
    assert (case.id, first.id) not in in_step()

    # an action given to another agency, and back
    action = db.session.scalar(
        select(Action).join(ActionPlan).where(ActionPlan.case_id == case.id).order_by(Action.id).limit(1)
    )
    owner = action.owner_agency_id
    action.owner_agency_id = second.id
    assert (case.id, second.id) in in_step()
    action.owner_agency_id = owner
    assert (case.id, second.id) not in in_step()

    # an edit of something else leaves the table alone (and in step)
    action.description = action.description + " (reworded)"
    in_step()

    # a new incident reported to an outsider, then removed with its reports
    extra = Incident(case_id=case.id, occurred_on=date.today(), description="Shouting in the stairwell")
    extra.reports.append(IncidentReport(agency_id=first.id, reported_on=date.today()))
    db.session.add(extra)
    assert (case.id, first.id) in in_step()
    db.session.delete(extra)
    assert (case.id, first.id) not in in_step()


def _rep_of(app, agency: Agency) -> tuple[User, object]:
    user = User(
        email=f"rep.{agency.id}@test.example",
        name="Rita Rep",
        role=Role.AGENCY_REP,
        agency_id=agency.id,
        password_hash=hash_password(TEST_PASSWORD, "test"),
    )
    db.session.add(user)
    db.session.commit()
    client = app.test_client()
    login(client, user)
    return user, client


def test_a_representatives_case_list_shows_the_cases_their_agency_is_involved_in(app, county):
    case = db.session.scalar(select(Case).where(Case.id.in_(select(Meeting.case_id))).order_by(Case.id).limit(1))
    involved = {a for c, a in rule() if c == case.id}
    agency = db.session.scalar(select(Agency).where(Agency.id.not_in(involved)).order_by(Agency.id).limit(1))
    user, client = _rep_of(app, agency)
    before = text_of(client.get("/cases"))
    assert case.reference not in before

    # their agency is put on the attendee list of one of the case's meetings: the case is on their list
    meeting = db.session.scalar(select(Meeting).where(Meeting.case_id == case.id).limit(1))
    db.session.add(
        Attendee(meeting_id=meeting.id, kind=AttendeeKind.AGENCY_REPRESENTATIVE, agency_id=agency.id, name="R. Rep")
    )
    db.session.commit()
    page = text_of(client.get("/cases"))
    theirs = db.session.scalar(select(db.func.count()).select_from(Case).where(case_visibility(user)))
    assert case.reference in page and f"{theirs} case" in page
    # the unfiltered list counts from case_agencies alone, a filtered one with its filter: both say the rule's number
    elsewhere = db.session.scalar(select(Incident).where(Incident.case_id != case.id).order_by(Incident.id).limit(1))
    db.session.add(IncidentReport(incident_id=elsewhere.id, agency_id=agency.id, reported_on=date.today()))
    db.session.commit()
    theirs = db.session.scalar(select(db.func.count()).select_from(Case).where(case_visibility(user)))
    assert f"{theirs} case" in text_of(client.get("/cases"))
    assert theirs == 2
    found = text_of(client.get(f"/cases?q={case.reference}"))
    assert "1 case" in found and case.reference in found


def test_a_wrong_row_in_the_table_never_shows_a_case(app, county):
    case = db.session.scalar(select(Case).order_by(Case.id).limit(1))
    involved = {a for c, a in rule() if c == case.id}
    agency = db.session.scalar(select(Agency).where(Agency.id.not_in(involved)).order_by(Agency.id).limit(1))
    user, client = _rep_of(app, agency)
    # the table says the agency is involved (a bug, or an edit made in psql): the rule says it is not
    db.session.execute(insert(CaseAgency).values(case_id=case.id, agency_id=agency.id))
    db.session.commit()
    page = text_of(client.get("/cases"))
    assert case.reference not in page and case.applicant_name not in page
    assert client.get(f"/cases/{case.id}").status_code == 403
    db.session.execute(delete(CaseAgency).where(CaseAgency.case_id == case.id, CaseAgency.agency_id == agency.id))
    db.session.commit()
