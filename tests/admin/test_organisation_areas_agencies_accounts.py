"""Administrators manage the organisation, areas, agencies and accounts; every change is audited."""

import pytest
from sqlalchemy import func, select

from tests.conftest import post, text_of
from trigger.extensions import db
from trigger.models import Agency, AgencyType, Area, AuditEvent, Organisation, Role, User


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def actions() -> list[str]:
    return list(db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)))


# ---- agencies -------------------------------------------------------------------------------------------


def test_create_and_edit_an_agency(admin_client):
    response = post(
        admin_client,
        "/admin/agencies/new",
        {"name": "Vale Homes", "agency_type": "housing", "contact_email": "ASB@ValeHomes.example", "active": "y"},
    )
    assert response.status_code == 302
    listing = text_of(admin_client.get(response.location))
    assert "Agency Vale Homes has been created" in listing
    assert "Vale Homes Housing provider Relevant body asb@valehomes.example Active" in listing
    agency = db.session.scalar(select(Agency))
    response = post(
        admin_client,
        f"/admin/agencies/{agency.id}/edit",
        {"name": "Vale Homes Ltd", "agency_type": "housing", "contact_email": ""},
    )
    assert response.status_code == 302
    listing = text_of(admin_client.get("/admin/agencies"))
    assert "Vale Homes Ltd" in listing and "Inactive" in listing
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "agency.updated"))
    assert event.details["changes"]["name"] == ["Vale Homes", "Vale Homes Ltd"]
    assert event.details["changes"]["active"] == [True, False]
    assert event.actor_label.startswith("Ada Admin")


@pytest.mark.parametrize(
    "data, message",
    [
        ({"name": ""}, "Enter the agency's name"),
        ({"name": "x" * 161}, "160 characters or fewer"),
        ({"agency_type": ""}, "Choose the type of agency"),
        ({"agency_type": "wizards"}, "Not a valid choice"),
        ({"contact_email": "not an email"}, "Enter an email address in the correct format"),
        ({"name": "severn vale police"}, "There is already an agency called severn vale police"),
    ],
)
def test_agency_bad_input_is_explained_and_nothing_saved(admin_client, make_agency, data, message):
    make_agency("Severn Vale Police", AgencyType.POLICE)
    before = count(Agency), len(actions())
    response = post(
        admin_client,
        "/admin/agencies/new",
        {"name": "Fire Service", "agency_type": "fire", "contact_email": "", **data},
    )
    assert response.status_code == 400
    page = text_of(response)
    assert page.startswith("Error:")
    assert "There is a problem" in page and message in page
    assert (count(Agency), len(actions())) == before


def test_agency_search_and_pagination(admin_client, make_agency):
    for n in range(30):
        make_agency(f"Agency {n:02d}", AgencyType.OTHER)
    make_agency("100% Housing_Co", AgencyType.HOUSING)
    first = text_of(admin_client.get("/admin/agencies"))
    assert "31 agencies" in first and "Agency 00" in first and "Agency 29" not in first
    second = text_of(admin_client.get("/admin/agencies?page=2"))
    assert "Agency 29" in second
    assert "1 agency matching “100%”" in text_of(admin_client.get("/admin/agencies?q=100%25"))
    # % and _ are taken literally, not as wildcards
    assert "No agencies match" in text_of(admin_client.get("/admin/agencies?q=agency_0"))  # "_" is not "any"
    assert "1 agency" in text_of(admin_client.get("/admin/agencies?q=g_co"))


def test_unknown_agency_is_404(admin_client):
    assert admin_client.get("/admin/agencies/999/edit").status_code == 404


# ---- areas ----------------------------------------------------------------------------------------------


def test_create_area_with_nation(admin_client):
    response = post(admin_client, "/admin/areas/new", {"name": "Inverclyde", "nation": "scotland", "active": "y"})
    assert response.status_code == 302
    assert "Inverclyde Scotland Active" in text_of(admin_client.get("/admin/areas"))
    assert db.session.scalar(select(Area)).nation.value == "scotland"
    assert "area.created" in actions()


@pytest.mark.parametrize(
    "data, message",
    [
        ({"name": ""}, "Enter the area's name"),
        ({"nation": ""}, "Choose the nation the area is in"),
        ({"nation": "france"}, "Not a valid choice"),
        ({"name": "TESTBURY"}, "There is already an area called TESTBURY"),
    ],
)
def test_area_bad_input(admin_client, make_area, data, message):
    make_area("Testbury")
    response = post(admin_client, "/admin/areas/new", {"name": "Elmsbury", "nation": "england-and-wales", **data})
    assert response.status_code == 400
    assert message in text_of(response)
    assert count(Area) == 1


def test_empty_states(admin_client):
    assert "There are no areas yet" in text_of(admin_client.get("/admin/areas"))
    assert "There are no agencies yet" in text_of(admin_client.get("/admin/agencies"))


# ---- organisation ---------------------------------------------------------------------------------------


def test_organisation_settings(admin_client, org):
    response = post(
        admin_client,
        "/admin/organisation",
        {
            "name": "Severn Vale CSP",
            "address": "Shire Hall\nSevernbury",
            "contact_email": "",
            "contact_phone": "01234 567890",
            "process_name": "community-trigger",
        },
    )
    assert response.status_code == 302
    db.session.expire_all()
    saved = db.session.get(Organisation, 1)
    assert saved.name == "Severn Vale CSP" and saved.process_name.label == "Community Trigger"
    assert "Severn Vale CSP" in text_of(admin_client.get("/home"))  # the header shows the new name
    bad = post(admin_client, "/admin/organisation", {"name": "", "process_name": "nonsense"})
    assert bad.status_code == 400
    assert "Enter the name" in text_of(bad) and "Not a valid choice" in text_of(bad)


