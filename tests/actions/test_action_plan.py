"""The shared action plan as its users notice it: an agency representative's day, the coordinator's plan page,
who is refused what (and that refusals are audited), stale forms, bad input and the victim's view."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from tests.actions_helpers import make_action, make_case
from tests.conftest import login, post, text_of
from trigger.actions.services import open_actions_due, victim_view_of_plan
from trigger.extensions import db
from trigger.templating import format_date
from trigger.models import (
    Action,
    ActionStatus,
    ActionUpdate,
    AgencyType,
    AuditEvent,
    Incident,
    IncidentReport,
    Role,
)


@pytest.fixture
def world(app, make_area, make_agency, make_user):
    """Two cases in one area; police own actions on both, the council on the second only."""
    area = make_area("Severnbury")
    police = make_agency("Severn Police", AgencyType.POLICE)
    council = make_agency("Severnbury Council", AgencyType.COUNCIL)
    case_a = make_case(area, applicant="Alice Victim")
    case_b = make_case(area, applicant="Bob Victim")
    return {
        "area": area,
        "police": police,
        "council": council,
        "case_a": case_a,
        "case_b": case_b,
        "police_rep": make_user(Role.AGENCY_REP, agency=police, name="Priya Police"),
        "council_rep": make_user(Role.AGENCY_REP, agency=council, name="Colin Council"),
        "coordinator": make_user(Role.COORDINATOR, name="Cora Coordinator"),
        "police_a": make_action(case_a, police, description="Visit the victim and take a statement", due_in_days=-3),
        "police_b": make_action(case_b, police, description="Check CCTV on the high street", due_in_days=5),
        "council_b": make_action(case_b, council, description="Serve a community protection warning", due_in_days=2),
    }


def _refusals():
    return db.session.scalars(select(AuditEvent).where(AuditEvent.action == "action.update_refused")).all()


# ---- the representative's journey ----------------------------------------------------------------------


def test_rep_lands_on_my_actions_sees_only_own_agency_updates_and_completes(client, world):
    rep = world["police_rep"]
    response = login(client, rep)
    assert response.location.endswith("/my-actions")
    page = text_of(client.get("/my-actions"))
    assert "My actions" in page and "Actions owned by Severn Police" in page
    # Own actions, with the case reference and one line of context; overdue first.
    assert world["case_a"].reference in page and world["case_b"].reference in page
    assert page.index("Visit the victim") < page.index("Check CCTV")
    assert "Overdue by" in page and "1 action is overdue" in page
    assert "Severnbury: Visit the victim" in page
    # Nothing of the council's action.
    assert "community protection warning" not in page

    action = world["police_b"]
    url = f"/actions/{action.id}/update"
    saved = post(
        client, url, {"note": "Requested footage from the council's CCTV team", "status": "in-progress", "version": "1"}
    )
    assert saved.status_code == 302 and saved.location.endswith("/my-actions")
    page = text_of(client.get("/my-actions"))
    assert "Your update has been saved" in page and "In progress" in page

    done = post(
        client,
        url,
        {
            "note": "Footage reviewed; two offenders identified and passed to the ASB team",
            "status": "completed",
            "version": "2",
        },
    )
    assert done.status_code == 302
    page = text_of(client.get("/my-actions"))
    assert "Finished actions" in page and "Done on time" in page

    updates = db.session.scalars(
        select(ActionUpdate).where(ActionUpdate.action_id == action.id).order_by(ActionUpdate.id)
    ).all()
    assert [(u.status_from, u.status_to) for u in updates] == [
        (ActionStatus.NOT_STARTED, ActionStatus.IN_PROGRESS),
        (ActionStatus.IN_PROGRESS, ActionStatus.COMPLETED),
    ]
    assert all(u.author_id == rep.id and u.author_agency_id == world["police"].id for u in updates)
    db.session.expire_all()
    assert db.session.get(Action, action.id).completed_on == date.today()
    # The history is there on the plan page too, with author and agency.
    history = text_of(client.get(f"/cases/{world['case_b'].id}/plan"))
    assert "Priya Police (Severn Police)" in history and "Footage reviewed" in history


def test_the_plan_and_the_update_page_show_each_actions_history_newest_first(app, client, world):
    action, untouched = world["police_b"], world["council_b"]
    update_url, plan_url = f"/actions/{action.id}/update", f"/cases/{world['case_b'].id}/plan"
    rep = app.test_client()
    login(rep, world["police_rep"])
    first = {"note": "Asked the council's CCTV team for the footage", "status": "in-progress", "version": "1"}
    assert post(rep, update_url, first).status_code == 302
    login(client, world["coordinator"])
    old_due, new_due = action.due_on, date.today() + timedelta(days=20)
    redated = post(
        client,
        f"/actions/{action.id}/due-date",
        {"due_on": new_due.isoformat(), "reason": "The footage takes three weeks to arrive", "version": "2"},
    )
    assert redated.status_code == 302
    second = {"note": "Footage requested again in writing", "status": "in-progress", "version": "3"}
    assert post(client, update_url, second).status_code == 302

    # What the plan shows for the action, and what the update form shows under it, is the same history.
    for page in (text_of(client.get(plan_url)), text_of(client.get(update_url)), text_of(rep.get(update_url))):
        assert "History (2 updates, 1 due date change)" in page
        assert "Cora Coordinator: In progress. Footage requested again in writing" in page  # no agency: staff
        assert "Priya Police (Severn Police): Not started → In progress. Asked the council's CCTV team" in page
        assert page.index("Footage requested again") < page.index("Asked the council's CCTV team")
        assert (
            f"Cora Coordinator: {format_date(old_due)} → {format_date(new_due)}. "
            "The footage takes three weeks to arrive" in page
        )
    # An action nobody has updated says so, and shows no one else's history.
    plan = text_of(client.get(plan_url))
    start = plan.index(untouched.description)
    untouched_row = plan[start : plan.index("Change the due date", start)]
    assert "History (0 updates) No updates yet." in untouched_row
    assert "Footage requested again" not in untouched_row


def test_rep_sees_cases_where_their_agency_owns_an_action(client, world, make_agency, make_user):
    fire = make_agency("Severn Fire", AgencyType.FIRE)
    fire_rep = make_user(Role.AGENCY_REP, agency=fire)
    login(client, fire_rep)
    assert client.get(f"/cases/{world['case_a'].id}/plan").status_code == 403
    make_action(world["case_a"], fire, description="Fire safety visit")
    assert "Fire safety visit" in text_of(client.get(f"/cases/{world['case_a'].id}/plan"))
    assert client.get(f"/cases/{world['case_b'].id}/plan").status_code == 403


# ---- refusals ------------------------------------------------------------------------------------------------

ACTION_ENDPOINTS = ["/actions/{id}/update", "/actions/{id}/edit", "/actions/{id}/due-date"]


@pytest.mark.parametrize("role", list(Role), ids=lambda r: r.value)
def test_refusal_matrix(app, world, make_user, role):
    """Every role x own/other agency's action x every action endpoint, GET and POST."""
    user = world["police_rep"] if role is Role.AGENCY_REP else make_user(role)
    client = app.test_client()
    login(client, user)
    own, other = world["police_b"], world["council_b"]
    manager = role in (Role.ADMIN, Role.COORDINATOR, Role.CHAIR)
    for action, whose in ((own, "own"), (other, "other")):
        for template in ACTION_ENDPOINTS:
            url = template.format(id=action.id)
            may = manager or (role is Role.AGENCY_REP and whose == "own" and template.endswith("/update"))
            got = client.get(url).status_code
            assert (got == 200) if may else (got == 403), f"GET {url} as {role} ({whose}): {got}"
            # A forged post: the token comes from a page the user may see, the body targets this action.
            before = len(_refusals())
            response = post(
                client,
                url,
                {"note": "forged", "status": "cancelled", "reason": "x", "description": "forged", "version": "1"},
                token_from="/home",
            )
            if may:
                assert response.status_code != 403, f"POST {url} as {role}"
            else:
                assert response.status_code == 403, f"POST {url} as {role} ({whose})"
                assert len(_refusals()) == before + 1, f"refusal of POST {url} as {role} not audited"
    # Case-level endpoints.
    case_b = world["case_b"]
    for url in (f"/cases/{case_b.id}/plan/actions/new", f"/cases/{case_b.id}/plan/settings"):
        assert client.get(url).status_code == (200 if manager else 403), url
    assert client.get("/my-actions").status_code == (200 if role is Role.AGENCY_REP else 403)
    # Nothing forged was saved.
    db.session.expire_all()
    assert db.session.get(Action, other.id).status in (ActionStatus.NOT_STARTED, ActionStatus.CANCELLED)
    if not manager:
        assert db.session.get(Action, other.id).status is ActionStatus.NOT_STARTED


