"""The shared action plan a case review leaves behind: the plan, its actions, their updates and re-datings.

Updates and due-date changes are only ever added (a correction is a new update), so the history of an action
is exactly what people saw at the time. An action carries a `version` that SQLAlchemy checks on every UPDATE
(`version_id_col`): two people saving the same action at once cannot silently overwrite each other - the
second save fails with StaleDataError and trigger.actions.services turns that into "changed by someone else".

Relationships are `lazy="raise"`: trigger.actions.services loads what each page shows explicitly.
An action may name the review meeting it was agreed at (`meeting_id`) and the recommendation it was made from
(`recommendation_id`); `source_note` is free text for any other origin (a partner's request).

Every action has a `number` within its plan (1, 2, 3 ... in the order the actions were added), never reused or
changed: "action 3" means the same action on the plan page, in My actions, in the PDFs and in the emails.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import TYPE_CHECKING

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    event,
    func,
    select,
    text,
)
from sqlalchemy import false as sa_false
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from trigger.models.accounts import User
from trigger.models.base import Base, Timestamped, UTCDateTime, utcnow
from trigger.models.cases import Case, ContactMethod
from trigger.models.organisation import Agency, enum_column

if TYPE_CHECKING:  # meetings imports this module's neighbours; the relationship resolves the name at mapping
    from trigger.models.meetings import Meeting, Recommendation

DESCRIPTION_MAX = 4000
UPDATE_NOTE_MAX = 4000
REASON_MAX = 2000
SOURCE_NOTE_MAX = 500


class PlanStatus(StrEnum):
    LIVE = "live"
    UNDER_REVIEW = "under-review"
    CLOSED = "closed"

    @property
    def label(self) -> str:
        return {"live": "Live", "under-review": "Under review", "closed": "Closed"}[self.value]


class UpdateFrequency(StrEnum):
    """How often the victim wants to hear how the plan is going (DOMAIN.md section 2, "Action plan live")."""

    WEEKLY = "weekly"
    FORTNIGHTLY = "fortnightly"
    MONTHLY = "monthly"
    ON_CHANGE = "on-change"

    @property
    def label(self) -> str:
        return {
            "weekly": "Every week",
            "fortnightly": "Every two weeks",
            "monthly": "Every month",
            "on-change": "Only when something changes",
        }[self.value]


class Priority(StrEnum):
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"

    @property
    def label(self) -> str:
        return self.value.capitalize()


class ActionStatus(StrEnum):
    NOT_STARTED = "not-started"
    IN_PROGRESS = "in-progress"
    COMPLETED = "completed"
    COULD_NOT_BE_COMPLETED = "could-not-be-completed"
    CANCELLED = "cancelled"

    @property
    def label(self) -> str:
        return {
            "not-started": "Not started",
            "in-progress": "In progress",
            "completed": "Completed",
            "could-not-be-completed": "Could not be completed",
            "cancelled": "Cancelled",
        }[self.value]

    @property
    def needs_reason(self) -> bool:
        return self in REASON_NEEDED

    @property
    def is_open(self) -> bool:
        return self in OPEN_STATUSES


OPEN_STATUSES = frozenset({ActionStatus.NOT_STARTED, ActionStatus.IN_PROGRESS})
REASON_NEEDED = frozenset({ActionStatus.COULD_NOT_BE_COMPLETED, ActionStatus.CANCELLED})


#: The open statuses as SQL, for the partial indexes below and the queries they serve.
OPEN_ACTION_SQL = "status IN ('not-started', 'in-progress')"
#: Open actions on a plan and a case that are not closed (Action.plan_closed): what the dashboard lists.
LIVE_ACTION_SQL = f"{OPEN_ACTION_SQL} AND plan_closed = false"


class ActionPlan(Timestamped, Base):
    """One per case: the plan's status and how the victim wants to be kept informed."""

    __tablename__ = "action_plans"
    __table_args__ = (
        CheckConstraint("status <> 'closed' OR length(closed_reason) > 0", name="closed_has_reason"),
        CheckConstraint("NOT victim_consulted OR victim_consulted_on IS NOT NULL", name="consulted_has_date"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), unique=True)
    status: Mapped[PlanStatus] = mapped_column(enum_column(PlanStatus, "plan_status"), default=PlanStatus.LIVE)
    closed_reason: Mapped[str] = mapped_column(Text, default="")
    victim_update_frequency: Mapped[UpdateFrequency | None] = mapped_column(
        enum_column(UpdateFrequency, "update_frequency")
    )
    victim_update_method: Mapped[ContactMethod | None] = mapped_column(
        enum_column(ContactMethod, "victim_update_method")
    )
    victim_consulted: Mapped[bool] = mapped_column(Boolean, default=False)
    victim_consulted_on: Mapped[date | None] = mapped_column(Date)

    case: Mapped[Case] = relationship(lazy="raise")
    actions: Mapped[list[Action]] = relationship(
        back_populates="plan", lazy="raise", order_by="[Action.due_on, Action.id]"
    )


