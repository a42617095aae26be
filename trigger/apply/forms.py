"""The public application form, in plain English. Every field has a size limit."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, FieldList, Form, FormField, RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Optional, ValidationError

from trigger.cases.forms import RequiredIf, TimeInput, optional_email, text
from trigger.forms import DayMonthYearInput, enum_choices, max_length, strip_filter
from trigger.models import ContactMethod, PreferredFormat

MAX_PUBLIC_INCIDENTS = 20
MAX_PUBLIC_REPORTS = 4


class PublicReportForm(Form):
    agency_id = SelectField("Who did you report it to?", validate_choice=False)
    reported_on = DayMonthYearInput(
        "When did you report it?", invalid="Enter the date you reported it as a real date, for example 27 3 2026"
    )
    agency_reference = text("Reference number (if you were given one)", 60, "The reference number")

    def is_blank(self) -> bool:
        return not any(
            [
                self.agency_id.data,
                self.reported_on.raw_data and self.reported_on.raw_data[0],
                self.agency_reference.data,
            ]
        )


class PublicIncidentForm(Form):
    occurred_on = DayMonthYearInput(
        "Date it happened", invalid="Enter the date it happened as a real date, for example 27 3 2026"
    )
    occurred_time = TimeInput("Time (if you know)", validators=[Optional()])
    description = text("What happened", 2000, "What happened", area=True)
    is_hate = BooleanField("I think this happened because of who I am (a hate incident)")
    reports = FieldList(FormField(PublicReportForm), min_entries=1, max_entries=MAX_PUBLIC_REPORTS)

    def is_blank(self) -> bool:
        return (
            not (self.occurred_on.raw_data and self.occurred_on.raw_data[0])
            and not (self.occurred_time.raw_data and self.occurred_time.raw_data[0])
            and not self.description.data
            and not self.is_hate.data
            and all(entry.form.is_blank() for entry in self.reports)
        )


class ApplicationForm(FlaskForm):
    # Fields are declared in the order the page shows them: the error summary lists errors in this order.
    applying_for = RadioField(
        "Who are you applying for?",
        choices=[("myself", "Myself"), ("someone-else", "Someone else")],
        validators=[DataRequired("Say who you are applying for")],
    )
    applicant_name = text("Your full name", 120, "Your name", required="Enter your full name")
    applicant_address = text("Your address", 500, "Your address", required="Enter your address", area=True)
    applicant_postcode = text("Postcode", 10, "The postcode", required="Enter your postcode")
    applicant_phone = text("Phone number", 40, "The phone number")
    applicant_email = optional_email("Email address")
    preferred_contact = RadioField(
        "How should we contact you?",
        choices=enum_choices(ContactMethod),
        validators=[DataRequired("Choose how we should contact you")],
    )
    preferred_format = RadioField(
        "How would you like letters?",
        choices=enum_choices(PreferredFormat),
        default=PreferredFormat.STANDARD.value,
        validators=[DataRequired("Choose how you would like letters")],
    )
    language = text(
        "Language", 60, "The language", required="Enter the language you would like us to use", default="English"
    )
    communication_needs = text(
        "Is there anything that would help us communicate with you?", 1000, "Your answer", area=True
    )

    victim_name = StringField(
        "Their full name",
        filters=[strip_filter],
        validators=[
            RequiredIf("applying_for", "someone-else", "Enter the name of the person you are applying for"),
            max_length(120, "Their name"),
        ],
    )
    victim_address = TextAreaField(
        "Their address", filters=[strip_filter], validators=[max_length(500, "Their address")]
    )
    victim_phone = StringField(
        "Their phone number", filters=[strip_filter], validators=[max_length(40, "Their phone number")]
    )
    victim_consent = BooleanField(
        "They have agreed to me applying for them",
        validators=[
            RequiredIf(
                "applying_for",
                "someone-else",
                "You can only apply for someone else if they agree: tick the box to confirm they do",
            )
        ],
    )

    area_id = SelectField(
        "Where does the problem happen?",
        validate_choice=False,
        validators=[DataRequired("Choose the area where the problem happens")],
    )
    asb_description = text(
        "Tell us about the problem", 5000, "Your description", required="Tell us about the problem", area=True
    )
    location = text("Where does it happen?", 500, "Where it happens")
    perpetrator_name = text("Their name (if you know it)", 120, "The name")
    perpetrator_address = text("Where they live (if you know)", 500, "Where they live", area=True)
    perpetrator_description = text("Anything else about them", 2000, "Your description", area=True)

    incidents = FieldList(FormField(PublicIncidentForm), min_entries=1, max_entries=MAX_PUBLIC_INCIDENTS)

    consent_to_share = BooleanField(
        "I agree that the council, police, health service and housing providers may "
        "share information about my application with each other"
    )
    declaration = BooleanField(
        "The information I have given is true, as far as I know",
        validators=[DataRequired("Tick the box to confirm the information is true")],
    )
    # Honeypot: hidden from people (CSS, aria-hidden, no tab stop); bots fill every field.
    website = StringField("Leave this empty", validators=[max_length(200, "This field")])

    def validate_preferred_contact(self, field) -> None:
        if field.data == ContactMethod.EMAIL.value and not self.applicant_email.data:
            raise ValidationError("Enter your email address, or choose another way for us to contact you")
        if field.data == ContactMethod.PHONE.value and not self.applicant_phone.data:
            raise ValidationError("Enter your phone number, or choose another way for us to contact you")
