"""What the restorative justice documents say (the documents engine renders, issues and registers them).

* The victim's letter "Restorative justice: what it is and how to take part" and the victim's copy of the
  agreement receive plain values only, passed through the case's Redactor (no perpetrator's name or address).
* The invitation to the person responsible says nothing about the victim beyond what they already know: no
  name, no address, no words of the victim, nothing from the case file.
* The agreement itself (agencies, OFFICIAL-SENSITIVE) names who does what by when and has signature lines.

The referral is the case's latest one; a document that needs something not yet done raises DocumentProblem.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from trigger.documents.contexts import DocumentContext, DocumentProblem, lines, register_builders
from trigger.domain.restorative import ParticipantRole
from trigger.extensions import db
from trigger.models import Case, DocumentKind, Perpetrator
from trigger.models.restorative import AgreementItem, RestorativeReferral


def _latest_referral(case: Case) -> RestorativeReferral:
    referral = db.session.scalar(
        select(RestorativeReferral)
        .where(RestorativeReferral.case_id == case.id)
        .options(selectinload(RestorativeReferral.participants))
        .order_by(RestorativeReferral.referred_on.desc(), RestorativeReferral.id.desc())
        .limit(1)
    )
    if referral is None:
        raise DocumentProblem("The case has not been referred for restorative justice yet.")
    return referral


def _items(referral: RestorativeReferral) -> list[AgreementItem]:
    items = list(
        db.session.scalars(
            select(AgreementItem)
            .where(AgreementItem.referral_id == referral.id)
            .order_by(AgreementItem.due_on, AgreementItem.id)
        )
    )
    if not items:
        raise DocumentProblem("The outcome agreement has no items yet: add them on the restorative pathway first.")
    return items


def _service(referral: RestorativeReferral) -> dict:
    return {"name": referral.agency.name, "email": referral.agency.contact_email}


def information_letter(case, common, redact, *, today, **_):
    referral = _latest_referral(case)
    return DocumentContext(
        title="Restorative justice: what it is and how to take part", values={**common, "service": _service(referral)}
    )


def agreement_victim(case, common, redact, *, today, **_):
    referral = _latest_referral(case)
    items = [
        {"what": redact(item.victim_wording or item.what), "due_on": item.due_on, "status": item.status.label}
        for item in _items(referral)
    ]
    return DocumentContext(
        title="Your copy of the restorative agreement",
        values={**common, "service": _service(referral), "items": items, "held_on": referral.held_on},
    )


def invitation_responsible(case, common, *, today, **_):
    referral = _latest_referral(case)
    people = [p for p in referral.participants if p.role is ParticipantRole.RESPONSIBLE]
    if not people:
        raise DocumentProblem("Add the person responsible to the referral before inviting them.")
    person = people[0]
    perpetrator = db.session.get(Perpetrator, person.perpetrator_id) if person.perpetrator_id else None
    # Only their own name and address and the service's details: nothing about the victim or the case file.
    return DocumentContext(
        title="An invitation to take part in restorative justice",
        values={
            "recipient": {"name": person.name, "address": lines(perpetrator.address) if perpetrator else []},
            "service": _service(referral),
            "letter_date": today,
        },
    )


def responsible_person(case: Case) -> tuple[str, str]:
    """The name and postal address the invitation goes to ("" when not known yet)."""
    try:
        referral = _latest_referral(case)
    except DocumentProblem:
        return "", ""
    person = next((p for p in referral.participants if p.role is ParticipantRole.RESPONSIBLE), None)
    if person is None:
        return "", ""
    perpetrator = db.session.get(Perpetrator, person.perpetrator_id) if person.perpetrator_id else None
    return person.name, perpetrator.address if perpetrator else ""


def agreement(case, common, *, today, **_):
    referral = _latest_referral(case)
    items = _items(referral)
    signers = [p for p in referral.participants if p.role in (ParticipantRole.HARMED, ParticipantRole.RESPONSIBLE)]
    return DocumentContext(
        title="Restorative outcome agreement",
        values={
            "process_name": common["process_name"],
            "service": _service(referral),
            "items": items,
            "signers": signers,
            "held_on": referral.held_on,
            "process": referral.process,
        },
    )


APPLICANT_BUILDERS = {
    DocumentKind.RESTORATIVE_INFORMATION: information_letter,
    DocumentKind.RESTORATIVE_AGREEMENT_VICTIM: agreement_victim,
}
AGENCY_BUILDERS = {
    DocumentKind.RESTORATIVE_INVITATION: invitation_responsible,
    DocumentKind.RESTORATIVE_AGREEMENT: agreement,
}


def register() -> None:
    """Make the documents engine know these documents (called by create_app)."""
    register_builders(applicant=APPLICANT_BUILDERS, agency=AGENCY_BUILDERS)
