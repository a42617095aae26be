"""Cases: creating them from an application, finding possible links, moving their stage, and reading them.

No HTML here. Both intake routes (staff and public) end in `create_case`; `move_to` is the only code that
changes a case's stage.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, time

from sqlalchemy import bindparam, exists, func, or_, select, text
from sqlalchemy import case as sql_case
from sqlalchemy.exc import IntegrityError
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.sql.elements import True_

from trigger import audit
from trigger.authz import case_visibility, listed_case_count, listed_case_visibility, visible_among, visible_cases
from trigger.cases.timeline_filter import filter_timeline
from trigger.domain.intake import IncidentEntry, Problem, check_application
from trigger.domain.limits import database_id
from trigger.domain.stages import Stage, transition_problem
from trigger.extensions import db
from trigger.forms import FieldError
from trigger.models import (
    Agency,
    Area,
    AuditEvent,
    Case,
    CaseLink,
    Channel,
    Incident,
    IncidentReport,
    LinkReason,
    Perpetrator,
    Role,
    ThresholdDecision,
    User,
)
from trigger.models.audit import CASE_STORY_SQL, CASE_VIEWED

REFERENCE_PREFIX = "ASB"

log = logging.getLogger(__name__)


# ---- choices ----------------------------------------------------------------------------------------------


def area_choices() -> list[tuple[str, str]]:
    areas = db.session.scalars(select(Area).where(Area.active.is_(True)).order_by(Area.name))
    return [("", "Choose an area")] + [(str(a.id), a.name) for a in areas]


def agency_choices(blank: str = "Choose an agency") -> list[tuple[str, str]]:
    agencies = db.session.scalars(select(Agency).where(Agency.active.is_(True)).order_by(Agency.name))
    return [("", blank)] + [(str(a.id), a.name) for a in agencies]


def resolve_area(raw: str | None) -> Area:
    """The active area a form named, refusing forged or stale ids."""
    try:
        area = db.session.get(Area, int(raw or ""))
    except ValueError:
        area = None
    if area is None or not area.active:
        raise FieldError("area_id", "Choose an area from the list")
    return area


def intake_problems(incidents: list[IncidentEntry], *, require_report: bool) -> list[Problem]:
    known = {value for value, _ in agency_choices() if value}
    return check_application(incidents, today=date.today(), known_agency_ids=known, require_report=require_report)


# ---- creating a case --------------------------------------------------------------------------------------


@dataclass
class ReportData:
    agency_id: int
    reported_on: date
    agency_reference: str = ""
    how_reported: str | None = None
    what_was_done: str = ""


@dataclass
class IncidentData:
    occurred_on: date
    description: str
    occurred_time: time | None = None
    is_hate: bool = False
    complainant_name: str = ""
    reports: list[ReportData] = field(default_factory=list)


@dataclass
class PerpetratorData:
    name: str = ""
    address: str = ""
    description: str = ""


def normalise_postcode(raw: str | None) -> str:
    """Upper case with one space before the inward code ("gl50 1aa" -> "GL50 1AA"), for display and matching."""
    compact = re.sub(r"\s+", "", (raw or "").upper())
    return f"{compact[:-3]} {compact[-3:]}" if len(compact) >= 5 else compact


def phone_key(raw: str | None) -> str:
    """Digits only, with +44 written as a leading 0, so "+44 7700 900123" matches "07700900123"."""
    digits = re.sub(r"\D", "", raw or "")
    if digits.startswith("44") and len(digits) > 10:
        digits = "0" + digits[2:]
    return digits[:20]


def _next_reference(year: int) -> str:
    prefix = f"{REFERENCE_PREFIX}-{year}-"
    references = db.session.scalars(select(Case.reference).where(Case.reference.like(f"{prefix}%")))
    numbers = [int(ref[len(prefix) :]) for ref in references if ref[len(prefix) :].isdigit()]
    return f"{prefix}{(max(numbers, default=0) + 1):04d}"


def next_reference(year: int) -> str:
    """The reference the next case received in `year` would get (not reserved: saving takes it)."""
    return _next_reference(year)


def create_case(
    fields: dict,
    incidents: list[IncidentData],
    perpetrators: list[PerpetratorData],
    *,
    area: Area,
    channel: Channel,
    actor: User | None,
) -> Case:
    """Save a new case at stage "received" with its incidents and perpetrators, audited, with links flagged.

    The caller has already checked the incidents (trigger.domain.intake.check_application) and the area.
    """
    case = Case(**fields)
    case.area = area
    case.channel = channel
    case.stage = Stage.RECEIVED
    case.applicant_postcode = normalise_postcode(case.applicant_postcode)
    case.applicant_phone_key = phone_key(case.applicant_phone)
    case.applicant_email = (case.applicant_email or "").lower()
    case.created_by_id = actor.id if actor else None
    if actor is not None and actor.role is Role.COORDINATOR:
        case.coordinator_id = actor.id  # the coordinator who records a case looks after it (its reminders go to them)
    case.perpetrators = [Perpetrator(name=p.name, address=p.address, description=p.description) for p in perpetrators]
    case.incidents = [
        Incident(
            occurred_on=i.occurred_on,
            occurred_time=i.occurred_time,
            description=i.description,
            is_hate=i.is_hate,
            complainant_name=i.complainant_name,
            reports=[
                IncidentReport(
                    agency_id=r.agency_id,
                    reported_on=r.reported_on,
                    agency_reference=r.agency_reference,
                    how_reported=r.how_reported or None,
                    what_was_done=r.what_was_done,
                )
                for r in i.reports
            ],
        )
        for i in incidents
    ]
    _save_with_reference(case)
    audit.record(
        "case.created",
        "case",
        case.id,
        f"Application {case.reference} received ({channel.label.lower()}) for {area.name}",
        {"channel": channel.value, "incidents": len(incidents), "perpetrators": len(perpetrators)},
        actor=actor,
        case_id=case.id,
    )
    from trigger.deadlines.opening import on_stage_change

    on_stage_change(case, None, Stage.RECEIVED, case.received_on)  # receipt opens the first deadlines
    flag_links(case)
    return case


def _save_with_reference(case: Case, attempts: int = 5) -> None:
    # Two applications saved at the same moment can pick the same next number; the unique constraint refuses
    # the second, which then takes the following number inside a savepoint.
    year = case.received_on.year
    for attempt in range(attempts):
        case.reference = _next_reference(year)
        try:
            with db.session.begin_nested():
                db.session.add(case)
                db.session.flush()
            return
        except IntegrityError:
            if attempt == attempts - 1:
                raise


# ---- linked cases -----------------------------------------------------------------------------------------


def flag_links(case: Case) -> list[CaseLink]:
    """Flag earlier cases from the same applicant (name and postcode, email or phone) or the same postcode."""
    same_person = []
    if case.applicant_postcode:
        same_person.append(
            (func.lower(Case.applicant_name) == case.applicant_name.lower())
            & (Case.applicant_postcode == case.applicant_postcode)
        )
    if case.applicant_email:
        same_person.append(Case.applicant_email == case.applicant_email)
    if len(case.applicant_phone_key) >= 6:
        same_person.append(Case.applicant_phone_key == case.applicant_phone_key)
    same_place = Case.applicant_postcode == case.applicant_postcode if case.applicant_postcode else None

    links: list[CaseLink] = []
    found: set[int] = set()
    for reason, condition in (
        (LinkReason.SAME_APPLICANT, or_(*same_person) if same_person else None),
        (LinkReason.SAME_ADDRESS, same_place),
    ):
        if condition is None:
            continue
        earlier = db.session.scalars(
            select(Case).where(condition, Case.id != case.id).order_by(Case.id.desc()).limit(20)
        ).all()
        for other in earlier:
            if other.id in found:
                continue  # already linked as the same applicant; the address adds nothing
            found.add(other.id)
            link = CaseLink(case_id=case.id, linked_case_id=other.id, reason=reason)
            db.session.add(link)
            links.append(link)
            summary = f"Possible link: {reason.label.lower()} as {{}}"
            audit.record(
                "case.linked",
                "case",
                case.id,
                summary.format(other.reference),
                {"linked_case_id": other.id, "reason": reason.value},
                case_id=case.id,
            )
            audit.record(
                "case.linked",
                "case",
                other.id,
                summary.format(case.reference),
                {"linked_case_id": case.id, "reason": reason.value},
                case_id=other.id,
            )
    db.session.flush()
    return links


@dataclass(frozen=True)
class LinkedCase:
    """The other case of a link, as the case page shows it (plain values, no ORM object)."""

    id: int
    reference: str
    received_on: date
    stage: Stage


_OTHER_CASE_ID = sql_case((CaseLink.case_id == bindparam("case_id"), CaseLink.linked_case_id), else_=CaseLink.case_id)
#: Built once (every view of a case's summary and incidents asks).
_LINKS_OF = (
    select(Case.id, Case.reference, Case.received_on, Case.stage, CaseLink.reason)
    .select_from(CaseLink)
    .join(Case, Case.id == _OTHER_CASE_ID)
    .where(or_(CaseLink.case_id == bindparam("case_id"), CaseLink.linked_case_id == bindparam("case_id")))
    .order_by(CaseLink.id)
)


def links_of(case: Case, viewer) -> list[tuple[LinkedCase, LinkReason]]:
    """Cases flagged as possibly linked to `case`, from either side, that `viewer` may open, in one statement: a
    link to a case they may not see would tell them its reference, date, stage and why it is linked (the same
    applicant), so the other case must pass trigger.authz.case_visibility in the same query."""
    visible = case_visibility(viewer)
    statement = _LINKS_OF if isinstance(visible, True_) else _LINKS_OF.where(visible)
    rows = db.session.execute(statement, {"case_id": case.id}).all()
    return [(LinkedCase(row.id, row.reference, row.received_on, row.stage), row.reason) for row in rows]


# ---- the lifecycle ----------------------------------------------------------------------------------------


def move_to(
    case: Case,
    stage: Stage,
    reason: str,
    *,
    applicant_told_on: date | None = None,
    audit_details: dict | None = None,
    on: date | None = None,
) -> None:
    """Move `case` to `stage` if the lifecycle allows it, and write the audit event.

    Closing needs a reason and the date the applicant was told. Raises FieldError ("stage", "reason" or
    "applicant_told_on") when refused; nothing is changed then. ``on`` is the day the stage was reached (the
    stage deadlines met and opened by the move count from it; default today).
    """
    stage = Stage(stage)
    problem = transition_problem(case.stage, stage)
    if problem:
        raise FieldError("stage", problem)
    if not (reason or "").strip():
        raise FieldError("reason", "Give the reason for the change")
    if stage is Stage.CLOSED:
        if applicant_told_on is None:
            raise FieldError("applicant_told_on", "Enter the date the applicant was told the case is closing")
        if applicant_told_on < case.received_on:
            raise FieldError(
                "applicant_told_on", "The date the applicant was told must be the same as or after the date received"
            )
        case.closure_reason = reason.strip()
        case.closed_on = date.today()
        case.applicant_told_on = applicant_told_on
    before = case.stage
    case.stage = stage
    details = {"from": before.value, "to": stage.value, "reason": reason.strip(), **(audit_details or {})}
    if applicant_told_on is not None and stage is Stage.CLOSED:
        details["applicant_told_on"] = applicant_told_on.isoformat()
    audit.record(
        "case.stage_changed",
        "case",
        case.id,
        f"{before.label} → {stage.label}: {reason.strip()}"[:500],
        details,
        case_id=case.id,
    )
    from trigger.deadlines.opening import on_stage_change

    on_stage_change(case, before, stage, on)


# ---- reading ----------------------------------------------------------------------------------------------


# A case page loads the case and the children it shows with one plain statement each, built once (every case page
# and every form on a case runs them), and hands each collection to its relationship (set_committed_value): the
# same objects and the same order as selectinload, without its machinery, which cost about 0.4 ms per
# collection on every view (issue 19).
_CASE = select(Case).where(Case.id == bindparam("case_id"))
_PERPETRATORS = select(Perpetrator).where(Perpetrator.case_id == bindparam("case_id")).order_by(Perpetrator.id)
_INCIDENTS = (
    select(Incident).where(Incident.case_id == bindparam("case_id")).order_by(Incident.occurred_on, Incident.id)
)
_REPORTS = (
    select(IncidentReport)
    .join(Incident, IncidentReport.incident_id == Incident.id)
    .where(Incident.case_id == bindparam("case_id"))
    .order_by(IncidentReport.reported_on, IncidentReport.id)
)
_DECISIONS = (
    select(ThresholdDecision).where(ThresholdDecision.case_id == bindparam("case_id")).order_by(ThresholdDecision.id)
)


def _attach(parent, name: str, children: list, back: str) -> None:
    """Give ``parent.<name>`` its loaded children (and each child its parent), unless the session already holds
    that collection loaded: then, as with selectinload, what is in the session stays."""
    if name in sa_inspect(parent).dict:
        return
    set_committed_value(parent, name, children)
    for child in children:
        if back not in sa_inspect(child).dict:
            set_committed_value(child, back, parent)


def _load(case_id: int, *, everything: bool) -> Case | None:
    params = {"case_id": case_id}
    case = db.session.scalar(_CASE, params)
    if case is None:
        return None
    _attach(case, "perpetrators", db.session.scalars(_PERPETRATORS, params).all(), "case")
    if everything:
        incidents = db.session.scalars(_INCIDENTS, params).all()
        reports: dict[int, list[IncidentReport]] = {incident.id: [] for incident in incidents}
        for report in db.session.scalars(_REPORTS, params):
            reports[report.incident_id].append(report)
        for incident in incidents:
            _attach(incident, "reports", reports[incident.id], "incident")
        _attach(case, "incidents", incidents, "case")
        _attach(case, "decisions", db.session.scalars(_DECISIONS, params).all(), "case")
    return case


def load_case(case_id: int) -> Case | None:
    """A case with everything its pages show (perpetrators, incidents with their reports, threshold decisions),
    in a fixed number of queries."""
    return _load(case_id, everything=True)


def load_case_summary(case_id: int) -> Case | None:
    """A case with what its summary shows: the perpetrators, not the incidents or decisions (reading them raises;
    the incidents section shows them). Loading those cost more than half the summary's time (issue 19)."""
    return _load(case_id, everything=False)


