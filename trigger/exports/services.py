"""CSV exports: the case list, one case's action plan, and an agency's "My actions", as spreadsheets.

Each export shows exactly what its page shows the same person, by reusing the page's own query or read model:
the case list's `search_cases` (which starts from `visible_cases`), the plan page's `load_plan` / `plan_rows`, and
"My actions"' `my_actions`. Nothing here decides who may see what.

Personal data minimisation: the case list export carries the applicant's name (the case list page shows it to
every role that may see the list) but no contact details, no victim details and nothing about perpetrators.

Every cell goes through trigger.domain.csv_safety.safe_cell, so text that starts like a formula reaches the
spreadsheet as text; the csv module quotes the rest (commas, quotes, new lines) and writes it verbatim.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Iterator
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from trigger.actions import services as action_services
from trigger.authz import can_read_action
from trigger.cases.services import CaseListFilters, search_cases
from trigger.deadlines.listing import next_deadlines, overdue_condition
from trigger.domain.csv_safety import safe_row
from trigger.domain.need_to_know import restricted_action_line
from trigger.extensions import db
from trigger.models import (
    Action,
    ActionPlan,
    ActionUpdate,
    Area,
    Case,
    ThresholdDecision,
    User,
)
from trigger.models.actions import OPEN_STATUSES

LONDON = ZoneInfo("Europe/London")
BOM = "\ufeff"  # Excel reads a UTF-8 file as UTF-8 (not the PC's code page) only when it starts with one
CHUNK = 500  # cases fetched (and their next deadlines looked up) at a time while the file streams out
_FLUSH_AT = 16 * 1024  # characters of CSV gathered before they are sent


# ---- writing ------------------------------------------------------------------------------------------------


def csv_text(header: list[str], rows: Iterable[Iterable[object]]) -> Iterator[str]:
    """The file as pieces of text, for a streamed response: a byte order mark, the header, then the rows."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)  # the "excel" dialect: commas, double quotes, CRLF line ends
    writer.writerow(safe_row(header))
    yield BOM + buffer.getvalue()
    buffer.seek(0)
    buffer.truncate()
    for row in rows:
        writer.writerow(safe_row(row))
        if buffer.tell() >= _FLUSH_AT:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    if buffer.tell():
        yield buffer.getvalue()


def filename(*parts: str, on: date) -> str:
    """`trigger-cases-2026-11-25.csv`: ASCII letters, digits and hyphens only, safe in a Content-Disposition."""
    words = [re.sub(r"[^A-Za-z0-9-]+", "-", part).strip("-") for part in ("trigger", *parts)]
    return "-".join(word for word in words if word) + f"-{on.isoformat()}.csv"


def _london_day(moment: datetime | None) -> date | None:
    return moment.astimezone(LONDON).date() if moment is not None else None


# ---- the case list ------------------------------------------------------------------------------------------


CASE_LIST_HEADER = [
    "Reference",
    "Applicant",
    "Area",
    "Stage",
    "Received",
    "Threshold outcome",
    "Next deadline",
    "Next deadline date",
    "Overdue",
    "Open actions",
]


def case_list(user: User, filters: CaseListFilters, today: date) -> Iterator[list[object]]:
    """The rows of the case list export, in the page's order, fetched CHUNK cases at a time.

    The statement is built now (while the request's user is loaded); the rows are read as the response streams.
    Two statements per CHUNK cases: the cases with their area, latest threshold outcome, overdue flag and number
    of open actions; then their next deadlines (the function the case list page uses).
    """
    listed = search_cases(
        user,
        query=filters.query,
        area_id=filters.area_id,
        stage=filters.stage,
        overdue=filters.overdue,
        sort=filters.sort,
    )
    outcome = (
        select(ThresholdDecision.outcome)
        .where(ThresholdDecision.case_id == Case.id)
        .order_by(ThresholdDecision.id.desc())
        .limit(1)
        .correlate(Case)
        .scalar_subquery()
    )
    open_actions = (
        select(func.count(Action.id))
        .join(ActionPlan, Action.plan_id == ActionPlan.id)
        .where(ActionPlan.case_id == Case.id, Action.status.in_([s.value for s in OPEN_STATUSES]))
        .correlate(Case)
        .scalar_subquery()
    )
    statement = (
        listed.with_only_columns(
            Case.id,
            Case.reference,
            Case.applicant_name,
            Area.name,
            Case.stage,
            Case.received_on,
            outcome,
            overdue_condition(today),
            open_actions,
        )
        .join_from(Case, Area, Case.area_id == Area.id)
        .execution_options(yield_per=CHUNK)
    )
    return _case_rows(statement)


