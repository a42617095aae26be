"""The busiest pages issue the same number of SQL statements with 1 and with 50 children (issue 8).

Children are what a page lists: cases on the case list; incidents, reports, meetings, attendees, minutes and
actions on a case page; actions and their updates on "My actions" and the dashboard. A page whose count grew
with them would slow down as a partnership's history grows (an N+1 query), so the count is pinned here.
"""

from __future__ import annotations

import re
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from itertools import count

import pytest
from sqlalchemy import event, select

from tests.conftest import login, text_of
from trigger import audit
from trigger.deadlines import dashboard as dashboard_module
from trigger.extensions import db
from trigger.models import (
    Action,
    ActionPlan,
    ActionStatus,
    ActionUpdate,
    AgencyType,
    Attendee,
    AttendeeKind,
    Case,
    Channel,
    Incident,
    IncidentReport,
    Meeting,
    MeetingKind,
    MeetingStatus,
    MinuteItem,
    MinuteRevision,
    Perpetrator,
    PlanStatus,
    Priority,
    Recommendation,
    Role,
)

_numbers = count(1)


@contextmanager
def counted_statements():
    statements: list[str] = []

    def count_it(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", count_it)
    try:
        yield statements
    finally:
        event.remove(db.engine, "before_cursor_execute", count_it)


def statements_for(client, url: str) -> int:
    with counted_statements() as statements:
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return len(statements)


def held_meeting(case: Case, chair, starts: datetime, uid: str) -> Meeting:
    meeting = Meeting(
        case_id=case.id,
        kind=MeetingKind.REVIEW,
        starts_at=starts,
        ends_at=starts + timedelta(hours=1),
        place="Shire Hall",
        chair_id=chair.id,
        status=MeetingStatus.HELD,
        ics_uid=f"count-{uid}@trigger",
    )
    db.session.add(meeting)
    db.session.flush()
    return meeting


def new_case(area, agency, *, children: int, chair, rep) -> Case:
    """A case with `children` of everything a case page shows, all involving `agency`."""
    n = next(_numbers)
    case = Case(
        reference=f"ASB-2026-{n:04d}",
        area_id=area.id,
        received_on=date.today() - timedelta(days=60),
        channel=Channel.PHONE,
        applicant_name=f"Applicant {n}",
    )
    db.session.add(case)
    db.session.flush()
    plan = ActionPlan(case_id=case.id, status=PlanStatus.LIVE)
    db.session.add(plan)
    db.session.flush()
    for i in range(children):
        incident = Incident(
            case_id=case.id, occurred_on=date.today() - timedelta(days=70 + i % 30), description=f"Incident {i}"
        )
        incident.reports = [IncidentReport(agency_id=agency.id, reported_on=incident.occurred_on)]
        db.session.add(incident)
        db.session.add(Perpetrator(case_id=case.id, name=f"Person {i}"))
        meeting = held_meeting(case, chair, datetime.now(UTC) - timedelta(days=30 - i % 20, hours=i), f"{n}-{i}")
        db.session.add(
            Attendee(
                meeting_id=meeting.id,
                kind=AttendeeKind.AGENCY_REPRESENTATIVE,
                agency_id=agency.id,
                user_id=rep.id,
                name=rep.name,
            )
        )
        item = MinuteItem(meeting_id=meeting.id, agenda_title="Discussion", position=1)
        db.session.add(item)
        db.session.flush()
        db.session.add(MinuteRevision(item_id=item.id, number=1, text=f"Minutes {i}", author_id=chair.id))
        due = date.today() + timedelta(days=i % 40 - 20)
        action = Action(
            plan_id=plan.id,
            description=f"Action {n}-{i}",
            owner_agency_id=agency.id,
            owner_user_id=rep.id,
            due_on=due,
            original_due_on=due,
            priority=Priority.MEDIUM,
            status=ActionStatus.IN_PROGRESS,
        )
        db.session.add(action)
        db.session.flush()
        db.session.add(
            ActionUpdate(
                action_id=action.id,
                author_id=rep.id,
                author_agency_id=agency.id,
                note=f"Update {i}",
                status_from=ActionStatus.NOT_STARTED,
                status_to=ActionStatus.IN_PROGRESS,
                action_version=2,
            )
        )
    db.session.commit()
    return case


@pytest.fixture
def world(app, make_area, make_agency, make_user):
    police = make_agency("Severn Vale Police", AgencyType.POLICE)
    return {
        "area": make_area("Severnbury"),
        "other_area": make_area("Ashcombe"),
        "police": police,
        "coordinator": make_user(Role.COORDINATOR),
        "chair": make_user(Role.CHAIR),
        "rep": make_user(Role.AGENCY_REP, agency=police),
    }


def signed_in(app, user):
    client = app.test_client()
    login(client, user)
    return client


#: The sections of a case page (trigger.cases.routes), each its own URL, and the whole case for printing.
CASE_SECTIONS = ("", "/incidents", "/timeline", "/print", "/meetings", "/plan", "/documents")


@pytest.mark.parametrize("section", CASE_SECTIONS)
def test_each_case_section_takes_the_same_statements_with_1_and_50_children(app, world, section):
    few = new_case(world["area"], world["police"], children=1, chair=world["chair"], rep=world["rep"])
    many = new_case(world["area"], world["police"], children=50, chair=world["chair"], rep=world["rep"])
    for user in (world["coordinator"], world["rep"]):
        client = signed_in(app, user)
        statements_for(client, f"/cases/{few.id}{section}")  # warm: the first request of a session may touch it
        one = statements_for(client, f"/cases/{few.id}{section}")
        fifty = statements_for(client, f"/cases/{many.id}{section}")
        assert fifty == one, (user.role, section, one, fifty)
    page = text_of(signed_in(app, world["coordinator"]).get(f"/cases/{many.id}{section}"))
    shown = {
        "": "What happens next",
        "/incidents": "Incident 49",
        "/timeline": "Timeline",
        "/print": "Incident 49",
        "/meetings": "50 meetings",
        "/plan": "Action plan",
        "/documents": "Issued documents",
    }
    assert shown[section] in page, (section, page[:500])


def meeting_with(case: Case, *, children: int, chair, rep, agency) -> Meeting:
    """A held meeting of the case with `children` attendees, agenda items (each with two revisions) and
    recommendations."""
    n = next(_numbers)
    meeting = held_meeting(case, chair, datetime.now(UTC) - timedelta(days=3), f"meeting-{n}")
    for i in range(children):
        db.session.add(
            Attendee(
                meeting_id=meeting.id,
                kind=AttendeeKind.AGENCY_REPRESENTATIVE,
                agency_id=agency.id,
                user_id=rep.id if i == 0 else None,
                name=rep.name if i == 0 else f"Officer {i}",
                email="" if i == 0 else f"officer{n}-{i}@police.example",
            )
        )
        item = MinuteItem(meeting_id=meeting.id, agenda_title=f"Agenda item {i}", position=i + 1)
        db.session.add(item)
        db.session.flush()
        for number in (1, 2):
            db.session.add(
                MinuteRevision(item_id=item.id, number=number, text=f"Minute {i}.{number}", author_id=chair.id)
            )
        db.session.add(Recommendation(meeting_id=meeting.id, agency_id=agency.id, text=f"Recommendation {i}"))
    db.session.commit()
    return meeting


def test_a_meeting_and_its_minutes_take_the_same_statements_with_1_and_40_attendees_and_items(app, world):
    case = new_case(world["area"], world["police"], children=1, chair=world["chair"], rep=world["rep"])
    parts = {"chair": world["chair"], "rep": world["rep"], "agency": world["police"]}
    few, many = meeting_with(case, children=1, **parts), meeting_with(case, children=40, **parts)
    pages = ("", "/minutes", "/minutes/{item}/history")
    for user in (world["coordinator"], world["rep"]):
        client = signed_in(app, user)
        for page in pages:
            urls = [
                f"/cases/{case.id}/meetings/{meeting.id}"
                + page.format(item=db.session.scalar(select(MinuteItem.id).where(MinuteItem.meeting_id == meeting.id)))
                for meeting in (few, many)
            ]
            statements_for(client, urls[0])  # warm
            assert statements_for(client, urls[1]) == statements_for(client, urls[0]), (user.role, page)
    client = signed_in(app, world["coordinator"])
    minutes_url = f"/cases/{case.id}/meetings/{many.id}/minutes"
    with counted_statements() as statements:
        minutes = text_of(client.get(minutes_url))
    # Every item's latest text and every recommendation are on the editor; the attendee list is not, and is not read.
    assert "Minute 39.2" in minutes and "Recommendation 39" in minutes and "Officer 39" not in minutes
    assert not [sql for sql in statements if "FROM meeting_attendees" in sql], statements
    assert "Officer 39" in text_of(client.get(f"/cases/{case.id}/meetings/{many.id}"))


def test_the_case_list_takes_the_same_statements_with_1_and_50_cases(app, world):
    new_case(world["area"], world["police"], children=1, chair=world["chair"], rep=world["rep"])
    clients = {user.role: signed_in(app, user) for user in (world["coordinator"], world["rep"])}
    one = {role: statements_for(client, "/cases") for role, client in clients.items()}
    for _ in range(49):
        new_case(world["other_area"], world["police"], children=1, chair=world["chair"], rep=world["rep"])
    fifty = {role: statements_for(client, "/cases") for role, client in clients.items()}
    assert fifty == one
    assert "Applicant" in clients[Role.AGENCY_REP].get("/cases").get_data(as_text=True)


def test_my_actions_takes_the_same_statements_with_1_and_50_actions(app, world):
    new_case(world["area"], world["police"], children=1, chair=world["chair"], rep=world["rep"])
    client = signed_in(app, world["rep"])
    one = statements_for(client, "/my-actions")
    case = new_case(world["other_area"], world["police"], children=50, chair=world["chair"], rep=world["rep"])
    fifty = statements_for(client, "/my-actions")
    assert fifty == one
    assert case.reference in client.get("/my-actions").get_data(as_text=True)


def test_my_actions_pages_an_agency_with_many_actions(app, world):
    new_case(world["area"], world["police"], children=60, chair=world["chair"], rep=world["rep"])
    client = signed_in(app, world["rep"])
    first = client.get("/my-actions").get_data(as_text=True)
    assert "page 1 of 2" in first
    second = client.get("/my-actions?page=2").get_data(as_text=True)
    assert "page 2 of 2" in second
    # Overdue first across pages: the most overdue action is on page 1, one due latest on page 2.
    assert first.count("Post an update") == 50 and second.count("Post an update") == 10


def test_the_dashboard_takes_the_same_statements_with_1_and_50_actions(app, world):
    new_case(world["area"], world["police"], children=1, chair=world["chair"], rep=world["rep"])
    clients = {user.role: signed_in(app, user) for user in (world["coordinator"], world["rep"])}
    for client in clients.values():
        statements_for(client, "/dashboard")
    one = {role: statements_for(client, "/dashboard") for role, client in clients.items()}
    new_case(world["other_area"], world["police"], children=50, chair=world["chair"], rep=world["rep"])
    fifty = {role: statements_for(client, "/dashboard") for role, client in clients.items()}
    assert fifty == one


def test_the_dashboard_counts_up_to_a_cap_and_says_so(app, world, monkeypatch):
    # Counting every overdue action of a county's history on each view would cost a join per row; past the cap
    # the heading says "more than" and the page says how to see fewer.
    monkeypatch.setattr(dashboard_module, "COUNT_CAP", 5)
    new_case(world["area"], world["police"], children=50, chair=world["chair"], rep=world["rep"])
    page = text_of(signed_in(app, world["coordinator"]).get("/dashboard"))
    assert "Overdue (more than 5)" in page
    assert "The first 25 are listed, of more than 5. Filter by area or agency to see fewer." in page
    assert "Due today (1)" in page  # under the cap: the exact number


def test_my_actions_keeps_the_order_across_pages_overdue_open_then_finished(app, world):
    case = new_case(world["area"], world["police"], children=60, chair=world["chair"], rep=world["rep"])
    today = date.today()
    actions = db.session.scalars(db.select(Action).join(ActionPlan).where(ActionPlan.case_id == case.id)).all()
    for action in actions[:20]:  # twenty finished, whatever their due date
        action.status, action.completed_on = ActionStatus.COMPLETED, today
    db.session.commit()
    overdue = sorted((a for a in actions[20:] if a.due_on < today), key=lambda a: (a.due_on, a.id))
    upcoming = sorted((a for a in actions[20:] if a.due_on >= today), key=lambda a: (a.due_on, a.id))
    finished = sorted(actions[:20], key=lambda a: (a.due_on, a.id))
    expected = [a.description for a in overdue + upcoming + finished]
    client = signed_in(app, world["rep"])
    shown = []
    for number in (1, 2):
        html = client.get(f"/my-actions?page={number}").get_data(as_text=True)
        shown += re.findall(r"Action \d+-\d+", html)
    assert shown == expected
    assert f"{len(overdue)} actions are overdue" in text_of(client.get("/my-actions"))


def test_the_case_page_shows_the_latest_timeline_events_and_links_to_all(app, world):
    case = new_case(world["area"], world["police"], children=1, chair=world["chair"], rep=world["rep"])
    for n in range(60):
        audit.record("case.note", "case", case.id, f"Story event {n}", case_id=case.id)
    db.session.commit()
    client = signed_in(app, world["coordinator"])
    page = text_of(client.get(f"/cases/{case.id}/timeline"))
    assert "The latest 50 events are shown." in page and "Show the whole timeline" in page
    assert "Story event 59" in page and "Story event 9 " not in page
    whole = text_of(client.get(f"/cases/{case.id}/timeline?timeline=all"))
    assert "Story event 0 " in text_of(client.get(f"/cases/{case.id}?timeline=all"))  # the long page's old link
    assert "Story event 0 " in whole and "Show the whole timeline" not in whole
    assert "Viewed case" not in whole  # views are in the audit trail, not the story
