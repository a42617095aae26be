from flask_wtf import FlaskForm
from wtforms import BooleanField, IntegerField, RadioField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, NumberRange, Optional

from trigger.cases.forms import DateInput, NotInFuture
from trigger.forms import max_length, strip_filter
from trigger.models import DecisionOutcome


class PolicyForm(FlaskForm):
    qualifying_complaints = IntegerField(
        "Qualifying complaints needed",
        validators=[
            InputRequired("Enter the number of qualifying complaints"),
            NumberRange(
                1,
                3,
                "The number of qualifying complaints must be 1, 2 or 3: the law allows an "
                "area to set a lower number than 3, not a higher one",
            ),
        ],
    )
    window_months = IntegerField(
        "Months from a complaint to the application",
        validators=[
            InputRequired("Enter the number of months"),
            NumberRange(6, 24, "The window must be between 6 and 24 months (the law gives 6)"),
        ],
    )
    reporting_rule_months = IntegerField(
        "Months from an incident to its report",
        validators=[
            InputRequired("Enter the number of months"),
            NumberRange(1, 12, "The reporting period must be between 1 and 12 months (the law gives 1)"),
        ],
    )
    enforce_reporting_rule = BooleanField("Apply the reporting rule (a complaint must be made within that period)")
    hate_incident_suffices = BooleanField("One hate incident or hate crime reported in time is enough")
    distinct_complainants = IntegerField(
        "Different complainants that are enough on their own",
        validators=[Optional(), NumberRange(2, 50, "Enter a number between 2 and 50, or leave it blank")],
    )
    vulnerability_override_allowed = BooleanField(
        "A senior manager may decide the threshold is met because of the victim's vulnerability"
    )
    require_separate_occasions = BooleanField("Count incidents on separate occasions only")


class DecisionForm(FlaskForm):
    outcome = RadioField(
        "Decision", validate_choice=False, validators=[DataRequired("Choose whether the threshold is met")]
    )
    reasons = TextAreaField(
        "Reasons for the decision",
        filters=[strip_filter],
        validators=[DataRequired("Give the reasons for the decision"), max_length(5000, "The reasons")],
    )
    vulnerability_reason = TextAreaField(
        "The victim's vulnerability (for an override)",
        filters=[strip_filter],
        validators=[max_length(2000, "The vulnerability reason")],
    )
    difference_reason = TextAreaField(
        "Why the decision differs from the evaluation (if it does)",
        filters=[strip_filter],
        validators=[max_length(2000, "The reason")],
    )
    decision_maker_name = StringField(
        "Decision maker",
        filters=[strip_filter],
        validators=[DataRequired("Enter the name of the decision maker"), max_length(120, "The name")],
    )
    decided_on = DateInput(
        "Date of the decision",
        invalid="Enter the date of the decision as a real date",
        validators=[
            DataRequired("Enter the date of the decision"),
            NotInFuture("The date of the decision must be today or in the past"),
        ],
    )
    letter_includes_evaluation = BooleanField("Include the evaluation's reasons in the decision letter")


def outcome_choices(override_allowed: bool) -> list[tuple[str, str]]:
    return [(o.value, o.label) for o in DecisionOutcome if override_allowed or o is not DecisionOutcome.MET_BY_OVERRIDE]


class SameIncidentForm(FlaskForm):
    """Mark an incident as the same as another of the same date on the case (or as a separate incident)."""

    # Choices are the case's other incidents on that date; the service refuses anything else with a clear message
    # (a forged id, another case's incident, a loop), so WTForms' own "Not a valid choice" is switched off.
    same_as_id = RadioField(
        "Is this the same incident as another one recorded for the same date?",
        validate_choice=False,
        validators=[InputRequired("Choose the incident it is the same as, or “A separate incident”")],
    )


class SameProblemForm(FlaskForm):
    """Confirm ("yes") or withdraw ("no") that a possibly linked case is about the same problem."""

    same_problem = RadioField(
        choices=[("yes", "Yes"), ("no", "No")], validators=[InputRequired("Choose whether it is the same problem")]
    )
