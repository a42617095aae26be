"""A realistic fictional county for trying the product: six areas, the usual agencies, a dozen users.

Everything here is invented. Passwords are random and printed once by `flask demo load`.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from sqlalchemy import exists, select

from trigger import audit
from trigger.auth.services import set_password
from trigger.domain.workdays import Nation
from trigger.extensions import db
from trigger.models import Agency, AgencyType, Area, Case, Organisation, Role, User

ORG_NAME = "Severn Vale Community Safety Partnership"
ORG_ADDRESS = "Community Safety Team\nShire Hall, Market Street\nSevernbury\nSV1 2AB"

AREAS = ["Severnbury", "Ashcombe", "Brindle Forest", "Carrow Vale", "Dunmere", "Elmsbury"]

AGENCIES: list[tuple[str, AgencyType, str]] = [
    *[
        (f"{area} District Council", AgencyType.COUNCIL, f"asb@{area.lower().replace(' ', '')}.gov.example")
        for area in AREAS
    ],
    ("Severn Vale Police", AgencyType.POLICE, "asb.team@police.example"),
    ("Severn Vale Integrated Care Board", AgencyType.HEALTH, "safeguarding@icb.example"),
    ("Vale Homes", AgencyType.HOUSING, "tenancy@valehomes.example"),
    ("Riverside Housing Association", AgencyType.HOUSING, "asb@riverside-ha.example"),
    ("Severn Vale Fire and Rescue Service", AgencyType.FIRE, "prevention@fire.example"),
    ("Probation Service - Severn Vale", AgencyType.PROBATION, "severnvale@probation.example"),
    ("Severn Vale Youth Service", AgencyType.YOUTH, "youth@severnvale.gov.example"),
    ("Severn Vale Adult Social Care", AgencyType.SOCIAL_CARE, "adults@severnvale.gov.example"),
    ("Victim Support Severn Vale", AgencyType.VICTIM_SERVICES, "referrals@victimsupport.example"),
    ("Restorative Severn Vale", AgencyType.RESTORATIVE_JUSTICE, "hello@restorative.example"),
]

USERS: list[tuple[str, str, Role, str | None]] = [
    ("Priya Shah", "admin@demo.example", Role.ADMIN, None),
    ("Tom Evans", "coordinator@demo.example", Role.COORDINATOR, None),
    ("Grace Okafor", "coordinator2@demo.example", Role.COORDINATOR, None),
    ("Margaret Hughes", "chair@demo.example", Role.CHAIR, "Restorative Severn Vale"),
    ("Sgt Daniel Price", "police@demo.example", Role.AGENCY_REP, "Severn Vale Police"),
    ("Aisha Rahman", "council@demo.example", Role.AGENCY_REP, "Severnbury District Council"),
    ("Lee Morgan", "housing@demo.example", Role.AGENCY_REP, "Vale Homes"),
    ("Dr Helen Carter", "health@demo.example", Role.AGENCY_REP, "Severn Vale Integrated Care Board"),
    ("Sam Whitfield", "rj@demo.example", Role.AGENCY_REP, "Restorative Severn Vale"),
    ("Owen Bradley", "fire@demo.example", Role.AGENCY_REP, "Severn Vale Fire and Rescue Service"),
    ("Claire Dunn", "pcc@demo.example", Role.PCC_REVIEWER, None),
    ("Ravi Patel", "viewer@demo.example", Role.VIEWER, None),
]


class DemoRefused(Exception):
    """The database is not empty enough for demo data; the message says why."""


@dataclass(frozen=True)
class DemoAccount:
    name: str
    email: str
    role: Role
    password: str


def load_demo(password_profile: str = "production") -> list[DemoAccount]:
    if db.session.scalar(select(exists().where(Case.id.isnot(None)))):
        raise DemoRefused("This database already has cases, so demo data was not loaded.")
    if db.session.scalar(select(exists().where(Area.id.isnot(None)))):
        raise DemoRefused(
            "This database already has areas, so demo data was not loaded. "
            "Demo data goes only into an empty database (delete instance/trigger.db to start again)."
        )
    org = db.session.get(Organisation, 1)
    if org is not None:
        org.two_factor_roles = ""  # a demo database: its printed passwords must work alone (see above)
    if org is None:
        db.session.add(
            Organisation(
                id=1,
                name=ORG_NAME,
                address=ORG_ADDRESS,
                contact_email="asb@severnvale.example",
                contact_phone="01234 567890",
                # Off so that the printed passwords work alone; Administration >
                # Organisation settings turns two-factor on per role.
                two_factor_roles="",
            )
        )
    for name in AREAS:
        db.session.add(Area(name=name, nation=Nation.ENGLAND_AND_WALES))
    agencies = {}
    for name, agency_type, email in AGENCIES:
        agencies[name] = Agency(name=name, agency_type=agency_type, contact_email=email)
        db.session.add(agencies[name])
    db.session.flush()
    accounts = []
    for name, email, role, agency_name in USERS:
        if db.session.scalar(select(User.id).where(User.email == email)) is not None:
            continue
        # Hex groups: easy to read aloud and copy (no leading dash or look-alike characters), 96 bits in all.
        password = "-".join(secrets.token_hex(3) for _ in range(4))
        user = User(name=name, email=email, role=role, agency_id=agencies[agency_name].id if agency_name else None)
        set_password(user, password)
        db.session.add(user)
        accounts.append(DemoAccount(name, email, role, password))
    db.session.flush()
    audit.record(
        "demo.loaded",
        "organisation",
        1,
        f"Loaded demo data: {len(AREAS)} areas, {len(AGENCIES)} agencies, {len(accounts)} accounts",
    )
    return accounts