class Action(Timestamped, Base):
    """One thing an agency has agreed to do. `victim_visible` is False unless someone decides otherwise:
    some actions (enforcement against a named perpetrator, say) must never reach the applicant."""

    __tablename__ = "actions"
    __table_args__ = (
        CheckConstraint("length(description) > 0", name="description_not_blank"),
        CheckConstraint("NOT victim_visible OR length(victim_wording) > 0", name="visible_has_wording"),
        CheckConstraint(
            "status NOT IN ('could-not-be-completed', 'cancelled') OR length(status_reason) > 0",
            name="status_has_reason",
        ),
        CheckConstraint("status <> 'completed' OR completed_on IS NOT NULL", name="completed_has_date"),
        CheckConstraint("version >= 1", name="version_positive"),
        CheckConstraint("number >= 1", name="number_positive"),
        UniqueConstraint("plan_id", "number"),
        Index("ix_actions_owner_agency_id_due_on", "owner_agency_id", "due_on"),
        # "My actions" counts and orders an agency's actions by status and due date from this index alone, and
        # an agency representative's case list finds the plans their agency owns actions on.
        Index("ix_actions_owner_agency_id_status_due_on", "owner_agency_id", "status", "due_on"),
        Index("ix_actions_owner_agency_id_plan_id", "owner_agency_id", "plan_id"),
        Index("ix_actions_status_due_on", "status", "due_on"),
        # Open actions only (a fifth of them), in due-date order: the dashboard's sections and "My actions"' open
        # pages read their first rows from these alone. Queries must repeat OPEN_ACTION_SQL word for word (not a
        # bound parameter) so that SQLite and PostgreSQL can tell the partial index applies.
        # Live actions (open, on a plan and case still open) by due date: the dashboard counts and lists its
        # sections from this index alone, with no join to test the plan's or the case's status.
        Index(
            "ix_actions_live_due_on",
            "due_on",
            "id",
            sqlite_where=text(LIVE_ACTION_SQL),
            postgresql_where=text(LIVE_ACTION_SQL),
        ),
        # plan_closed last: an agency's dashboard counts its live actions from this index alone (My actions reads
        # it in due-date order, which the last column does not change).
        Index(
            "ix_actions_open_owner_agency_id_due_on",
            "owner_agency_id",
            "due_on",
            "id",
            "plan_closed",
            sqlite_where=text(OPEN_ACTION_SQL),
            postgresql_where=text(OPEN_ACTION_SQL),
        ),
        # The statistics: actions completed in a period, by owner agency, on time or not (trigger.statistics).
        Index("ix_actions_status_completed_on", "status", "completed_on", "owner_agency_id", "due_on"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("action_plans.id", ondelete="CASCADE"), index=True)
    # "Action 3" of its plan everywhere (see the module docstring); given on insert by _number_new_actions.
    number: Mapped[int] = mapped_column(Integer)
    description: Mapped[str] = mapped_column(Text)
    victim_wording: Mapped[str] = mapped_column(Text, default="")
    victim_visible: Mapped[bool] = mapped_column(Boolean, default=False)
    # Restricted: read in full only by the owning agency, chairs, coordinators and administrators (trigger.authz
    # can_read_action); every other partner sees one neutral line ("A restricted action owned by ..., due ...").
    restricted: Mapped[bool] = mapped_column(Boolean, default=False, server_default=sa_false())
    owner_agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"))
    owner_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    # Where else the action came from, in words (the meeting it was agreed at is `meeting_id`).
    source_note: Mapped[str] = mapped_column(String(SOURCE_NOTE_MAX), default="")
    # The review meeting the action was agreed at (a meeting of the same case; trigger.actions.services checks).
    meeting_id: Mapped[int | None] = mapped_column(ForeignKey("meetings.id", ondelete="SET NULL"), index=True)
    # The recommendation of a review meeting this action carries out (same case; trigger.actions.services checks).
    recommendation_id: Mapped[int | None] = mapped_column(
        ForeignKey("recommendations.id", ondelete="SET NULL"), index=True
    )
    due_on: Mapped[date] = mapped_column(Date)
    original_due_on: Mapped[date] = mapped_column(Date)
    priority: Mapped[Priority] = mapped_column(enum_column(Priority, "priority"), default=Priority.MEDIUM)
    status: Mapped[ActionStatus] = mapped_column(
        enum_column(ActionStatus, "action_status"), default=ActionStatus.NOT_STARTED
    )
    status_reason: Mapped[str] = mapped_column(Text, default="")
    completed_on: Mapped[date | None] = mapped_column(Date)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    version: Mapped[int] = mapped_column(Integer, nullable=False)
    #: Whether the action's plan or its case is closed: kept by trigger.actions.services (a new action, a plan's
    #: status) and trigger.deadlines.opening.on_stage_change (a case closed or reopened), the only places those
    #: change. The dashboard finds live actions by it (LIVE_ACTION_SQL) without joining plans and cases: counting
    #: through those joins cost about 1 ms a view on SQLite, and PostgreSQL, unable to know that open actions sit
    #: on open plans, planned the joins for a few rows and hash-joined and sorted hundreds.
    plan_closed: Mapped[bool] = mapped_column(Boolean, default=False, server_default=text("false"))

    __mapper_args__ = {"version_id_col": version}

    plan: Mapped[ActionPlan] = relationship(back_populates="actions", lazy="raise")
    owner_agency: Mapped[Agency] = relationship(lazy="raise")
    owner_user: Mapped[User | None] = relationship(foreign_keys=[owner_user_id], lazy="raise")
    meeting: Mapped[Meeting | None] = relationship(lazy="raise")
    recommendation: Mapped[Recommendation | None] = relationship(lazy="raise")
    updates: Mapped[list[ActionUpdate]] = relationship(
        back_populates="action", lazy="raise", order_by="[ActionUpdate.created_at, ActionUpdate.id]"
    )
    due_date_changes: Mapped[list[ActionDueDateChange]] = relationship(
        back_populates="action", lazy="raise", order_by="[ActionDueDateChange.changed_at, ActionDueDateChange.id]"
    )

    @property
    def was_redated(self) -> bool:
        return self.due_on != self.original_due_on

    @property
    def label(self) -> str:
        return f"Action {self.number}"


class ActionTally(Base):
    """How many actions each agency owns, and how many of them are open, kept by the database as sums of changes.

    Triggers on `actions` (migration 20261203_f3b7a9c2d1e5) add a row for every action added (+1), removed (-1),
    given to another agency (-1 there, +1 here) or opened or finished (`open_actions` +1 or -1), in the same
    transaction, whatever wrote it (the forms, the demo's bulk loader, psql). An agency's counts are the sums of its
    rows. Rows are only ever added, so writers never wait for each other here; trigger.action_tallies.compact
    folds each agency's rows into one from the minute's housekeeping. "My actions" reads its totals from here:
    counting the actions themselves walked every one of them, on every view.
    """

    __tablename__ = "action_tallies"
    __table_args__ = (
        Index("ix_action_tallies_agency_id_actions_open_actions", "agency_id", "actions", "open_actions"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id", ondelete="CASCADE"))
    actions: Mapped[int] = mapped_column(Integer)
    open_actions: Mapped[int] = mapped_column(Integer)


class ActionUpdate(Base):
    """A progress update. Never edited: a correction is a new update."""

    __tablename__ = "action_updates"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    action_id: Mapped[int] = mapped_column(ForeignKey("actions.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    # The author's agency at the time (None for partnership staff such as the coordinator).
    author_agency_id: Mapped[int | None] = mapped_column(ForeignKey("agencies.id"))
    note: Mapped[str] = mapped_column(Text)
    status_from: Mapped[ActionStatus] = mapped_column(enum_column(ActionStatus, "update_status_from"))
    status_to: Mapped[ActionStatus] = mapped_column(enum_column(ActionStatus, "update_status_to"))
    reason: Mapped[str] = mapped_column(Text, default="")
    # The action's version once this update was saved: "what changed since version N" for a stale form.
    action_version: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    action: Mapped[Action] = relationship(back_populates="updates", lazy="raise")
    author: Mapped[User] = relationship(lazy="raise")
    author_agency: Mapped[Agency | None] = relationship(lazy="raise")


class ActionDueDateChange(Base):
    """A change of an action's due date, with its reason. The original date stays on the action."""

    __tablename__ = "action_due_date_changes"
    __table_args__ = (CheckConstraint("length(reason) > 0", name="reason_not_blank"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    action_id: Mapped[int] = mapped_column(ForeignKey("actions.id", ondelete="CASCADE"), index=True)
    from_date: Mapped[date] = mapped_column(Date)
    to_date: Mapped[date] = mapped_column(Date)
    reason: Mapped[str] = mapped_column(Text)
    changed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    action_version: Mapped[int] = mapped_column(Integer)
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    action: Mapped[Action] = relationship(back_populates="due_date_changes", lazy="raise")
    changed_by: Mapped[User | None] = relationship(lazy="raise")


@event.listens_for(ActionUpdate, "before_update")
@event.listens_for(ActionDueDateChange, "before_update")
def _history_is_append_only(mapper, connection, target) -> None:
    raise ValueError(f"{type(target).__name__} rows are never edited: add a new one instead")


@event.listens_for(Session, "before_flush")
def _number_new_actions(session, flush_context, instances) -> None:
    """Give each new action the next number of its plan (1 + the highest so far), in the order they were added.

    Every way of adding an action (the service, the demo, tests' factories) gets a number without thinking
    about it. Two requests adding to one plan at the same moment may compute the same number: the UNIQUE
    (plan_id, number) constraint refuses the second, and trigger.actions.services.create_action tries again.
    """
    new = [obj for obj in session.new if isinstance(obj, Action) and obj.number is None]
    if not new:
        return
    highest: dict[int, int] = {}
    for action in new:
        plan_id = action.plan_id if action.plan_id is not None else action.plan.id
        if plan_id not in highest:
            with session.no_autoflush:
                highest[plan_id] = (
                    session.scalar(select(func.coalesce(func.max(Action.number), 0)).where(Action.plan_id == plan_id))
                    if plan_id is not None
                    else 0
                )
        highest[plan_id] += 1
        action.number = highest[plan_id]
