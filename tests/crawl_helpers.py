"""The canary crawl's world and crawler (tests/security/test_need_to_know_crawl.py).

`seed_canary_world()` builds, through the product's own services (so every audit summary, notification, email and
issued document is the one the product really makes), two cases whose restricted records each carry a distinctive
canary string. `crawl()` signs nobody in: it walks, as an already signed-in test client, every same-origin page
reachable by <a href> links from the landing pages, reading HTML, CSV, PDF (pypdf) and calendar answers alike.

Canaries are matched with all white space removed and case folded, so a PDF line break or a CSS text transform
cannot hide one.
"""

from __future__ import annotations

import hashlib
import io
import re
import secrets
from collections import deque
from dataclasses import dataclass, field
from datetime import date, time, timedelta
from html import unescape
from time import perf_counter
from urllib.parse import urldefrag, urljoin, urlsplit

from flask_login import login_user
from pypdf import PdfReader
from sqlalchemy import select
from sqlalchemy.orm import selectinload, undefer

from tests.conftest import TEST_PASSWORD
from trigger.extensions import db
from trigger.models import (
    Agency,
    AgencyType,
    Area,
    Case,
    DeliveryMethod,
    DocumentKind,
    Incident,
    IssuedDocument,
    Meeting,
    Organisation,
    OutboxMessage,
    Priority,
    Role,
    User,
)

TAG = secrets.token_hex(2)


def canary(name: str) -> str:
    return f"CANARY-{name}-{TAG}"


def squash(text: str) -> str:
    """Text as canaries are searched in it: no white space at all, case folded."""
    return re.sub(r"\s+", "", unescape(text)).casefold()


def long_date(day: date) -> str:
    return f"{day.day} {day:%B %Y}"


# ---- the canaries and who may see them -------------------------------------------------------------------------

STAFF_ROLES = ("admin", "coordinator", "chair", "viewer", "pcc", "rep_a", "rep_b")
RESTRICTED_READERS = frozenset({"admin", "coordinator", "chair", "rep_b"})  # the owning agency B, chair, coordinators
CASE2_READERS = frozenset({"admin", "coordinator", "chair", "viewer", "rep_b"})  # not rep_a, not the PCC reviewer
M2_READERS = frozenset(STAFF_ROLES) - {"rep_a"}
# Preparation notes and feedback answers: only the restorative justice service (not crawled here) and chairs.
RJ_CONFIDENTIAL_READERS = frozenset({"chair"})


@dataclass(frozen=True)
class Canary:
    key: str
    text: str
    allowed: frozenset[str]  # the staff roles that may read it
    victim_ok: bool  # may it appear in a document or email for the applicant?
    what: str


def canaries() -> list[Canary]:
    everyone = frozenset(STAFF_ROLES)
    rows = [
        ("M2_MINUTES", M2_READERS, True, "minutes text of meeting M2 (agency B only)"),
        ("M2_REC", M2_READERS, False, "recommendation text of meeting M2"),
        ("M2_RESPONSE", M2_READERS, False, "agency B's response to M2's recommendation"),
        ("M2_ATTENDEE", M2_READERS, False, "name of a person on M2's attendee list"),
        ("ACT_RESTRICTED", RESTRICTED_READERS, False, "description of agency B's restricted action"),
        ("ACT_RESTRICTED_UPDATE", RESTRICTED_READERS, False, "update note on agency B's restricted action"),
        ("REC_RESTRICTED", RESTRICTED_READERS, False, "restricted recommendation to agency B (M1)"),
        ("ACT_NOT_FOR_VICTIM", everyone, False, "action not shared with the victim"),
        ("REC_NOT_SHARED", everyone, False, "recommendation not shared with the applicant"),
        ("REC_SHARED_INTERNAL", everyone, False, "agencies' text of a shared recommendation"),
        ("REC_SHARED_VICTIM", everyone, True, "victim wording of a shared recommendation (may go to the victim)"),
        ("PERP_NAME", everyone, False, "alleged perpetrator's name"),
        ("PERP_ADDRESS", everyone, False, "alleged perpetrator's address"),
        ("CASE2_ADDRESS", CASE2_READERS, True, "case 2 applicant's address"),
        ("CASE2_PHONE", CASE2_READERS, True, "case 2 applicant's phone"),
        ("CASE2_STORY", CASE2_READERS, True, "case 2's description of the ASB"),
        # Restorative justice (trigger.restorative): the service that holds the referral and chairs only.
        ("RJ_PREPARATION", RJ_CONFIDENTIAL_READERS, False, "restorative preparation notes"),
        ("RJ_FEEDBACK", RJ_CONFIDENTIAL_READERS, False, "restorative feedback answers"),
    ]
    return [Canary(key, canary(key), allowed, victim_ok, what) for key, allowed, victim_ok, what in rows]


