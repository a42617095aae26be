"""An area's working-day calendar (bank holidays plus its closure days) and its stage timescales.

Deadline code calls calendar_for_area / timescale_for_area (or the *_for_areas batch forms, which take a
fixed number of queries however many areas there are). Administrators change both here, audited.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import date
from functools import lru_cache

from sqlalchemy import bindparam, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from trigger import audit
from trigger.domain.deadlines import TimescalePolicy
from trigger.domain.workdays import Nation, WorkingCalendar, known_years
from trigger.extensions import db
from trigger.forms import FieldError
from trigger.models import Area, AreaClosureDay, AreaTimescalePolicy, User
from trigger.models.area_policies import TIMESCALE_FIELDS

# ---- what deadline code reads ---------------------------------------------------------------------------


_CLOSURE_DAYS_OF = select(AreaClosureDay.day).where(AreaClosureDay.area_id == bindparam("area_id"))  # built once
_CLOSURE_DAYS_OF_AREAS = select(AreaClosureDay.area_id, AreaClosureDay.day).where(
    AreaClosureDay.area_id.in_(bindparam("area_ids", expanding=True))
)  # built once: the busy pages run it


def calendar_for_area(area: Area) -> WorkingCalendar:
    """The area's working days: weekends, its nation's bank holidays and its own closure days."""
    closures = db.session.scalars(_CLOSURE_DAYS_OF, {"area_id": area.id})
    return shared_calendar(area.nation, frozenset(closures))


def calendars_for_areas(areas: Iterable[Area]) -> dict[int, WorkingCalendar]:
    """calendar_for_area for many areas in one query, keyed by area id."""
    areas = list(areas)
    closures: dict[int, list[date]] = defaultdict(list)
    rows = db.session.execute(_CLOSURE_DAYS_OF_AREAS, {"area_ids": [a.id for a in areas]})
    for area_id, day in rows:
        closures[area_id].append(day)
    return {area.id: shared_calendar(area.nation, frozenset(closures[area.id])) for area in areas}


@lru_cache(maxsize=128)
def shared_calendar(nation: Nation, closures: frozenset[date]) -> WorkingCalendar:
    """One calendar per nation and set of closure days for the whole process. A calendar never changes once made
    and works out each year's working days the first time it is asked about that year, so sharing it saves every
    request that work (about 1 ms a page with six areas); an area's new closure day is a new set, a new calendar."""
    return WorkingCalendar(nation, closures)


def current_policy_row(area: Area) -> AreaTimescalePolicy | None:
    return db.session.scalar(
        select(AreaTimescalePolicy)
        .where(AreaTimescalePolicy.area_id == area.id)
        .order_by(AreaTimescalePolicy.version.desc())
        .limit(1)
    )


def _policy_of(row: AreaTimescalePolicy | None) -> TimescalePolicy:
    if row is None:
        return TimescalePolicy()  # the defaults of DOMAIN.md section 2 until an administrator changes them
    return TimescalePolicy(**{name: getattr(row, name) for name in TIMESCALE_FIELDS})


def timescale_for_area(area: Area) -> TimescalePolicy:
    """The area's current stage timescales (its newest version, or the product's defaults)."""
    return _policy_of(current_policy_row(area))


def timescales_for_areas(areas: Iterable[Area]) -> dict[int, TimescalePolicy]:
    """timescale_for_area for many areas in one query, keyed by area id."""
    ids = [a.id for a in areas]
    newest = (
        select(AreaTimescalePolicy.area_id, func.max(AreaTimescalePolicy.version).label("version"))
        .where(AreaTimescalePolicy.area_id.in_(ids))
        .group_by(AreaTimescalePolicy.area_id)
        .subquery()
    )
    rows = db.session.scalars(
        select(AreaTimescalePolicy).join(
            newest,
            (AreaTimescalePolicy.area_id == newest.c.area_id) & (AreaTimescalePolicy.version == newest.c.version),
        )
    )
    by_area = {row.area_id: row for row in rows}
    return {area_id: _policy_of(by_area.get(area_id)) for area_id in ids}


