"""Demo data for the restorative pathway: the suitability questions, and a few cases at each step of the pathway
in the demo county (trigger.demo.county). Everything here is invented; it goes through the services, as people would."""

from __future__ import annotations

from datetime import date, time, timedelta

from sqlalchemy import select

from trigger.extensions import db
from trigger.models import Agency, AgencyType, Area, Channel, Role, User
from trigger.models.restorative import RestorativeQuestion

QUESTIONS = [
    ("Is there a risk to anyone's safety if the parties communicate?", True),
    ("Is there a power imbalance that facilitation cannot manage (age, intimidation, coercion)?", True),
    ("Does the person responsible accept responsibility for the harm?", False),
    ("Do both parties have the capacity to take part, with any support they need?", False),
    ("Are there safeguarding concerns about anyone involved?", True),
]

# (applicant, street, the furthest step reached)
CASES = [
    ("Hannah Birch", "Willow Close", "referred"),
    ("Kwame Mensah", "Orchard Row", "told"),
    ("Ellie Fraser", "Mill Lane", "awaiting-consent"),
    ("George Pike", "Station Road", "ready"),
    ("Nadia Haddad", "Church Walk", "booked"),
    ("Bill Turner", "Quarry Hill", "agreement"),
    ("Sofia Rossi", "Kingfisher Way", "closed"),
]
STEPS = ["referred", "told", "awaiting-consent", "ready", "booked", "agreement", "closed"]


def load_restorative_demo(today: date | None = None) -> int:
    """Add the questions and one case at each step. Returns the number of cases added."""
    from trigger.cases import services as cases
    from trigger.restorative import feedback as rj_feedback
    from trigger.restorative import services as rj

    today = today or date.today()
    for position, (text, concern_if_yes) in enumerate(QUESTIONS, start=1):
        db.session.add(RestorativeQuestion(text=text, concern_if_yes=concern_if_yes, position=position))
    area = db.session.scalar(select(Area).order_by(Area.id).limit(1))
    police = db.session.scalar(select(Agency).where(Agency.agency_type == AgencyType.POLICE).limit(1))
    service = db.session.scalar(
        select(Agency).where(Agency.agency_type == AgencyType.RESTORATIVE_JUSTICE).order_by(Agency.id).limit(1)
    )
    coordinator = db.session.scalar(select(User).where(User.role == Role.COORDINATOR).order_by(User.id).limit(1))
    chair = db.session.scalar(select(User).where(User.role == Role.CHAIR).order_by(User.id).limit(1))
    facilitator = (
        db.session.scalar(
            select(User).where(User.agency_id == service.id, User.role == Role.AGENCY_REP).order_by(User.id).limit(1)
        )
        if service
        else None
    )
    if not all((area, police, service, coordinator, chair)):
        return 0
    db.session.flush()
    questions = rj.active_questions()
    added = 0
    for index, (name, street, last) in enumerate(CASES):
        reach = STEPS.index(last)
        start = today - timedelta(days=90 - index * 3)
        case = cases.create_case(
            dict(
                received_on=start,
                applicant_name=name,
                applicant_postcode="SV1 4RJ",
                applicant_email="",
                applicant_phone="01234 000000",
                applicant_address=f"{10 + index} {street}, Severnbury",
                asb_description="A long-running dispute with a neighbour: noise, shouting and a damaged fence.",
            ),
            [
                cases.IncidentData(
                    occurred_on=start - timedelta(days=d),
                    description=f"Shouting over the fence ({d} days before the application)",
                    reports=[cases.ReportData(agency_id=police.id, reported_on=start - timedelta(days=d))],
                )
                for d in (40, 25, 10)
            ],
            [cases.PerpetratorData(name=f"Neighbour at {12 + index} {street}")],
            area=area,
            channel=Channel.PHONE,
            actor=coordinator,
        )
        db.session.flush()
        referral = rj.refer(
            case,
            rj.ReferralInput(
                agency_id=str(service.id),
                reason="Both households say they want the dispute to stop; a restorative "
                "conference was suggested at the case review.",
                perpetrator_ids=[str(p.id) for p in rj.perpetrators_of(case)],
                referred_on=start + timedelta(days=30),
            ),
            actor=coordinator,
        )
        added += 1
        if facilitator is not None:
            rj.add_facilitator(referral, str(facilitator.id))
        harmed = next(p for p in referral.participants if p.role.value == "harmed")
        responsible = next(p for p in referral.participants if p.role.value == "responsible")
        told_on = start + timedelta(days=33)
        if reach >= 1:
            rj.tell_victim(referral, told_on=told_on, how="phone", answer="interested")
        if reach >= 2:
            rj.assess(
                referral,
                questions,
                {q.id: not q.concern_if_yes for q in questions},
                suitable=True,
                reason="",
                actor=facilitator or chair,
            )
            rj.record_consent(
                referral,
                participant_id=str(harmed.id),
                given_on=told_on + timedelta(days=2),
                how="in-person",
                actor=facilitator or chair,
            )
        if reach >= 3:
            rj.record_consent(
                referral,
                participant_id=str(responsible.id),
                given_on=told_on + timedelta(days=5),
                how="in-person",
                actor=facilitator or chair,
            )
            for person in (harmed, responsible):
                rj.add_preparation(
                    referral,
                    participant_id=str(person.id),
                    contact_on=told_on + timedelta(days=7),
                    kind="in-person",
                    notes="Talked through what a conference is like and what they would like to say.",
                    actor=facilitator or chair,
                )
        if reach == 4:
            rj.choose_process(referral, "direct-conference")
            rj.book_conference(
                referral,
                case,
                rj.BookingInput(
                    day=today + timedelta(days=10),
                    start=time(18, 0),
                    end=time(19, 30),
                    place="Severnbury Community Centre, small room",
                    virtual_link="",
                    chair_id=str(chair.id),
                ),
                actor=coordinator,
            )
        if reach >= 5:
            rj.choose_process(referral, "indirect-letters")
            rj.hold(referral, case, held_on=today - timedelta(days=40 if reach == 6 else 10))
            rj.add_item(
                referral,
                kind="apology",
                responsible=responsible.name,
                what="Write a letter of apology",
                victim_wording="A letter of apology to you",
                due_on=today - timedelta(days=20),
            )
            rj.add_item(
                referral,
                kind="behaviour",
                responsible=responsible.name,
                what="No music in the garden after 9pm",
                victim_wording="No loud music in the garden after 9pm",
                due_on=today + timedelta(days=60),
            )
        if reach >= 6:
            for item in rj.items_of(referral):
                rj.record_progress(referral, item, status="done", progress="Confirmed with both households")
            rj_feedback.record_phone_feedback(
                referral,
                participant_id=str(harmed.id),
                answers=rj_feedback.Answers(
                    felt_heard="yes", helped="yes", recommend=5, comments="It was hard but worth it."
                ),
                actor=facilitator or chair,
            )
            rj.close(referral, outcome="completed", closed_on=today)
        db.session.flush()
    return added