def _case_rows(statement) -> Iterator[list[object]]:
    for chunk in db.session.execute(statement).partitions():
        deadlines = next_deadlines([row[0] for row in chunk])
        for case_id, reference, applicant, area, stage, received, outcome, overdue, open_actions in chunk:
            kind, due = deadlines.get(case_id, (None, None))
            yield [
                reference,
                applicant,
                area,
                stage.label,
                received,
                outcome.label if outcome else "Not decided yet",
                kind.label if kind else "",
                due,
                bool(overdue),
                open_actions or 0,
            ]


# ---- one case's action plan ---------------------------------------------------------------------------------

PLAN_HEADER = [
    "Action number",
    "Action",
    "Owner agency",
    "Owner person",
    "Due",
    "Status",
    "Overdue",
    "Latest update",
    "Latest update date",
    "Not for the victim",
]


def action_plan(case: Case, today: date, reader: User) -> list[list[object]]:
    """The actions the plan page lists (same loader, same rows), in its order. A plan is small: read at once.
    A restricted action `reader` may not read is the page's neutral line, with no person, update or wording."""
    plan = action_services.load_plan(case)
    rows, histories = action_services.plan_rows(plan, case, today), action_services.plan_histories(plan)
    result = []
    for row in rows:
        action = row.action
        if not can_read_action(reader, action):
            result.append(
                [
                    action.number,
                    restricted_action_line(action.owner_agency.name, action.due_on),
                    action.owner_agency.name,
                    "",
                    action.due_on,
                    action.status.label,
                    row.overdue,
                    "",
                    None,
                    "",
                ]
            )
            continue
        updates = histories[action.id].updates
        latest = updates[-1] if updates else None
        result.append(
            [
                action.number,
                action.description,
                action.owner_agency.name,
                action.owner_user.name if action.owner_user else "",
                action.due_on,
                action.status.label,
                row.overdue,
                latest.note if latest else "",
                _london_day(latest.created_at) if latest else None,
                not action.victim_visible,
            ]
        )
    return result


# ---- "My actions" -------------------------------------------------------------------------------------------

MY_ACTIONS_HEADER = [
    "Case",
    "Area",
    "Action number",
    "Action",
    "Owner person",
    "Due",
    "Status",
    "Overdue",
    "Latest update",
    "Latest update date",
    "Not for the victim",
]


def my_actions(user: User, today: date) -> list[list[object]]:
    """Every action the "My actions" page lists for this person's agency (all its pages), in the page's order.

    The page's own read model, plus the latest update of each action: a fixed number of statements per CHUNK
    actions however long each action's history.
    """
    rows = action_services.my_actions(user, today)
    latest = _latest_updates([row.action.id for row in rows])
    result = []
    for row in rows:
        action = row.action
        note, at = latest.get(action.id, ("", None))
        result.append(
            [
                action.plan.case.reference,
                action.plan.case.area.name,
                action.number,
                action.description,
                action.owner_user.name if action.owner_user else "",
                action.due_on,
                action.status.label,
                row.overdue,
                note,
                _london_day(at),
                not action.victim_visible,
            ]
        )
    return result


def _latest_updates(action_ids: list[int]) -> dict[int, tuple[str, datetime]]:
    """Each action's latest update (note, when), in the history's order (created_at, then id)."""
    found: dict[int, tuple[str, datetime]] = {}
    for start in range(0, len(action_ids), CHUNK):
        ranked = (
            select(
                ActionUpdate.action_id,
                ActionUpdate.note,
                ActionUpdate.created_at,
                func.row_number()
                .over(
                    partition_by=ActionUpdate.action_id,
                    order_by=(ActionUpdate.created_at.desc(), ActionUpdate.id.desc()),
                )
                .label("n"),
            )
            .where(ActionUpdate.action_id.in_(action_ids[start : start + CHUNK]))
            .subquery()
        )
        for action_id, note, at in db.session.execute(
            select(ranked.c.action_id, ranked.c.note, ranked.c.created_at).where(ranked.c.n == 1)
        ):
            found[action_id] = (note, at)
    return found