# ---- the world -------------------------------------------------------------------------------------------------


@dataclass
class CanaryWorld:
    users: dict[str, User]
    agency_a: Agency
    agency_b: Agency
    case1_id: int
    case2_id: int
    case2_reference: str
    applicant_email: str
    restricted_action_due: date
    issued: dict[int, DocumentKind] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    def neutral_action_line(self) -> str:
        return f"A restricted action owned by {self.agency_b.name}, due {long_date(self.restricted_action_due)}"

    def neutral_recommendation_line(self) -> str:
        return f"A restricted recommendation to {self.agency_b.name}"

    def all_canaries(self) -> list[Canary]:
        return canaries() + [Canary("CASE2_REF", self.case2_reference, CASE2_READERS, True, "case 2's reference")]


def _user(role: Role, key: str, name: str, agency: Agency | None = None) -> User:
    from trigger.auth.passwords import hash_password

    user = User(
        email=f"{key.replace('_', '-')}@canary.example",
        name=name,
        role=role,
        agency_id=agency.id if agency else None,
        active=True,
        password_hash=hash_password(TEST_PASSWORD, "test"),
    )
    db.session.add(user)
    db.session.flush()
    return user


def seed_canary_world(app) -> CanaryWorld:
    """Everything through the product's services, as a coordinator (or the chair, or agency B) would do it."""
    from trigger.actions import services as actions
    from trigger.cases import services as cases
    from trigger.deadlines.reminders import run_reminders
    from trigger.documents import services as documents
    from trigger.escalations import services as escalations
    from trigger.meetings import services as meetings
    from trigger.models import ActionStatus, Channel
    from trigger.threshold import services as threshold

    today = date.today()
    org = db.session.get(Organisation, 1)
    if org is None:
        org = Organisation(id=1, name="Canary Vale Partnership", two_factor_roles="")
        db.session.add(org)
    org.address, org.contact_email = "Council House\nTestbury TB1 1AA", "asbreview@canary.example"
    area = Area(name="Canary Vale")
    agency_a = Agency(name="Alpha Vale Police", agency_type=AgencyType.POLICE, contact_email="")
    agency_b = Agency(name="Bravo Vale Homes", agency_type=AgencyType.HOUSING, contact_email="")
    db.session.add_all([area, agency_a, agency_b])
    db.session.flush()
    users = {
        "admin": _user(Role.ADMIN, "admin", "Ada Admin"),
        "coordinator": _user(Role.COORDINATOR, "coordinator", "Cora Coordinator"),
        "chair": _user(Role.CHAIR, "chair", "Charles Chair"),
        "viewer": _user(Role.VIEWER, "viewer", "Vic Viewer"),
        "pcc": _user(Role.PCC_REVIEWER, "pcc", "Pam Pccreviewer"),
        "rep_a": _user(Role.AGENCY_REP, "rep_a", "Alfie Alpharep", agency_a),
        "rep_b": _user(Role.AGENCY_REP, "rep_b", "Bella Bravorep", agency_b),
    }
    db.session.commit()
    coordinator, chair, rep_b = users["coordinator"], users["chair"], users["rep_b"]
    c = {k.key: k.text for k in canaries()}
    applicant_email = "jane.applicant@canary.example"

    def incidents(*agencies: Agency) -> list:
        return [
            cases.IncidentData(
                occurred_on=today - timedelta(days=days),
                description=f"Shouting {days} days ago",
                reports=[cases.ReportData(agency_id=a.id, reported_on=today - timedelta(days=days)) for a in agencies],
            )
            for days in (60, 50, 40)
        ]

    with app.test_request_context("/"):
        login_user(coordinator)
        case1 = cases.create_case(
            dict(
                received_on=today - timedelta(days=30),
                applicant_name="Jane Canaryapplicant",
                applicant_postcode="TB1 2AB",
                applicant_email=applicant_email,
                applicant_phone="07700 900111",
                applicant_address="1 Elm Road, Testbury",
                asb_description="Loud parties and threats on the stairs.",
            ),
            incidents(agency_a, agency_b),
            [cases.PerpetratorData(name=c["PERP_NAME"], address=c["PERP_ADDRESS"], description="Lives upstairs")],
            area=area,
            channel=Channel.PHONE,
            actor=coordinator,
        )
        db.session.commit()
        # Case 2: the same applicant (name and postcode), only agency B involved, never escalated.
        case2 = cases.create_case(
            dict(
                received_on=today - timedelta(days=34),
                applicant_name="Jane Canaryapplicant",
                applicant_postcode="TB1 2AB",
                applicant_email="",
                applicant_phone=c["CASE2_PHONE"],
                applicant_address=c["CASE2_ADDRESS"],
                asb_description=c["CASE2_STORY"] + " dogs in the garden.",
            ),
            incidents(agency_b),
            [],
            area=area,
            channel=Channel.PHONE,
            actor=coordinator,
        )
        db.session.commit()
        case1_id, case2_id, case2_reference = case1.id, case2.id, case2.reference

        def c1():
            """Case 1 with what the services read (relationships are lazy="raise")."""
            return db.session.scalar(
                select(Case)
                .where(Case.id == case1_id)
                .options(
                    selectinload(Case.perpetrators),
                    selectinload(Case.incidents).selectinload(Incident.reports),
                    selectinload(Case.decisions),
                )
                .execution_options(populate_existing=True)
            )

        def issue(kind: DocumentKind, meeting_id: int | None = None, **extra) -> None:
            applicant = kind.for_applicant
            full = c1()
            result = documents.issue(
                kind,
                full,
                actor=coordinator,
                recipient=documents.Recipient(
                    "Jane Canaryapplicant" if applicant else "The partners", applicant_email if applicant else ""
                ),
                method=DeliveryMethod.EMAIL if applicant else DeliveryMethod.AGENCY_PORTAL,
                large_print=False,
                meeting_id=meeting_id,
                **extra,
            )
            db.session.flush()
            world.issued[result.document.id] = kind
            if applicant:
                documents.email_to_applicant(result.document, full)
            db.session.commit()

        world = CanaryWorld(
            users=users,
            agency_a=agency_a,
            agency_b=agency_b,
            case1_id=case1_id,
            case2_id=case2_id,
            case2_reference=case2_reference,
            applicant_email=applicant_email,
            restricted_action_due=today + timedelta(days=21),
        )
        issue(DocumentKind.ACKNOWLEDGEMENT)
        threshold.record_decision(
            c1(),
            threshold.DecisionInput(
                outcome="met",
                reasons="Three incidents reported within a month.",
                decision_maker_name="Cora Coordinator",
                decided_on=today - timedelta(days=24),
            ),
            actor=coordinator,
        )
        db.session.commit()
        issue(DocumentKind.THRESHOLD_DECISION)

        def held_meeting(days_ago: int) -> Meeting:
            day = today - timedelta(days=days_ago)
            return meetings.schedule_meeting(
                c1(),
                meetings.MeetingDetails(
                    kind="initial-review" if days_ago > 10 else "review",
                    day=day,
                    start=time(10, 0),
                    end=time(12, 0),
                    place="Council House",
                    virtual_link="",
                    chair_id=str(chair.id),
                    recorded_after_the_fact=True,
                ),
                actor=coordinator,
            )

        m1_id = held_meeting(14).id
        db.session.commit()
        m1 = meetings.load_meeting(m1_id)
        meetings.invite_from_proposals(m1, c1(), [f"user:{users['rep_a'].id}", f"user:{rep_b.id}"])
        meetings.save_victim_participation(m1, c1(), kind="statement", statement="I cannot sleep.", actor=coordinator)
        item = m1.minute_items[0] if m1.minute_items else None
        db.session.commit()
        if item is not None:
            meetings.save_minute(m1, item, base_number=0, text="The partners agreed a plan.", actor=chair)
        rec_restricted = meetings.add_recommendation(
            m1,
            agency_id=str(agency_b.id),
            text=c["REC_RESTRICTED"] + " injunction against the tenant",
            actor=chair,
            restricted=True,
        )
        assert rec_restricted.restricted
        meetings.add_recommendation(
            m1,
            agency_id=str(agency_a.id),
            text=c["REC_NOT_SHARED"] + " consider a Community Protection Warning",
            actor=chair,
        )
        shared = meetings.add_recommendation(
            m1,
            agency_id=str(agency_a.id),
            text=c["REC_SHARED_INTERNAL"] + " offer a noise recording device",
            actor=chair,
            victim_visible=True,
            victim_wording=c["REC_SHARED_VICTIM"] + " We will lend you a noise recorder.",
        )
        db.session.commit()
        meetings.approve_minutes(m1, chair)
        db.session.commit()

        # M2: agency B only.
        m2_id = held_meeting(7).id
        db.session.commit()
        m2 = meetings.load_meeting(m2_id)
        meetings.invite_from_proposals(m2, c1(), [f"user:{rep_b.id}"])
        meetings.add_person(
            m2,
            c1(),
            meetings.PersonDetails(
                kind="agency-representative",
                name=c["M2_ATTENDEE"] + " Tenancy Officer",
                agency_id=str(agency_b.id),
                role_at_meeting="Tenancy officer",
            ),
        )
        db.session.commit()
        m2 = meetings.load_meeting(m2.id)
        if m2.minute_items:
            meetings.save_minute(
                m2,
                m2.minute_items[0],
                base_number=0,
                text=c["M2_MINUTES"] + " The tenancy file was discussed.",
                actor=chair,
            )
        else:
            world.notes.append("meeting M2 has no agenda item: its minutes canary was not written")
        rec_m2 = meetings.add_recommendation(
            m2, agency_id=str(agency_b.id), text=c["M2_REC"] + " review the tenancy conditions", actor=chair
        )
        db.session.commit()
        meetings.record_recommendation_response(
            m2, rec_m2, response_text=c["M2_RESPONSE"] + " we will review", responded_on=today, actor=rep_b
        )
        meetings.approve_minutes(m2, chair)
        db.session.commit()

        # The plan.
        restricted = actions.create_action(
            c1(),
            description=c["ACT_RESTRICTED"] + " serve a notice of seeking possession",
            victim_wording="",
            victim_visible=False,
            owner_agency_id=agency_b.id,
            owner_user_id=rep_b.id,
            source_note="",
            due_on=world.restricted_action_due,
            priority=Priority.HIGH,
            actor=coordinator,
            today=today,
            restricted=True,
        )
        actions.create_action(
            c1(),
            description=c["ACT_NOT_FOR_VICTIM"] + " check the perpetrator's licence conditions",
            victim_wording="",
            victim_visible=False,
            owner_agency_id=agency_a.id,
            owner_user_id=None,
            source_note="",
            due_on=today + timedelta(days=10),
            priority=Priority.MEDIUM,
            actor=coordinator,
            today=today,
        )
        actions.create_action(
            c1(),
            description="Targeted patrols on Elm Road",
            victim_wording="We will patrol Elm Road at weekends.",
            victim_visible=True,
            owner_agency_id=agency_a.id,
            owner_user_id=users["rep_a"].id,
            source_note="",
            due_on=today + timedelta(days=3),
            priority=Priority.MEDIUM,
            actor=coordinator,
            today=today,
        )
        db.session.commit()
        action = actions.load_action(restricted.id)
        actions.post_update(
            action,
            expected_version=action.version,
            note=c["ACT_RESTRICTED_UPDATE"] + " NOSP drafted",
            status=ActionStatus.IN_PROGRESS,
            reason="",
            actor=rep_b,
            today=today,
        )
        db.session.commit()

        # Every document, through the product; the applicant's letters are emailed to them.
        for kind in (DocumentKind.INVITATION_VICTIM, DocumentKind.INVITATION_AGENCY):
            issue(kind, m1.id)
        for meeting in (m1, m2):
            issue(DocumentKind.MINUTES_FULL, meeting.id)
            issue(DocumentKind.MINUTES_SUMMARY, meeting.id)
        issue(DocumentKind.ACTION_PLAN)
        issue(DocumentKind.OUTCOME, findings="The agencies could have shared information sooner.")

        # Escalation: the PCC reviewer can now see case 1 (never case 2).
        escalation = escalations.record_request(
            c1(),
            escalations.RequestInput(
                received_on=today,
                outcome_letter_on=today,
                grounds=["policy-not-considered"],
                applicant_summary="Nobody looked at the noise policy.",
                consent_to_share=True,
                consent_on=today,
                reviewing_body="pcc-office",
            ),
            actor=coordinator,
        )
        db.session.commit()
        issue(DocumentKind.ESCALATION_ACKNOWLEDGEMENT)
        escalations.record_outcome(
            escalations.load_escalation(escalation.id),
            escalations.OutcomeInput(
                outcome="not-upheld", reasons="The review was properly carried out.", decided_on=today
            ),
            actor=users["pcc"],
        )
        db.session.commit()
        issue(DocumentKind.ESCALATION_OUTCOME)

        # A follow-up meeting ahead, both agencies invited: invitation emails (with calendars) to both reps.
        m3 = meetings.schedule_meeting(
            c1(),
            meetings.MeetingDetails(
                kind="review",
                day=today + timedelta(days=14),
                start=time(10, 0),
                end=time(11, 0),
                place="Council House",
                virtual_link="",
                chair_id=str(chair.id),
            ),
            actor=coordinator,
        )
        db.session.commit()
        meetings.invite_from_proposals(
            meetings.load_meeting(m3.id), c1(), [f"user:{users['rep_a'].id}", f"user:{rep_b.id}"]
        )
        db.session.commit()

        # A restorative referral to the county's restorative justice service, with preparation notes and feedback
        # answers that only the service and chairs may read.
        from trigger.restorative import feedback as restorative_feedback
        from trigger.restorative import services as restorative

        rj = Agency(
            name="Charlie Vale Restorative Justice", agency_type=AgencyType.RESTORATIVE_JUSTICE, contact_email=""
        )
        db.session.add(rj)
        db.session.flush()
        referral = restorative.refer(
            c1(),
            restorative.ReferralInput(
                agency_id=str(rj.id),
                reason="Both neighbours want to talk",
                include_applicant=True,
                perpetrator_ids=[str(p.id) for p in restorative.perpetrators_of(c1())],
            ),
            actor=coordinator,
        )
        harmed = next(p for p in referral.participants if p.role.value == "harmed")
        restorative.add_preparation(
            referral,
            participant_id=str(harmed.id),
            contact_on=today,
            kind="in-person",
            notes=c["RJ_PREPARATION"] + " she is frightened of him",
            actor=chair,
        )
        restorative_feedback.record_phone_feedback(
            referral,
            participant_id=str(harmed.id),
            answers=restorative_feedback.Answers(
                felt_heard="yes", helped="partly", recommend=4, comments=c["RJ_FEEDBACK"] + " it helped a little"
            ),
            actor=chair,
        )
        db.session.commit()
        # ... taken to an agreement, so that its four documents are issued (the victim's two by email).
        referral = restorative.load_referral(referral.id)
        harmed = next(p for p in referral.participants if p.role.value == "harmed")
        responsible = next(p for p in referral.participants if p.role.value == "responsible")
        restorative.tell_victim(referral, told_on=today, how="phone", answer="interested")
        restorative.assess(referral, [], {}, suitable=True, reason="", actor=chair)
        for person in (harmed, responsible):
            restorative.record_consent(
                referral, participant_id=str(person.id), given_on=today, how="in-person", actor=chair
            )
        restorative.choose_process(referral, "indirect-letters")
        restorative.hold(referral, c1(), held_on=today)
        restorative.add_item(
            referral,
            kind="apology",
            responsible=c["PERP_NAME"],
            what="Write a letter of apology",
            victim_wording="A letter of apology to you",
            due_on=today + timedelta(days=14),
        )
        db.session.commit()
        for kind in (
            DocumentKind.RESTORATIVE_INFORMATION,
            DocumentKind.RESTORATIVE_INVITATION,
            DocumentKind.RESTORATIVE_AGREEMENT,
            DocumentKind.RESTORATIVE_AGREEMENT_VICTIM,
        ):
            issue(kind)

        # The reminders the ladders call for, today and once everything is overdue (digests to owners and
        # coordinators, in-app notifications).
        for day in (today, today + timedelta(days=30)):
            run_reminders(day)
            db.session.commit()
    return world


