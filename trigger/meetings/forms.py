"""Forms for scheduling meetings, the attendee list, answering an invitation, attendance, minutes and how the
victim took part."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    EmailField,
    IntegerField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Email, InputRequired, Optional, ValidationError
from wtforms.widgets import HiddenInput

from trigger.forms import DateInput, TimeInput
from trigger.forms import enum_choices, max_length, strip_filter
from trigger.models import AttendeeKind, AttendeeStatus, MeetingKind, ParticipationKind, VictimTookPart


def _https_link(form, field):
    if field.data and not field.data.lower().startswith("https://"):
        raise ValidationError("Enter the meeting link starting with https://")
    # One address on one line: a line break would end the calendar file's URL line and start a line of its own.
    if field.data and any(
        character.isspace() or ord(character) < 32 or ord(character) == 127 for character in field.data
    ):
        raise ValidationError("Enter the meeting link as one web address, without spaces or line breaks")


class MeetingForm(FlaskForm):
    kind = RadioField(
        "Type of meeting", choices=enum_choices(MeetingKind), validators=[DataRequired("Choose the type of meeting")]
    )
    day = DateInput("Date", validators=[InputRequired("Enter the date of the meeting")])
    start = TimeInput("Start time", validators=[InputRequired("Enter the start time")])
    end = TimeInput("End time", validators=[InputRequired("Enter the end time")])
    place = TextAreaField("Place", filters=[strip_filter], validators=[Optional(), max_length(300, "The place")])
    virtual_link = StringField(
        "Virtual meeting link",
        filters=[strip_filter],
        validators=[Optional(), max_length(500, "The link"), _https_link],
    )
    chair_id = SelectField("Chair", validators=[DataRequired("Choose the chair")])
    is_restorative_conference = BooleanField("This is a restorative conference")
    recorded_after_the_fact = BooleanField("I am recording a meeting that already happened")

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        if not self.place.data and not self.virtual_link.data and not self.virtual_link.errors:
            self.place.errors = list(self.place.errors) + ["Enter the place, a virtual meeting link, or both"]
            valid = False
        return valid

    def validate_end(self, field):
        if field.data and self.start.data and field.data <= self.start.data:
            raise ValidationError("The end time must be after the start time")


class CancelForm(FlaskForm):
    reason = TextAreaField(
        "Why is the meeting cancelled?",
        filters=[strip_filter],
        validators=[DataRequired("Enter the reason for cancelling the meeting"), max_length(2000, "The reason")],
    )


class InviteForm(FlaskForm):
    invite = SelectMultipleField("Who to invite", choices=[], validate_choice=False)


PERSON_KINDS = [(k.value, k.label) for k in AttendeeKind]


class PersonForm(FlaskForm):
    kind = RadioField("Who are they?", choices=PERSON_KINDS, validators=[DataRequired("Choose who they are")])
    name = StringField(
        "Full name",
        filters=[strip_filter],
        validators=[DataRequired("Enter the person's full name"), max_length(120, "The name")],
    )
    email = EmailField(
        "Email address",
        filters=[strip_filter],
        validators=[
            Optional(),
            Email("Enter an email address in the correct format, like name@example.org", check_deliverability=False),
            max_length(254, "Email address"),
        ],
    )
    role_at_meeting = StringField(
        "Role at the meeting", filters=[strip_filter], validators=[Optional(), max_length(120, "The role")]
    )
    agency_id = SelectField("Agency", validators=[Optional()])
    consent_recorded_on = DateInput("Date the alleged perpetrator consented", validators=[Optional()])


class ResponseForm(FlaskForm):
    response = RadioField(
        "Can you attend?",
        choices=[
            (AttendeeStatus.ACCEPTED.value, "Yes, I will attend"),
            (AttendeeStatus.APOLOGIES.value, "No, I send my apologies"),
            (AttendeeStatus.SUBSTITUTE.value, "No, someone will come in my place"),
        ],
        validators=[DataRequired("Choose whether you will attend")],
    )
    substitute_name = StringField(
        "Name of the person coming in your place",
        filters=[strip_filter],
        validators=[Optional(), max_length(120, "The name")],
    )


ATTENDANCE_CHOICES = [
    (s.value, s.label) for s in (AttendeeStatus.ATTENDED, AttendeeStatus.ABSENT, AttendeeStatus.APOLOGIES)
]


def attendance_form(attendees, formdata=None):
    """One form with a radio group per attendee: `status_<attendee id>`."""

    class AttendanceForm(FlaskForm):
        pass

    for attendee in attendees:
        field = RadioField(
            attendee.name,
            choices=ATTENDANCE_CHOICES,
            validators=[DataRequired(f"Choose whether {attendee.name} attended")],
        )
        setattr(AttendanceForm, f"status_{attendee.id}", field)
    form = AttendanceForm(formdata=formdata) if formdata is not None else AttendanceForm()
    if formdata is None:
        for attendee in attendees:
            if attendee.status.value in dict(ATTENDANCE_CHOICES):
                getattr(form, f"status_{attendee.id}").data = attendee.status.value
    return form


class VictimForm(FlaskForm):
    kind = RadioField(
        "How is the victim taking part?",
        choices=enum_choices(ParticipationKind),
        validators=[DataRequired("Choose how the victim is taking part")],
    )
    statement = TextAreaField(
        "The victim's statement", filters=[strip_filter], validators=[Optional(), max_length(20000, "The statement")]
    )
    advocate_name = StringField(
        "Name of the advocate", filters=[strip_filter], validators=[Optional(), max_length(120, "The name")]
    )
    reason_not_invited = TextAreaField(
        "Why is the victim not invited?",
        filters=[strip_filter],
        validators=[Optional(), max_length(5000, "The reason")],
    )


def minutes_form(items, formdata=None):
    """The minutes of every agenda item on one form: `text_<item id>` with `base_<item id>`, the revision the
    page showed (each item keeps its own revisions and its own stale-save check), and one `reason` for
    corrections after approval. Without formdata the fields hold each item's current text."""

    class MinutesForm(FlaskForm):
        reason = TextAreaField(
            "Reason for the correction", filters=[strip_filter], validators=[Optional(), max_length(2000, "The reason")]
        )

    for number, item in enumerate(items, start=1):
        setattr(
            MinutesForm,
            f"text_{item.id}",
            TextAreaField(
                f"Minutes of {number}. {item.agenda_title}",
                # Not marked optional: the label is read out for every box ("(optional)" would be noise there).
                validators=[max_length(50000, f"The minutes of “{item.agenda_title}”")],
            ),
        )
        setattr(
            MinutesForm,
            f"base_{item.id}",
            IntegerField(
                widget=HiddenInput(), validators=[InputRequired("Reload the page: it is missing the version it shows")]
            ),
        )
    form = MinutesForm(formdata=formdata) if formdata is not None else MinutesForm(formdata=None)
    if formdata is None:
        for item in items:
            current = item.current
            getattr(form, f"text_{item.id}").data = current.text if current else ""
            getattr(form, f"base_{item.id}").data = current.number if current else 0
    return form


