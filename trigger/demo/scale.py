"""A large, realistic, fictional data set on top of the demo county: `flask demo load --scale N`.

N=1 is a thousand cases: N=10 gives 10,000 cases with their incidents and reports, 30,000 meetings with their
attendees and revisioned minutes, 100,000 actions with their updates, 6 areas and 40 agencies. Everything is
invented from the word lists below with one seeded random generator, so a seed gives the same people, places
and stories every time (dates are relative to `today`, so the data never ages out of the dashboards).

Speed: rows are built as plain dicts and written with SQLAlchemy Core `insert()` in batches, ids assigned here
(so children can point at parents without a round trip per row); PostgreSQL's sequences are moved past them at
the end. Every row keeps to the models' constraints and to the stage rules: a case's stage, decisions,
meetings, plan and actions tell one consistent story, and closed cases carry their closure reason and dates.
Scale accounts get a password nobody knows: an administrator sets one before anybody can sign in with them.
"""

from __future__ import annotations

import random
import secrets
import time as clock
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import func, insert, select, text

from trigger.auth.passwords import hash_password
from trigger.area_policies.services import calendars_for_areas, timescales_for_areas
from trigger.domain.deadlines import DeadlineKind, compute_due
from trigger.domain.stages import Stage
from trigger.domain.workdays import HolidayDataMissing
from trigger.extensions import db
from trigger.models import (
    Action,
    ActionDueDateChange,
    ActionPlan,
    ActionUpdate,
    Agency,
    AgencyType,
    Area,
    Attendee,
    AuditEvent,
    Case,
    Incident,
    IncidentReport,
    Meeting,
    MinuteItem,
    MinuteRevision,
    MinutesApproval,
    Perpetrator,
    Role,
    ThresholdDecision,
    User,
)
from trigger.meetings.services import DEFAULT_AGENDA
from trigger.models.deadlines import CaseDeadline

CASES_PER_SCALE = 1000
MEETINGS_PER_SCALE = 3000
ACTIONS_PER_SCALE = 10000
TOTAL_AGENCIES = 40
BATCH_CASES = 500  # cases generated and committed together (with all their children)
INSERT_BATCH = 5000  # rows per executemany

# The demo county has 16 agencies; scale adds these to reach 40.
EXTRA_AGENCIES: list[tuple[str, AgencyType]] = [
    ("Severnside Homes", AgencyType.HOUSING),
    ("Ashcombe Housing Trust", AgencyType.HOUSING),
    ("Brindle Forest Homes", AgencyType.HOUSING),
    ("Carrow Community Housing", AgencyType.HOUSING),
    ("Dunmere Housing Co-operative", AgencyType.HOUSING),
    ("Elmsbury Homes", AgencyType.HOUSING),
    ("Greenway Housing Group", AgencyType.HOUSING),
    ("Hallmark Vale Housing", AgencyType.HOUSING),
    ("Severn Vale Mental Health Trust", AgencyType.HEALTH),
    ("Vale Community Health Services", AgencyType.HEALTH),
    ("Severnbury General Hospital Trust", AgencyType.HEALTH),
    ("Ashcombe Youth Justice Team", AgencyType.YOUTH),
    ("Carrow Vale Youth Hub", AgencyType.YOUTH),
    ("Severn Vale Children's Services", AgencyType.SOCIAL_CARE),
    ("Vale Domestic Abuse Service", AgencyType.VICTIM_SERVICES),
    ("Severn Vale Hate Crime Support", AgencyType.VICTIM_SERVICES),
    ("Severn Vale Mediation Service", AgencyType.RESTORATIVE_JUSTICE),
    ("Dunmere Neighbourhood Watch Association", AgencyType.OTHER),
    ("Vale Schools Partnership", AgencyType.OTHER),
    ("Severn Vale Drug and Alcohol Service", AgencyType.OTHER),
    ("Elmsbury Town Council", AgencyType.COUNCIL),
    ("Brindle Forest Parish Council", AgencyType.COUNCIL),
    ("Vale Environmental Health Partnership", AgencyType.COUNCIL),
    ("Vale Rail Community Safety", AgencyType.OTHER),
]

FIRST = (
    "Aaliyah Adam Aisha Alan Alice Amir Amy Andrew Anna Arjun Barbara Ben Bethan Bilal Carl Caroline Chloe "
    "Chris Claire Colin Daniel Deborah Dylan Eleanor Elif Emma Farah Fatima Gareth George Grace Hamza Hannah "
    "Harry Ian Imran Isla Jack Jade James Janet Jasmine John Joseph Julie Karen Kate Kwame Laura Leon Lily "
    "Lucy Mark Martin Mary Megan Mohammed Nadia Natalie Neil Nia Noah Olivia Oliver Patrick Paul Priya "
    "Rachel Rhys Ruth Ryan Sadia Sam Sarah Sean Sian Sophie Stephen Susan Tariq Thomas Tom Tomasz Vikram "
    "Wendy William Yusuf Zara Zofia"
).split()
LAST = (
    "Abbott Ahmed Ali Allen Baker Begum Bennett Brown Campbell Carter Chen Clarke Collins Cooper Davies "
    "Dixon Edwards Evans Fisher Foster Green Griffiths Hall Harris Hill Hughes Hussain Jackson James Jenkins "
    "Johnson Jones Kaur Kelly Khan King Kowalski Lee Lewis Lloyd Martin Mason Mills Mitchell Moore Morgan "
    "Morris Murphy Nowak Okafor Owen Parker Patel Phillips Powell Price Rahman Reid Richards Roberts "
    "Robinson Rogers Scott Shaw Singh Smith Stevens Taylor Thomas Thompson Turner Walker Ward Watson White "
    "Williams Wilson Wood Wright Young"
).split()
STREET_WORDS = (
    "Acorn Alder Ash Beech Birch Bramble Brook Castle Cedar Chapel Church Clover Copse Elm Fern Field "
    "Forge Foxglove Glebe Hazel Heron Holly Kestrel Kings Larch Laurel Maple Meadow Mill Oak Orchard "
    "Park Primrose Priory Queens Rowan School Station Sycamore Tanners Victoria Willow Wren"
).split()
STREET_TYPES = ["Road", "Street", "Lane", "Close", "Avenue", "Drive", "Way", "Crescent", "Court", "Gardens", "Walk"]
PLACES = [
    "the car park behind the shops",
    "the play area",
    "the stairwell of the flats",
    "the bus shelter",
    "the alleyway behind the houses",
    "the communal garden",
    "the recreation ground",
    "the garages",
    "the underpass",
    "the canal towpath",
    "the corner shop",
    "the lane by the school",
]
POSTCODE_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"
LANGUAGES = ["English"] * 17 + ["Welsh", "Polish", "Urdu", "Punjabi", "Romanian", "Arabic", "Somali"]

