"""`flask deadlines run` and the dashboard: reminders claimed exactly once and sent as one digest per person,
constant SQL, real mail delivered."""

from __future__ import annotations

import threading
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from tests.conftest import build_app, login, text_of
from tests.deadlines_helpers import (
    action,
    bare_case,
    counted_statements,
    deadline,
    emails_to,
)
from tests.mailserver import MailServer
from trigger.deadlines.dates import long_date
from trigger.deadlines.ladders import save_ladder
from trigger.deadlines.reminders import run_reminders
from trigger.domain.deadlines import DeadlineKind as K
from trigger.domain.stages import Stage
from trigger.domain.workdays import Nation, WorkingCalendar
from trigger.extensions import db
from trigger.models import Notification, OutboxMessage, Role
from trigger.models.deadlines import SentReminder
from trigger.notifications.services import deliver_due

TODAY = date(2026, 6, 10)  # a Wednesday with no bank holiday near it
CAL = WorkingCalendar(Nation.ENGLAND_AND_WALES)


def wd(n: int) -> date:
    return CAL.add_working_days(TODAY, n)


def outbox() -> list[tuple[str, str]]:
    db.session.expire_all()
    return sorted((m.to_address, m.subject) for m in db.session.scalars(select(OutboxMessage)))


@pytest.fixture
def people(make_user, make_agency):
    police = make_agency("Severn Police")
    police.contact_email = "asb-team@police.example"
    db.session.commit()
    return dict(
        police=police,
        coordinator=make_user(Role.COORDINATOR, email="spoc@vale.example"),
        chair=make_user(Role.CHAIR, email="chair@vale.example"),
        officer=make_user(Role.AGENCY_REP, agency=police, email="pc.jones@police.example"),
    )


def test_the_ladder_reaches_the_right_people_once_in_one_digest_each(app, make_area, people):
    area = make_area()
    case = bare_case(area)
    deadline(case, K.ACKNOWLEDGE, wd(2))  # reminder 2 working days before: coordinator
    deadline(case, K.THRESHOLD_DECISION, wd(-5))  # overdue by 5: coordinator, and escalated to chair + coordinator
    deadline(case, K.MEETING, wd(3))  # too early for anything
    deadline(case, K.ESCALATION_REQUEST, wd(-1))  # the applicant's window: nobody is chased
    today_action = action(case, people["police"], TODAY, owner=people["officer"])  # due today: its owner
    action(case, people["police"], wd(-1), owner=people["officer"])  # overdue: owner and the agency's address
    closed = bare_case(area, stage=Stage.CLOSED)
    deadline(closed, K.MEETING, wd(-10))  # a closed case is never chased

    report = run_reminders(TODAY)
    db.session.commit()

    # One email per person (or agency address), however many items it lists.
    assert outbox() == [
        ("asb-team@police.example", "Trigger: 1 deadline reminder (1 overdue)"),
        ("chair@vale.example", "Trigger: 1 deadline reminder (1 overdue)"),
        ("pc.jones@police.example", "Trigger: 2 deadline reminders (1 overdue)"),
        ("spoc@vale.example", "Trigger: 2 deadline reminders (1 overdue)"),
    ]
    spoc = emails_to("spoc@vale.example")[0].body
    # Overdue and escalated first; each line names the case, what is due, the date in words and how it stands.
    assert spoc.index("Escalated") < spoc.index("Coming up")
    assert (
        f"- {case.reference}: Decide whether the threshold is met: due {long_date(wd(-5))} "
        "(overdue by 5 working days: escalated)"
    ) in spoc
    assert f"- {case.reference}: Acknowledge the application: due {long_date(wd(2))} (due in 2 working days)" in spoc
    assert spoc.endswith("Sign in to Trigger to see it: http://127.0.0.1:5000/dashboard")  # PUBLIC_URL + path
    assert "Hold the case review meeting" not in spoc and "Ask for an escalation" not in spoc
    assert closed.reference not in " ".join(m.body for m in emails_to("spoc@vale.example"))
    officer = emails_to("pc.jones@police.example")[0].body
    # Emails leave the system: an action is named by its number and agency there, never by its text...
    assert (
        f"- {case.reference}: action {today_action.number} (Severn Police): due {long_date(TODAY)} (due today)"
    ) in officer
    assert "Patrol the park" not in officer
    assert f"due {long_date(wd(-1))} (overdue by 1 working day)" in officer
    assert officer.index("Overdue:") < officer.index("Due today:")
    shared = emails_to("asb-team@police.example")[0].body
    assert "overdue by 1 working day" in shared and "due today" not in shared
    assert "Escalated" in emails_to("chair@vale.example")[0].body
    assert (report.due, report.emails, report.notifications) == (5, 4, 3)  # the shared address has no account
    notes = {n.user_id: n for n in db.session.scalars(select(Notification))}
    assert set(notes) == {people["coordinator"].id, people["chair"].id, people["officer"].id}
    assert "Acknowledge the application" in notes[people["coordinator"].id].body
    # ...which the notification inside the product does show.
    assert "action “Patrol the park on Friday evenings” (Severn Police)" in notes[people["officer"].id].body
    assert notes[people["chair"].id].link == f"/cases/{case.id}"  # one item: straight to it

    again = run_reminders(TODAY)  # a second run (cron twice, or a retry) queues nothing new
    db.session.commit()
    assert (again.emails, again.notifications, again.due) == (0, 0, 0)
    assert "already been queued" in again.summary()
    assert len(outbox()) == 4

    # The next day, only what is new: the action due yesterday is overdue (owner and agency), and the meeting is
    # now 2 working days away (coordinator).
    later = run_reminders(wd(1))
    db.session.commit()
    assert (later.due, later.emails) == (2, 3) and len(outbox()) == 7
    newest = emails_to("spoc@vale.example")[-1]
    assert newest.subject == "Trigger: 1 deadline reminder" and "Hold the case review meeting" in newest.body
    assert newest.body.endswith(f"Sign in to Trigger to see it: http://127.0.0.1:5000/cases/{case.id}")