def record_view_of(case_id: int, reference: str) -> None:
    """Every view of a case file is recorded (DOMAIN.md section 6: need-to-know data)."""
    audit.record_view(CASE_VIEWED, "case", case_id, f"Viewed case {reference}", case_id=case_id)


#: The case page shows this many of the latest timeline events unless asked for all of them.
TIMELINE_LIMIT = 50


@dataclass(frozen=True)
class TimelineEvent:
    at: datetime
    actor_label: str
    summary: str


@dataclass
class Timeline:
    events: list[TimelineEvent]  # oldest first
    complete: bool  # False when older events were left out (the page links to all of them)


def timeline(case: Case, viewer, limit: int | None = TIMELINE_LIMIT) -> Timeline:
    """What happened to the case that `viewer` may know, oldest first: of the latest ``limit`` events (None: all),
    those about a subject the viewer may see (trigger.cases.timeline_filter); an event about a restricted action
    or recommendation becomes a neutral line. Views are in the audit trail but would drown the story here."""
    statement = (
        select(
            AuditEvent.at,
            AuditEvent.actor_label,
            AuditEvent.summary,
            AuditEvent.action,
            AuditEvent.object_type,
            AuditEvent.object_id,
            AuditEvent.details,
        )
        .where(AuditEvent.case_id == case.id, text(f"audit_events.{CASE_STORY_SQL}"))  # for the partial index
        .order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
    )
    if limit is not None:
        statement = statement.limit(limit + 1)
    rows = db.session.execute(statement).all()
    complete = limit is None or len(rows) <= limit
    kept = rows[:limit] if limit is not None else rows
    shown = [TimelineEvent(at, actor, summary) for at, actor, summary in filter_timeline(viewer, case, kept)]
    return Timeline(list(reversed(shown)), complete)


