"""The public notices administrators edit: the privacy notice and the accessibility statement.

Each is stored as plain text per required section (UK GDPR Art. 13/14 for the privacy notice; the model
statement of the Public Sector Bodies Accessibility Regulations 2018 for the accessibility statement). Pages show
the text escaped, one paragraph per blank-line-separated block (see `paragraphs`): stored text can never inject
markup, and nh3 is not needed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from trigger import audit
from trigger.extensions import db
from trigger.models import Organisation, PublicNotice, User

MAX_SECTION = 5000


@dataclass(frozen=True)
class Section:
    key: str
    heading: str
    hint: str
    default: str


PRIVACY = [
    Section(
        "controller",
        "Who we are",
        "The data controller: the organisation's name and contact details.",
        "{org} is the data controller for the information in this service. It uses this service to handle "
        "Community Trigger (ASB Case Review) applications under the Anti-social Behaviour, Crime and Policing "
        "Act 2014.",
    ),
    Section(
        "dpo",
        "Our data protection officer",
        "How to contact the data protection officer.",
        "You can contact our data protection officer through {org}.",
    ),
    Section(
        "purposes",
        "What we use your information for, and our lawful basis",
        "The purposes and the lawful basis, including for special-category and criminal-offence data.",
        "We use personal information to review how agencies have responded to anti-social behaviour. We do so "
        "to carry out a task in the public interest (UK GDPR Article 6(1)(e)). Agencies share information under "
        "section 115 of the Crime and Disorder Act 1998 and Schedule 4 paragraph 7 of the 2014 Act.",
    ),
    Section(
        "recipients",
        "Who we share it with",
        "The agencies and others who receive the information.",
        "Only the people who need it: the coordinator, the chair and the agencies involved in a case (the "
        "council, the police, health and housing providers and other partners). Every view and change of a "
        "case file is recorded.",
    ),
    Section(
        "retention",
        "How long we keep it",
        "The retention periods (see Data we hold).",
        "Case files are kept for a set period after the case closes (6 years unless the area has set another "
        "period) and are then anonymised, unless they are needed for legal proceedings.",
    ),
    Section(
        "rights",
        "Your rights",
        "Access, rectification, erasure, restriction, objection.",
        "You have the right to ask for a copy of the information we hold about you, to ask us to correct it, "
        "and in some cases to ask us to delete or restrict it or to object to its use. Contact {org} to do so.",
    ),
    Section(
        "complaints",
        "How to complain",
        "The right to complain to the Information Commissioner's Office.",
        "If you are unhappy with how we have used your information, contact us first. You can also complain to "
        "the Information Commissioner's Office (ICO), Wycliffe House, Water Lane, Wilmslow, Cheshire SK9 5AF, "
        "telephone 0303 123 1113, website ico.org.uk.",
    ),
]

ACCESSIBILITY = [
    Section(
        "compliance",
        "Compliance status",
        "Fully, partially or not compliant with WCAG 2.2 AA.",
        "This service is built to meet the Web Content Accessibility Guidelines (WCAG) version 2.2 at level AA, "
        "using the patterns of the GOV.UK Design System. It is partially compliant until it has been audited: "
        "see the non-accessible content below.",
    ),
    Section(
        "non_accessible",
        "Content that is not accessible, and why",
        "Non-compliance, disproportionate burden, content outside the regulations.",
        "We are not aware of content that fails WCAG 2.2 AA. PDF letters are produced as tagged PDF; tell us if "
        "one does not work with your assistive technology and we will send it in another format.",
    ),
    Section(
        "report",
        "Reporting accessibility problems and asking for another format",
        "How to contact you, and how quickly you respond.",
        "If you find a problem with this service, or need a letter in large print, easy read or another format, "
        "contact {org}.",
    ),
    Section(
        "enforcement",
        "Enforcement procedure",
        "The EHRC (England, Wales, Scotland) or ECNI (Northern Ireland).",
        "The Equality and Human Rights Commission (EHRC) is responsible for enforcing the Public Sector Bodies "
        "(Websites and Mobile Applications) (No. 2) Accessibility Regulations 2018. If you are not happy with "
        "how we respond to your complaint, contact the Equality Advisory and Support Service (EASS).",
    ),
    Section(
        "preparation",
        "Preparation of this statement",
        "How and when the service was tested.",
        "This statement was prepared from the service's own accessibility testing.",
    ),
]

KINDS = {"privacy": ("Privacy notice", PRIVACY), "accessibility": ("Accessibility statement", ACCESSIBILITY)}
DATE_FIELDS = {"accessibility": (("prepared_on", "Statement prepared on"), ("reviewed_on", "Last reviewed on"))}


@dataclass(frozen=True)
class RenderedSection:
    heading: str
    paragraphs: list[str]


@dataclass(frozen=True)
class Notice:
    kind: str
    title: str
    sections: list[RenderedSection]
    dates: list[tuple[str, date]]
    edited: bool


def paragraphs(text: str) -> list[str]:
    """Plain text split into paragraphs at blank lines; lines inside a paragraph are joined with a space."""
    blocks = [
        " ".join(line.strip() for line in block.splitlines() if line.strip())
        for block in text.replace("\r\n", "\n").split("\n\n")
    ]
    return [block for block in blocks if block]


def stored(kind: str) -> dict:
    row = db.session.get(PublicNotice, kind)
    return dict(row.sections) if row else {}


def org_name() -> str:
    org = db.session.get(Organisation, 1)
    return org.name if org else "The partnership"


def current(kind: str) -> Notice:
    title, sections = KINDS[kind]
    values = stored(kind)
    org = org_name()
    rendered = [
        RenderedSection(section.heading, paragraphs(values.get(section.key) or section.default.replace("{org}", org)))
        for section in sections
    ]
    dates = []
    for key, label in DATE_FIELDS.get(kind, ()):
        if values.get(key):
            dates.append((label, date.fromisoformat(values[key])))
    return Notice(kind, title, rendered, dates, edited=bool(values))


def form_defaults(kind: str) -> dict:
    values = stored(kind)
    org = org_name()
    data = {section.key: values.get(section.key) or section.default.replace("{org}", org) for section in KINDS[kind][1]}
    for key, _ in DATE_FIELDS.get(kind, ()):
        data[key] = date.fromisoformat(values[key]) if values.get(key) else None
    return data


def save(kind: str, data: dict, actor: User) -> None:
    _, sections = KINDS[kind]
    values = {section.key: (data.get(section.key) or "").strip() for section in sections}
    for key, _ in DATE_FIELDS.get(kind, ()):
        values[key] = data[key].isoformat() if data.get(key) else ""
    row = db.session.get(PublicNotice, kind)
    before = dict(row.sections) if row else {}
    if row is None:
        row = PublicNotice(kind=kind, sections=values, updated_by_id=actor.id)
        db.session.add(row)
    else:
        row.sections, row.updated_by_id = values, actor.id
    changed = sorted(key for key in values if before.get(key) != values[key])
    audit.record(
        "notice.edited",
        "public_notice",
        None,
        f"{KINDS[kind][0]} edited: {', '.join(changed) or 'no change'}",
        details={"kind": kind, "sections_changed": changed},
        actor=actor,
    )
    db.session.flush()
