"""Subject access: search, choose one person (never merged), export a ZIP with a PDF summary and JSON, other
people redacted, audited."""

from __future__ import annotations

import io
import json
import re
import zipfile

import pytest

from tests.conftest import login, post, text_of
from tests.documents_helpers import OTHER_ATTENDEE, PERPETRATOR, PERPETRATOR_ADDRESS, make_doc_world, pdf_text
from tests.governance_helpers import LETTER_TEXT, add_letter, audit_count
from trigger.extensions import db
from trigger.models import Incident, Role


@pytest.fixture
def world(app, org):
    world = make_doc_world(incident_text=f"{PERPETRATOR} shouted at Jane Applicant and at Kevin Otherneighbour")
    incident = db.session.query(Incident).filter_by(case_id=world.case.id).one()
    incident.complainant_name = "Kevin Otherneighbour"
    add_letter(world.case)
    db.session.commit()
    return world


def _tokens(page: str) -> list[str]:
    return re.findall(r'name="subject" type="radio" value="([^"]+)"', page)


def _export(client, query: str, token: str):
    return post(
        client,
        "/admin/subject-access/export",
        {"q": query, "subject": token},
        token_from=f"/admin/subject-access?q={query}",
    )


def test_the_applicants_export_has_their_data_and_redacts_everyone_else(world, admin_client):
    page = admin_client.get("/admin/subject-access?q=jane applicant").get_data(as_text=True)
    tokens = _tokens(page)
    assert len(tokens) == 1 and tokens[0].startswith("applicant:")
    response = _export(admin_client, "jane applicant", tokens[0])
    assert response.status_code == 200 and response.mimetype == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(response.data))
    assert sorted(archive.namelist()) == ["data.json", "documents/ASB-2026-0042-acknowledgement-v1.pdf", "summary.pdf"]
    assert archive.read("documents/ASB-2026-0042-acknowledgement-v1.pdf") == LETTER_TEXT
    data = json.loads(archive.read("data.json"))
    assert data["personal_details"][0]["email"] == "jane@example.org"
    assert data["cases"][0]["reference"] == "ASB-2026-0042"
    raw = archive.read("data.json").decode()
    text = pdf_text(archive.read("summary.pdf"))
    for other in (PERPETRATOR, PERPETRATOR_ADDRESS, "Kevin Otherneighbour", OTHER_ATTENDEE):
        assert other not in raw and other not in text
    assert "[redacted: another person] shouted at Jane Applicant and at [redacted: another person]" in raw
    assert "Information we hold about Jane Applicant" in text and "jane@example.org" in text
    assert audit_count("subject_access.exported") == 1


def test_several_matches_are_listed_to_choose_from_never_merged(world, admin_client):
    make_doc_world(reference="ASB-2026-0043", applicant="Jane Applicant", email="other.jane@example.org")
    page = admin_client.get("/admin/subject-access?q=jane").get_data(as_text=True)
    tokens = [t for t in _tokens(page) if t.startswith("applicant:")]
    assert len(tokens) == 2  # same name, different email: two people
    assert "jane@example.org" in page and "other.jane@example.org" in page
    data = json.loads(zipfile.ZipFile(io.BytesIO(_export(admin_client, "jane", tokens[0]).data)).read("data.json"))
    assert [d["email"] for d in data["personal_details"]] == ["jane@example.org"]


def test_the_alleged_perpetrator_gets_their_record_without_the_applicant(world, admin_client):
    page = admin_client.get("/admin/subject-access?q=noisyneighbour").get_data(as_text=True)
    token = next(t for t in _tokens(page) if t.startswith("perpetrator:"))
    archive = zipfile.ZipFile(io.BytesIO(_export(admin_client, "noisyneighbour", token).data))
    raw = archive.read("data.json").decode()
    assert PERPETRATOR_ADDRESS in raw and "Jane Applicant" not in raw and "jane@example.org" not in raw


def test_a_staff_member_can_be_found_and_exported(world, admin_client):
    page = admin_client.get(f"/admin/subject-access?q={world.coordinator.email}").get_data(as_text=True)
    token = next(t for t in _tokens(page) if t.startswith("staff:"))
    data = json.loads(zipfile.ZipFile(io.BytesIO(_export(admin_client, "x", token).data)).read("data.json"))
    assert data["account"]["email"] == world.coordinator.email


def test_no_match_blank_search_and_no_choice_get_clear_messages(world, admin_client):
    none = admin_client.get("/admin/subject-access?q=zebedee")
    assert none.status_code == 200 and "No one matches “zebedee”" in text_of(none)
    blank = admin_client.get("/admin/subject-access?q=")
    assert blank.status_code == 400 and "Enter a name or email address" in text_of(blank)
    unchosen = _export(admin_client, "jane", "")
    assert unchosen.status_code == 400 and "Choose the person" in text_of(unchosen)
    forged = _export(admin_client, "jane", "applicant:99999")
    assert forged.status_code == 400 and "search again" in text_of(forged)
    assert audit_count("subject_access.exported") == 0


def test_only_administrators_may_search(world, app, make_user):
    client = app.test_client()
    login(client, make_user(Role.COORDINATOR))
    assert client.get("/admin/subject-access?q=jane").status_code == 403
