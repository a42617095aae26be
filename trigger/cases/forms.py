"""Forms for staff intake, moving a case's stage, and the pieces the public form shares.

Incidents, their reports and perpetrators are WTForms FieldLists of sub-forms. An "Add another ..." button
re-renders the form with one more blank entry (no JavaScript needed); entries left completely blank are
ignored, so an extra one added by mistake does no harm.
"""

from __future__ import annotations

from datetime import date

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    EmailField,
    FieldList,
    Form,
    FormField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Email, Optional, StopValidation, ValidationError

from trigger.domain.intake import IncidentEntry, ReportEntry
from trigger.forms import DateInput, TimeInput
from trigger.forms import enum_choices, max_length, strip_filter
from trigger.models import Channel, ContactMethod, HowReported, PreferredFormat, RiskLevel
from trigger.models.cases import DEFAULT_LAWFUL_BASIS

MAX_INCIDENTS = 30
MAX_REPORTS = 8
MAX_PERPETRATORS = 10


# ---- field helpers ----------------------------------------------------------------------------------------


class NotInFuture:
    def __init__(self, message: str) -> None:
        self.message = message

    def __call__(self, form, field) -> None:
        if field.data is not None and field.data > date.today():
            raise ValidationError(self.message)


class RequiredIf:
    """Required when another boolean or radio field has the given value."""

    def __init__(self, other: str, value, message: str) -> None:
        self.other, self.value, self.message = other, value, message

    def __call__(self, form, field) -> None:
        if form[self.other].data == self.value and field.data in (None, "", False):
            field.errors[:] = []
            raise StopValidation(self.message)


def text(label: str, limit: int, what: str, required: str | None = None, area: bool = False, **kwargs):
    validators = [DataRequired(required)] if required else [Optional()]
    field_cls = TextAreaField if area else StringField
    return field_cls(label, filters=[strip_filter], validators=[*validators, max_length(limit, what)], **kwargs)


def optional_email(label: str, **kwargs) -> EmailField:
    return EmailField(
        label,
        filters=[strip_filter],
        validators=[
            Optional(),
            Email("Enter an email address in the correct format, like name@example.org", check_deliverability=False),
            max_length(254, "The email address"),
        ],
        **kwargs,
    )


# ---- sub-forms --------------------------------------------------------------------------------------------


class ReportForm(Form):
    agency_id = SelectField("Agency it was reported to", validate_choice=False)
    reported_on = DateInput("Date reported", invalid="Enter the date it was reported as a real date")
    agency_reference = text("The agency's reference", 60, "The reference")
    how_reported = SelectField(
        "How it was reported", choices=[("", "Not known")] + enum_choices(HowReported), validators=[Optional()]
    )
    what_was_done = text("What the agency did", 2000, "What the agency did", area=True)

    def is_blank(self) -> bool:
        return not any(
            [
                self.agency_id.data,
                self.reported_on.raw_data and self.reported_on.raw_data[0],
                self.agency_reference.data,
                self.how_reported.data,
                self.what_was_done.data,
            ]
        )


class IncidentForm(Form):
    occurred_on = DateInput("Date of the incident", invalid="Enter the date of the incident as a real date")
    occurred_time = TimeInput("Time (if known)", validators=[Optional()])
    description = text("What happened", 2000, "The description of what happened", area=True)
    is_hate = BooleanField("This was a hate incident or hate crime")
    complainant_name = text("Who complained, if not the applicant", 120, "The name")
    reports = FieldList(FormField(ReportForm), min_entries=1, max_entries=MAX_REPORTS)

    def is_blank(self) -> bool:
        return (
            not (self.occurred_on.raw_data and self.occurred_on.raw_data[0])
            and not (self.occurred_time.raw_data and self.occurred_time.raw_data[0])
            and not self.description.data
            and not self.is_hate.data
            and not self.complainant_name.data
            and all(entry.form.is_blank() for entry in self.reports)
        )


