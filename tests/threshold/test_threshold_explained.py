"""The threshold as the coordinator and the applicant meet it (issue 18): records entered twice, complainants,
applications about the same problem, incident numbers, the override's reason, bad dates, the separate-occasions
setting, and the evaluation's reasons in the decision letter."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from tests.cases_helpers import TODAY, days_ago, incident_fields, make_case, only_case, staff_form
from tests.conftest import login, post, text_of
from tests.documents_helpers import pdf_text
from trigger.documents.contexts import load_case_for_documents
from trigger.documents.rendering import render_document
from trigger.extensions import db
from trigger.models import (
    AgencyType,
    AuditEvent,
    CaseLink,
    DocumentKind,
    Incident,
    IncidentReport,
    Role,
    ThresholdDecision,
)
from trigger.threshold import services


@pytest.fixture
def world(make_area, make_agency, make_user, client):
    area = make_area("Testbury")
    police = make_agency("Test Police", AgencyType.POLICE)
    council = make_agency("Test Council", AgencyType.COUNCIL)
    coordinator = make_user(Role.COORDINATOR, name="Cora Ordinator")
    login(client, coordinator)
    return {
        "area": area,
        "police": police,
        "council": council,
        "coordinator": coordinator,
        "admin": make_user(Role.ADMIN, name="Ada Admin"),
    }


def set_policy(world, **values):
    policy = {name: getattr(services.ThresholdPolicy(), name) for name in services.POLICY_FIELDS}
    services.save_policy(world["area"], {**policy, **values}, actor=world["admin"])
    db.session.commit()


def add_incident(case, agency, days: int, reported: int, *, description="Another night of noise", complainant=""):
    incident = Incident(
        case_id=case.id, occurred_on=TODAY - timedelta(days=days), description=description, complainant_name=complainant
    )
    db.session.add(incident)
    db.session.flush()
    db.session.add(
        IncidentReport(incident_id=incident.id, agency_id=agency.id, reported_on=TODAY - timedelta(days=reported))
    )
    db.session.commit()
    return incident


def page_of(client, case) -> str:
    """The case's "Incidents and threshold" section."""
    return text_of(client.get(f"/cases/{case.id}/incidents"))


# ---- 1. the same two complaints entered twice ------------------------------------------------------------------


def test_the_same_two_complaints_entered_twice_on_intake_count_once_and_can_be_undone(client, world):
    police, council = world["police"], world["council"]
    first = (days_ago(60), "Music until 3am", [(police.id, days_ago(59))])
    second = (days_ago(50), "Bins set on fire", [(council.id, days_ago(49))])
    data = staff_form(world["area"], police, **{f"incidents-2-{f}": None for f in ("occurred_on", "description")})
    data = {k: v for k, v in data.items() if not k.startswith("incidents-")}
    for index, (occurred, description, reports) in enumerate([first, second, first, second]):
        data.update(incident_fields(index, occurred, description, reports))
    response = post(client, "/cases/new", data, token_from="/cases/new")
    assert response.status_code == 302, text_of(response)[:1500]

    page = text_of(client.get(response.location + "/incidents"))  # the new case's "Incidents and threshold"
    assert "Threshold not met: 2 qualifying complaints" in page
    assert "identical in every detail to incident 1, so it is counted once, as incident 1" in page
    assert page.count("Count it separately if it was a different incident") == 2

    case = only_case()
    copy = db.session.scalars(select(Incident).where(Incident.case_id == case.id).order_by(Incident.id)).all()[2]
    response = post(client, f"/cases/{case.id}/incidents/{copy.id}/same-as", {"same_as_id": "separate"})
    assert response.status_code == 302
    page = text_of(client.get(response.location))
    assert "counted as a separate incident" in page and "Qualifying complaints: 3" in page


# ---- 2. complainants compared by name --------------------------------------------------------------------------