def view_count(case: Case) -> int:
    return db.session.scalar(
        select(func.count())
        .select_from(AuditEvent)
        .where(AuditEvent.case_id == case.id, AuditEvent.action == CASE_VIEWED)
    )


def _contains(query: str) -> str:
    escaped = query.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


@dataclass(frozen=True)
class CaseListFilters:
    """The case list's search and filters as the query string gives them: the page and its CSV export read them here."""

    query: str = ""
    area_id: int | None = None
    stage: Stage | None = None
    overdue: bool = False
    sort: str = "newest"

    @classmethod
    def from_args(cls, args: Mapping) -> CaseListFilters:
        stage_value = args.get("stage") or ""
        return cls(
            query=(args.get("q") or "").strip()[:100],
            area_id=database_id(args.get("area")),  # OutOfRange (400) before the page or CSV is started
            stage=Stage(stage_value) if stage_value in {s.value for s in Stage} else None,
            overdue=args.get("overdue") == "1",
            sort="deadline" if args.get("sort") == "deadline" else "newest",
        )

    def described(self) -> dict:
        """For the audit trail: which cases were exported."""
        values = asdict(self)
        values["stage"] = self.stage.value if self.stage else None
        return values


def search_cases(
    user,
    *,
    query: str = "",
    area_id: int | None = None,
    stage: Stage | None = None,
    overdue: bool = False,
    sort: str = "newest",
    for_list: bool = False,
):
    """The cases `user` may see, matching a search (reference, applicant, address, perpetrator) and filters.

    ``overdue``: only open cases with an overdue stage deadline or action. ``sort="deadline"``: the case whose
    next open stage deadline comes first, first (cases with none last); otherwise newest first. ``for_list``:
    for the case list page, which reads an agency representative's cases from case_agencies
    (trigger.authz.listed_case_visibility) and must pass the page it shows through `shown_to`.
    """
    statement = select(Case).where(listed_case_visibility(user)) if for_list else visible_cases(user)
    if query:
        pattern = _contains(query)
        perpetrator_match = exists(
            select(Perpetrator.id).where(
                Perpetrator.case_id == Case.id, func.lower(Perpetrator.name).like(pattern, escape="\\")
            )
        )
        statement = statement.where(
            or_(
                func.lower(Case.reference).like(pattern, escape="\\"),
                func.lower(Case.applicant_name).like(pattern, escape="\\"),
                func.lower(Case.applicant_address).like(pattern, escape="\\"),
                func.lower(Case.applicant_postcode).like(pattern, escape="\\"),
                perpetrator_match,
            )
        )
    if area_id:
        statement = statement.where(Case.area_id == area_id)
    if stage:
        statement = statement.where(Case.stage == stage)
    from trigger.deadlines.dates import london_today
    from trigger.deadlines.listing import next_due_expression, overdue_condition

    if overdue:
        statement = statement.where(overdue_condition(london_today()))
    if sort == "deadline":
        return statement.order_by(next_due_expression().asc().nulls_last(), Case.id)
    return statement.order_by(Case.received_on.desc(), Case.id.desc())