class TookPartForm(FlaskForm):
    """How the applicant actually took part, recorded by the chair (the plan beforehand is VictimForm)."""

    took_part = RadioField(
        "How did the applicant take part?",
        choices=enum_choices(VictimTookPart),
        validators=[DataRequired("Choose how the applicant took part")],
    )
    note = TextAreaField(
        "Note (optional)", filters=[strip_filter], validators=[Optional(), max_length(2000, "The note")]
    )


class RecommendationForm(FlaskForm):
    agency_id = SelectField("To which body?", validators=[DataRequired("Choose the body the recommendation is to")])
    text = TextAreaField(
        "Recommendation",
        filters=[strip_filter],
        validators=[DataRequired("Enter the recommendation"), max_length(5000, "The recommendation")],
    )
    restricted = BooleanField("Restricted: only the body it is to, chairs and coordinators may read it")
    victim_visible = BooleanField("The applicant may be told about this recommendation")
    victim_wording = TextAreaField(
        "Plain-English wording for the applicant",
        filters=[strip_filter],
        validators=[Optional(), max_length(5000, "The wording for the applicant")],
    )


class RecommendationSharingForm(FlaskForm):
    """Who may read a recommendation, changed after it was made (the minutes may be approved by then)."""

    restricted = BooleanField("Restricted: only the body it is to, chairs and coordinators may read it")
    victim_visible = BooleanField("The applicant may be told about this recommendation")
    victim_wording = TextAreaField(
        "Plain-English wording for the applicant",
        filters=[strip_filter],
        validators=[Optional(), max_length(5000, "The wording for the applicant")],
    )


class RecommendationResponseForm(FlaskForm):
    response_text = TextAreaField(
        "The body's response",
        filters=[strip_filter],
        validators=[DataRequired("Enter the body's response"), max_length(5000, "The response")],
    )
    responded_on = DateInput("Date of the response", validators=[InputRequired("Enter the date of the response")])


class AgendaForm(FlaskForm):
    items = TextAreaField(
        "Agenda items, one per line",
        validators=[DataRequired("Enter at least one agenda item, one per line"), max_length(10000, "The agenda")],
    )


class ConfirmForm(FlaskForm):
    """An empty form: its CSRF token is what makes a confirmation button safe."""