# ---- reading what the product serves -----------------------------------------------------------------------------


_PDF_TEXT: dict[str, str] = {}


def pdf_text(pdf: bytes) -> str:
    """The PDF's text (pypdf), remembered by content hash: the same issued bytes are offered to several roles."""
    key = hashlib.sha256(pdf).hexdigest()
    if key not in _PDF_TEXT:
        reader = PdfReader(io.BytesIO(pdf))
        _PDF_TEXT[key] = " ".join(page.extract_text() or "" for page in reader.pages)
    return _PDF_TEXT[key]


_HREF = re.compile(r"""<a\b[^>]*?\bhref\s*=\s*(?:"([^"]*)"|'([^']*)')""", re.I | re.S)
_SKIP = re.compile(r"(^/logout|/sign-?out|/static/|/delete|/destroy)", re.I)


@dataclass
class Found:
    where: str  # "page URL", "CSV URL", "PDF URL", "email ..."
    channel: str  # page, csv, pdf, email, other
    text: str  # squashed
    kind: DocumentKind | None = None  # for PDFs: which document


@dataclass
class CrawlResult:
    role: str
    visited: list[Found] = field(default_factory=list)
    statuses: dict[int, int] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    truncated: bool = False

    def count(self, channel: str) -> int:
        return sum(1 for f in self.visited if f.channel == channel)


