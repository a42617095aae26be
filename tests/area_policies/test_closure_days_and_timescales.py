"""Per-area closure days and timescales: administrators change them (audited); deadline code reads them."""

from __future__ import annotations

import re
from datetime import date

import pytest
from sqlalchemy import func, select

from tests.conftest import login, post, text_of
from trigger.area_policies.services import (
    calendar_for_area,
    calendars_for_areas,
    timescale_for_area,
    timescales_for_areas,
)
from trigger.domain.deadlines import TimescalePolicy
from trigger.domain.workdays import Nation
from trigger.extensions import db
from trigger.models import AreaClosureDay, AreaTimescalePolicy, AuditEvent, Role

DEFAULTS = {
    "acknowledge": "5",
    "information_gathered": "10",
    "threshold_decision": "10",
    "meeting_held": "20",
    "outcome_sent": "5",
    "escalation_window": "20",
    "escalation_decided": "20",
}


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def audit_actions() -> list[str]:
    return list(db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)))


def field_error(response, field_id: str) -> str:
    """The error message shown next to one field (GOV.UK puts it in <p id="FIELD-error">)."""
    match = re.search(
        rf'<p id="{field_id}-error" class="govuk-error-message">(.*?)</p>', response.get_data(as_text=True), re.S
    )
    assert match, f"no error shown next to {field_id}"
    return " ".join(re.sub(r"<[^>]+>", " ", match.group(1)).split()).replace("Error: ", "")


# ---- closure days -------------------------------------------------------------------------------------------


def test_a_closure_day_is_skipped_by_the_areas_calendar(admin_client, make_area):
    area = make_area("Severnbury")
    other = make_area("Forest")
    # Wednesday 23 December 2026 + 3 working days: Thursday 24th, then Christmas (Friday), the weekend and
    # Boxing Day's substitute (Monday 28th) are skipped: Tuesday 29th, Wednesday 30th.
    assert calendar_for_area(area).add_working_days(date(2026, 12, 23), 3) == date(2026, 12, 30)

    page = text_of(admin_client.get(f"/admin/areas/{area.id}/closures"))
    assert "Severnbury has no closure days" in page
    response = post(
        admin_client,
        f"/admin/areas/{area.id}/closures",
        {"day": "2026-12-29", "reason": "Offices closed between Christmas and New Year"},
    )
    assert response.status_code == 302
    page = text_of(admin_client.get(response.location))
    assert "Tuesday 29 December 2026 is now a closure day in Severnbury" in page
    assert "29 December 2026 Offices closed between Christmas and New Year" in page

    calendar = calendar_for_area(area)
    assert not calendar.is_working_day(date(2026, 12, 29))
    assert calendar.holiday_name(date(2026, 12, 29)) == "Local closure day"
    assert calendar.add_working_days(date(2026, 12, 23), 3) == date(2026, 12, 31)  # 24th, 30th, 31st
    assert calendar_for_area(other).is_working_day(date(2026, 12, 29))  # only this area closes
    assert calendars_for_areas([area, other])[area.id].closures == {date(2026, 12, 29)}
    assert audit_actions()[-1] == "area.closure_added"


def test_removing_a_closure_day_asks_for_confirmation_and_is_audited(admin_client, make_area):
    area = make_area("Severnbury")
    post(admin_client, f"/admin/areas/{area.id}/closures", {"day": "2026-12-30", "reason": ""})
    closure = db.session.scalars(select(AreaClosureDay)).one()
    url = f"/admin/areas/{area.id}/closures/{closure.id}/remove"

    confirm = text_of(admin_client.get(url))
    assert "Remove 30 December 2026 as a closure day?" in confirm
    assert count(AreaClosureDay) == 1  # asking is not doing
    response = post(admin_client, url)
    assert response.status_code == 302
    assert "Wednesday 30 December 2026 is no longer a closure day in Severnbury" in text_of(
        admin_client.get(response.location)
    )
    assert count(AreaClosureDay) == 0
    assert calendar_for_area(area).is_working_day(date(2026, 12, 30))
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "area.closure_removed")).one()
    assert event.details["day"] == "2026-12-30" and event.actor_label.startswith("Ada Admin")


@pytest.mark.parametrize(
    "day, message",
    [
        ("", "Enter the date the offices are closed"),
        ("not a date", "Enter a real date, like 27 December 2026"),
        ("2026-12-26", "Saturday 26 December 2026 is a weekend day, which is never a working day"),
        ("2026-12-25", "Friday 25 December 2026 is already a bank holiday (Christmas Day)"),
        ("2026-12-29", "Tuesday 29 December 2026 is already a closure day in Severnbury"),
        ("2099-12-29", "Enter a date between 2000 and 2039"),
    ],
)
def test_bad_closure_days_are_refused_next_to_the_field(admin_client, make_area, day, message):
    area = make_area("Severnbury")
    db.session.add(AreaClosureDay(area_id=area.id, day=date(2026, 12, 29), reason=""))
    db.session.commit()
    response = post(admin_client, f"/admin/areas/{area.id}/closures", {"day": day, "reason": "x"})
    assert response.status_code == 400
    assert text_of(response).startswith("Error:")
    assert field_error(response, "day") == message
    assert count(AreaClosureDay) == 1


def test_scottish_bank_holidays_are_refused_as_closures_only_in_scotland(admin_client, make_area):
    area = make_area("Glenshire")
    area.nation = Nation.SCOTLAND
    db.session.commit()
    response = post(admin_client, f"/admin/areas/{area.id}/closures", {"day": "2026-01-02"})
    assert "already a bank holiday" in field_error(response, "day")