def test_an_extended_deadline_is_reminded_again_for_its_new_date(app, make_area, people):
    case = bare_case(make_area())
    row = deadline(case, K.MEETING, TODAY)
    run_reminders(TODAY)
    db.session.commit()
    row.due_on = wd(5)
    db.session.commit()
    assert run_reminders(wd(5)).emails == 1  # "due today" for the new date
    db.session.commit()
    assert f"due {long_date(wd(5))} (due today)" in emails_to("spoc@vale.example")[-1].body


def test_the_run_takes_the_same_number_of_statements_for_50_and_150_items(app, make_area, make_user, people):
    areas = [make_area("North"), make_area("South")]
    save_ladder(areas[1], {"days_before": 3, "on_the_day": True, "when_overdue": True, "escalate_after": 2}, by=None)
    db.session.commit()
    other = make_user(Role.COORDINATOR, email="spoc2@vale.example")

    def add(n: int) -> None:
        for i in range(n):
            case = bare_case(areas[i % 2], coordinator=other if i % 4 == 1 else None)
            deadline(case, K.THRESHOLD_DECISION, wd(-(i % 7)))
            action(case, people["police"], wd(-(i % 6) + 2), owner=people["officer"] if i % 3 else None)

    add(50)  # every rung of both ladders has items: each claim reads, then inserts
    with counted_statements() as fifty:
        small = run_reminders(TODAY)
    db.session.commit()
    add(150)
    with counted_statements() as more:
        large = run_reminders(TODAY)
    db.session.commit()
    assert large.due > small.due > 0 and large.emails > 0
    assert len(more) == len(fifty), (len(fifty), len(more))
    with counted_statements() as nothing_new:
        assert run_reminders(TODAY).due == 0
    # nothing to claim: every claim stops at its read, and nothing is written
    assert len(nothing_new) < len(fifty)
    assert not [sql for sql in nothing_new if sql.lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))]


def test_two_runs_at_once_put_each_reminder_in_exactly_one_digest(app, make_area, people, database_url):
    area = make_area()
    cases = []
    for i in range(15):
        case = bare_case(area)
        deadline(case, K.ACKNOWLEDGE, wd(-(i % 8)))
        action(case, people["police"], wd(-(i % 7)), owner=people["officer"])
        cases.append(case)
    runners = [build_app(database_url) for _ in range(2)]
    start = threading.Barrier(len(runners))
    results, errors = [], []

    def run(runner_app):
        with runner_app.app_context():
            try:
                start.wait()
                results.append(run_reminders(TODAY).due)
                db.session.commit()
            except Exception as error:  # pragma: no cover - reported below
                errors.append(error)
            finally:
                db.session.remove()
                db.engine.dispose()

    threads = [threading.Thread(target=run, args=(r,)) for r in runners]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert errors == []
    claimed = db.session.scalar(select(func.count()).select_from(SentReminder))
    assert sum(results) == claimed > 0  # every reminder claimed by exactly one of the two runs
    # Each person reads about each item once, in whichever digest it went out.
    for address, what in [
        ("spoc@vale.example", "Acknowledge the application"),
        ("pc.jones@police.example", "action "),
        ("chair@vale.example", "Acknowledge the application"),
        ("chair@vale.example", "action "),
    ]:
        text = "\n".join(m.body for m in emails_to(address))
        for case in cases:
            assert text.count(f"- {case.reference}: {what}") <= 1, (address, case.reference)
    spoc = "\n".join(m.body for m in emails_to("spoc@vale.example"))
    assert all(f"- {case.reference}: Acknowledge the application" in spoc for case in cases)