def test_forged_update_is_refused_and_audited(client, world):
    login(client, world["police_rep"])
    response = post(
        client,
        f"/actions/{world['council_b'].id}/update",
        {"note": "done", "status": "completed", "version": "1"},
        token_from="/my-actions",
    )
    assert response.status_code == 403
    assert "You do not have permission" in text_of(response)
    [event] = _refusals()
    assert event.actor_id == world["police_rep"].id and event.object_id == world["council_b"].id
    assert "Severnbury Council" in event.summary
    assert db.session.scalars(select(ActionUpdate)).all() == []


# ---- optimistic concurrency in the browser ---------------------------------------------------------------------


def test_stale_update_shows_what_changed_keeps_the_text_and_both_updates_are_kept(app, world, make_user):
    action = world["police_b"]
    colleague = make_user(Role.AGENCY_REP, agency=world["police"], name="Pete Police")
    first, second = app.test_client(), app.test_client()
    login(first, world["police_rep"])
    login(second, colleague)
    url = f"/actions/{action.id}/update"
    assert 'name="version" type="hidden" value="1"' in first.get(url).get_data(as_text=True)
    assert post(second, url, {"note": "Footage requested", "status": "in-progress", "version": "1"}).status_code == 302
    stale = post(first, url, {"note": "My careful note about the footage", "status": "not-started", "version": "1"})
    assert stale.status_code == 409
    page = text_of(stale)
    assert "Someone else changed this action" in page and "Changed by someone else" in page
    assert "Pete Police (Severn Police)" in page and "Footage requested" in page and "Not started → In progress" in page
    html = stale.get_data(as_text=True)
    assert "My careful note about the footage" in html  # kept in the form
    assert 'value="2"' in html  # the form now carries the current version
    retry = post(first, url, {"note": "My careful note about the footage", "status": "in-progress", "version": "2"})
    assert retry.status_code == 302
    notes = db.session.scalars(
        select(ActionUpdate.note).where(ActionUpdate.action_id == action.id).order_by(ActionUpdate.id)
    ).all()
    assert notes == ["Footage requested", "My careful note about the footage"]