LANDING = ("/", "/home", "/cases", "/dashboard", "/my-actions", "/notifications", "/escalations")


def _document_kind(path: str, query: str, issued: dict[int, DocumentKind]) -> DocumentKind | None:
    match = re.search(r"/documents/(\d+)/download", path)
    if match:
        return issued.get(int(match.group(1)))
    match = re.search(r"(?:^|&)kind=([a-z\-]+)", query)
    if match:
        try:
            return DocumentKind(match.group(1))
        except ValueError:
            return None
    return None


def crawl(
    client,
    role: str,
    issued: dict[int, DocumentKind],
    *,
    max_pages: int = 400,
    shared_previews: dict[str, Found] | None = None,
) -> CrawlResult:
    """Breadth first from the landing pages: GET only, same origin, no sign-out.

    ``shared_previews``: draft previews already rendered for a role with the same rights (administrators,
    coordinators and chairs all read everything on a case): the same URL is read from there instead of rendering
    the PDF again, which would cost a second or so each on a shared machine.
    """
    result = CrawlResult(role)
    queue = deque(LANDING)
    seen = set(LANDING)
    while queue:
        if len(result.visited) + sum(result.statuses.get(s, 0) for s in (403, 404)) >= max_pages:
            result.truncated = True
            break
        url = queue.popleft()
        if shared_previews is not None and url in shared_previews:
            earlier = shared_previews[url]
            result.visited.append(
                Found(
                    earlier.where + " (draft rendered once for the full-access roles)",
                    earlier.channel,
                    earlier.text,
                    earlier.kind,
                )
            )
            continue
        started = perf_counter()
        response = client.get(url)
        status = response.status_code
        result.statuses[status] = result.statuses.get(status, 0) + 1
        if status >= 500:
            result.errors.append(f"{status} on {url}")
        if status in (301, 302, 303, 307, 308):
            target = response.headers.get("Location", "")
            _enqueue(url, target, seen, queue)
            continue
        if status != 200:
            continue
        ctype = response.headers.get("Content-Type", "")
        body = response.get_data()
        parts = urlsplit(url)
        if "pdf" in ctype:
            try:
                text = pdf_text(body)
            except Exception as error:  # noqa: BLE001 - an unreadable PDF is a finding, not a crash of the crawl
                result.errors.append(f"unreadable PDF {url}: {error}")
                continue
            kind = _document_kind(parts.path, parts.query, issued)
            result.visited.append(Found(f"PDF {url}" + (f" ({kind.label})" if kind else ""), "pdf", squash(text), kind))
            if shared_previews is not None and "/documents/preview" in parts.path:
                shared_previews[url] = result.visited[-1]
            result.seconds["pdf"] = result.seconds.get("pdf", 0) + perf_counter() - started
            continue
        text = body.decode("utf-8", "replace")
        if "csv" in ctype or parts.path.endswith(".csv"):
            result.visited.append(Found(f"CSV {url}", "csv", squash(text)))
            continue
        if "html" not in ctype:
            result.visited.append(Found(f"{ctype.split(';')[0]} {url}", "other", squash(text)))
            continue
        result.visited.append(Found(f"page {url}", "page", squash(text)))
        result.seconds["page"] = result.seconds.get("page", 0) + perf_counter() - started
        for match in _HREF.finditer(text):
            _enqueue(url, unescape(match.group(1) or match.group(2) or ""), seen, queue)
    return result