INCIDENTS = [
    "Loud music from {addr} until {hour} in the morning; banging on the shared wall when asked to turn it down.",
    "A group of young people gathered in {place}, shouting and throwing stones at windows.",
    "The neighbour at {addr} shouted abuse at {who} in the street and threatened to 'sort them out'.",
    "Car tyres slashed on the driveway overnight; the same car was damaged last month.",
    "Rubbish and a mattress dumped in front of {who}'s gate again; it was set alight later that evening.",
    "Fireworks let off towards houses from {place} for about an hour.",
    "Suspected drug dealing from a car parked in {place}; people coming and going all evening.",
    "A dog from {addr} left loose, jumping at children; the owner laughed when asked to keep it on a lead.",
    "Eggs thrown at the front door and the doorbell rung repeatedly after midnight.",
    "Graffiti sprayed on the fence, including a slur aimed at {who}'s family.",
    "Motorbikes ridden at speed across {place}, nearly hitting a child.",
    "Shouting and fighting outside {addr}; glass bottles smashed on the pavement.",
    "Someone filmed {who} through the window and posted it online with insulting comments.",
    "Stones thrown at the car while {who} was loading shopping; the back windscreen cracked.",
    "Persistent door knocking and letters pushed through the letterbox demanding money.",
    "Parties at {addr} every weekend; guests urinating in the front garden.",
    "Youths climbing on the roof of the garages in {place} and kicking in the doors.",
    "The neighbour's CCTV camera is pointed straight into {who}'s kitchen and garden.",
]
RACIST = "Racist abuse shouted at {who} from {place}; the same group has done this before."
WHAT_WAS_DONE = [
    "Logged, no attendance",
    "Officer attended and gave words of advice",
    "Warning letter sent",
    "Noise diary sent",
    "Referred to the housing officer",
    "Closed - no further information",
    "Visited the alleged perpetrator",
    "Patrols increased for a week",
    "Advice given by phone",
    "Referred to the council's ASB team",
    "",
]

ACTIONS: dict[AgencyType, list[tuple[str, str]]] = {
    AgencyType.POLICE: [
        (
            "Increase patrols around {street} between 6pm and 11pm for six weeks, and log each visit.",
            "The police will patrol your street more often in the evenings.",
        ),
        (
            "Visit the alleged perpetrator at {street} and issue a Community Protection Warning.",
            "The police will speak to the people involved.",
        ),
        (
            "Review CCTV from {place} for the dates in the applicant's diary.",
            "The police will check CCTV footage for the dates you gave.",
        ),
        (
            "Carry out a hate crime risk assessment and agree a contact plan with the applicant.",
            "A police officer will agree with you how to keep in touch.",
        ),
    ],
    AgencyType.COUNCIL: [
        (
            "Install noise monitoring equipment at the applicant's home for two weeks.",
            "The council will put noise recording equipment in your home.",
        ),
        (
            "Assess for statutory nuisance and serve an abatement notice if it is found.",
            "The council will decide whether the noise is a legal nuisance.",
        ),
        (
            "Clear the fly-tipping at {street} and fit a covert camera for a month.",
            "The council will clear the rubbish and monitor the site.",
        ),
        (
            "Trim the hedges and repair the lighting at {place}.",
            "The council will improve the lighting where the incidents happen.",
        ),
    ],
    AgencyType.HOUSING: [
        (
            "Hold a tenancy enforcement interview with the tenant at {street}.",
            "The landlord will meet the tenant about their behaviour.",
        ),
        ("Repair the communal door entry system at the block.", "The landlord will repair the door entry system."),
        (
            "Consider an application for a management transfer for the applicant.",
            "Your landlord will look at whether you can move home.",
        ),
        (
            "Apply for a possession order if the acceptable behaviour contract is broken again.",
            "The landlord will take legal action if the behaviour continues.",
        ),
    ],
    AgencyType.HEALTH: [
        (
            "Offer the applicant a referral to the community mental health team.",
            "You will be offered support from the mental health team.",
        ),
        (
            "Share the relevant safeguarding information with the GP practice.",
            "Your GP will be told about the support you need.",
        ),
    ],
    AgencyType.VICTIM_SERVICES: [
        (
            "Contact the applicant within five working days to offer emotional and practical support.",
            "A support worker will contact you.",
        ),
    ],
    AgencyType.RESTORATIVE_JUSTICE: [
        (
            "Offer mediation between the neighbours and report back whether both agree.",
            "We will offer mediation between you and your neighbour.",
        ),
    ],
    AgencyType.YOUTH: [
        (
            "Youth workers to engage with the young people gathering at {place} on Friday evenings.",
            "Youth workers will talk to the young people involved.",
        ),
    ],
}
GENERIC_ACTIONS = [
    (
        "Share the agency's records of contact with the household with the coordinator.",
        "The agency will share what it knows with the review.",
    ),
    (
        "Arrange a joint visit with the police to the applicant to review the safety plan.",
        "We will visit you to review your safety plan.",
    ),
    (
        "Send the applicant a named contact and a direct phone number.",
        "You will be given a named contact and phone number.",
    ),
]
UPDATE_NOTES = [
    "Contacted the household by phone; a home visit is booked for next week.",
    "Patrols carried out on four evenings this week; no incidents seen.",
    "Letter sent to the tenant; awaiting a reply.",
    "Met the applicant, who reports things are quieter since the last meeting.",
    "Equipment installed; readings to be reviewed at the end of the fortnight.",
    "Waiting for the contractor to confirm a date.",
    "Spoke to the alleged perpetrator, who agreed to keep the noise down after 11pm.",
    "Referral accepted; first appointment offered.",
    "No response to two calls; a letter has been sent instead.",
    "Evidence reviewed with the legal team.",
]
FINAL_NOTES = {
    "completed": [
        "Done: see the notes above.",
        "Completed and confirmed with the applicant.",
        "Completed; the applicant was told by phone.",
    ],
    "could-not-be-completed": [
        "The applicant moved away before this could be done.",
        "The tenant left the property, so the interview could not happen.",
    ],
    "cancelled": [
        "No longer needed: the review agreed a different approach.",
        "Superseded by the action agreed at the later review.",
    ],
}
MINUTES = {
    "Introductions and the confidentiality statement": "Introductions made. The chair read the confidentiality statement; everyone present agreed to it.",
    "The victim's voice": "The applicant's statement was read out. They describe {summary} and feeling unsafe "
    "in their own home.",
    "Each agency's chronology and current position": "Police: {n} reports in the last six months. Council: noise diary returned. Housing: tenancy warnings "
    "given twice.",
    "Discussion": "The panel agreed the response so far has been piecemeal and that agencies must share "
    "information sooner.",
    "Recommendations": "Recommend a single named contact for the applicant and a joint visit within ten days.",
    "Actions": "Actions agreed as recorded in the action plan.",
    "Date of the next review": "Next review in about six weeks, date to be confirmed by the coordinator.",
}
DECISION_REASONS = {
    "met": "Three or more qualifying complaints about separate incidents within six months, each reported "
    "within a month of the incident.",
    "not-met": "Fewer than three incidents were reported within a month of happening, and the applicant's "
    "circumstances do not call for the vulnerability override.",
}
CLOSURE_REASONS = {
    0: "The applicant withdrew the application.",
    1: "The threshold was not met and the applicant did not ask for a review of the decision.",
    4: "All actions on the plan are finished and the applicant agreed the case can close.",
}