# ---- coordinator: plan page, adding and changing actions ------------------------------------------------------


def test_plan_page_shows_status_owner_due_date_and_rag_as_text(client, world):
    login(client, world["coordinator"])
    page = text_of(client.get(f"/cases/{world['case_a'].id}/plan"))
    assert "Visit the victim and take a statement" in page and "Severn Police" in page
    assert "Not started" in page and "Overdue by" in page
    html = client.get(f"/cases/{world['case_a'].id}/plan").get_data(as_text=True)
    assert "govuk-tag--red" in html and "<details" in html


def test_coordinator_creates_redates_and_reassigns(client, world):
    login(client, world["coordinator"])
    case = world["case_a"]
    due = date.today() + timedelta(days=14)
    response = post(
        client,
        f"/cases/{case.id}/plan/actions/new",
        {
            "description": "Mediation between neighbours",
            "owner_agency_id": str(world["council"].id),
            "owner_user_id": str(world["council_rep"].id),
            "priority": "high",
            "due_on": due.isoformat(),
            "source_note": "Agreed at the review meeting on 3 May 2026",
            "victim_visible": "y",
            "victim_wording": "The council will offer mediation.",
        },
    )
    assert response.status_code == 302, text_of(response)
    action = db.session.scalar(select(Action).where(Action.description == "Mediation between neighbours"))
    later = due + timedelta(days=7)
    bad = post(
        client,
        f"/actions/{action.id}/due-date",
        {"due_on": later.isoformat(), "reason": "", "version": str(action.version)},
    )
    assert bad.status_code == 400 and "Enter why the due date is changing" in text_of(bad)
    ok = post(
        client,
        f"/actions/{action.id}/due-date",
        {"due_on": later.isoformat(), "reason": "Mediator on leave", "version": "1"},
    )
    assert ok.status_code == 302
    page = text_of(client.get(f"/cases/{case.id}/plan"))
    assert f"Originally {due.day} {due:%B %Y}" in page and "Mediator on leave" in page
    # Reassign to the police.
    reassigned = post(
        client,
        f"/actions/{action.id}/edit",
        {
            "description": "Mediation between neighbours",
            "owner_agency_id": str(world["police"].id),
            "owner_user_id": "",
            "priority": "high",
            "version": "2",
            "victim_visible": "y",
            "victim_wording": "The council will offer mediation.",
        },
    )
    assert reassigned.status_code == 302, text_of(reassigned)
    db.session.expire_all()
    assert db.session.get(Action, action.id).owner_agency_id == world["police"].id
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "action.reassigned")) is not None


