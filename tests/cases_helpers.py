"""Shared helpers for the case tests (tests/cases/, tests/threshold/ and many others): form data and a way to make
cases quickly."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import func, select

from trigger.extensions import db
from trigger.models import AuditEvent, Case

TODAY = date.today()


def days_ago(n: int) -> str:
    return (TODAY - timedelta(days=n)).isoformat()


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def actions(case_id: int | None = None) -> list[str]:
    statement = select(AuditEvent.action).order_by(AuditEvent.id)
    if case_id is not None:
        statement = statement.where(AuditEvent.case_id == case_id)
    return list(db.session.scalars(statement))


def incident_fields(index: int, occurred: str, description: str, reports: list[tuple], *, hate: bool = False) -> dict:
    data = {f"incidents-{index}-occurred_on": occurred, f"incidents-{index}-description": description}
    if hate:
        data[f"incidents-{index}-is_hate"] = "y"
    for r, (agency_id, reported_on, *rest) in enumerate(reports):
        prefix = f"incidents-{index}-reports-{r}-"
        data[prefix + "agency_id"] = str(agency_id)
        data[prefix + "reported_on"] = reported_on
        if rest:
            data[prefix + "agency_reference"] = rest[0]
    return data


def staff_form(area, police, **overrides) -> dict:
    """A complete, valid staff intake: three incidents reported to the police in the last few weeks."""
    data = {
        "area_id": str(area.id),
        "received_on": TODAY.isoformat(),
        "channel": "phone",
        "applicant_name": "Jane Applicant",
        "applicant_address": "1 Elm Road, Testbury",
        "applicant_postcode": "gl50 1aa",
        "applicant_phone": "07700 900123",
        "applicant_email": "Jane@Example.org",
        "preferred_contact": "email",
        "preferred_format": "standard",
        "language": "English",
        "is_third_party": "no",
        "lawful_basis": "UK GDPR Art. 6(1)(e) public task",
        "asb_description": "Loud parties every weekend and threats on the stairs.",
        "location": "Elm Road flats",
        "perpetrators-0-name": "Ronnie Noisy",
        "perpetrators-0-address": "3 Elm Road",
        **incident_fields(0, days_ago(40), "Party until 4am", [(police.id, days_ago(39), "POL/1")]),
        **incident_fields(1, days_ago(20), "Shouting and threats", [(police.id, days_ago(20))]),
        **incident_fields(2, days_ago(10), "Door kicked", [(police.id, days_ago(9))]),
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def public_form(area, police, **overrides) -> dict:
    data = {
        "area_id": str(area.id),
        "applying_for": "myself",
        "applicant_name": "Pat Public",
        "applicant_address": "9 Oak Street, Testbury",
        "applicant_postcode": "GL51 2BB",
        "applicant_email": "pat@example.org",
        "preferred_contact": "email",
        "preferred_format": "standard",
        "language": "English",
        "asb_description": "Motorbikes on the green every night.",
        "declaration": "y",
        "consent_to_share": "y",
        "confirmed": "yes",  # as sent from the "Check your answers" page
        **incident_fields(0, days_ago(30), "Motorbikes at midnight", [(police.id, days_ago(29))]),
        **incident_fields(1, days_ago(5), "Motorbikes again", [("", "")]),
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def only_case() -> Case:
    return db.session.scalar(select(Case))


def make_case(
    area,
    agency,
    *,
    name="Jane Applicant",
    postcode="GL50 1AA",
    email="",
    phone="",
    address="1 Elm Road",
    perpetrator: str | None = None,
    incidents: list[tuple[int, int]] | None = None,
    stage=None,
    received_on=None,
    hate: bool = False,
):
    """Save a case directly through the service, as intake would; incidents are (days ago, reported days ago)."""
    from trigger.cases import services
    from trigger.models import Channel

    incidents = incidents if incidents is not None else [(40, 39), (20, 20), (10, 9)]
    case = services.create_case(
        dict(
            received_on=received_on or TODAY,
            applicant_name=name,
            applicant_postcode=postcode,
            applicant_email=email,
            applicant_phone=phone,
            applicant_address=address,
            asb_description="Noise and threats",
        ),
        [
            services.IncidentData(
                occurred_on=TODAY - timedelta(days=o),
                description=f"Incident {o} days ago",
                is_hate=hate,
                reports=[services.ReportData(agency_id=agency.id, reported_on=TODAY - timedelta(days=r))],
            )
            for o, r in incidents
        ],
        [services.PerpetratorData(name=perpetrator)] if perpetrator else [],
        area=area,
        channel=Channel.PHONE,
        actor=None,
    )
    if stage is not None:
        case.stage = stage
    db.session.commit()
    return case