class PerpetratorForm(Form):
    name = text("Name (if known)", 120, "The name")
    address = text("Address or where they live (if known)", 500, "The address", area=True)
    description = text("Description", 2000, "The description", area=True)

    def is_blank(self) -> bool:
        return not (self.name.data or self.address.data or self.description.data)


# ---- staff intake -----------------------------------------------------------------------------------------

YES_NO = [("no", "No"), ("yes", "Yes")]


APPLICANT_FIELDS = (
    "applicant_name",
    "applicant_address",
    "applicant_postcode",
    "applicant_phone",
    "applicant_email",
    "applicant_date_of_birth",
    "preferred_contact",
    "preferred_format",
    "language",
    "communication_needs",
    "vulnerabilities",
    "advocate_details",
)


def applicant_fields(*, new: bool) -> tuple:
    """The applicant's fields, in APPLICANT_FIELDS' order, for a form's class body (intake, and corrections after
    it). Made where they are unpacked, so they keep their place among the form's other fields. A new application
    starts from email, standard letters and English; a correction starts from what the case holds."""
    return (
        text("Full name", 120, "The name", required="Enter the applicant's name"),
        text("Address", 500, "The address", area=True),
        text("Postcode", 10, "The postcode"),
        text("Telephone", 40, "The telephone number"),
        optional_email("Email address"),
        DateInput(
            "Date of birth",
            invalid="Enter the date of birth as a real date",
            validators=[Optional(), NotInFuture("The date of birth must be in the past")],
        ),
        RadioField(
            "Preferred way to be contacted",
            choices=enum_choices(ContactMethod),
            default=ContactMethod.EMAIL.value if new else None,
            validators=[DataRequired("Choose how the applicant prefers to be contacted")],
        ),
        RadioField(
            "Preferred format for letters",
            choices=enum_choices(PreferredFormat),
            default=PreferredFormat.STANDARD.value if new else None,
            validators=[DataRequired("Choose the format for letters")],
        ),
        text(
            "Language",
            60,
            "The language",
            required="Enter the language for letters",
            default="English" if new else None,
        ),
        text("Communication needs", 2000, "Communication needs", area=True),
        text("Vulnerabilities", 2000, "Vulnerabilities", area=True),
        text("Advocate (name and contact details)", 1000, "The advocate's details", area=True),
    )


class CaseForm(FlaskForm):
    area_id = SelectField("Area", validate_choice=False, validators=[DataRequired("Choose the area")])
    received_on = DateInput(
        "Date the application was received",
        invalid="Enter the date the application was received as a real date",
        validators=[
            DataRequired("Enter the date the application was received"),
            NotInFuture("The date received must be today or in the past"),
        ],
    )
    channel = RadioField(
        "How the application was made",
        choices=[c for c in enum_choices(Channel)],
        validators=[DataRequired("Choose how the application was made")],
    )

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
    ) = applicant_fields(new=True)

    is_third_party = RadioField(
        "Is someone applying for the victim (a third party)?",
        choices=YES_NO,
        default="no",
        validators=[DataRequired("Say whether this is a third-party application")],
    )
    victim_name = StringField(
        "Victim's full name",
        filters=[strip_filter],
        validators=[RequiredIf("is_third_party", "yes", "Enter the victim's name"), max_length(120, "The name")],
    )
    victim_address = TextAreaField(
        "Victim's address", filters=[strip_filter], validators=[max_length(500, "The address")]
    )
    victim_phone = StringField(
        "Victim's telephone", filters=[strip_filter], validators=[max_length(40, "The telephone number")]
    )
    victim_email = optional_email("Victim's email address")
    victim_consent_on = DateInput(
        "Date the victim consented",
        invalid="Enter the date of consent as a real date",
        validators=[
            RequiredIf("is_third_party", "yes", "Enter the date the victim gave consent"),
            NotInFuture("The date of consent must be today or in the past"),
        ],
    )
    victim_consent_how = StringField(
        "How consent was given",
        filters=[strip_filter],
        validators=[
            RequiredIf("is_third_party", "yes", "Say how the victim gave consent"),
            max_length(200, "How consent was given"),
        ],
    )

    consent_to_share = BooleanField("The applicant consents to the agencies sharing information about the case")
    consent_to_share_on = DateInput(
        "Date of consent to share",
        invalid="Enter the date of consent to share as a real date",
        validators=[
            RequiredIf("consent_to_share", True, "Enter the date the applicant consented to sharing"),
            NotInFuture("The date of consent must be today or in the past"),
        ],
    )
    lawful_basis = text(
        "Lawful basis for processing",
        500,
        "The lawful basis",
        required="Enter the lawful basis",
        default=DEFAULT_LAWFUL_BASIS,
    )

    asb_description = text(
        "The anti-social behaviour, in the applicant's words",
        5000,
        "The description",
        required="Describe the anti-social behaviour",
        area=True,
    )
    location = text("Where it happens", 500, "The location")
    risk_level = SelectField(
        "Risk level", choices=[("", "Not assessed yet")] + enum_choices(RiskLevel), validators=[Optional()]
    )

    perpetrators = FieldList(FormField(PerpetratorForm), min_entries=1, max_entries=MAX_PERPETRATORS)
    incidents = FieldList(FormField(IncidentForm), min_entries=1, max_entries=MAX_INCIDENTS)


