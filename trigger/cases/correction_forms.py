"""Forms for correcting a case's details after intake (trigger.cases.corrections): the applicant's details, and one
incident with its reports. Each carries the fingerprint of the details it was opened with and a required reason."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, FieldList, Form, FormField, HiddenField, SelectField
from wtforms.validators import InputRequired, Optional

from trigger.cases.forms import APPLICANT_FIELDS, NotInFuture, applicant_fields, text
from trigger.forms import DateInput, TimeInput, enum_choices
from trigger.models import HowReported

REASON = dict(required="Give the reason for the correction")


class _Correction(FlaskForm):
    token = HiddenField()
    reason = text("Why are you correcting these details?", 1000, "The reason", area=True, **REASON)


class ApplicantCorrectionForm(_Correction):
    (
        applicant_name,
        applicant_address,
        applicant_postcode,
        applicant_phone,
        applicant_email,
        applicant_date_of_birth,
        preferred_contact,
        preferred_format,
        language,
        communication_needs,
        vulnerabilities,
        advocate_details,
    ) = applicant_fields(new=False)

    FIELDS = APPLICANT_FIELDS


class ReportCorrectionForm(Form):
    reported_on = DateInput(
        "Date reported",
        invalid="Enter the date it was reported as a real date",
        validators=[InputRequired("Enter the date it was reported")],
    )
    agency_reference = text("The agency's reference", 60, "The reference")
    how_reported = SelectField(
        "How it was reported", choices=[("", "Not known")] + enum_choices(HowReported), validators=[Optional()]
    )
    what_was_done = text("What the agency did", 2000, "What the agency did", area=True)


class IncidentCorrectionForm(_Correction):
    occurred_on = DateInput(
        "Date of the incident",
        invalid="Enter the date of the incident as a real date",
        validators=[
            InputRequired("Enter the date of the incident"),
            NotInFuture("The date of the incident must be today or in the past"),
        ],
    )
    occurred_time = TimeInput("Time (if known)", validators=[Optional()])
    description = text(
        "What happened", 2000, "The description of what happened", area=True, required="Describe what happened"
    )
    is_hate = BooleanField("This was a hate incident or hate crime")
    complainant_name = text("Who complained, if not the applicant", 120, "The name")
    reports = FieldList(FormField(ReportCorrectionForm), min_entries=0, max_entries=20)

    FIELDS = ("occurred_on", "occurred_time", "description", "is_hate", "complainant_name")
