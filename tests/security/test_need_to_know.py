"""Need to know beyond the routes (issue 13, points 1, 2, 3 and 8): the case timeline, possibly linked cases, the
escalation page, restricted actions and recommendations, and what reaches the applicant.

Each test is the reproduction of a side channel found by trying the product as each role: it failed before the
fix. The canary crawl (tests/security/test_need_to_know_crawl.py) keeps the whole class closed.
"""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, time, timedelta

import pytest

from tests.conftest import login, post, text_of
from tests.documents_helpers import pdf_text
from trigger.documents.contexts import load_case_for_documents
from trigger.extensions import db
from trigger.models import (
    Action,
    ActionPlan,
    AgencyType,
    Attendee,
    AttendeeKind,
    AttendeeStatus,
    Case,
    Channel,
    Incident,
    IncidentReport,
    Meeting,
    MeetingKind,
    MeetingStatus,
    Perpetrator,
    PlanStatus,
    Priority,
    Recommendation,
    Role,
)
from trigger.domain.stages import Stage

M2_RECOMMENDATION = "Seek a closure order on the flat upstairs (M2)"
M2_RESPONSE = "Vale Homes will apply to court in January (M2)"
RESTRICTED_ACTION = "Safeguarding referral for the children at the flat (restricted)"
RESTRICTED_UPDATE = "Referral sent to the MASH on Tuesday (restricted)"
PERPETRATOR = "Gary Grimshaw"
PERPETRATOR_ADDRESS = "14 Quarrel Close, Testbury"


class World:
    pass


@pytest.fixture
def world(app, org, make_user, make_agency, make_area):
    """Case 1 involves the police and Vale Homes. Meeting M1 has both on its attendee list; meeting M2 only Vale
    Homes. Vale Homes owns a restricted action. Case 2 (same applicant, so linked) involves only Vale Homes."""
    w = World()
    w.area = make_area()
    w.police = make_agency("Vale Police", AgencyType.POLICE)
    w.homes = make_agency("Vale Homes", AgencyType.HOUSING)
    w.coordinator = make_user(Role.COORDINATOR, name="Cora Coordinator")
    w.chair = make_user(Role.CHAIR, name="Charles Chair")
    w.viewer = make_user(Role.VIEWER)
    w.pcc = make_user(Role.PCC_REVIEWER)
    w.police_rep = make_user(Role.AGENCY_REP, agency=w.police, name="Pip Police")
    w.homes_rep = make_user(Role.AGENCY_REP, agency=w.homes, name="Hal Homes")
    today = date.today()

    def case(reference: str, agency, applicant_email: str) -> Case:
        c = Case(
            reference=reference,
            area_id=w.area.id,
            received_on=today - timedelta(days=40),
            channel=Channel.PHONE,
            applicant_name="Jane Applicant",
            applicant_address="1 Elm Road, Testbury",
            applicant_postcode="TB1 2AB",
            applicant_email=applicant_email,
            stage=Stage.PLAN_LIVE,
            created_by_id=w.coordinator.id,
        )
        db.session.add(c)
        db.session.flush()
        incident = Incident(case_id=c.id, occurred_on=today - timedelta(days=50), description="Shouting at night")
        db.session.add(incident)
        db.session.flush()
        db.session.add(
            IncidentReport(incident_id=incident.id, agency_id=agency.id, reported_on=today - timedelta(days=49))
        )
        return c

    w.case = case("ASB-2026-0101", w.police, "jane@example.org")
    w.other = case("ASB-2025-0777", w.homes, "jane.other@example.org")
    db.session.add(Perpetrator(case_id=w.case.id, name=PERPETRATOR, address=PERPETRATOR_ADDRESS))

    def meeting(days_ago: int, agencies) -> Meeting:
        starts = datetime.combine(today - timedelta(days=days_ago), time(10), tzinfo=UTC)
        m = Meeting(
            case_id=w.case.id,
            kind=MeetingKind.REVIEW,
            starts_at=starts,
            ends_at=starts + timedelta(hours=1),
            chair_id=w.chair.id,
            status=MeetingStatus.HELD,
            ics_uid=f"{uuid.uuid4()}@test",
            place="Council House",
        )
        db.session.add(m)
        db.session.flush()
        for agency in agencies:
            db.session.add(
                Attendee(
                    meeting_id=m.id,
                    kind=AttendeeKind.AGENCY_REPRESENTATIVE,
                    agency_id=agency.id,
                    name=f"Someone from {agency.name}",
                    status=AttendeeStatus.ATTENDED,
                )
            )
        return m

    w.m1 = meeting(20, [w.police, w.homes])
    w.m2 = meeting(10, [w.homes])
    plan = ActionPlan(case_id=w.case.id, status=PlanStatus.LIVE)
    db.session.add(plan)
    db.session.flush()
    w.due = today + timedelta(days=30)
    w.restricted = Action(
        plan_id=plan.id,
        description=RESTRICTED_ACTION,
        owner_agency_id=w.homes.id,
        due_on=w.due,
        original_due_on=w.due,
        priority=Priority.HIGH,
        restricted=True,
    )
    w.shared = Action(
        plan_id=plan.id,
        description="Patrol Elm Road on Friday nights",
        owner_agency_id=w.police.id,
        due_on=w.due,
        original_due_on=w.due,
        priority=Priority.MEDIUM,
    )
    db.session.add_all([w.restricted, w.shared])
    db.session.commit()
    return w