def test_the_applicants_own_name_typed_as_complainant_is_the_applicant(client, world):
    set_policy(world, distinct_complainants=2)
    case = make_case(world["area"], world["police"], name="Jane Applicant", incidents=[(40, 39)])
    add_incident(case, world["police"], 20, 19, complainant="jane  APPLICANT")

    page = page_of(client, case)

    assert "Threshold not met" in page
    assert "Complaints in time came from 1 person (the applicant)" in page


# ---- 3. applications about the same problem --------------------------------------------------------------------


def test_linking_applications_as_the_same_problem_counts_their_complainants_together(app, client, world, make_user):
    set_policy(world, distinct_complainants=2)
    earlier = make_case(world["area"], world["police"], name="Bea Neighbour", incidents=[(30, 29)])
    case = make_case(world["area"], world["police"], name="Jane Applicant", incidents=[(40, 39)])
    assert db.session.scalar(select(CaseLink).where(CaseLink.case_id == case.id)) is not None  # same postcode

    page = page_of(client, case)
    assert "Threshold not met" in page and "Other applications about the same problem" in page
    assert f"{earlier.reference} (same address): not counted together" in page

    rep = app.test_client()
    login(rep, make_user(Role.AGENCY_REP, agency=world["police"]))
    url = f"/cases/{case.id}/same-problem/{earlier.id}"
    assert post(rep, url, {"same_problem": "yes"}, token_from="/cases").status_code == 403

    response = post(client, url, {"same_problem": "yes"}, token_from=f"/cases/{case.id}")
    assert response.status_code == 302
    page = text_of(client.get(response.location))
    assert f"{earlier.reference} is now counted as about the same problem" in page
    assert "Threshold met: 2 different people made complaints in time, counting 1 other application" in page
    assert (
        "Complaints in time came from 2 different people: 1 person on this application (the applicant) and"
        " 1 more on 1 other application linked as about the same problem"
    ) in page
    assert "Threshold met" in page_of(client, earlier)  # from either side
    events = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "case.same_problem_changed")).all()
    assert sorted(e.case_id for e in events) == sorted([case.id, earlier.id])

    response = post(client, url, {"same_problem": "no"}, token_from=f"/cases/{case.id}")
    assert "Threshold not met" in text_of(client.get(response.location))


def test_only_a_case_flagged_as_possibly_linked_can_be_linked_as_the_same_problem(client, world, make_area):
    case = make_case(world["area"], world["police"])
    stranger = make_case(make_area("Elsewhere"), world["police"], name="Sid Else", postcode="GL1 1AA")

    response = post(
        client, f"/cases/{case.id}/same-problem/{stranger.id}", {"same_problem": "yes"}, token_from=f"/cases/{case.id}"
    )

    assert "Choose a case flagged as possibly linked to this one" in text_of(client.get(response.location))
    assert client.post(f"/cases/{case.id}/same-problem/999999", data={}).status_code in (400, 404)


# ---- 4. incidents numbered within the case ---------------------------------------------------------------------


def test_incidents_are_numbered_1_to_n_within_the_case_not_by_database_id(client, world):
    make_case(world["area"], world["police"], name="Someone First", postcode="GL9 9ZZ")  # takes ids 1-3
    case = make_case(world["area"], world["police"])
    ids = [i.id for i in db.session.scalars(select(Incident).where(Incident.case_id == case.id))]
    assert min(ids) > 3

    page = page_of(client, case)

    assert "Incident 1:" in page and "Incident 2:" in page and "Incident 3:" in page
    assert "Incident 1 on" in page and f"Incident {max(ids)}:" not in page


# ---- 5. an override needs one reason ---------------------------------------------------------------------------


