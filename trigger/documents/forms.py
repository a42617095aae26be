"""Forms for issuing a document, emailing it and recording that it was posted."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Email, InputRequired, Optional

from trigger.forms import DateInput
from trigger.forms import enum_choices, max_length, strip_filter
from trigger.models import DeliveryMethod

FINDINGS_MAX = 4000


class IssueForm(FlaskForm):
    """Confirm what is issued, to whom and how. Also posted to the preview, to see exactly what will be issued."""

    recipient_name = StringField(
        "Name",
        filters=[strip_filter],
        validators=[DataRequired("Enter who the document is sent to"), max_length(200, "The name")],
    )
    recipient_email = EmailField(
        "Email address",
        filters=[strip_filter],
        validators=[
            Optional(),
            Email("Enter an email address like name@example.org"),
            max_length(254, "The email address"),
        ],
    )
    recipient_address = TextAreaField(
        "Postal address", filters=[strip_filter], validators=[Optional(), max_length(1000, "The address")]
    )
    method = RadioField(
        "How it will be sent",
        choices=enum_choices(DeliveryMethod),
        validators=[DataRequired("Choose how the document will be sent")],
    )
    large_print = BooleanField("Large print (16 point text)")
    meeting_id = SelectField("Meeting", coerce=int, validators=[Optional()], validate_choice=False)
    findings = TextAreaField(
        "What the review found",
        filters=[strip_filter],
        validators=[Optional(), max_length(FINDINGS_MAX, "What the review found")],
    )


class ConfirmForm(FlaskForm):
    """An empty form: its CSRF token is what makes a confirmation button safe."""


class PostedForm(FlaskForm):
    posted_on = DateInput("Date posted", validators=[InputRequired("Enter the date the document was posted")])