# Share of cases at each stage, and the age range (days since received) a case at that stage has.
STAGES: list[tuple[Stage, float, tuple[int, int]]] = [
    (Stage.RECEIVED, 0.03, (0, 5)),
    (Stage.ACKNOWLEDGED, 0.03, (3, 14)),
    (Stage.THRESHOLD_MET, 0.02, (10, 25)),
    (Stage.THRESHOLD_NOT_MET, 0.06, (12, 400)),
    (Stage.REVIEW_SCHEDULED, 0.04, (18, 35)),
    (Stage.REVIEW_HELD, 0.02, (30, 50)),
    (Stage.OUTCOME_SENT, 0.03, (40, 70)),
    (Stage.PLAN_LIVE, 0.14, (60, 420)),
    (Stage.ESCALATED, 0.02, (45, 200)),
    (Stage.CLOSED, 0.61, (90, 1800)),
]


@dataclass
class CasePlan:
    """The shape of one case, decided before any row is written so totals can be spread over the cases."""

    stage: Stage
    age: int  # days since received
    depth: int  # 0 nothing decided, 1 threshold decided, 2 meeting scheduled, 3 meeting held, 4 plan agreed
    met: bool
    meetings: int = 0
    actions: int = 0


@dataclass
class ScaleReport:
    counts: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0


def _depth(stage: Stage, rng: random.Random) -> tuple[int, bool]:
    if stage in (Stage.RECEIVED, Stage.ACKNOWLEDGED):
        return 0, False
    if stage is Stage.THRESHOLD_MET:
        return 1, True
    if stage is Stage.THRESHOLD_NOT_MET:
        return 1, False
    if stage is Stage.REVIEW_SCHEDULED:
        return 2, True
    if stage is Stage.REVIEW_HELD:
        return 3, True
    if stage is Stage.ESCALATED:
        return (1, False) if rng.random() < 0.5 else (4, True)
    if stage is Stage.CLOSED:
        roll = rng.random()
        return (0, False) if roll < 0.08 else (1, False) if roll < 0.3 else (4, True)
    return 4, True  # outcome sent, plan live