def signed_in(app, user):
    client = app.test_client()
    login(client, user)
    return client


def add_m2_recommendation_and_response(app, w):
    coordinator = signed_in(app, w.coordinator)
    base = f"/cases/{w.case.id}/meetings/{w.m2.id}"
    response = post(coordinator, f"{base}/recommendations", {"agency_id": str(w.homes.id), "text": M2_RECOMMENDATION})
    assert response.status_code == 302, text_of(response)[:500]
    recommendation = db.session.query(Recommendation).filter_by(meeting_id=w.m2.id).one()
    response = post(
        coordinator,
        f"{base}/recommendations/{recommendation.id}/response",
        {"response_text": M2_RESPONSE, "responded_on": date.today().isoformat()},
    )
    assert response.status_code == 302, text_of(response)[:500]
    return recommendation


# ---- 1. the timeline and the escalation page ------------------------------------------------------------------


def test_the_timeline_shows_a_meeting_s_recommendation_and_response_only_to_those_who_may_see_the_meeting(app, world):
    add_m2_recommendation_and_response(app, world)
    url = f"/cases/{world.case.id}/timeline"
    for user in (world.coordinator, world.homes_rep, world.chair, world.viewer):
        page = text_of(signed_in(app, user).get(url))
        assert M2_RECOMMENDATION in page and M2_RESPONSE in page, user.role

    police = signed_in(app, world.police_rep)
    assert police.get(f"/cases/{world.case.id}/meetings/{world.m2.id}").status_code == 403
    page = text_of(police.get(url))
    assert "Timeline" in page and "ASB-2026-0101" in page
    assert M2_RECOMMENDATION not in page and M2_RESPONSE not in page
    assert "Someone from Vale Homes" not in text_of(police.get(url + "?timeline=all"))


def test_the_escalation_page_lists_only_the_recommendations_of_meetings_the_person_may_see(app, world):
    from trigger.models.escalations import Escalation

    add_m2_recommendation_and_response(app, world)
    world.case.stage = Stage.ESCALATED
    from trigger.models.escalations import ReviewingBody

    escalation = Escalation(
        case_id=world.case.id,
        escalated_from=Stage.PLAN_LIVE,
        received_on=date.today(),
        outcome_letter_on=date.today(),
        ground_review_not_proper=True,
        applicant_summary="Nothing changed",
        consent_to_share=True,
        consent_on=date.today(),
        window_due_on=date.today(),
        window_working_days=20,
        working_days_after_letter=1,
        decision_due_on=date.today() + timedelta(days=28),
        reviewing_body=list(ReviewingBody)[0],
    )
    db.session.add(escalation)
    db.session.commit()
    url = f"/escalations/{escalation.id}"
    assert M2_RECOMMENDATION in text_of(signed_in(app, world.pcc).get(url))
    page = signed_in(app, world.police_rep).get(url)
    assert page.status_code == 200
    assert M2_RECOMMENDATION not in text_of(page)


# ---- 2. possibly linked cases --------------------------------------------------------------------------------