def test_an_overdue_action_reaches_the_chair_by_real_email(app, make_area, people, database_url):
    server = MailServer()
    server.start()
    try:
        case = bare_case(make_area())
        late = action(case, people["police"], wd(-5), owner=people["officer"])
        run_reminders(TODAY)
        db.session.commit()
        sender = build_app(
            database_url,
            smtp_host="127.0.0.1",
            smtp_port=server.port,
            smtp_starttls=False,
            mail_from="trigger@vale.example",
        )
        with sender.app_context():
            report = deliver_due()
            db.session.remove()
            db.engine.dispose()
        assert report.sent == 4
        received = {tuple(rcpt)[0]: message for rcpt, message in server.received}
        assert set(received) == {
            "chair@vale.example",
            "spoc@vale.example",
            "pc.jones@police.example",
            "asb-team@police.example",
        }
        escalation = received["chair@vale.example"]
        assert escalation["Subject"] == "Trigger: 1 deadline reminder (1 overdue)"
        body = escalation.get_body(("plain",)).get_content()
        assert (
            f"{case.reference}: action {late.number} (Severn Police): due "
            f"{long_date(wd(-5))} (overdue by 5 working days: escalated)"
        ) in body
        assert f"Sign in to Trigger to see it: http://127.0.0.1:5000/cases/{case.id}/plan" in body
        assert "Patrol the park" not in body
        assert "escalated" not in received["pc.jones@police.example"].get_body(("plain",)).get_content()
    finally:
        server.stop()


# ---- the dashboard -----------------------------------------------------------------------------------------------


def _dashboard_data(area, people, n: int, today: date):
    cal = CAL
    for i in range(n):
        case = bare_case(area)
        deadline(case, K.THRESHOLD_DECISION, cal.add_working_days(today, (i % 9) - 4) if i % 9 != 4 else today)
        action(
            case,
            people["police"],
            cal.add_working_days(today, (i % 7) - 3) if i % 7 != 3 else today,
            owner=people["officer"],
        )


def test_the_dashboard_shows_overdue_today_and_soon_by_role(app, make_area, make_agency, make_user, people, client):
    today = date.today()
    north, south = make_area("North"), make_area("South")
    late = bare_case(north)
    deadline(late, K.ACKNOWLEDGE, today - timedelta(days=1))
    due_now = bare_case(south)
    housing = make_agency("Vale Homes")
    action(due_now, housing, today)
    action(due_now, people["police"], CAL.add_working_days(today, 2) if today.year < 2039 else today)
    escalated = bare_case(north, stage=Stage.ESCALATED)
    deadline(escalated, K.ESCALATION_DECISION, today + timedelta(days=1))

    login(client, people["coordinator"])
    page = text_of(client.get("/dashboard"))
    assert "Overdue (1)" in page and late.reference in page and "Acknowledge the application" in page
    assert "Due today (1)" in page and "Vale Homes" in page
    assert "Decide the escalation" in page
    north_only = text_of(client.get(f"/dashboard?area={north.id}"))
    assert due_now.reference not in north_only and late.reference in north_only
    homes = text_of(client.get(f"/dashboard?agency={housing.id}"))
    assert "Due today (1)" in homes and "Due in the next 5 working days (0)" in homes
    assert late.reference not in homes and "case deadlines belong to the coordinator" in homes
    client.post("/logout")

    rep_client = app.test_client()
    login(rep_client, people["officer"])
    mine = text_of(rep_client.get(f"/dashboard?agency={housing.id}"))  # cannot look at another agency's work
    assert "Severn Police" in mine and "Vale Homes" not in mine and late.reference not in mine

    pcc_client = app.test_client()
    login(pcc_client, make_user(Role.PCC_REVIEWER))
    theirs = text_of(pcc_client.get("/dashboard"))
    assert escalated.reference in theirs and late.reference not in theirs and "Severn Police" not in theirs

    viewer_client = app.test_client()
    login(viewer_client, make_user(Role.VIEWER))
    assert viewer_client.get("/dashboard").status_code == 403


def test_the_dashboard_takes_the_same_number_of_statements_for_1_and_30_rows(app, make_area, people, client):
    today = date.today()
    area = make_area()
    _dashboard_data(area, people, 1, today)
    login(client, people["coordinator"])
    with counted_statements() as one:
        page = client.get("/dashboard")
    assert page.status_code == 200
    _dashboard_data(area, people, 29, today)
    with counted_statements() as thirty:
        page = client.get("/dashboard")
    assert "Overdue" in text_of(page)
    assert len(one) == len(thirty), (len(one), len(thirty))
