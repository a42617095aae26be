"""A small world for the restorative pathway's tests: a case with an alleged perpetrator, a restorative justice
service and the people who work on (or must not see) the referral."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from tests.cases_helpers import make_case
from tests.conftest import login, post
from trigger.extensions import db
from trigger.models import AgencyType, Case, Role, User
from trigger.models.restorative import RestorativeQuestion, RestorativeReferral


@dataclass
class World:
    case: Case
    coordinator: User
    chair: User
    rj_rep: User
    police_rep: User
    viewer: User
    pcc: User
    rj_agency_id: int


def make_world(make_user, make_agency, make_area) -> World:
    area = make_area()
    police = make_agency("Test Police", AgencyType.POLICE)
    rj = make_agency("Vale Restorative Justice Service", AgencyType.RESTORATIVE_JUSTICE)
    case = make_case(area, police, perpetrator="Pat Responsible")
    db.session.add_all(
        [
            RestorativeQuestion(text="Is there a risk to anyone's safety?", concern_if_yes=True, position=1),
            RestorativeQuestion(
                text="Does the person responsible accept responsibility?", concern_if_yes=False, position=2
            ),
        ]
    )
    db.session.commit()
    return World(
        case=case,
        coordinator=make_user(Role.COORDINATOR),
        chair=make_user(Role.CHAIR, name="Chris Chair"),
        rj_rep=make_user(Role.AGENCY_REP, agency=rj, name="Robin Facilitator"),
        police_rep=make_user(Role.AGENCY_REP, agency=police),
        viewer=make_user(Role.VIEWER),
        pcc=make_user(Role.PCC_REVIEWER),
        rj_agency_id=rj.id,
    )


def refer(client, world: World, **overrides):
    data = {
        "agency_id": str(world.rj_agency_id),
        "reason": "Neighbour dispute that both sides want resolved",
        "include_applicant": "y",
        "perpetrator_ids": [str(p.id) for p in _perpetrators(world.case)],
    }
    data.update(overrides)
    return post(client, f"/cases/{world.case.id}/restorative/new", data)


def _perpetrators(case: Case):
    from trigger.restorative.services import perpetrators_of

    return perpetrators_of(case)


def only_referral() -> RestorativeReferral:
    from sqlalchemy import select
    from sqlalchemy.orm import selectinload

    db.session.expire_all()
    return db.session.scalar(select(RestorativeReferral).options(selectinload(RestorativeReferral.participants)))


def people(referral: RestorativeReferral) -> dict[str, int]:
    return {p.role.value: p.id for p in referral.participants}


def to_ready(client, referral_id: int) -> None:
    """Tell, assess suitable, both consent (as someone signed in who works the referral)."""
    from trigger.restorative.services import active_questions

    base = f"/restorative/{referral_id}"
    today = date.today().isoformat()
    assert post(client, f"{base}/told", {"told_on": today, "how": "phone", "answer": "interested"}).status_code == 302
    answers = {f"q_{q.id}": "no" if q.concern_if_yes else "yes" for q in active_questions()}
    assert post(client, f"{base}/assess", {**answers, "suitable": "yes"}).status_code == 302
    referral = only_referral()
    for role in ("harmed", "responsible"):
        response = post(
            client,
            f"{base}/consent",
            {"participant_id": str(people(referral)[role]), "given_on": today, "how": "in-person"},
        )
        assert response.status_code == 302, response.get_data(as_text=True)[:2000]


def tomorrow() -> str:
    return (date.today() + timedelta(days=1)).isoformat()


__all__ = ["World", "make_world", "refer", "only_referral", "people", "to_ready", "login", "tomorrow"]