def test_linked_cases_are_shown_only_when_the_viewer_may_open_them(app, world):
    from trigger.cases.services import flag_links

    flag_links(world.case)  # same applicant: case 2 is flagged as possibly linked, both ways
    db.session.commit()
    url = f"/cases/{world.case.id}"
    assert "ASB-2025-0777" in text_of(signed_in(app, world.coordinator).get(url))
    police = signed_in(app, world.police_rep)
    assert police.get(f"/cases/{world.other.id}").status_code == 403
    page = text_of(police.get(url + "?timeline=all"))
    assert "ASB-2025-0777" not in page and "Possibly linked" not in page


# ---- 8. restricted actions -------------------------------------------------------------------------------------


def test_a_restricted_action_is_one_neutral_line_for_other_partners_on_the_plan_csv_and_timeline(app, world):
    homes = signed_in(app, world.homes_rep)
    response = post(
        homes,
        f"/actions/{world.restricted.id}/update",
        {"note": RESTRICTED_UPDATE, "status": "in-progress", "reason": "", "version": str(world.restricted.version)},
    )
    assert response.status_code == 302, text_of(response)[:500]
    neutral = f"A restricted action owned by Vale Homes, due {world.due.day} {world.due:%B %Y}"

    for user in (world.coordinator, world.chair, world.homes_rep):
        client = signed_in(app, user)
        plan = text_of(client.get(f"/cases/{world.case.id}/plan"))
        assert RESTRICTED_ACTION in plan and RESTRICTED_UPDATE in plan, user.role
        assert RESTRICTED_ACTION in client.get(f"/cases/{world.case.id}/plan.csv").get_data(as_text=True)

    for user in (world.police_rep, world.viewer):
        client = signed_in(app, user)
        plan = text_of(client.get(f"/cases/{world.case.id}/plan"))
        assert neutral in plan, user.role
        assert "Patrol Elm Road on Friday nights" in plan  # the rest of the plan is shared, as before
        assert RESTRICTED_ACTION not in plan and RESTRICTED_UPDATE not in plan
        csv = client.get(f"/cases/{world.case.id}/plan.csv").get_data(as_text=True)
        assert neutral in csv and RESTRICTED_ACTION not in csv and RESTRICTED_UPDATE not in csv
        timeline = text_of(client.get(f"/cases/{world.case.id}?timeline=all"))
        assert f"{neutral}: updated" in timeline and RESTRICTED_UPDATE not in timeline
        # ...and the action's own pages refuse them
        assert client.get(f"/actions/{world.restricted.id}/update").status_code == 403


def test_the_issued_action_plan_and_minutes_show_restricted_items_as_neutral_lines(app, world):
    from trigger.documents.rendering import render_document
    from trigger.models import DocumentKind

    db.session.add(
        Recommendation(
            meeting_id=world.m1.id,
            agency_id=world.homes.id,
            restricted=True,
            text="Apply for an injunction against the tenant's household",
        )
    )
    db.session.commit()
    case = load_case_for_documents(world.case.id)
    plan = pdf_text(render_document(DocumentKind.ACTION_PLAN, case, draft=False, large_print=False))
    assert "A restricted action owned by Vale Homes" in plan and RESTRICTED_ACTION not in plan
    assert "Patrol Elm Road on Friday nights" in plan
    minutes = pdf_text(
        render_document(DocumentKind.MINUTES_FULL, case, draft=False, large_print=False, meeting_id=world.m1.id)
    )
    assert "A restricted recommendation to Vale Homes" in minutes
    assert "injunction" not in minutes


def test_a_reminder_email_never_quotes_a_restricted_action(app, world):
    from tests.deadlines_helpers import emails_to
    from trigger.deadlines.reminders import run_reminders

    from trigger.models import Notification

    world.restricted.due_on = world.restricted.original_due_on = date.today() - timedelta(days=3)
    world.restricted.owner_user_id = world.homes_rep.id
    world.homes.contact_email = "asb@valehomes.example"
    db.session.commit()
    run_reminders(date.today())
    db.session.commit()
    emails = emails_to("asb@valehomes.example") + emails_to(world.homes_rep.email)
    assert len(emails) == 2
    assert RESTRICTED_ACTION not in " ".join(m.subject + m.body for m in emails)
    notice = db.session.query(Notification).filter_by(user_id=world.homes_rep.id).one()
    assert "a restricted action (Vale Homes)" in notice.body and RESTRICTED_ACTION not in notice.body


# ---- 3. what reaches the applicant -----------------------------------------------------------------------------


