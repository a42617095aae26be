"""Retention periods per area, legal holds, and the retention run that anonymises closed cases past their period.

The run works in batches of cases, each batch one transaction: the personal data of the batch's cases is
replaced by neutral placeholders with set-based UPDATEs (so 10,000 cases take seconds, not minutes), a row in
anonymised_cases marks each case done, and one audit event per case says what was anonymised - never the data
removed. Counts, dates, stages, outcomes and the area stay, so the statutory figures still count the case.
Two runs never overlap: each holds the single retention_lock row for its whole duration.
"""

from __future__ import annotations

import hashlib
import os
import socket
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import bindparam, delete, exists, func, insert, select
from sqlalchemy.exc import IntegrityError

from trigger import audit
from trigger.domain import retention as rules
from trigger.domain.stages import Stage
from trigger.extensions import db
from trigger.forms import FieldError
from trigger.governance.anonymise import CaseToAnonymise, anonymise_batch, removed_document_pdf
from trigger.models import (
    AnonymisedCase,
    Area,
    AreaRetention,
    Case,
    IssuedDocument,
    LegalHold,
    RetentionLock,
    User,
    utcnow,
)

BATCH_SIZE = 500


# ---- retention periods ------------------------------------------------------------------------------------


def retention_years(area: Area) -> int:
    row = db.session.get(AreaRetention, area.id)
    return row.retention_years if row else rules.DEFAULT_RETENTION_YEARS


def retention_by_area() -> dict[int, int]:
    """{area id: years} for every area, the default where none is set."""
    set_years = dict(db.session.execute(select(AreaRetention.area_id, AreaRetention.retention_years)).all())
    return {
        area_id: set_years.get(area_id, rules.DEFAULT_RETENTION_YEARS)
        for area_id in db.session.scalars(select(Area.id))
    }


def set_retention_years(area: Area, years: int | None, actor: User) -> None:
    message = rules.validate_retention_years(years)
    if message:
        raise FieldError("retention_years", message)
    row = db.session.get(AreaRetention, area.id)
    before = row.retention_years if row else rules.DEFAULT_RETENTION_YEARS
    if row is None:
        row = AreaRetention(area_id=area.id, retention_years=years, updated_by_id=actor.id)
        db.session.add(row)
    row.retention_years, row.updated_by_id = years, actor.id
    if before != years:
        audit.record(
            "area.retention_changed",
            "area",
            area.id,
            f"Retention in {area.name} changed from {before} to {years} years after closure",
            details={"retention_years": [before, years]},
            actor=actor,
        )
    db.session.flush()


# ---- legal holds ------------------------------------------------------------------------------------------


def hold_in_force(case_id: int) -> LegalHold | None:
    return db.session.scalar(select(LegalHold).where(LegalHold.case_id == case_id, LegalHold.lifted_at.is_(None)))


def holds_of(case_id: int) -> list[LegalHold]:
    return list(
        db.session.scalars(
            select(LegalHold)
            .where(LegalHold.case_id == case_id)
            .order_by(LegalHold.placed_at.desc(), LegalHold.id.desc())
        ).unique()
    )


def is_anonymised(case_id: int) -> bool:
    return db.session.get(AnonymisedCase, case_id) is not None


def place_hold(case: Case, reason: str, actor: User) -> LegalHold:
    reason = (reason or "").strip()
    if not reason:
        raise FieldError("reason", "Enter the reason for the legal hold")
    if is_anonymised(case.id):
        raise FieldError("reason", "This case has already been anonymised: there is nothing left to hold")
    if hold_in_force(case.id) is not None:
        raise FieldError("reason", "This case is already under a legal hold")
    hold = LegalHold(case_id=case.id, reason=reason, placed_by_id=actor.id, placed_at=utcnow(), lift_reason="")
    db.session.add(hold)
    try:
        with db.session.begin_nested():
            db.session.flush()
    except IntegrityError:  # someone placed one at the same moment
        raise FieldError("reason", "This case is already under a legal hold") from None
    audit.record(
        "legal_hold.placed",
        "legal_hold",
        hold.id,
        f"Legal hold placed on {case.reference}",
        details={"reason": reason},
        actor=actor,
        case_id=case.id,
    )
    return hold


def lift_hold(case: Case, reason: str, actor: User) -> LegalHold:
    reason = (reason or "").strip()
    if not reason:
        raise FieldError("reason", "Enter the reason for lifting the legal hold")
    hold = hold_in_force(case.id)
    if hold is None:
        raise FieldError("reason", "This case is not under a legal hold (someone may have lifted it already)")
    hold.lifted_at, hold.lifted_by_id, hold.lift_reason = utcnow(), actor.id, reason
    audit.record(
        "legal_hold.lifted",
        "legal_hold",
        hold.id,
        f"Legal hold lifted from {case.reference}",
        details={"reason": reason},
        actor=actor,
        case_id=case.id,
    )
    db.session.flush()
    return hold


# ---- the run ----------------------------------------------------------------------------------------------


class RetentionBusy(Exception):
    """Another retention run holds the lock."""


@dataclass
class RunReport:
    run_id: str
    today: date
    dry_run: bool
    due: list[CaseToAnonymise] = field(default_factory=list)
    held: list[CaseToAnonymise] = field(default_factory=list)
    anonymised: int = 0