class StageForm(FlaskForm):
    stage = RadioField("Move the case to", validate_choice=False, validators=[DataRequired("Choose the new stage")])
    reason = text("Reason", 2000, "The reason", required="Give the reason for the change", area=True)
    applicant_told_on = DateInput(
        "Date the applicant was told (when closing)",
        invalid="Enter the date the applicant was told as a real date",
        validators=[NotInFuture("The date the applicant was told must be today or in the past")],
    )


# ---- turning entries into domain values, and showing problems next to fields ---------------------------


def incident_entries(incidents: FieldList) -> list[IncidentEntry]:
    """The incidents that are not completely blank, with their non-blank reports, keeping form positions."""
    entries = []
    for index, entry in enumerate(incidents):
        sub = entry.form
        if sub.is_blank():
            continue
        reports = tuple(
            ReportEntry(r_index, report.form.agency_id.data or None, report.form.reported_on.data)
            for r_index, report in enumerate(sub.reports)
            if not report.form.is_blank()
        )
        entries.append(
            IncidentEntry(index, sub.occurred_on.data, sub.description.data or "", bool(sub.is_hate.data), reports)
        )
    return entries


def non_blank(field_list: FieldList) -> list:
    return [entry.form for entry in field_list if not entry.form.is_blank()]


def resolve_field(form, path: tuple):
    """The field at e.g. ("incidents", 0, "reports", 1, "reported_on"), or None if the form has no such field."""
    node = form
    for step in path:
        try:
            if isinstance(step, int):
                node = node[step]
            else:
                # A FormField has attributes of its own (name, description...): look inside its form.
                container = node.form if isinstance(node, FormField) else node
                node = container[step]
        except (IndexError, KeyError, TypeError):
            return None
    return node


def attach_problem(form, path: tuple, message: str) -> None:
    field = resolve_field(form, path)
    if field is None:
        form.form_errors.append(message)
        return
    if not field.errors:  # the form's own message (e.g. "Enter a real date") already says what is wrong
        field.errors = [message]
    # A FieldList keeps its own errors from validation; mark it too so form.errors (and so the page title's
    # "Error:") sees a problem found after validation.
    top = getattr(form, path[0])
    if top is not field and not top.errors:
        top.errors = [message]
    form._errors = None


def set_agency_choices(incidents: FieldList, choices: list[tuple[str, str]], field: str = "agency_id") -> None:
    for entry in incidents:
        if hasattr(entry.form, "reports"):
            for report in entry.form.reports:
                getattr(report.form, field).choices = choices
        else:
            getattr(entry.form, field).choices = choices