def test_a_vulnerability_override_needs_only_the_vulnerability_reason(client, world):
    case = make_case(world["area"], world["police"], incidents=[(40, 39)])

    response = post(
        client,
        f"/cases/{case.id}/threshold",
        {
            "outcome": "met-by-override",
            "reasons": "Decided on vulnerability.",
            "decision_maker_name": "Sam Senior",
            "decided_on": TODAY.isoformat(),
            "vulnerability_reason": "Lives alone with a serious illness.",
        },
    )

    assert response.status_code == 302, text_of(response)[:1500]
    decision = db.session.scalar(select(ThresholdDecision))
    assert decision.differs_from_advice and decision.difference_reason == "Lives alone with a serious illness."


# ---- 6. the evaluator refuses what intake refuses --------------------------------------------------------------


def test_a_report_dated_before_its_incident_is_refused_with_the_intake_message(client, world):
    case = make_case(world["area"], world["police"])
    add_incident(case, world["police"], 5, 8)  # as an old row or an import could hold it

    page = page_of(client, case)

    assert "The incidents cannot be evaluated" in page
    assert "The date reported must be the same as or after the date of the incident" in page
    response = post(
        client,
        f"/cases/{case.id}/threshold",
        {"outcome": "met", "reasons": "x", "decision_maker_name": "Sam", "decided_on": TODAY.isoformat()},
    )
    assert response.status_code == 400 and "The incidents need checking before a decision" in text_of(response)


# ---- 7. the separate-occasions setting explained ---------------------------------------------------------------


def test_the_policy_form_explains_what_separate_occasions_means(app, world):
    admin = app.test_client()
    login(admin, world["admin"])

    page = text_of(admin.get(f"/admin/threshold-policies/{world['area'].id}"))

    assert "Separate incidents are separate occasions, even on the same day" in page
    assert "stricter than the law" in page


# ---- 8. the evaluation's reasons in the decision letter --------------------------------------------------------


@pytest.mark.parametrize("include", [True, False])
def test_the_decision_letter_can_give_the_evaluations_reasons_redacted_and_without_bookkeeping(client, world, include):
    set_policy(world, distinct_complainants=5)  # so the reasons name who complained
    case = make_case(world["area"], world["police"], incidents=[(40, 39), (20, 20)])
    add_incident(case, world["police"], 10, 9, description="Stones thrown", complainant="Ann Neighbour")
    add_incident(case, world["police"], 10, 9, description="Stones thrown", complainant="Ann Neighbour")
    data = {
        "outcome": "met",
        "reasons": "Three complaints in time.",
        "decision_maker_name": "Sam Senior",
        "decided_on": TODAY.isoformat(),
    }
    if include:
        data["letter_includes_evaluation"] = "y"
    assert "Include the evaluation's reasons in the decision letter" in text_of(
        client.get(f"/cases/{case.id}/threshold")
    )
    assert post(client, f"/cases/{case.id}/threshold", data).status_code == 302

    text = " ".join(
        pdf_text(
            render_document(
                DocumentKind.THRESHOLD_DECISION, load_case_for_documents(case.id), draft=False, large_print=False
            )
        ).split()
    )

    assert "Three complaints in time." in text
    if include:
        assert "How the rules apply to the incidents you reported" in text
        assert "Incident 1 on" in text and "Incident 3 on" in text and "Qualifying complaints: 3" in text
        assert "Recorded more than once" not in text and "Incident 4 on" not in text
        assert "the applicant and another person" in text  # the complainant's name, through the Redactor
    else:
        assert "How the rules apply" not in text and "Incident 1 on" not in text
    assert "Ann Neighbour" not in text


def test_the_acknowledgement_letter_lists_a_record_entered_twice_once(client, world):
    case = make_case(world["area"], world["police"], incidents=[(40, 39)])
    add_incident(case, world["police"], 20, 19, description="Stones thrown at the window")
    add_incident(case, world["police"], 20, 19, description="Stones thrown at the window")

    text = " ".join(
        pdf_text(
            render_document(
                DocumentKind.ACKNOWLEDGEMENT, load_case_for_documents(case.id), draft=False, large_print=False
            )
        ).split()
    )

    assert text.count("Stones thrown at the window") == 1