def test_bad_input_is_shown_next_to_the_field_and_nothing_is_saved(client, world, make_agency):
    login(client, world["coordinator"])
    case = world["case_a"]
    url = f"/cases/{case.id}/plan/actions/new"
    closed = make_agency("Old Housing Trust", AgencyType.HOUSING, active=False)
    youth = make_agency("Youth Team", AgencyType.YOUTH)
    base = {
        "description": "Something useful",
        "owner_agency_id": str(world["council"].id),
        "priority": "low",
        "due_on": (date.today() + timedelta(days=3)).isoformat(),
    }
    cases = [
        ({"description": ""}, "Enter what the agency will do"),
        ({"due_on": (date.today() - timedelta(days=1)).isoformat()}, "The due date must be today"),
        ({"due_on": ""}, "Enter the due date"),
        ({"owner_agency_id": str(closed.id)}, "Choose"),  # an inactive agency is not even offered
        ({"owner_agency_id": str(youth.id)}, "Not a valid choice"),
        ({"victim_visible": "y", "victim_wording": ""}, "Enter the plain-English wording"),
    ]
    for change, message in cases:
        response = post(client, url, {**base, **change})
        assert response.status_code == 400, change
        page = text_of(response)
        assert page.startswith("Error:") or "Error:" in page[:200]
        assert message in page, (change, page[:600])
    assert db.session.scalar(select(Action).where(Action.description == "Something useful")) is None

    action = world["police_a"]
    upd = f"/actions/{action.id}/update"
    too_long = post(client, upd, {"note": "x" * 4001, "status": "in-progress", "version": "1"})
    assert too_long.status_code == 400 and "The note must be 4000 characters or fewer" in text_of(too_long)
    no_reason = post(client, upd, {"note": "We tried", "status": "could-not-be-completed", "version": "1"})
    assert no_reason.status_code == 400 and "Enter why the action is marked" in text_of(no_reason)
    assert "We tried" in no_reason.get_data(as_text=True)  # the note is kept
    redate = post(
        client,
        f"/actions/{action.id}/due-date",
        {"due_on": (date.today() - timedelta(days=30)).isoformat(), "reason": "typo", "version": "1"},
    )
    assert redate.status_code == 400 and "the date the action was created" in text_of(redate)
    assert db.session.scalars(select(ActionUpdate)).all() == []