def candidates(today: date) -> tuple[list[CaseToAnonymise], list[CaseToAnonymise]]:
    """(due, held): closed cases past their area's period not yet anonymised, split by whether a hold stops them."""
    years_of = retention_by_area()
    names = dict(db.session.execute(select(Area.id, Area.name)).all())
    in_force = select(LegalHold.case_id).where(LegalHold.lifted_at.is_(None))
    due, held = [], []
    for area_id, years in sorted(years_of.items()):
        cutoff = rules.latest_due_closure(today, years)
        rows = db.session.execute(
            select(Case.id, Case.reference, Case.closed_on, Case.id.in_(in_force))
            .where(
                Case.area_id == area_id,
                Case.stage == Stage.CLOSED,
                Case.closed_on <= cutoff,
                ~select(AnonymisedCase.case_id).where(AnonymisedCase.case_id == Case.id).exists(),
            )
            .order_by(Case.closed_on, Case.id)
        ).all()
        for case_id, reference, closed_on, on_hold in rows:
            facts = rules.CaseFacts(closed_on=closed_on, is_closed=True, on_hold=bool(on_hold), anonymised=False)
            verdict = rules.verdict(facts, years, today)
            item = CaseToAnonymise(case_id, reference, names[area_id], closed_on, rules.due_on(closed_on, years), years)
            if verdict is rules.Verdict.DUE:
                due.append(item)
            elif verdict is rules.Verdict.HELD:
                held.append(item)
    return due, held


def _holder() -> str:
    return f"{socket.gethostname()} pid {os.getpid()}"[:200]


def acquire_lock(run_id: str) -> None:
    """Take the run's lock in its own committed transaction, or raise RetentionBusy naming who holds it."""
    try:
        db.session.execute(insert(RetentionLock).values(id=1, run_id=run_id, started_at=utcnow(), holder=_holder()))
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        lock = db.session.get(RetentionLock, 1)
        since = f" since {lock.started_at:%Y-%m-%d %H:%M} UTC ({lock.holder})" if lock else ""
        raise RetentionBusy(
            f"Another retention run is in progress{since}. Wait for it to finish. If you are sure none is "
            "running (for example the server was restarted during a run), release it with "
            "`flask retention unlock`."
        ) from None


def release_lock(run_id: str | None = None) -> bool:
    statement = delete(RetentionLock).where(RetentionLock.id == 1)
    if run_id is not None:
        statement = statement.where(RetentionLock.run_id == run_id)
    removed = db.session.execute(statement).rowcount
    db.session.commit()
    return bool(removed)


def run(
    today: date | None = None,
    *,
    dry_run: bool = False,
    batch_size: int = BATCH_SIZE,
    placeholder_pdf: Callable[[], bytes] | None = None,
    echo: Callable[[str], None] | None = None,
) -> RunReport:
    """Anonymise every closed case past its area's retention period and not under a legal hold.

    ``dry_run``: change nothing, take no lock, return what would happen. Raises RetentionBusy while another run
    holds the lock.
    """
    today = today or date.today()
    report = RunReport(run_id=str(uuid.uuid4()), today=today, dry_run=dry_run)
    if dry_run:
        report.due, report.held = candidates(today)
        db.session.rollback()
        return report
    acquire_lock(report.run_id)
    try:
        report.due, report.held = candidates(today)
        placeholder: tuple[bytes, str] | None = None
        for batch in _batches(report.due, batch_size):
            ids = [item.case_id for item in batch]
            if placeholder is None and db.session.scalar(
                select(func.count()).select_from(IssuedDocument).where(IssuedDocument.case_id.in_(ids))
            ):
                content = (placeholder_pdf or removed_document_pdf)()
                placeholder = (content, hashlib.sha256(content).hexdigest())
            anonymise_batch(batch, report.run_id, placeholder)
            db.session.commit()
            report.anonymised += len(batch)
            if echo:
                echo(f"  anonymised {report.anonymised:,} of {len(report.due):,} cases")
        audit.record(
            "retention.run",
            "retention_run",
            None,
            f"Retention run: {report.anonymised} case(s) anonymised, {len(report.held)} held",
            details={
                "run_id": report.run_id,
                "today": today.isoformat(),
                "anonymised": report.anonymised,
                "held": [item.reference for item in report.held],
            },
        )
        db.session.commit()
    finally:
        db.session.rollback()
        release_lock(report.run_id)
    return report


def _batches(items: list, size: int) -> Iterator[list]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def cases_on_hold() -> list[tuple[LegalHold, str]]:
    """Every hold in force, with its case's reference, oldest first."""
    return list(
        db.session.execute(
            select(LegalHold, Case.reference)
            .join(Case, Case.id == LegalHold.case_id)
            .where(LegalHold.lifted_at.is_(None))
            .order_by(LegalHold.placed_at)
        )
        .unique()
        .all()
    )


#: Every section page of every case asks (issue 19): one plain statement; the records are loaded only when there is
#: something to show, which is rare.
_BANNER_PROBE = select(
    exists().where(LegalHold.case_id == bindparam("case_id"), LegalHold.lifted_at.is_(None)),
    exists().where(AnonymisedCase.case_id == bindparam("case_id")),
)


def banner(case_id: int) -> dict | None:
    """What the case page says about governance: a hold in force, or that the case was anonymised."""
    held, anonymised = db.session.execute(_BANNER_PROBE, {"case_id": case_id}).one()
    if not held and not anonymised:
        return None
    hold = hold_in_force(case_id)
    if hold is not None:
        return {"hold": hold}
    done = db.session.get(AnonymisedCase, case_id)
    if done is not None:
        return {"anonymised": done}
    return None
