"""Reminder digests and the coordinator of a case: a case's reminders go to the coordinator who looks after it,
everyone gets one digest a run, and the coordinator is set when a coordinator records or acknowledges a case and
can be changed (audited)."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from tests.cases_helpers import make_case
from tests.conftest import login, post, text_of
from tests.deadlines_helpers import action, bare_case, deadline, emails_to
from trigger.deadlines.dates import long_date
from trigger.deadlines.reminders import DIGEST_LINES, run_reminders
from trigger.domain.deadlines import DeadlineKind as K
from trigger.domain.workdays import Nation, WorkingCalendar
from trigger.extensions import db
from trigger.models import AuditEvent, Case, Role

TODAY = date(2026, 6, 10)
CAL = WorkingCalendar(Nation.ENGLAND_AND_WALES)


def wd(n: int) -> date:
    return CAL.add_working_days(TODAY, n)


@pytest.fixture
def staff(make_user, make_agency):
    police = make_agency("Severn Police")
    return dict(
        police=police,
        tom=make_user(Role.COORDINATOR, email="tom@vale.example", name="Tom Evans"),
        grace=make_user(Role.COORDINATOR, email="grace@vale.example", name="Grace Okafor"),
        chair=make_user(Role.CHAIR, email="chair@vale.example"),
    )


def test_a_cases_reminders_go_to_its_coordinator_and_escalations_to_the_chairs_too(app, make_area, staff):
    area = make_area()
    toms = bare_case(area, coordinator=staff["tom"])
    deadline(toms, K.ACKNOWLEDGE, wd(1))  # coming up: Tom only
    deadline(toms, K.THRESHOLD_DECISION, wd(-6))  # escalated: Tom and the chair, not Grace
    nobodys = bare_case(area)
    deadline(nobodys, K.MEETING, TODAY)  # no coordinator: both coordinators
    run_reminders(TODAY)
    db.session.commit()

    tom = emails_to("tom@vale.example")[0]
    assert tom.subject == "Trigger: 3 deadline reminders (1 overdue)"
    assert toms.reference in tom.body and nobodys.reference in tom.body
    grace = emails_to("grace@vale.example")[0]
    assert grace.subject == "Trigger: 1 deadline reminder" and toms.reference not in grace.body
    assert f"{nobodys.reference}: Hold the case review meeting: due {long_date(TODAY)} (due today)" in grace.body
    chair = emails_to("chair@vale.example")[0]
    assert f"{toms.reference}: Decide whether the threshold is met" in chair.body
    assert "Acknowledge the application" not in chair.body and nobodys.reference not in chair.body


def test_a_long_digest_lists_fifty_items_and_counts_the_rest(app, make_area, staff):
    area = make_area()
    for i in range(DIGEST_LINES + 10):
        deadline(bare_case(area, coordinator=staff["grace"]), K.ACKNOWLEDGE, wd(-1 - i % 3))
    report = run_reminders(TODAY)
    db.session.commit()
    [digest] = emails_to("grace@vale.example")
    assert digest.subject == "Trigger: 60 deadline reminders (60 overdue)"
    assert digest.body.count("\n- ") == DIGEST_LINES
    assert "And 10 more: see your dashboard." in digest.body
    assert digest.body.endswith("Sign in to Trigger to see it: http://127.0.0.1:5000/dashboard")
    assert (report.due, report.digests) == (60, 1)


def test_an_action_without_an_owner_goes_to_its_agency_or_is_reported(app, make_area, make_agency, staff):
    area = make_area()
    staff["police"].contact_email = "asb-team@police.example"
    db.session.commit()
    housing = make_agency("Vale Homes")  # no contact address
    case = bare_case(area)
    visit = action(case, staff["police"], wd(2), description="Visit the flat " + "with the tenancy officer " * 5)
    action(case, housing, TODAY)
    report = run_reminders(TODAY)
    db.session.commit()
    [shared] = emails_to("asb-team@police.example")
    # A shared inbox is told which action (by number and agency), never its text, which may name people.
    assert f"action {visit.number} (Severn Police)" in shared.body and "Visit the flat" not in shared.body
    assert "due in 2 working days" in shared.body and "Vale Homes" not in shared.body
    assert any("1 action reminder(s) had nobody to go to" in problem for problem in report.problems)


def test_flask_deadlines_run_reports_what_it_queued(app, make_area, staff):
    deadline(bare_case(make_area(), coordinator=staff["tom"]), K.ACKNOWLEDGE, wd(-1))
    runner = app.test_cli_runner()
    first = runner.invoke(args=["deadlines", "run", "--today", TODAY.isoformat()])
    assert first.exit_code == 0, first.output
    assert "Checked 1 open case deadline(s) and 0 open action(s): 1 reminder(s) newly due" in first.output
    assert "1 email(s) and 1 notification(s) newly queued" in first.output
    again = runner.invoke(args=["deadlines", "run", "--today", TODAY.isoformat()])
    assert "0 reminder(s) newly due" in again.output and "already been queued" in again.output
    assert len(emails_to("tom@vale.example")) == 1


# ---- the coordinator of a case ------------------------------------------------------------------------------


def test_a_coordinator_is_assigned_on_the_case_page_and_audited(app, client, make_area, make_user, staff):
    case = bare_case(make_area())
    login(client, staff["tom"])
    page = text_of(client.get(f"/cases/{case.id}"))
    assert "Coordinator: none assigned (reminders go to every coordinator) · Assign" in page
    form = client.get(f"/cases/{case.id}/coordinator").get_data(as_text=True)
    assert "Grace Okafor" in form and "Ada" not in form  # only active coordinators are offered

    response = post(client, f"/cases/{case.id}/coordinator", {"coordinator_id": str(staff["grace"].id)})
    assert response.status_code == 302
    page = text_of(client.get(response.location))
    assert "Grace Okafor is now the coordinator of" in page
    assert "Coordinator: Grace Okafor · Change" in page
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "case.coordinator_assigned")).one()
    assert event.case_id == case.id and event.details == {"from": None, "to": staff["grace"].id}

    chair_id = str(staff["chair"].id)  # not a coordinator: refused next to the field, nothing changes
    refused = post(client, f"/cases/{case.id}/coordinator", {"coordinator_id": chair_id})
    assert refused.status_code == 400 and "Choose an active coordinator" in text_of(refused)
    assert post(client, f"/cases/{case.id}/coordinator", {"coordinator_id": ""}).status_code == 400
    db.session.expire_all()
    assert db.session.get(Case, case.id).coordinator_id == staff["grace"].id

    rep_client = app.test_client()
    login(rep_client, make_user(Role.AGENCY_REP, agency=staff["police"]))
    assert rep_client.get(f"/cases/{case.id}/coordinator").status_code == 403
    chair_client = app.test_client()
    login(chair_client, staff["chair"])
    assert chair_client.get(f"/cases/{case.id}/coordinator").status_code == 403


def test_the_coordinator_who_records_or_acknowledges_a_case_looks_after_it(app, client, make_area, staff):
    from trigger.cases import services

    area = make_area()
    recorded = make_case(area, staff["police"])
    assert recorded.coordinator_id is None  # recorded by nobody in particular (e.g. online)
    services_case = services.create_case(
        {"received_on": TODAY, "applicant_name": "Sam Applicant", "asb_description": "Noise"},
        [],
        [],
        area=area,
        channel=recorded.channel,
        actor=staff["grace"],
    )
    db.session.commit()
    assert services_case.coordinator_id == staff["grace"].id

    login(client, staff["tom"])
    assert (
        post(
            client,
            f"/cases/{recorded.id}/stage",
            {"stage": "acknowledged", "reason": "Letter sent"},
            token_from=f"/cases/{recorded.id}/stage",
        ).status_code
        == 302
    )
    db.session.expire_all()
    assert db.session.get(Case, recorded.id).coordinator_id == staff["tom"].id
    assert "Coordinator: Tom Evans · Change" in text_of(client.get(f"/cases/{recorded.id}"))
