"""Administrators (and auditors) search the audit trail by person, case, record, action and date range."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest

from tests.cases_helpers import make_case
from tests.conftest import login, text_of
from trigger.extensions import db
from trigger.models import AuditEvent, Role


def event(
    action: str,
    summary: str,
    *,
    actor_label="Ada Admin <ada@example.org>",
    object_type="case",
    object_id=None,
    case_id=None,
    at=datetime(2026, 6, 15, 12, 0, tzinfo=UTC),
) -> None:
    db.session.add(
        AuditEvent(
            at=at,
            actor_label=actor_label,
            action=action,
            object_type=object_type,
            object_id=object_id,
            case_id=case_id,
            summary=summary,
            details={},
            ip_address="",
        )
    )
    db.session.commit()


@pytest.fixture
def trail(make_area, make_agency):
    case = make_case(make_area(), make_agency())
    event("case.updated", "Changed the address", case_id=case.id, object_id=case.id)
    event(
        "action.updated",
        "Marked the action done",
        object_type="action",
        object_id=7,
        case_id=case.id,
        actor_label="Priya Rep <priya@police.example>",
        at=datetime(2026, 7, 1, 9, 0, tzinfo=UTC),
    )
    event(
        "user.created",
        "Created account for Sam",
        object_type="user",
        object_id=3,
        at=datetime(2026, 5, 31, 23, 30, tzinfo=UTC),
    )  # 1 June, 12:30am in London
    return case


def summaries(response) -> list[str]:
    page = text_of(response)
    return [s for s in ("Changed the address", "Marked the action done", "Created account for Sam") if s in page]


def test_search_by_person_matches_part_of_a_name_or_email(admin_client, trail):
    assert summaries(admin_client.get("/admin/audit?person=PRIYA")) == ["Marked the action done"]
    assert summaries(admin_client.get("/admin/audit?person=police.example")) == ["Marked the action done"]


def test_search_by_case_reference_and_the_case_is_a_link(admin_client, trail):
    response = admin_client.get(f"/admin/audit?case_reference={trail.reference.lower()}")
    assert summaries(response) == ["Changed the address", "Marked the action done"]
    assert f'href="/cases/{trail.id}">{trail.reference}</a>' in response.get_data(as_text=True)


def test_an_unknown_case_reference_is_a_clear_error(admin_client, trail):
    response = admin_client.get("/admin/audit?case_reference=ASB-0000-9999")
    assert response.status_code == 400
    page = text_of(response)
    assert "There is a problem" in page and "There is no case with the reference ASB-0000-9999" in page


def test_search_by_record_type_and_number(admin_client, trail):
    assert summaries(admin_client.get("/admin/audit?record_type=action&record_id=7")) == ["Marked the action done"]
    assert summaries(admin_client.get("/admin/audit?record_type=user")) == ["Created account for Sam"]
    assert summaries(admin_client.get("/admin/audit?record_type=action&record_id=8")) == []


@pytest.mark.parametrize(
    "query, message",
    [
        ("record_type=action&record_id=seven", "Enter the record number as a whole number, like 42"),
        ("record_id=7", "Enter the type of record, like case, to find record number 7"),
        ("date_from=2026-02-30", "Enter the ‘from’ date as a real date"),
        ("date_to=next+week", "Enter the ‘to’ date as a real date"),
        ("date_from=2026-07-01&date_to=2026-06-01", "The ‘to’ date must be the same as or after the ‘from’ date"),
    ],
)
def test_bad_filters_get_a_clear_message_and_no_results(admin_client, trail, query, message):
    response = admin_client.get(f"/admin/audit?{query}")
    assert response.status_code == 400
    page = text_of(response)
    assert "There is a problem" in page and message in page and "Correct the search to see events" in page
    assert page.startswith("Error: Audit trail") or "<title>Error:" in response.get_data(as_text=True)


def test_search_by_action(admin_client, trail):
    assert summaries(admin_client.get("/admin/audit?action=action.")) == ["Marked the action done"]


def test_search_by_date_range_in_london_days(admin_client, trail):
    assert summaries(admin_client.get("/admin/audit?date_from=2026-06-01&date_to=2026-06-30")) == [
        "Changed the address",
        "Created account for Sam",
    ]  # 31 May 23:30 UTC is 1 June in London
    assert summaries(admin_client.get("/admin/audit?date_from=2026-07-01")) == ["Marked the action done"]
    assert summaries(admin_client.get("/admin/audit?date_to=2026-05-31")) == []


def test_filters_combine_and_pagination_keeps_them(admin_client, trail):
    for n in range(60):
        event("case.viewed", f"Viewed {n}", case_id=trail.id, object_id=trail.id)
    response = admin_client.get(f"/admin/audit?case_reference={trail.reference}&action=viewed")
    page = text_of(response)
    assert "60 events match the search" in page
    next_link = re.search(r'href="([^"]+)" rel="next"', response.get_data(as_text=True)).group(1)
    assert f"case_reference={trail.reference}" in next_link and "action=viewed" in next_link and "page=2" in next_link
    second = text_of(admin_client.get(f"/admin/audit?case_reference={trail.reference}&action=viewed&page=2"))
    assert "Viewed 0" in second and "Viewed 59" not in second and "Changed the address" not in second


def test_auditors_can_search_and_other_roles_cannot(client, make_user, trail):
    login(client, make_user(Role.VIEWER))
    assert summaries(client.get("/admin/audit?person=priya")) == ["Marked the action done"]
    client.get("/logout")
    other = client.application.test_client()
    login(other, make_user(Role.COORDINATOR))
    assert other.get("/admin/audit").status_code == 403