def test_a_closure_of_another_area_or_an_unknown_area_is_404(admin_client, make_area):
    area, other = make_area("One"), make_area("Two")
    db.session.add(AreaClosureDay(area_id=other.id, day=date(2026, 12, 29), reason=""))
    db.session.commit()
    closure = db.session.scalars(select(AreaClosureDay)).one()
    assert admin_client.get(f"/admin/areas/{area.id}/closures/{closure.id}/remove").status_code == 404
    assert admin_client.get("/admin/areas/999/closures").status_code == 404
    assert admin_client.get("/admin/areas/999/timescales").status_code == 404


# ---- timescales -----------------------------------------------------------------------------------------------


def test_timescales_default_then_edited_versioned_and_audited(admin_client, make_area):
    area = make_area("Severnbury")
    assert timescale_for_area(area) == TimescalePolicy()
    page = text_of(admin_client.get(f"/admin/areas/{area.id}/timescales"))
    assert "Published range: 1 to 10 working days. Default: 5." in page  # acknowledge's hint
    assert "Working days after the threshold decision. Published range: 5 to 28 working days." in page
    assert "Severnbury uses the product's default timescales." in page

    response = post(
        admin_client, f"/admin/areas/{area.id}/timescales", {**DEFAULTS, "acknowledge": "3", "threshold_decision": "15"}
    )
    assert response.status_code == 302
    page = text_of(admin_client.get(response.location))
    assert "The timescales of Severnbury have been saved." in page
    assert timescale_for_area(area) == TimescalePolicy(acknowledge=3, threshold_decision=15)
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "area.timescales_changed")).one()
    assert event.details["changes"] == {"acknowledge": [5, 3], "threshold_decision": [10, 15]}
    assert event.actor_label.startswith("Ada Admin")

    post(admin_client, f"/admin/areas/{area.id}/timescales", {**DEFAULTS, "acknowledge": "4"})
    versions = db.session.scalars(select(AreaTimescalePolicy.version).order_by(AreaTimescalePolicy.id)).all()
    assert versions == [1, 2]  # earlier versions are kept
    assert timescale_for_area(area).acknowledge == 4 and timescale_for_area(area).threshold_decision == 10
    assert "2 (current)" in text_of(admin_client.get(f"/admin/areas/{area.id}/timescales"))

    # Saving the same values again makes no new version.
    response = post(admin_client, f"/admin/areas/{area.id}/timescales", {**DEFAULTS, "acknowledge": "4"})
    assert "No changes were made" in text_of(admin_client.get(response.location))
    assert count(AreaTimescalePolicy) == 2


def test_values_outside_the_published_ranges_are_allowed_with_a_warning(admin_client, make_area):
    area = make_area("Severnbury")
    response = post(admin_client, f"/admin/areas/{area.id}/timescales", {**DEFAULTS, "outcome_sent": "30"})
    page = text_of(admin_client.get(response.location))
    warning = "Send the outcome letter: 30 working days is outside the published range of 5 to 10 working days."
    assert warning in page
    assert warning in text_of(admin_client.get(f"/admin/areas/{area.id}/timescales"))  # until it is changed


@pytest.mark.parametrize(
    "field, value, message",
    [
        ("acknowledge", "0", "The number of working days to acknowledge the application must be between 1 and 60"),
        ("meeting_held", "61", "The number of working days to hold the case review meeting must be between 1 and 60"),
        (
            "outcome_sent",
            "ten",
            "The number of working days to send the outcome letter must be a whole number, like 10",
        ),
        ("escalation_window", "", "Enter the number of working days to ask for an escalation"),
        ("threshold_decision", "-3", "between 1 and 60"),
    ],
)
def test_bad_timescales_are_refused_next_to_the_field(admin_client, make_area, field, value, message):
    area = make_area("Severnbury")
    before = count(AreaTimescalePolicy), len(audit_actions())
    response = post(admin_client, f"/admin/areas/{area.id}/timescales", {**DEFAULTS, field: value})
    assert response.status_code == 400
    assert text_of(response).startswith("Error:") and "There is a problem" in text_of(response)
    assert message in field_error(response, field)
    assert (count(AreaTimescalePolicy), len(audit_actions())) == before
    assert timescale_for_area(area) == TimescalePolicy()


def test_batch_lookups_for_the_deadlines_job(app, make_area):
    one, two = make_area("One"), make_area("Two")
    db.session.add_all(
        [
            AreaTimescalePolicy(
                area_id=one.id, version=1, **{**{k: int(v) for k, v in DEFAULTS.items()}, "acknowledge": 7}
            ),
            AreaTimescalePolicy(
                area_id=one.id, version=2, **{**{k: int(v) for k, v in DEFAULTS.items()}, "acknowledge": 8}
            ),
        ]
    )
    db.session.commit()
    policies = timescales_for_areas([one, two])
    assert policies == {one.id: TimescalePolicy(acknowledge=8), two.id: TimescalePolicy()}


def test_area_pages_link_to_closures_and_timescales(admin_client, make_area):
    area = make_area("Severnbury")
    for url in ("/admin/areas", f"/admin/areas/{area.id}/edit"):
        html = admin_client.get(url).get_data(as_text=True)
        assert f"/admin/areas/{area.id}/closures" in html and f"/admin/areas/{area.id}/timescales" in html


@pytest.mark.parametrize("role", [Role.COORDINATOR, Role.CHAIR, Role.VIEWER])
def test_only_administrators_change_area_policies(client, make_user, make_area, role):
    area = make_area("Severnbury")
    login(client, make_user(role))
    for url in (f"/admin/areas/{area.id}/closures", f"/admin/areas/{area.id}/timescales"):
        assert client.get(url).status_code == 403