# ---- users ----------------------------------------------------------------------------------------------

GOOD_USER = {
    "name": "Lee Morgan",
    "email": "Lee.Morgan@ValeHomes.example",
    "role": "agency-representative",
    "active": "y",
}


def test_create_agency_representative(admin_client, make_agency):
    agency = make_agency("Vale Homes", AgencyType.HOUSING)
    response = post(admin_client, "/admin/users/new", {**GOOD_USER, "agency_id": str(agency.id)})
    assert response.status_code == 302
    listing = text_of(admin_client.get("/admin/users"))
    assert "The account for Lee Morgan has been created" in listing
    assert "Lee Morgan lee.morgan@valehomes.example Agency representative Vale Homes Never Active" in listing
    user = db.session.scalar(select(User).where(User.email == "lee.morgan@valehomes.example"))
    # Nobody was told a password: the person sets their own from the invitation (tests/auth/test_invitation_and_reset_links.py).
    assert user.password_hash.startswith("$argon2id$")
    assert "user.created" in actions() and "user.invited" in actions()


@pytest.mark.parametrize(
    "change, message",
    [
        ({"agency_id": ""}, "Choose the agency this representative works for"),
        ({"agency_id": "99999"}, "Not a valid choice"),
        ({"agency_id": "INACTIVE"}, "Not a valid choice"),
        ({"email": "ada@example.org"}, "There is already an account with this email address"),
        ({"email": "nope"}, "Enter an email address in the correct format"),
        ({"role": "superuser"}, "Not a valid choice"),
        ({"name": ""}, "Enter the person's full name"),
    ],
)
def test_user_bad_input(admin_client, make_agency, change, message):
    active = make_agency("Vale Homes", AgencyType.HOUSING)
    inactive = make_agency("Old Housing", AgencyType.HOUSING, active=False)
    data = {**GOOD_USER, "agency_id": str(active.id), **change}
    if data["agency_id"] == "INACTIVE":
        data["agency_id"] = str(inactive.id)
    before = count(User)
    response = post(admin_client, "/admin/users/new", data)
    assert response.status_code == 400
    page = text_of(response)
    assert message in page
    assert count(User) == before
    if "name" not in change:
        assert 'value="Lee Morgan"' in response.get_data(as_text=True)  # what was typed is kept


def test_inactive_agency_is_not_offered(admin_client, make_agency):
    make_agency("Old Housing", AgencyType.HOUSING, active=False)
    make_agency("Vale Homes", AgencyType.HOUSING)
    page = admin_client.get("/admin/users/new").get_data(as_text=True)
    assert "Vale Homes" in page and "Old Housing" not in page


def test_last_administrator_cannot_be_demoted_or_deactivated(admin_client, admin):
    for data in ({"role": "viewer", "active": "y"}, {"role": "administrator"}):
        response = post(
            admin_client,
            f"/admin/users/{admin.id}/edit",
            {"name": admin.name, "email": admin.email, "agency_id": "", **data},
        )
        assert response.status_code == 400
        assert "There must always be at least one active administrator" in text_of(response)
    db.session.expire_all()
    assert db.session.get(User, admin.id).role is Role.ADMIN


def test_user_search_and_role_filter(admin_client, make_user):
    make_user(Role.CHAIR, name="Margaret Hughes")
    make_user(Role.VIEWER, name="Ravi Patel")
    page = text_of(admin_client.get("/admin/users?q=marg"))
    assert "Margaret Hughes" in page and "Ravi Patel" not in page
    page = text_of(admin_client.get("/admin/users?role=viewer"))
    assert "Ravi Patel" in page and "Margaret Hughes" not in page
    assert "1 account" in page
    assert admin_client.get("/admin/users?role=nonsense").status_code == 200


def test_admin_form_has_no_password_field(admin_client, make_user):
    user = make_user(Role.CHAIR, name="Chair Person")
    for url in ("/admin/users/new", f"/admin/users/{user.id}/edit"):
        assert 'type="password"' not in admin_client.get(url).get_data(as_text=True)
    # A password sent anyway is ignored: administrators never set one.
    before = user.password_hash
    post(
        admin_client,
        f"/admin/users/{user.id}/edit",
        {
            "name": user.name,
            "email": user.email,
            "role": "chair",
            "agency_id": "",
            "active": "y",
            "password": "new lantern harbour fig",
        },
    )
    db.session.refresh(user)
    assert user.password_hash == before


def test_audit_trail_lists_changes(admin_client, make_agency):
    post(admin_client, "/admin/agencies/new", {"name": "Vale Homes", "agency_type": "housing", "active": "y"})
    page = text_of(admin_client.get("/admin/audit"))
    assert "Created agency Vale Homes" in page and "Ada Admin" in page
    page = text_of(admin_client.get("/admin/audit?action=agency"))
    assert "Created agency Vale Homes" in page and "login.succeeded" not in page


def test_the_administration_home_links_to_the_outbox_the_agenda_and_the_risk_questions(admin_client):
    html = admin_client.get("/admin/").get_data(as_text=True)
    for href, words in (
        ("/admin/outbox", "Outbox"),
        ("/admin/agenda", "Meeting agenda"),
        ("/admin/risk-questions", "Risk and vulnerability questions"),
    ):
        assert f'href="{href}">{words}</a>' in html
        assert admin_client.get(href).status_code == 200