@dataclass
class CasePage:
    """One page of the case list and how many cases match in all."""

    items: list  # rows of LIST_COLUMNS (id, reference, applicant_name, area_name, stage, risk_level, received_on)
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return -(-self.total // self.per_page)


#: What a row of the case list shows: plain rows, not Case objects (a Case loads every applicant column and its
#: area as objects the list only displays).
LIST_COLUMNS = (
    Case.id,
    Case.reference,
    Case.applicant_name,
    Area.name.label("area_name"),
    Case.stage,
    Case.risk_level,
    Case.received_on,
)


def page_of_cases(statement, page: int, per_page: int, counted=None) -> CasePage:
    """A page of `search_cases`' statement. The count asks for the matching cases' ids only: counting the whole
    statement (what Flask-SQLAlchemy's paginate does) would join every case to its area just to count it.
    ``counted``: a statement that counts the same cases more cheaply (`listed_total`)."""
    page = max(1, page)
    listed = (
        statement.with_only_columns(*LIST_COLUMNS)
        .select_from(Case)
        .join(Area, Case.area_id == Area.id)
        .limit(per_page)
        .offset((page - 1) * per_page)
    )
    items = db.session.execute(listed).all()
    if counted is None:
        counted = select(func.count()).select_from(statement.order_by(None).with_only_columns(Case.id).subquery())
    return CasePage(items, db.session.scalar(counted), page, per_page)


def listed_total(user, filters: CaseListFilters):
    """For the case list: a cheaper statement counting what an unfiltered list holds (an agency representative's,
    from case_agencies: trigger.authz.listed_case_count), or None to count the list's own statement."""
    if filters.query or filters.area_id or filters.stage or filters.overdue:
        return None
    return listed_case_count(user)


def shown_to(user, page: CasePage) -> CasePage:
    """The page of a `for_list` search with every case checked against the rule itself (trigger.authz.visible_among):
    a case that case_agencies names wrongly is left out of the page (and logged), never shown."""
    ids = [row.id for row in page.items]
    visible = visible_among(user, ids)
    if len(visible) < len(ids):
        log.warning(
            "case list: case_agencies named cases the rule does not allow",
            extra={"user_id": user.id, "cases": [case_id for case_id in ids if case_id not in visible]},
        )
        page.items = [row for row in page.items if row.id in visible]
    return page


def notify_coordinators_of(case: Case) -> None:
    """Tell coordinators a public application has arrived. The message names no one: emails leave the system."""
    from trigger.notifications.services import notify_role

    notify_role(
        Role.COORDINATOR,
        f"New application {case.reference}",
        f"A new application ({case.reference}) was received through the online form for {case.area.name}. "
        "It is waiting to be acknowledged.",
        link=f"/cases/{case.id}",
        dedupe_key_prefix=f"case-received:{case.id}",
    )