def plan_cases(n_cases: int, n_meetings: int, n_actions: int, rng: random.Random) -> list[CasePlan]:
    """Stages, ages and the number of meetings and actions of every case, adding up to the totals asked for."""
    stages, weights = [s for s, _, _ in STAGES], [w for _, w, _ in STAGES]
    ranges = {s: r for s, _, r in STAGES}
    plans = []
    for _ in range(n_cases):
        stage = rng.choices(stages, weights)[0]
        depth, met = _depth(stage, rng)
        low, high = ranges[stage]
        if stage is Stage.CLOSED and depth == 4:
            low = 120
        plans.append(CasePlan(stage, rng.randint(low, high), depth, met))
    reviewed = [p for p in plans if p.depth >= 2]
    for p in reviewed:
        p.meetings = 1
    held = [p for p in plans if p.depth >= 3]
    _spread(held, n_meetings - len(reviewed), "meetings", rng, weight=lambda p: p.age)
    planned = [p for p in plans if p.depth == 4]
    for p in planned:
        p.actions = min(3, max(1, n_actions // max(1, len(planned))))
    _spread(planned, n_actions - sum(p.actions for p in planned), "actions", rng, weight=lambda p: 1)
    return plans


def _spread(plans: list[CasePlan], extra: int, attr: str, rng: random.Random, weight: Callable) -> None:
    if not plans or extra <= 0:
        return
    weights = [weight(p) for p in plans]
    for p in rng.choices(plans, weights, k=extra):
        setattr(p, attr, getattr(p, attr) + 1)


class _Ids:
    """The next free id of each table, read once: children point at parents without asking the database."""

    def __init__(self, tables):
        self.next = {t: (db.session.scalar(select(func.max(t.c.id))) or 0) + 1 for t in tables}

    def take(self, table) -> int:
        value = self.next[table]
        self.next[table] = value + 1
        return value


def _at(day: date, hour: int = 10, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=UTC)


class Generator:
    def __init__(
        self,
        rng: random.Random,
        today: date,
        agencies: list[Agency],
        areas: list[Area],
        reps: dict[int, list[User]],
        chairs: list[User],
        coordinators: list[User],
    ):
        self.rng, self.today = rng, today
        self.agencies, self.areas, self.reps = agencies, areas, reps
        self.chairs, self.coordinators = chairs, coordinators
        self.by_type: dict[AgencyType, list[Agency]] = {}
        for agency in agencies:
            self.by_type.setdefault(agency.agency_type, []).append(agency)
        self.council_of = {
            area.id: next(
                (a for a in agencies if a.name == f"{area.name} District Council"), self.by_type[AgencyType.COUNCIL][0]
            )
            for area in areas
        }
        self.police = self.by_type[AgencyType.POLICE][0]
        self.rows: dict = {}
        self.year_numbers: dict[int, int] = {}
        self.calendars, self.timescales = calendars_for_areas(areas), timescales_for_areas(areas)

    # ---- words ----------------------------------------------------------------------------------------------

    def person(self) -> str:
        return f"{self.rng.choice(FIRST)} {self.rng.choice(LAST)}"

    def street(self) -> str:
        return f"{self.rng.choice(STREET_WORDS)} {self.rng.choice(STREET_TYPES)}"

    def address(self, area: Area) -> tuple[str, str, str]:
        street = self.street()
        number = self.rng.randint(1, 160)
        flat = f"Flat {self.rng.randint(1, 24)}, " if self.rng.random() < 0.2 else ""
        index = self.areas.index(area) + 1
        postcode = (
            f"SV{index}{self.rng.randint(0, 9)} {self.rng.randint(1, 9)}"
            f"{self.rng.choice(POSTCODE_LETTERS)}{self.rng.choice(POSTCODE_LETTERS)}"
        )
        return f"{flat}{number} {street}\n{area.name}", postcode, street

    def phone(self) -> str:
        return f"07700 9{self.rng.randint(0, 99999):05d}"

    def email(self, name: str) -> str:
        first, last = name.lower().split(" ", 1)
        return f"{first}.{last.replace(' ', '')}{self.rng.randint(1, 999)}@mail.example"

    def incident_text(self, applicant: str, street: str, hate: bool) -> str:
        template = RACIST if hate else self.rng.choice(INCIDENTS)
        return template.format(
            addr=f"{self.rng.randint(1, 160)} {street}",
            place=self.rng.choice(PLACES),
            who=applicant.split()[0],
            hour=self.rng.choice(["two", "three", "four"]),
        )

    def add(self, table, row: dict) -> None:
        self.rows.setdefault(table, []).append(row)

    # ---- one case and everything that hangs off it -------------------------------------------------------------

    def case(self, ids: _Ids, plan: CasePlan) -> None:
        rng, now = self.rng, _at(self.today)
        t_case = Case.__table__
        case_id = ids.take(t_case)
        area = rng.choice(self.areas)
        received = self.today - timedelta(days=plan.age)
        created = _at(received, rng.randint(8, 17), rng.randint(0, 59))
        year = received.year
        self.year_numbers[year] = self.year_numbers.get(year, 0) + 1
        reference = f"ASB-{year}-{self.year_numbers[year]:04d}"
        name = self.person()
        address, postcode, street = self.address(area)
        phone = self.phone()
        third_party = rng.random() < 0.1
        closed = plan.stage is Stage.CLOSED
        end = received + timedelta(days=plan.age if not closed else rng.randint(30, plan.age))
        end = min(end, self.today)
        coordinator = rng.choice(self.coordinators)
        channel = rng.choice(["online", "online", "phone", "email", "letter", "staff-assisted"])
        incidents_n = rng.randint(3, 6)
        summary_text = self.incident_text(name, street, False)
        self.add(
            t_case,
            dict(
                id=case_id,
                reference=reference,
                area_id=area.id,
                stage=plan.stage.value,
                received_on=received,
                channel=channel,
                created_by_id=None if channel == "online" else coordinator.id,
                coordinator_id=None if plan.stage is Stage.RECEIVED and channel == "online" else coordinator.id,
                applicant_name=name,
                applicant_address=address,
                applicant_postcode=postcode,
                applicant_phone=phone,
                applicant_phone_key=phone.replace(" ", ""),
                applicant_email=self.email(name),
                applicant_date_of_birth=date(rng.randint(1940, 2004), rng.randint(1, 12), rng.randint(1, 28)),
                preferred_contact=rng.choice(["email", "email", "phone", "post"]),
                preferred_format=rng.choice(["standard"] * 8 + ["large-print", "easy-read"]),
                language=rng.choice(LANGUAGES),
                communication_needs="Needs calls after 4pm" if rng.random() < 0.1 else "",
                vulnerabilities=rng.choice(
                    [
                        "",
                        "",
                        "",
                        "Lives alone; long-term illness",
                        "Anxiety made worse by the incidents",
                        "Uses a wheelchair",
                        "Young children in the household",
                    ]
                ),
                advocate_details="",
                is_third_party=third_party,
                victim_name=self.person() if third_party else "",
                victim_address="",
                victim_phone="",
                victim_email="",
                victim_consent_on=received if third_party else None,
                victim_consent_how="Signed consent form" if third_party else "",
                consent_to_share=True,
                consent_to_share_on=received,
                lawful_basis="UK GDPR Art. 6(1)(e) public task; Crime and Disorder Act 1998 s.115; "
                "ASB, Crime and Policing Act 2014 Sch. 4 para 7",
                asb_description=f"{summary_text} This has gone on for months and nothing changes.",
                location=f"{street}, {area.name}",
                risk_level=rng.choice([None, "high", "medium", "medium", "low"]),
                closure_reason=CLOSURE_REASONS.get(plan.depth, CLOSURE_REASONS[4]) if closed else "",
                closed_on=end if closed else None,
                applicant_told_on=end if closed else None,
                created_at=created,
                updated_at=_at(end),
            ),
        )
        self.audit(
            case_id,
            "case.created",
            created,
            None if channel == "online" else coordinator,
            f"Application {reference} received ({channel.replace('-', ' ')}) for {area.name}",
        )

        involved = {self.police.id, self.council_of[area.id].id}
        for _ in range(rng.randint(0, 2)):
            perp_address, _, _ = self.address(area)
            self.add(
                Perpetrator.__table__,
                dict(
                    id=ids.take(Perpetrator.__table__),
                    case_id=case_id,
                    name=self.person(),
                    address=perp_address,
                    description=rng.choice(
                        [
                            "Neighbour",
                            "Tenant of the flat above",
                            "Teenage son of the neighbour",
                            "Unknown group of young men",
                            "Visitor to the house opposite",
                        ]
                    ),
                    never_disclose=True,
                    created_at=created,
                    updated_at=created,
                ),
            )
        for _ in range(incidents_n):
            incident_id = ids.take(Incident.__table__)
            occurred = received - timedelta(days=rng.randint(1, 170))
            hate = rng.random() < 0.05
            self.add(
                Incident.__table__,
                dict(
                    id=incident_id,
                    case_id=case_id,
                    occurred_on=occurred,
                    occurred_time=time(rng.randint(0, 23), rng.choice([0, 15, 30, 45])) if rng.random() < 0.6 else None,
                    description=self.incident_text(name, street, hate),
                    is_hate=hate,
                    same_as_id=None,
                    complainant_name="" if rng.random() < 0.85 else self.person(),
                    created_at=created,
                    updated_at=created,
                ),
            )
            for _ in range(rng.randint(1, 2)):
                agency = rng.choice(
                    [
                        self.police,
                        self.council_of[area.id],
                        rng.choice(self.by_type[AgencyType.HOUSING]),
                        rng.choice(self.agencies),
                    ]
                )
                involved.add(agency.id)
                reported = min(received, occurred + timedelta(days=rng.choice([0, 0, 1, 2, 5, 20, 40])))
                self.add(
                    IncidentReport.__table__,
                    dict(
                        id=ids.take(IncidentReport.__table__),
                        incident_id=incident_id,
                        agency_id=agency.id,
                        reported_on=reported,
                        agency_reference=f"{agency.name[:3].upper()}-{rng.randint(10000, 999999)}",
                        how_reported=rng.choice(["phone", "online", "email", "in-person", None]),
                        what_was_done=rng.choice(WHAT_WAS_DONE),
                        created_at=created,
                        updated_at=created,
                    ),
                )

        decided = None
        if plan.depth >= 1:
            decided = min(end, received + timedelta(days=rng.randint(5, 12)))
            outcome = "met" if plan.met else "not-met"
            chair = rng.choice(self.chairs)
            self.add(
                ThresholdDecision.__table__,
                dict(
                    id=ids.take(ThresholdDecision.__table__),
                    case_id=case_id,
                    outcome=outcome,
                    reasons=DECISION_REASONS[outcome],
                    vulnerability_reason="",
                    decision_maker_name=chair.name,
                    decided_by_id=coordinator.id,
                    decided_on=decided,
                    evaluation={},
                    policy={},
                    policy_version=None,
                    differs_from_advice=False,
                    difference_reason="",
                    created_at=_at(decided, 15),
                ),
            )
            self.audit(
                case_id,
                "case.stage_changed",
                _at(decided, 15),
                coordinator,
                f"Application received → Threshold {'met' if plan.met else 'not met'}: decision recorded",
            )
        meetings = self.meetings(ids, case_id, plan, received, end, name, summary_text, involved)
        self.deadlines(ids, case_id, area, plan, received, end, decided, meetings)
        if plan.depth == 4:
            self.plan(ids, case_id, plan, closed, end, meetings, sorted(involved), street)
        if closed:
            self.audit(
                case_id,
                "case.stage_changed",
                _at(end, 16),
                coordinator,
                f"→ Closed: {CLOSURE_REASONS.get(plan.depth, CLOSURE_REASONS[4])}",
            )

    def deadlines(
        self,
        ids,
        case_id: int,
        area: Area,
        plan: CasePlan,
        received: date,
        end: date,
        decided: date | None,
        meetings: list[tuple],
    ) -> None:
        """The stage deadlines the case's story implies, counted as the product counts them (the area's timescales
        and working calendar), met on the day the story reached each stage. No random draws: the rest of the data
        set stays the same for a given seed."""
        calendar, policy = self.calendars[area.id], self.timescales[area.id]
        held = [day for _, day, status in meetings if status == "held"]
        acknowledged = None if plan.stage is Stage.RECEIVED else min(end, received + timedelta(days=1))
        rows = [
            (DeadlineKind.ACKNOWLEDGE, received, acknowledged),
            (DeadlineKind.INFORMATION, received, decided),
            (DeadlineKind.THRESHOLD_DECISION, received, decided),
        ]
        if decided is not None and plan.met:
            rows.append((DeadlineKind.MEETING, decided, held[0] if held else None))
        if held:
            outcome_sent = min(end, held[0] + timedelta(days=4)) if plan.depth == 4 else None
            rows.append((DeadlineKind.OUTCOME, held[0], outcome_sent))
            if outcome_sent is not None:
                rows.append((DeadlineKind.ESCALATION_REQUEST, outcome_sent, None))
        table = CaseDeadline.__table__
        for kind, anchor, met in rows:
            try:
                due = compute_due(kind, anchor, policy, calendar)
            except HolidayDataMissing:
                due = None  # as the product does: no date rather than a wrong one
            self.add(
                table,
                dict(
                    id=ids.take(table),
                    case_id=case_id,
                    kind=kind.value,
                    cycle=1,
                    anchor_on=anchor,
                    due_on=due,
                    original_due_on=due,
                    met_on=met,
                    extended_reason=None,
                    extended_by_id=None,
                    extended_at=None,
                    case_closed=plan.stage is Stage.CLOSED,
                ),
            )

    def audit(self, case_id: int, action: str, at: datetime, actor: User | None, summary: str) -> None:
        self.add(
            AuditEvent.__table__,
            dict(
                at=at,
                actor_id=actor.id if actor else None,
                actor_label=f"{actor.name} <{actor.email}>" if actor else "anonymous visitor",
                action=action,
                object_type="case",
                object_id=case_id,
                case_id=case_id,
                summary=summary[:500],
                details={},
                ip_address="",
            ),
        )

    def meetings(self, ids, case_id, plan, received, end, applicant, summary_text, involved) -> list[tuple]:
        rng = self.rng
        held_n = plan.meetings if plan.depth >= 3 else 0
        first = received + timedelta(days=14)
        last = max(first, end - timedelta(days=2))
        days = sorted(first + timedelta(days=rng.randint(0, (last - first).days)) for _ in range(held_n))
        if days:
            days[0] = first
        specs = [(day, "held") for day in days]
        if plan.depth == 2:
            specs.append((self.today + timedelta(days=rng.randint(2, 20)), "scheduled"))
        made = []
        for index, (day, status) in enumerate(specs):
            if status == "held" and index and rng.random() < 0.04:
                status = "cancelled"
            meeting_id = ids.take(Meeting.__table__)
            chair = rng.choice(self.chairs)
            starts = _at(day, rng.choice([9, 10, 13, 14]), rng.choice([0, 30]))
            virtual = rng.random() < 0.4
            self.add(
                Meeting.__table__,
                dict(
                    id=meeting_id,
                    case_id=case_id,
                    kind="initial-review" if index == 0 else "review",
                    is_restorative_conference=False,
                    starts_at=starts,
                    ends_at=starts + timedelta(minutes=90),
                    place="" if virtual else f"Committee Room {rng.randint(1, 4)}, Shire Hall",
                    virtual_link=f"https://meet.example/{rng.getrandbits(48):012x}" if virtual else "",
                    chair_id=chair.id,
                    status=status,
                    cancelled_reason="The chair was unwell; the meeting will be rearranged."
                    if status == "cancelled"
                    else "",
                    ics_uid=f"meeting-{meeting_id}-{rng.getrandbits(40):010x}@trigger",
                    ics_sequence=0,
                    recorded_after_the_fact=False,
                    created_by_id=chair.id,
                    created_at=starts - timedelta(days=10),
                    updated_at=starts,
                ),
            )
            made.append((meeting_id, day, status))
            self.attendees(ids, meeting_id, status, starts, applicant, involved)
            self.minutes(ids, meeting_id, status, starts, chair, summary_text)
        return made

    def attendees(self, ids, meeting_id, status, starts, applicant, involved) -> None:
        rng, table = self.rng, Attendee.__table__
        chosen = list(involved) + [a.id for a in rng.sample(self.agencies, rng.randint(1, 4))]
        invited = starts - timedelta(days=10)
        for agency_id in dict.fromkeys(chosen):  # keeps order, drops repeats: one user per meeting at most
            rep = rng.choice(self.reps[agency_id])
            if status == "held":
                state = rng.choices(["attended", "apologies", "absent", "substitute"], [80, 10, 5, 5])[0]
            else:
                state = rng.choice(["invited", "accepted", "apologies"])
            self.add(
                table,
                dict(
                    id=ids.take(table),
                    meeting_id=meeting_id,
                    kind="agency-representative",
                    agency_id=agency_id,
                    user_id=rep.id,
                    name=rep.name,
                    email=rep.email,
                    role_at_meeting="",
                    status=state,
                    substitute_name=self.person() if state == "substitute" else "",
                    consent_recorded_on=None,
                    response_token_hash=None,
                    responded_at=invited + timedelta(days=1) if state != "invited" else None,
                    invited_at=invited,
                    created_at=invited,
                    updated_at=invited,
                ),
            )
        self.add(
            table,
            dict(
                id=ids.take(table),
                meeting_id=meeting_id,
                kind="applicant",
                agency_id=None,
                user_id=None,
                name=applicant,
                email="",
                role_at_meeting="Applicant",
                status="attended" if status == "held" else "invited",
                substitute_name="",
                consent_recorded_on=None,
                response_token_hash=None,
                responded_at=None,
                invited_at=invited,
                created_at=invited,
                updated_at=invited,
            ),
        )

    def minutes(self, ids, meeting_id, status, starts, chair, summary_text) -> None:
        rng = self.rng
        for position, title in enumerate(DEFAULT_AGENDA, start=1):
            item_id = ids.take(MinuteItem.__table__)
            self.add(
                MinuteItem.__table__, dict(id=item_id, meeting_id=meeting_id, agenda_title=title, position=position)
            )
            if status != "held":
                continue
            text_ = MINUTES[title].format(summary=summary_text[0].lower() + summary_text[1:-1], n=rng.randint(3, 9))
            for number in range(1, rng.choice([1, 1, 1, 2]) + 1):
                self.add(
                    MinuteRevision.__table__,
                    dict(
                        id=ids.take(MinuteRevision.__table__),
                        item_id=item_id,
                        number=number,
                        text=text_ if number == 1 else text_ + " (Corrected spelling of names.)",
                        author_id=chair.id,
                        created_at=starts + timedelta(hours=number),
                        is_correction=False,
                        reason="",
                    ),
                )
        if status == "held" and rng.random() < 0.9:
            self.add(
                MinutesApproval.__table__,
                dict(
                    id=ids.take(MinutesApproval.__table__),
                    meeting_id=meeting_id,
                    approved_by_id=chair.id,
                    approved_at=starts + timedelta(days=3),
                ),
            )

    def plan(self, ids, case_id, plan, closed, end, meetings, involved, street) -> None:
        rng = self.rng
        plan_id = ids.take(ActionPlan.__table__)
        held = [m for m in meetings if m[2] == "held"] or meetings
        agreed_day = held[0][1]
        self.add(
            ActionPlan.__table__,
            dict(
                id=plan_id,
                case_id=case_id,
                status="closed" if closed else "live",
                closed_reason="All actions finished; the case closed." if closed else "",
                victim_update_frequency=rng.choice(["weekly", "fortnightly", "monthly", "on-change"]),
                victim_update_method=rng.choice(["email", "phone", "post"]),
                victim_consulted=True,
                victim_consulted_on=agreed_day,
                created_at=_at(agreed_day, 16),
                updated_at=_at(end),
            ),
        )
        agencies = [a for a in self.agencies if a.id in involved]
        for number in range(1, plan.actions + 1):  # each action's number on its plan, in the order added
            agency = rng.choice(agencies)
            description, wording = rng.choice(ACTIONS.get(agency.agency_type, []) + GENERIC_ACTIONS)
            description = description.format(street=street, place=rng.choice(PLACES))
            meeting_day = rng.choice(held)[1]
            created = _at(meeting_day, 17)
            original_due = meeting_day + timedelta(days=rng.randint(10, 90))
            if closed:
                status = rng.choices(["completed", "could-not-be-completed", "cancelled"], [80, 8, 12])[0]
            else:
                status = rng.choices(["not-started", "in-progress", "completed", "cancelled"], [25, 40, 30, 5])[0]
            redated = rng.random() < 0.1
            due = original_due + timedelta(days=rng.randint(7, 30)) if redated else original_due
            finished_on = None
            if status != "not-started" and status != "in-progress":
                finished_on = min(end, max(meeting_day + timedelta(days=1), due - timedelta(days=rng.randint(0, 20))))
            steps = self.update_steps(status)
            action_id = ids.take(Action.__table__)
            version = 1
            if redated:
                version += 1
                self.add(
                    ActionDueDateChange.__table__,
                    dict(
                        id=ids.take(ActionDueDateChange.__table__),
                        action_id=action_id,
                        from_date=original_due,
                        to_date=due,
                        reason="More time needed: waiting for another agency.",
                        changed_by_id=None,
                        action_version=version,
                        changed_at=created + timedelta(days=2),
                    ),
                )
            rep_pool = self.reps[agency.id]
            last_moment = _at(finished_on or min(end, self.today))
            span = max(1, int((last_moment - created).total_seconds() // 3600))
            moments = sorted(created + timedelta(hours=rng.randint(1, span)) for _ in steps)
            for (status_from, status_to, note), at in zip(steps, moments):
                version += 1
                author = rng.choice(rep_pool)
                self.add(
                    ActionUpdate.__table__,
                    dict(
                        id=ids.take(ActionUpdate.__table__),
                        action_id=action_id,
                        author_id=author.id,
                        author_agency_id=agency.id,
                        note=note,
                        status_from=status_from,
                        status_to=status_to,
                        reason=note if status_to in ("could-not-be-completed", "cancelled") else "",
                        action_version=version,
                        created_at=at,
                    ),
                )
            visible = rng.random() < 0.5
            self.add(
                Action.__table__,
                dict(
                    id=action_id,
                    plan_id=plan_id,
                    number=number,
                    description=description,
                    victim_wording=wording if visible else "",
                    victim_visible=visible,
                    owner_agency_id=agency.id,
                    owner_user_id=rng.choice(rep_pool).id if rng.random() < 0.6 else None,
                    source_note=f"Agreed at the review meeting on {meeting_day.day} {meeting_day:%B %Y}",
                    due_on=due,
                    original_due_on=original_due,
                    priority=rng.choice(["high", "medium", "medium", "low"]),
                    status=status,
                    status_reason=steps[-1][2] if status in ("could-not-be-completed", "cancelled") else "",
                    completed_on=finished_on if status == "completed" else None,
                    created_by_id=None,
                    version=version,
                    plan_closed=closed,  # the plan closes with its case here
                    created_at=created,
                    updated_at=moments[-1] if moments else created,
                ),
            )

    def update_steps(self, status: str) -> list[tuple[str, str, str]]:
        """The updates that take an action from 'not started' to `status`, each a (from, to, note)."""
        rng = self.rng
        if status == "not-started":
            return [("not-started", "not-started", rng.choice(UPDATE_NOTES))] if rng.random() < 0.3 else []
        steps = [("not-started", "in-progress", rng.choice(UPDATE_NOTES))]
        steps += [("in-progress", "in-progress", rng.choice(UPDATE_NOTES)) for _ in range(rng.randint(0, 2))]
        if status != "in-progress":
            steps.append(("in-progress", status, rng.choice(FINAL_NOTES[status])))
        return steps


# ---- writing ----------------------------------------------------------------------------------------------------

ORDER = [
    Case,
    CaseDeadline,
    Perpetrator,
    Incident,
    IncidentReport,
    ThresholdDecision,
    Meeting,
    Attendee,
    MinuteItem,
    MinuteRevision,
    MinutesApproval,
    ActionPlan,
    Action,
    ActionDueDateChange,
    ActionUpdate,
    AuditEvent,
]
TABLES = [model.__table__ for model in ORDER]


def _flush(rows: dict, counts: dict[str, int]) -> None:
    for table in TABLES:
        batch = rows.pop(table, [])
        for start in range(0, len(batch), INSERT_BATCH):
            db.session.execute(insert(table), batch[start : start + INSERT_BATCH])
        counts[table.name] = counts.get(table.name, 0) + len(batch)
    db.session.commit()


def _scale_people(agencies: list[Agency], areas: list[Area]) -> tuple[dict, list[User], list[User]]:
    """Two representatives per agency, a chair and a coordinator per area (added once; reused afterwards)."""
    existing = db.session.scalars(select(User)).all()
    taken = {u.email for u in existing}
    unusable = hash_password(secrets.token_urlsafe(24), "test")  # nobody knows it: an admin sets a real one
    rng = random.Random(7)
    new = []

    def person(role: Role, agency: Agency | None, tag: str) -> None:
        name = f"{rng.choice(FIRST)} {rng.choice(LAST)}"
        email = f"{name.lower().replace(' ', '.')}.{tag}@scale.example"
        if email in taken:
            return
        taken.add(email)
        new.append(
            dict(
                email=email,
                name=name,
                role=role.value,
                agency_id=agency.id if agency else None,
                active=True,
                password_hash=unusable,
                created_at=datetime.now(UTC),
                updated_at=datetime.now(UTC),
            )
        )

    for agency in agencies:
        for n in (1, 2):
            person(Role.AGENCY_REP, agency, f"a{agency.id}r{n}")
    for area in areas:
        person(Role.CHAIR, None, f"chair{area.id}")
        person(Role.COORDINATOR, None, f"spoc{area.id}")
    if new:
        db.session.execute(insert(User.__table__), new)
        db.session.commit()
    users = db.session.scalars(select(User).where(User.active.is_(True))).all()
    reps: dict[int, list[User]] = {}
    for user in users:
        if user.role is Role.AGENCY_REP:
            reps.setdefault(user.agency_id, []).append(user)
    return (reps, [u for u in users if u.role is Role.CHAIR], [u for u in users if u.role is Role.COORDINATOR])


def _add_agencies() -> list[Agency]:
    have = {a.name for a in db.session.scalars(select(Agency))}
    for name, agency_type in EXTRA_AGENCIES:
        if len(have) >= TOTAL_AGENCIES:
            break
        if name not in have:
            slug = "".join(ch for ch in name.lower() if ch.isalnum())[:30]
            db.session.add(Agency(name=name, agency_type=agency_type, contact_email=f"asb@{slug}.example"))
            have.add(name)
    db.session.commit()
    return list(db.session.scalars(select(Agency).where(Agency.active.is_(True)).order_by(Agency.id)))


def _finish() -> None:
    """Move PostgreSQL's sequences past the ids used here, and refresh both databases' planner statistics."""
    if db.engine.dialect.name == "postgresql":
        for table in TABLES + [User.__table__]:
            db.session.execute(
                text(
                    f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
                    f"(SELECT COALESCE(MAX(id), 1) FROM {table.name}))"
                )
            )
        # SQLite's INTEGER PRIMARY KEY takes max(id) + 1 by itself.
    # The bulk inserts bypassed the ORM, so trigger.involvement did not see them: the involved agencies of every
    # case, all at once.
    from trigger import involvement

    involvement.rebuild(db.session)
    # The triggers on actions tallied every action inserted, one row each: fold them (trigger.action_tallies).
    from trigger import action_tallies

    action_tallies.compact(db.session)
    db.session.commit()
    # VACUUM too on PostgreSQL: it sets the visibility map, without which index-only scans (the counts on My
    # actions and the dashboard) read the table as well. Autovacuum would get there later; a bulk load should not
    # leave the first users waiting for it.
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(text("VACUUM ANALYZE" if db.engine.dialect.name == "postgresql" else "ANALYZE"))


def load_scale(
    scale: float, *, seed: int = 1, today: date | None = None, echo: Callable[[str], None] = print
) -> ScaleReport:
    """Add round(1000 * scale) cases (and everything that follows from them) to the loaded demo county."""
    started = clock.perf_counter()
    today = today or date.today()
    rng = random.Random(seed)
    areas = list(db.session.scalars(select(Area).order_by(Area.id)))
    if not areas:
        raise ValueError("Load the demo county first: there are no areas.")
    agencies = _add_agencies()
    reps, chairs, coordinators = _scale_people(agencies, areas)
    n_cases = max(1, round(CASES_PER_SCALE * scale))
    plans = plan_cases(n_cases, round(MEETINGS_PER_SCALE * scale), round(ACTIONS_PER_SCALE * scale), rng)
    plans.sort(key=lambda p: -p.age)  # oldest first, so ids and references rise with the date received
    generator = Generator(rng, today, agencies, areas, reps, chairs, coordinators)
    ids = _Ids(TABLES)
    report = ScaleReport()
    for start in range(0, n_cases, BATCH_CASES):
        for plan in plans[start : start + BATCH_CASES]:
            generator.case(ids, plan)
        _flush(generator.rows, report.counts)
        done = min(n_cases, start + BATCH_CASES)
        echo(f"  {done:>7,} / {n_cases:,} cases written ({clock.perf_counter() - started:6.1f} s)")
    _finish()
    report.seconds = clock.perf_counter() - started
    return report
