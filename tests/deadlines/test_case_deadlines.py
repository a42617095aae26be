"""Case deadlines: opened and met as a case moves, shown on the case page, extended, recomputed; the case list."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select

from tests.cases_helpers import make_case
from tests.conftest import login, post, text_of
from tests.deadlines_helpers import action, bare_case, deadline
from trigger.area_policies.services import calendar_for_area, save_timescales
from trigger.cases.services import move_to
from trigger.deadlines.listing import next_deadlines
from trigger.deadlines.opening import extend_deadline, meet_deadline, open_deadline
from trigger.deadlines.status import deadlines_of
from trigger.domain.deadlines import DeadlineKind as K
from trigger.domain.deadlines import DeadlineState
from trigger.domain.stages import Stage
from trigger.extensions import db
from trigger.models import AgencyType, AuditEvent, Role
from trigger.models.deadlines import CaseDeadline

RECEIVED = date(2026, 12, 21)  # a Monday just before Christmas: 25th, substitute Boxing Day 28th, 1 January


def _due(case) -> dict[K, date | None]:
    return {d.kind: d.due_on for d in db.session.scalars(select(CaseDeadline).where(CaseDeadline.case_id == case.id))}


def _met(case) -> dict[K, date | None]:
    return {d.kind: d.met_on for d in db.session.scalars(select(CaseDeadline).where(CaseDeadline.case_id == case.id))}


def test_the_lifecycle_opens_and_meets_each_stage_deadline(app, make_area, make_agency):
    area, police = make_area(), make_agency("Severn Police", AgencyType.POLICE)
    case = make_case(area, police, received_on=RECEIVED)

    # Receipt: acknowledge in 5 working days, information and decision in 10, counted over Christmas.
    assert _due(case) == {
        K.ACKNOWLEDGE: date(2026, 12, 30),
        K.INFORMATION: date(2027, 1, 7),
        K.THRESHOLD_DECISION: date(2027, 1, 7),
    }

    move_to(case, Stage.ACKNOWLEDGED, "Letter sent", on=date(2026, 12, 23))
    move_to(case, Stage.THRESHOLD_MET, "Decided", on=date(2027, 1, 8))
    db.session.commit()
    assert _met(case)[K.ACKNOWLEDGE] == date(2026, 12, 23)
    assert _met(case)[K.THRESHOLD_DECISION] == date(2027, 1, 8)
    # Gathering the agencies' information ends with the decision made on it: it does not stay open (and "next").
    assert _met(case)[K.INFORMATION] == date(2027, 1, 8)
    assert _due(case)[K.MEETING] == date(2027, 2, 5)  # 20 working days after the decision

    move_to(case, Stage.REVIEW_SCHEDULED, "Booked", on=date(2027, 1, 20))
    move_to(case, Stage.REVIEW_HELD, "Held", on=date(2027, 2, 1))
    move_to(case, Stage.OUTCOME_SENT, "Letter", on=date(2027, 2, 10))
    db.session.commit()
    assert _met(case)[K.MEETING] == date(2027, 2, 1) and _met(case)[K.OUTCOME] == date(2027, 2, 10)
    assert _due(case)[K.OUTCOME] == date(2027, 2, 8) and _due(case)[K.ESCALATION_REQUEST] == date(2027, 3, 10)

    statuses = {d.kind: s for d, s in deadlines_of(case, date(2027, 2, 11))}
    assert statuses[K.ACKNOWLEDGE].label == "Done on time"
    assert statuses[K.THRESHOLD_DECISION].label == "Done 1 working day late"
    assert statuses[K.OUTCOME].state is DeadlineState.DONE_LATE
    assert statuses[K.INFORMATION].label == "Done 1 working day late"
    assert statuses[K.ESCALATION_REQUEST].label == "Open: the applicant may ask until 10 March 2027"


def test_deciding_the_threshold_takes_gather_information_off_the_case_list(
    app, make_area, make_agency, make_user, client
):
    area, police = make_area(), make_agency("Severn Police", AgencyType.POLICE)
    case = make_case(area, police)
    coordinator = make_user(Role.COORDINATOR)
    login(client, coordinator)
    move_to(case, Stage.ACKNOWLEDGED, "Letter sent")
    db.session.commit()
    assert next_deadlines([case.id])[case.id][0] in (K.INFORMATION, K.THRESHOLD_DECISION)
    move_to(case, Stage.THRESHOLD_NOT_MET, "Decided")
    db.session.commit()
    assert _met(case)[K.INFORMATION] == date.today()
    assert case.id not in next_deadlines([case.id])
    assert "Gather information from the agencies" not in text_of(client.get("/cases"))
    assert "deadline.closed_by_stage" in [
        e.action for e in db.session.scalars(select(AuditEvent).where(AuditEvent.case_id == case.id))
    ]


def test_open_is_idempotent_per_cycle_and_meet_is_a_no_op_without_an_open_deadline(app, make_area):
    case = bare_case(make_area(), received_on=RECEIVED)
    first = open_deadline(case, K.ESCALATION_DECISION, date(2027, 3, 1))
    assert open_deadline(case, K.ESCALATION_DECISION, date(2027, 3, 5)) is first  # still open: the same one
    assert first.cycle == 1 and first.due_on == date(2027, 3, 31)  # Good Friday and Easter Monday skipped
    assert meet_deadline(case, K.ESCALATION_DECISION, date(2027, 3, 20)) is first
    assert meet_deadline(case, K.ESCALATION_DECISION, date(2027, 3, 21)) is None
    again = open_deadline(case, K.ESCALATION_DECISION, date(2027, 6, 1))  # an upheld escalation, then another
    assert again.cycle == 2 and again is not first
    assert open_deadline(case, K.ESCALATION_DECISION, date(2027, 6, 1), cycle=2) is again
    assert meet_deadline(case, K.MEETING, date(2027, 1, 1)) is None


def test_a_year_without_holiday_data_is_shown_loudly_never_as_a_wrong_date(
    app, make_area, make_agency, make_user, client
):
    area, police = make_area(), make_agency("Severn Police", AgencyType.POLICE)
    case = make_case(area, police, received_on=date(2045, 1, 9))
    assert set(_due(case).values()) == {None}  # not counted: nothing made up

    login(client, make_user(Role.COORDINATOR))
    page = text_of(client.get(f"/cases/{case.id}"))
    assert "Some deadlines cannot be counted" in page
    assert "No bank-holiday data for 2045 (England and Wales)" in page
    assert "No date: cannot be counted" in page


def _coordinator_page(client, make_user, case):
    login(client, make_user(Role.COORDINATOR))
    return text_of(client.get(f"/cases/{case.id}"))


def test_the_case_page_lists_deadlines_and_a_coordinator_extends_one(app, make_area, make_user, client):
    area = make_area()
    case = bare_case(area, received_on=date(2026, 5, 1))
    meeting = deadline(case, K.MEETING, date(2026, 6, 1), anchor=date(2026, 5, 1))  # Monday 1 June
    deadline(case, K.ACKNOWLEDGE, date(2026, 5, 8), anchor=date(2026, 5, 1))
    meet_deadline(case, K.ACKNOWLEDGE, date(2026, 5, 7))
    db.session.commit()

    page = _coordinator_page(client, make_user, case)
    assert "Deadlines" in page and "Hold the case review meeting" in page and "1 June 2026" in page
    assert "Done on time" in page and "Extend hold the case review meeting" in page

    url = f"/cases/{case.id}/deadlines/{meeting.id}/extend"
    weekend = post(client, url, {"new_due": "2026-06-06", "reason": "The applicant asked to postpone"})
    assert weekend.status_code == 400
    assert "Saturday 6 June 2026 is not a working day (a weekend): choose a working day" in text_of(weekend)
    earlier = post(client, url, {"new_due": "2026-05-29", "reason": "x"})
    assert "The new due date must be after the current due date, 1 June 2026" in text_of(earlier)
    holiday = post(client, url, {"new_due": "2026-08-31", "reason": "x"})
    assert "not a working day (Late Summer Bank Holiday)" in text_of(holiday)
    no_reason = post(client, url, {"new_due": "2026-06-10", "reason": ""})
    assert "Give the reason for the extension" in text_of(no_reason) and no_reason.status_code == 400

    done = post(client, url, {"new_due": "2026-06-10", "reason": "The applicant asked to postpone the meeting"})
    assert done.status_code == 302
    page = text_of(client.get(done.location))
    assert "is now due on 10 June 2026" in page
    assert "Extended from 1 June 2026: The applicant asked to postpone the meeting" in page
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "deadline.extended"))
    assert event.case_id == case.id and event.details["from"] == "2026-06-01" and event.details["to"] == "2026-06-10"


def test_only_coordinators_and_administrators_extend(app, make_area, make_user, client):
    case = bare_case(make_area())
    row = deadline(case, K.MEETING, date(2026, 6, 1))
    login(client, make_user(Role.CHAIR))
    assert "Extend" not in text_of(client.get(f"/cases/{case.id}"))
    assert client.get(f"/cases/{case.id}/deadlines/{row.id}/extend").status_code == 403
    assert client.get(f"/cases/{case.id}/deadlines/9999/extend").status_code == 403  # the case check comes first
    other = bare_case(make_area("Elsewhere"))
    client.post("/logout")


def test_extend_refuses_a_met_deadline(app, make_area, make_user):
    case = bare_case(make_area())
    row = deadline(case, K.MEETING, date(2026, 6, 1))
    meet_deadline(case, K.MEETING, date(2026, 5, 20))
    try:
        extend_deadline(row, date(2026, 6, 10), "Because", None)
    except Exception as refusal:  # FieldError
        assert "cannot be extended" in str(refusal)
    else:
        raise AssertionError("a met deadline was extended")


def test_recompute_applies_the_new_timescales_to_open_deadlines(app, make_area, make_agency, make_user, client):
    area, police = make_area(), make_agency("Severn Police", AgencyType.POLICE)
    case = make_case(area, police, received_on=RECEIVED)
    db.session.commit()
    save_timescales(
        area,
        {
            "acknowledge": 3,
            "information_gathered": 10,
            "threshold_decision": 15,
            "meeting_held": 20,
            "outcome_sent": 5,
            "escalation_window": 20,
            "escalation_decided": 20,
        },
        by=None,
    )
    db.session.commit()
    assert _due(case)[K.ACKNOWLEDGE] == date(2026, 12, 30)  # existing cases keep theirs ...

    login(client, make_user(Role.COORDINATOR))
    response = post(client, f"/cases/{case.id}/deadlines/recompute", token_from=f"/cases/{case.id}")
    assert response.status_code == 302
    assert "2 due dates changed" in text_of(client.get(response.location))
    db.session.expire_all()
    assert _due(case)[K.ACKNOWLEDGE] == date(2026, 12, 24)  # ... until the coordinator recomputes
    assert _due(case)[K.THRESHOLD_DECISION] == date(2027, 1, 14)
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "deadline.recomputed")).case_id == case.id


def test_a_coordinator_marks_the_agencies_information_received(app, make_area, make_agency, make_user, client):
    area, police = make_area(), make_agency("Severn Police", AgencyType.POLICE)
    case = make_case(area, police, received_on=date.today() - timedelta(days=3))
    page = _coordinator_page(client, make_user, case)
    assert "Mark the agencies' information received" in page
    url = f"/cases/{case.id}/deadlines/information-received"
    future = post(client, url, {"received_on": (date.today() + timedelta(days=2)).isoformat()})
    assert future.status_code == 400 and "must be today or in the past" in text_of(future)
    done = post(client, url, {"received_on": date.today().isoformat()})
    assert done.status_code == 302
    page = text_of(client.get(done.location))
    assert "recorded as received" in page and "Mark the agencies' information received" not in page
    assert _met(case)[K.INFORMATION] == date.today()


def test_the_case_list_sorts_by_next_deadline_and_filters_overdue(app, make_area, make_user, client):
    area = make_area()
    today = date.today()
    calm = bare_case(area)
    late = bare_case(area)
    soon = bare_case(area)
    deadline(calm, K.MEETING, today + timedelta(days=40))
    deadline(late, K.THRESHOLD_DECISION, today - timedelta(days=3))
    deadline(soon, K.ACKNOWLEDGE, today + timedelta(days=2))
    login(client, make_user(Role.COORDINATOR))

    overdue = text_of(client.get("/cases?overdue=1"))
    assert late.reference in overdue and calm.reference not in overdue and soon.reference not in overdue
    by_deadline = text_of(client.get("/cases?sort=deadline"))
    assert by_deadline.index(late.reference) < by_deadline.index(soon.reference) < by_deadline.index(calm.reference)
    assert "Decide whether the threshold is met" in by_deadline


def test_coordinators_and_chairs_land_on_the_dashboard(app, make_user, client):
    chair = make_user(Role.CHAIR)
    response = login(client, chair)
    assert response.location.endswith("/dashboard")
    assert "Deadlines" in text_of(client.get(response.location))


def test_closing_a_case_takes_its_open_deadlines_off_the_dashboard(app, make_area, make_agency, make_user, client):
    area, police = make_area(), make_agency("Severn Police", AgencyType.POLICE)
    case = make_case(area, police, received_on=date.today() - timedelta(days=60))
    login(client, make_user(Role.COORDINATOR))
    assert case.reference in text_of(client.get("/dashboard"))  # its acknowledgement is long overdue

    move_to(case, Stage.CLOSED, "Withdrawn by the applicant", applicant_told_on=date.today())
    db.session.commit()

    assert case.reference not in text_of(client.get("/dashboard"))
    kept = db.session.scalars(select(CaseDeadline).where(CaseDeadline.case_id == case.id)).all()
    assert kept and all(d.case_closed for d in kept)  # still there, shown as "not needed" on the case page
    assert any(d.met_on is None for d in kept)


def test_closing_an_action_plan_or_its_case_takes_its_open_actions_off_the_dashboard(
    app, make_area, make_agency, make_user, client
):
    area, police = make_area(), make_agency("Severn Police", AgencyType.POLICE)
    case = make_case(area, police, received_on=date.today() - timedelta(days=60))
    other = make_case(area, police, received_on=date.today() - timedelta(days=60))
    action(case, police, date.today() - timedelta(days=3), description="Visit the flats")
    action(other, police, date.today() - timedelta(days=3), description="Call the landlord")
    login(client, make_user(Role.COORDINATOR))
    rep = app.test_client()  # the police's dashboard lists actions only, not the cases' own deadlines
    login(rep, make_user(Role.AGENCY_REP, agency=police))
    settings = f"/cases/{case.id}/plan/settings"
    page = text_of(rep.get("/dashboard"))
    assert "Overdue (2)" in page and case.reference in page and other.reference in page

    closed = post(client, settings, {"status": "closed", "closed_reason": "The applicant moved away"})
    assert closed.status_code == 302
    page = text_of(rep.get("/dashboard"))
    assert "Overdue (1)" in page and other.reference in page and case.reference not in page

    assert post(client, settings, {"status": "live"}).status_code == 302
    page = text_of(rep.get("/dashboard"))
    assert "Overdue (2)" in page and case.reference in page

    move_to(other, Stage.CLOSED, "Withdrawn by the applicant", applicant_told_on=date.today())
    db.session.commit()
    page = text_of(rep.get("/dashboard"))
    assert "Overdue (1)" in page and case.reference in page and other.reference not in page


def test_the_dashboard_index_leaves_out_exactly_the_applicants_windows():
    from trigger.deadlines.dates import APPLICANT_WINDOWS
    from trigger.models.deadlines import LIVE_DEADLINE_SQL

    assert LIVE_DEADLINE_SQL.count("kind <>") == len(APPLICANT_WINDOWS)
    assert all(f"kind <> '{kind.value}'" in LIVE_DEADLINE_SQL for kind in APPLICANT_WINDOWS)