def add_entry(form, action: str) -> str | None:
    """Handle an "Add another ..." button. Returns a message if no more can be added, else None."""
    if action == "incident":
        target, limit, what = form.incidents, MAX_INCIDENTS, "incidents"
    elif action == "perpetrator" and hasattr(form, "perpetrators"):
        target, limit, what = form.perpetrators, MAX_PERPETRATORS, "people"
    elif action.startswith("report-"):
        try:
            incident = form.incidents[int(action.removeprefix("report-"))]
        except (ValueError, IndexError):
            return None
        target, limit, what = incident.form.reports, MAX_REPORTS, "reports of one incident"
    else:
        return None
    if len(target) >= limit:
        return f"You can add up to {limit} {what}."
    target.append_entry()
    return None


# ---- from a valid form to what the service saves -------------------------------------------------------

CASE_FIELDS = (
    "received_on",
    "applicant_name",
    "applicant_address",
    "applicant_postcode",
    "applicant_phone",
    "applicant_email",
    "applicant_date_of_birth",
    "preferred_contact",
    "preferred_format",
    "language",
    "communication_needs",
    "vulnerabilities",
    "advocate_details",
    "victim_name",
    "victim_address",
    "victim_phone",
    "victim_email",
    "victim_consent_on",
    "victim_consent_how",
    "consent_to_share",
    "consent_to_share_on",
    "lawful_basis",
    "asb_description",
    "location",
)


def case_fields(form: CaseForm) -> dict:
    values = {name: getattr(form, name).data for name in CASE_FIELDS}
    third_party = form.is_third_party.data == "yes"
    values["is_third_party"] = third_party
    if not third_party:  # details typed and then un-chosen must not be kept as if consent were recorded
        for name in ("victim_name", "victim_address", "victim_phone", "victim_email", "victim_consent_how"):
            values[name] = ""
        values["victim_consent_on"] = None
    if not form.consent_to_share.data:
        values["consent_to_share_on"] = None
    values["risk_level"] = form.risk_level.data or None
    return {key: ("" if value is None and key not in _NULLABLE else value) for key, value in values.items()}


_NULLABLE = {"applicant_date_of_birth", "victim_consent_on", "consent_to_share_on", "risk_level", "received_on"}


def incident_data(incidents: FieldList):
    from trigger.cases.services import IncidentData, ReportData

    result = []
    for sub in non_blank(incidents):
        reports = [
            ReportData(
                agency_id=int(r.agency_id.data),
                reported_on=r.reported_on.data,
                agency_reference=(getattr(r, "agency_reference", None) and r.agency_reference.data) or "",
                how_reported=(getattr(r, "how_reported", None) and r.how_reported.data) or None,
                what_was_done=(getattr(r, "what_was_done", None) and r.what_was_done.data) or "",
            )
            for r in non_blank(sub.reports)
        ]
        result.append(
            IncidentData(
                occurred_on=sub.occurred_on.data,
                description=sub.description.data,
                occurred_time=sub.occurred_time.data,
                is_hate=bool(sub.is_hate.data),
                complainant_name=(getattr(sub, "complainant_name", None) and sub.complainant_name.data) or "",
                reports=reports,
            )
        )
    return result


def perpetrator_data(perpetrators: FieldList):
    from trigger.cases.services import PerpetratorData

    return [
        PerpetratorData(p.name.data or "", p.address.data or "", p.description.data or "")
        for p in non_blank(perpetrators)
    ]


def check_entries(form, *, require_report: bool) -> bool:
    """Run the domain's checks on the incidents and show each problem by its field. True when there are none."""
    from trigger.cases.services import intake_problems

    problems = intake_problems(incident_entries(form.incidents), require_report=require_report)
    for problem in problems:
        attach_problem(form, problem.path, problem.message)
    return not problems
