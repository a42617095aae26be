"""Forms for recording an escalation request (coordinators) and its outcome (PCC reviewers)."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, RadioField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import DataRequired

from trigger.cases.forms import DateInput, NotInFuture, RequiredIf
from trigger.forms import enum_choices, max_length, strip_filter
from trigger.models import EscalationGround, EscalationOutcome, ReviewingBody


class RequestForm(FlaskForm):
    outcome_letter_on = DateInput(
        "Date of the letter the applicant is escalating",
        invalid="Enter the date of the letter as a real date",
        validators=[
            DataRequired("Enter the date the outcome letter was sent"),
            NotInFuture("The date of the letter must be today or in the past"),
        ],
    )
    received_on = DateInput(
        "Date the escalation request was received",
        invalid="Enter the date received as a real date",
        validators=[
            DataRequired("Enter the date the escalation request was received"),
            NotInFuture("The date received must be today or in the past"),
        ],
    )
    late_accepted_reason = TextAreaField(
        "Why a late request is accepted",
        filters=[strip_filter],
        validators=[max_length(2000, "The reason")],
    )
    grounds = SelectMultipleField(
        "Grounds for the escalation", choices=enum_choices(EscalationGround), validate_choice=False
    )
    ground_other_details = TextAreaField(
        "The other grounds", filters=[strip_filter], validators=[max_length(2000, "The other grounds")]
    )
    applicant_summary = TextAreaField(
        "The grounds in the applicant's words",
        filters=[strip_filter],
        validators=[max_length(5000, "The applicant's words")],
    )
    consent_to_share = BooleanField(
        "The applicant agrees to their information being passed to the reviewing body",
        validators=[
            DataRequired(
                "The applicant must agree to their information going to the reviewing body "
                "before the escalation can be passed on"
            )
        ],
    )
    consent_on = DateInput(
        "Date the applicant gave their consent",
        invalid="Enter the date of the consent as a real date",
        validators=[
            RequiredIf("consent_to_share", True, "Enter the date the applicant gave their consent"),
            NotInFuture("The date of the consent must be today or in the past"),
        ],
    )
    reviewing_body = RadioField(
        "Reviewing body",
        choices=enum_choices(ReviewingBody),
        validate_choice=False,
        validators=[DataRequired("Choose the reviewing body")],
    )
    reviewing_body_name = StringField(
        "Name of the reviewing body",
        filters=[strip_filter],
        validators=[max_length(200, "The name of the reviewing body")],
    )


class OutcomeForm(FlaskForm):
    outcome = RadioField(
        "Outcome",
        choices=enum_choices(EscalationOutcome),
        validate_choice=False,
        validators=[DataRequired("Choose whether the escalation is upheld")],
    )
    reasons = TextAreaField(
        "Reasons for the outcome",
        filters=[strip_filter],
        validators=[DataRequired("Give the reasons for the outcome"), max_length(5000, "The reasons")],
    )
    points_to_reconsider = TextAreaField(
        "Points the bodies must reconsider",
        filters=[strip_filter],
        validators=[max_length(5000, "The points to reconsider")],
    )
    decided_on = DateInput(
        "Date of the decision",
        invalid="Enter the date of the decision as a real date",
        validators=[
            DataRequired("Enter the date of the decision"),
            NotInFuture("The date of the decision must be today or in the past"),
        ],
    )
