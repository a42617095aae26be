"""The reminder ladder of an area: administrators change it on a page like the timescales (audited); nobody else."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from tests.conftest import login, post, text_of
from trigger.deadlines.ladders import ladder_for_area
from trigger.domain.reminders import Ladder
from trigger.extensions import db
from trigger.models import AuditEvent, Role
from trigger.models.deadlines import AreaReminderLadder

DEFAULTS = {"days_before": "2", "on_the_day": "yes", "when_overdue": "yes", "escalate_after": "5"}


def field_error(response, field_id: str) -> str:
    match = re.search(
        rf'<p id="{field_id}-error" class="govuk-error-message">(.*?)</p>', response.get_data(as_text=True), re.S
    )
    assert match, f"no error shown next to {field_id}"
    return " ".join(re.sub(r"<[^>]+>", " ", match.group(1)).split()).replace("Error: ", "")


def test_an_administrator_changes_the_reminders_of_an_area(admin_client, make_area):
    area = make_area("Severnbury")
    page = text_of(admin_client.get(f"/admin/areas/{area.id}/reminders"))
    assert "Severnbury uses the product's default reminders." in page
    assert "Remind the owner this many working days before the due date" in page
    assert "Reminders" in text_of(admin_client.get(f"/admin/areas/{area.id}/edit"))  # linked next to the timescales
    assert f"/admin/areas/{area.id}/reminders" in admin_client.get("/admin/areas").get_data(as_text=True)

    response = post(
        admin_client,
        f"/admin/areas/{area.id}/reminders",
        {**DEFAULTS, "days_before": "3", "on_the_day": "no", "escalate_after": "10"},
    )
    assert response.status_code == 302
    assert "The reminders of Severnbury have been saved." in text_of(admin_client.get(response.location))
    assert ladder_for_area(area) == Ladder(days_before=3, on_the_day=False, when_overdue=True, escalate_after=10)
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "area.reminders_changed")).one()
    assert event.details["changes"] == {"days_before": [2, 3], "on_the_day": [True, False], "escalate_after": [5, 10]}
    assert event.actor_label.startswith("Ada Admin")
    page = admin_client.get(f"/admin/areas/{area.id}/reminders").get_data(as_text=True)
    assert 'value="3"' in page and 'value="10"' in page  # the form shows what is saved

    # Switching the advance reminder off is allowed (0); the same values again change nothing.
    post(admin_client, f"/admin/areas/{area.id}/reminders", {**DEFAULTS, "days_before": "0"})
    assert ladder_for_area(area).days_before == 0
    response = post(admin_client, f"/admin/areas/{area.id}/reminders", {**DEFAULTS, "days_before": "0"})
    assert "No changes were made" in text_of(admin_client.get(response.location))
    assert (
        db.session.scalar(
            select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "area.reminders_changed")
        )
        == 2
    )


@pytest.mark.parametrize(
    "field, value, message",
    [
        ("days_before", "21", "The number of working days before the due date must be between 0 and 20"),
        ("days_before", "-1", "The number of working days before the due date must be between 0 and 20"),
        ("days_before", "two", "The number of working days before the due date must be a whole number, like 2"),
        ("days_before", "", "Enter the number of working days before the due date"),
        ("escalate_after", "0", "The number of working days overdue before escalating must be between 1 and 60"),
        ("escalate_after", "61", "The number of working days overdue before escalating must be between 1 and 60"),
        ("on_the_day", "", "Choose whether to remind the owner on the day it is due"),
        ("when_overdue", "maybe", "Not a valid choice"),
    ],
)
def test_bad_values_are_refused_next_to_the_field_and_nothing_is_saved(admin_client, make_area, field, value, message):
    area = make_area()
    response = post(admin_client, f"/admin/areas/{area.id}/reminders", {**DEFAULTS, field: value})
    assert response.status_code == 400
    assert message in field_error(response, field)
    assert "There is a problem" in text_of(response)
    assert db.session.scalar(select(func.count()).select_from(AreaReminderLadder)) == 0


@pytest.mark.parametrize("role", [Role.COORDINATOR, Role.CHAIR, Role.VIEWER, Role.AGENCY_REP])
def test_only_administrators_may_see_or_change_the_reminders(app, make_area, make_user, role):
    area = make_area()
    client = app.test_client()
    login(client, make_user(role))
    assert client.get(f"/admin/areas/{area.id}/reminders").status_code == 403
    token_page = client.get("/notifications")  # any page of theirs carries a CSRF token
    assert token_page.status_code == 200
    refused = post(
        client, f"/admin/areas/{area.id}/reminders", {**DEFAULTS, "days_before": "9"}, token_from="/notifications"
    )
    assert refused.status_code == 403
    assert ladder_for_area(area).days_before == 2