def test_a_wording_for_the_applicant_that_names_another_person_or_address_is_refused_with_a_reason(app, world):
    coordinator = signed_in(app, world.coordinator)
    base = f"/cases/{world.case.id}/meetings/{world.m1.id}/recommendations"
    response = post(
        coordinator,
        base,
        {
            "agency_id": str(world.homes.id),
            "text": "Warn the tenant",
            "victim_visible": "y",
            "victim_wording": f"Vale Homes will write to {PERPETRATOR}",
        },
    )
    assert response.status_code == 400
    assert f"mentions “{PERPETRATOR}”" in text_of(response)
    response = post(
        coordinator,
        base,
        {
            "agency_id": str(world.homes.id),
            "text": "Warn the tenant",
            "victim_visible": "y",
            "victim_wording": "Vale Homes will write to the household at 9 Birch Avenue",
        },
    )
    assert response.status_code == 400 and "“9 Birch Avenue”" in text_of(response)
    assert db.session.query(Recommendation).count() == 0  # nothing saved

    response = post(
        coordinator,
        f"/cases/{world.case.id}/plan/actions/new",
        {
            "description": "Visit",
            "owner_agency_id": str(world.police.id),
            "priority": "medium",
            "due_on": world.due.isoformat(),
            "victim_visible": "y",
            "victim_wording": f"We will visit {PERPETRATOR} at {PERPETRATOR_ADDRESS}",
            "version": "",
        },
    )
    assert "another person or address on the case" in text_of(response), text_of(response)[:1500]
    assert response.status_code == 400


def test_the_outcome_letter_prints_only_shared_recommendations_in_the_applicant_s_wording(app, world):
    from trigger.documents.rendering import render_document
    from trigger.models import DocumentKind

    coordinator = signed_in(app, world.coordinator)
    base = f"/cases/{world.case.id}/meetings/{world.m1.id}/recommendations"
    assert (
        post(
            coordinator,
            base,
            {
                "agency_id": str(world.homes.id),
                "text": "Vale Homes: Consider a Community Protection Warning against the tenant",
            },
        ).status_code
        == 302
    )
    assert (
        post(
            coordinator,
            base,
            {
                "agency_id": str(world.police.id),
                "text": "Police to patrol on Fridays",
                "victim_visible": "y",
                "victim_wording": "The police will patrol your road on Friday nights",
            },
        ).status_code
        == 302
    )
    case = load_case_for_documents(world.case.id)
    letter = pdf_text(
        render_document(
            DocumentKind.OUTCOME,
            case,
            draft=False,
            large_print=False,
            meeting_id=world.m1.id,
            findings="Reports were not shared.",
        )
    )
    assert "The police will patrol your road on Friday nights" in letter
    assert "Community Protection Warning" not in letter and "Police to patrol on Fridays" not in letter

    # Sharing is decided later too, on its own page (the minutes may be approved by then).
    unshared = db.session.query(Recommendation).filter(Recommendation.text.like("%Community Protection%")).one()
    url = f"{base}/{unshared.id}/sharing"
    assert "Who may read this recommendation" in text_of(coordinator.get(url))
    response = post(
        coordinator, url, {"victim_visible": "y", "victim_wording": "Vale Homes will consider formal action"}
    )
    assert response.status_code == 302
    db.session.expire_all()  # the page saved it in its own request
    letter = pdf_text(
        render_document(
            DocumentKind.OUTCOME,
            case,
            draft=False,
            large_print=False,
            meeting_id=world.m1.id,
            findings="Reports were not shared.",
        )
    )
    assert "Vale Homes will consider formal action" in letter and "Community Protection Warning" not in letter


def test_an_address_typed_into_free_text_reads_as_another_address_in_a_letter():
    from trigger.domain.need_to_know import Redactor

    redact = Redactor([PERPETRATOR, PERPETRATOR_ADDRESS], keep=["Jane Applicant", "1 Elm Road, Testbury", "TB1 2AB"])
    said = redact(
        f"{PERPETRATOR} of 14 Quarrel Close shouted at the people at 22 Birch Avenue, TB9 9ZZ. "
        "Jane Applicant at 1 Elm Road waited 2 hours in the park."
    )
    assert said == (
        "another person of another address shouted at the people at another address, another address. "
        "Jane Applicant at 1 Elm Road waited 2 hours in the park."
    )
    assert "[removed]" not in said