def _enqueue(base: str, href: str, seen: set[str], queue: deque) -> None:
    if not href or href.startswith(("mailto:", "tel:", "javascript:", "#")):
        return
    absolute = urljoin("http://localhost" + base, href)
    parts = urlsplit(absolute)
    if parts.scheme not in ("http", "https") or parts.netloc != "localhost":
        return
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    path, _ = urldefrag(path)
    # A large-print preview is the same draft in a bigger font: rendering it again would double the crawl's time
    # without reading one more word.
    if _SKIP.search(parts.path) or "large_print=1" in parts.query or path in seen:
        return
    seen.add(path)
    queue.append(path)


def emails_to(address: str) -> list[Found]:
    """The outbox messages to one address: subject, body, HTML body and attachments (PDF text, others as text)."""
    db.session.expire_all()
    messages = db.session.scalars(
        select(OutboxMessage)
        .where(OutboxMessage.to_address == address)
        .options(selectinload(OutboxMessage.attachments))
        .order_by(OutboxMessage.id)
    )
    found = []
    for message in messages:
        parts = [message.subject, message.body, message.html_body or ""]
        for attachment in message.attachments:
            if attachment.mime_type == "application/pdf" or attachment.filename.endswith(".pdf"):
                parts.append(pdf_text(attachment.content))
            else:
                parts.append(attachment.content.decode("utf-8", "replace"))
        found.append(Found(f"email “{message.subject}” to {address}", "email", squash("\n".join(parts))))
    return found


def issued_for_applicant(case_id: int) -> list[Found]:
    rows = db.session.scalars(
        select(IssuedDocument)
        .where(IssuedDocument.case_id == case_id)
        .options(undefer(IssuedDocument.content))
        .order_by(IssuedDocument.id)
    )
    found = []
    for document in rows:
        if document.kind.for_applicant:
            found.append(
                Found(
                    f"issued {document.kind.label} v{document.version} (document {document.id})",
                    "pdf",
                    squash(pdf_text(document.content)),
                    document.kind,
                )
            )
    return found