# ---- closure days ----------------------------------------------------------------------------------------


def closure_days(area: Area) -> list[AreaClosureDay]:
    return list(
        db.session.scalars(select(AreaClosureDay).where(AreaClosureDay.area_id == area.id).order_by(AreaClosureDay.day))
    )


def add_closure_day(area: Area, day: date, reason: str) -> AreaClosureDay:
    years = known_years()
    if day.year not in years:
        raise FieldError("day", f"Enter a date between {years.start} and {years.stop - 1}")
    if day.weekday() >= 5:
        raise FieldError("day", f"{_long(day)} is a weekend day, which is never a working day")
    bank_holiday = shared_calendar(area.nation, frozenset()).holiday_name(day)
    if bank_holiday:
        raise FieldError("day", f"{_long(day)} is already a bank holiday ({bank_holiday})")
    if (
        db.session.scalar(select(AreaClosureDay.id).where(AreaClosureDay.area_id == area.id, AreaClosureDay.day == day))
        is not None
    ):
        raise FieldError("day", f"{_long(day)} is already a closure day in {area.name}")
    closure = AreaClosureDay(area_id=area.id, day=day, reason=reason or "")
    try:
        with db.session.begin_nested():
            db.session.add(closure)
    except IntegrityError:  # another administrator added the same day a moment ago
        raise FieldError("day", f"{_long(day)} is already a closure day in {area.name}") from None
    audit.record(
        "area.closure_added",
        "area",
        area.id,
        f"Added closure day {_long(day)} in {area.name}",
        {"day": day.isoformat(), "reason": closure.reason},
    )
    return closure


def remove_closure_day(area: Area, closure: AreaClosureDay) -> None:
    audit.record(
        "area.closure_removed",
        "area",
        area.id,
        f"Removed closure day {_long(closure.day)} in {area.name}",
        {"day": closure.day.isoformat(), "reason": closure.reason},
    )
    db.session.delete(closure)


def _long(day: date) -> str:
    return f"{day:%A} {day.day} {day:%B %Y}"


# ---- timescales -------------------------------------------------------------------------------------------


def save_timescales(area: Area, values: dict[str, int], *, by: User | None) -> AreaTimescalePolicy | None:
    """Add a new version of the area's timescales; None when nothing changed.

    Raises FieldError for a value the domain refuses (outside 1..60), naming the field.
    """
    for name in TIMESCALE_FIELDS:
        try:
            TimescalePolicy(**{name: values[name]})
        except (TypeError, ValueError) as refusal:
            raise FieldError(name, str(refusal).split(": ", 1)[-1]) from None
    current = current_policy_row(area)
    before = {name: getattr(_policy_of(current), name) for name in TIMESCALE_FIELDS}
    after = {name: values[name] for name in TIMESCALE_FIELDS}
    diff = audit.changes(before, after)
    if not diff:
        return None
    row = AreaTimescalePolicy(
        area_id=area.id, version=(current.version + 1) if current else 1, created_by_id=by.id if by else None, **after
    )
    try:
        with db.session.begin_nested():
            db.session.add(row)
    except IntegrityError:  # another administrator saved a new version at the same moment
        raise FieldError(
            TIMESCALE_FIELDS[0],
            "Someone else has just changed these timescales: check the current values and save again",
        ) from None
    audit.record(
        "area.timescales_changed",
        "area",
        area.id,
        f"Changed the timescales of {area.name} (version {row.version})",
        {"changes": diff, "version": row.version},
    )
    return row


def timescale_history(area: Area) -> list[AreaTimescalePolicy]:
    return list(
        db.session.scalars(
            select(AreaTimescalePolicy)
            .where(AreaTimescalePolicy.area_id == area.id)
            .options(selectinload(AreaTimescalePolicy.created_by))
            .order_by(AreaTimescalePolicy.version.desc())
        )
    )
