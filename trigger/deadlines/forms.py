"""Forms for extending a deadline, recomputing a case's deadlines, recording the agencies' information and
assigning the case's coordinator."""

from flask_wtf import FlaskForm
from wtforms import SelectField, TextAreaField
from wtforms.validators import DataRequired, InputRequired

from trigger.cases.forms import DateInput
from trigger.forms import max_length, strip_filter

REASON_MAX = 2000


class ExtendForm(FlaskForm):
    new_due = DateInput(
        "New due date",
        validators=[InputRequired("Enter the new due date")],
        invalid="Enter a real date, like 27 May 2026",
    )
    reason = TextAreaField(
        "Reason for the extension",
        filters=[strip_filter],
        validators=[InputRequired("Give the reason for the extension"), max_length(REASON_MAX, "The reason")],
    )


class RecomputeForm(FlaskForm):
    """Only the CSRF token: the button says what it does."""


class InformationReceivedForm(FlaskForm):
    received_on = DateInput(
        "Date the last agency's information arrived",
        validators=[InputRequired("Enter the date the last agency's information arrived")],
        invalid="Enter a real date, like 27 May 2026",
    )


class CoordinatorForm(FlaskForm):
    # Choices: the active coordinators; the service refuses anyone else (a forged id) with the same message.
    coordinator_id = SelectField(
        "Coordinator", validate_choice=False, validators=[DataRequired("Choose an active coordinator")]
    )