def test_involved_agencies_can_own_actions(client, world, make_agency):
    """Involved = an incident was reported to it, or it owns an action, or it is a relevant body."""
    login(client, world["coordinator"])
    case = world["case_a"]
    youth = make_agency("Youth Team", AgencyType.YOUTH)
    page = client.get(f"/cases/{case.id}/plan/actions/new").get_data(as_text=True)
    assert "Severnbury Council" in page and "Youth Team" not in page
    incident = Incident(case_id=case.id, occurred_on=date.today(), description="Noise")
    db.session.add(incident)
    db.session.flush()
    db.session.add(IncidentReport(incident_id=incident.id, agency_id=youth.id, reported_on=date.today()))
    db.session.commit()
    assert "Youth Team" in client.get(f"/cases/{case.id}/plan/actions/new").get_data(as_text=True)


def test_plan_status_and_victim_preferences(client, world):
    login(client, world["coordinator"])
    url = f"/cases/{world['case_a'].id}/plan/settings"
    no_reason = post(client, url, {"status": "closed", "closed_reason": ""})
    assert no_reason.status_code == 400 and "Enter why the plan is being closed" in text_of(no_reason)
    no_date = post(client, url, {"status": "live", "victim_consulted": "y"})
    assert no_date.status_code == 400 and "Enter the date the victim was consulted" in text_of(no_date)
    ok = post(
        client,
        url,
        {
            "status": "under-review",
            "victim_update_frequency": "fortnightly",
            "victim_update_method": "phone",
            "victim_consulted": "y",
            "victim_consulted_on": date.today().isoformat(),
        },
    )
    assert ok.status_code == 302
    page = text_of(client.get(f"/cases/{world['case_a'].id}/plan"))
    assert "Under review" in page and "Every two weeks, phone" in page and "Yes, on" in page


# ---- what the victim may see, and what the deadlines work reads -----------------------------------------------


def test_victim_view_never_contains_a_not_for_victim_action(world):
    case = world["case_b"]
    make_action(
        case,
        world["police"],
        description="Apply for a closure order against J. Smith at 4 Elm Road",
        victim_visible=False,
        victim_wording="We will take enforcement action",
    )
    make_action(
        case,
        world["council"],
        description="Install lighting in the alley (ref WO-99)",
        victim_visible=True,
        victim_wording="The council will put up lighting in the alley.",
    )
    view = victim_view_of_plan(case)
    assert [item.wording for item in view] == ["The council will put up lighting in the alley."]
    everything = repr(view)
    assert "J. Smith" not in everything and "closure order" not in everything and "enforcement" not in everything
    assert "WO-99" not in everything  # the agencies' description is never used for the victim


def test_open_actions_due_feeds_the_deadlines_work(world):
    overdue = open_actions_due(date.today())
    assert [a.id for a in overdue] == [world["police_a"].id]
    soon = open_actions_due(date.today() + timedelta(days=3))
    assert [a.id for a in soon] == [world["police_a"].id, world["council_b"].id]
    # Loaded with the query: agency and case are readable without another query.
    assert soon[1].owner_agency.name == "Severnbury Council" and soon[1].plan.case.reference


def test_the_named_person_is_offered_only_from_the_owning_agency(client, world, make_agency, make_user):
    login(client, world["coordinator"])
    faraway = make_agency("Faraway Fire", AgencyType.FIRE)
    make_user(Role.AGENCY_REP, agency=faraway, name="Fred Faraway")
    new = client.get(f"/cases/{world['case_b'].id}/plan/actions/new").get_data(as_text=True)
    assert "Priya Police (Severn Police)" in new and "Fred Faraway" not in new  # not involved in the case
    edit = client.get(f"/actions/{world['police_b'].id}/edit").get_data(as_text=True)
    people = edit.split('id="owner_user_id"', 1)[1].split("</select>", 1)[0]
    assert "Priya Police" in people and "Colin Council" not in people  # the police own this action
