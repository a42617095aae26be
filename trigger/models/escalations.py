"""The applicant's escalation (appeal) of how their application or review was handled (DOMAIN.md section 2).

One row per request. The coordinator records the request (dates, grounds, consent, reviewing body); a PCC
reviewer records the outcome on the same row. The escalation acknowledgement and outcome letters read these
fields directly, so each one means exactly what its name says. The rules that must always hold are named
CHECK constraints, so no code path can save a late request without a reason or an upheld one without points.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import Boolean, CheckConstraint, Date, ForeignKey, Index, Integer, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from trigger.domain.stages import Stage
from trigger.models.accounts import User
from trigger.models.base import Base, Timestamped
from trigger.models.cases import Case, _Labelled
from trigger.models.organisation import enum_column


class EscalationGround(_Labelled):
    """The common grounds of an escalation; each is a boolean column `ground_<value with underscores>`."""

    POLICY_NOT_CONSIDERED = "policy-not-considered"
    FACT_NOT_CONSIDERED = "fact-not-considered"
    THRESHOLD_DISPUTED = "threshold-disputed"
    REVIEW_NOT_PROPER = "review-not-proper"
    OTHER = "other"

    @staticmethod
    def _labels():
        return {
            EscalationGround.POLICY_NOT_CONSIDERED: "A relevant policy was not considered",
            EscalationGround.FACT_NOT_CONSIDERED: "A relevant fact was not considered",
            EscalationGround.THRESHOLD_DISPUTED: "The threshold decision is disputed",
            EscalationGround.REVIEW_NOT_PROPER: "The review was not carried out properly",
            EscalationGround.OTHER: "Other",
        }

    @property
    def column(self) -> str:
        return "ground_" + self.value.replace("-", "_")


class ReviewingBody(_Labelled):
    PCC_OFFICE = "pcc-office"
    INDEPENDENT_PANEL = "independent-panel"
    OTHER = "other"

    @staticmethod
    def _labels():
        return {
            ReviewingBody.PCC_OFFICE: "The Police and Crime Commissioner's office",
            ReviewingBody.INDEPENDENT_PANEL: "An independent panel",
            ReviewingBody.OTHER: "Another body",
        }


class EscalationOutcome(_Labelled):
    UPHELD = "upheld"
    NOT_UPHELD = "not-upheld"

    @staticmethod
    def _labels():
        return {
            EscalationOutcome.UPHELD: "Upheld: referred back with points to reconsider",
            EscalationOutcome.NOT_UPHELD: "Not upheld: the case was properly reviewed",
        }


class Escalation(Timestamped, Base):
    """An escalation request and, once decided, the reviewing body's outcome."""

    __tablename__ = "escalations"
    __table_args__ = (
        CheckConstraint("received_on >= outcome_letter_on", name="received_after_letter"),
        CheckConstraint("NOT late OR length(late_accepted_reason) > 0", name="late_has_reason"),
        CheckConstraint(
            "ground_policy_not_considered OR ground_fact_not_considered OR ground_threshold_disputed "
            "OR ground_review_not_proper OR ground_other",
            name="has_a_ground",
        ),
        CheckConstraint("NOT ground_other OR length(ground_other_details) > 0", name="other_ground_described"),
        # The applicant must agree to their data going to the reviewing body, and when they agreed is recorded.
        CheckConstraint("consent_to_share AND consent_on IS NOT NULL", name="consent_given"),
        CheckConstraint("reviewing_body <> 'other' OR length(reviewing_body_name) > 0", name="other_body_named"),
        CheckConstraint(
            "(outcome IS NULL AND decided_on IS NULL AND reopened_stage IS NULL) "
            "OR (outcome IS NOT NULL AND decided_on IS NOT NULL AND length(outcome_reasons) > 0)",
            name="decision_complete",
        ),
        CheckConstraint(
            "outcome IS NULL OR outcome <> 'upheld' OR length(points_to_reconsider) > 0", name="upheld_has_points"
        ),
        CheckConstraint("decided_on IS NULL OR decided_on >= received_on", name="decided_after_received"),
        # At most one undecided escalation per case: two coordinators recording the same letter at once must
        # not open two appeals.
        Index(
            "uq_escalations_one_open_per_case",
            "case_id",
            unique=True,
            sqlite_where=text("decided_on IS NULL"),
            postgresql_where=text("decided_on IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    #: The case's stage when the request was recorded: decides where the case goes after the decision.
    escalated_from: Mapped[Stage] = mapped_column(enum_column(Stage, "escalated_from"))

    # The request, as the coordinator records it.
    received_on: Mapped[date] = mapped_column(Date)
    outcome_letter_on: Mapped[date] = mapped_column(Date)  # the letter the applicant is escalating
    window_working_days: Mapped[int] = mapped_column(Integer)  # the area's window when it was recorded
    window_due_on: Mapped[date] = mapped_column(Date)  # the last day of the escalation window
    working_days_after_letter: Mapped[int] = mapped_column(Integer)
    late: Mapped[bool] = mapped_column(Boolean, default=False)
    late_accepted_reason: Mapped[str] = mapped_column(Text, default="")

    ground_policy_not_considered: Mapped[bool] = mapped_column(Boolean, default=False)
    ground_fact_not_considered: Mapped[bool] = mapped_column(Boolean, default=False)
    ground_threshold_disputed: Mapped[bool] = mapped_column(Boolean, default=False)
    ground_review_not_proper: Mapped[bool] = mapped_column(Boolean, default=False)
    ground_other: Mapped[bool] = mapped_column(Boolean, default=False)
    ground_other_details: Mapped[str] = mapped_column(Text, default="")
    applicant_summary: Mapped[str] = mapped_column(Text, default="")  # the grounds in the applicant's words

    consent_to_share: Mapped[bool] = mapped_column(Boolean, default=False)
    consent_on: Mapped[date | None] = mapped_column(Date)

    reviewing_body: Mapped[ReviewingBody] = mapped_column(enum_column(ReviewingBody, "reviewing_body"))
    reviewing_body_name: Mapped[str] = mapped_column(String(200), default="")  # needed for "other"

    decision_due_on: Mapped[date] = mapped_column(Date)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    # The outcome, as the PCC reviewer records it.
    outcome: Mapped[EscalationOutcome | None] = mapped_column(enum_column(EscalationOutcome, "escalation_outcome"))
    outcome_reasons: Mapped[str] = mapped_column(Text, default="")
    points_to_reconsider: Mapped[str] = mapped_column(Text, default="")
    decided_on: Mapped[date | None] = mapped_column(Date)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    #: Where the decision put the case: the stage it was referred back to (upheld) or returned to (not upheld).
    reopened_stage: Mapped[Stage | None] = mapped_column(enum_column(Stage, "reopened_stage"))
    #: Upheld only: when the reconsidered stage is due (trigger.domain.escalations.reconsider_deadline).
    reconsider_due_on: Mapped[date | None] = mapped_column(Date)

    case: Mapped[Case] = relationship(lazy="raise")
    recorded_by: Mapped[User | None] = relationship(foreign_keys=[recorded_by_id], lazy="joined")
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id], lazy="joined")

    @property
    def grounds(self) -> list[EscalationGround]:
        return [ground for ground in EscalationGround if getattr(self, ground.column)]

    @property
    def reviewing_body_label(self) -> str:
        """The reviewing body as a letter names it."""
        if self.reviewing_body is ReviewingBody.OTHER:
            return self.reviewing_body_name
        return self.reviewing_body.label

    @property
    def is_decided(self) -> bool:
        return self.outcome is not None
