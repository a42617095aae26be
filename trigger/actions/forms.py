"""Forms for the action plan. Business rules (who may own an action, valid due dates) live in the services."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Optional

from trigger.forms import DateInput
from trigger.forms import enum_choices, max_length, strip_filter
from trigger.models import ActionStatus, ContactMethod, PlanStatus, Priority, UpdateFrequency
from trigger.models.actions import DESCRIPTION_MAX, REASON_MAX, SOURCE_NOTE_MAX, UPDATE_NOTE_MAX


def _version_field():
    # The action's version when the form was built: a save from an older version is refused (see services).
    return HiddenField()


def version_of(form) -> int | None:
    try:
        return int(form.version.data)
    except (TypeError, ValueError):
        return None


class ActionForm(FlaskForm):
    description = TextAreaField(
        "What the agency will do",
        filters=[strip_filter],
        validators=[DataRequired("Enter what the agency will do"), max_length(DESCRIPTION_MAX, "The description")],
    )
    owner_agency_id = SelectField(
        "Agency that owns the action", validators=[DataRequired("Choose the agency that owns the action")]
    )
    owner_user_id = SelectField("Named person", validators=[Optional()])
    priority = RadioField(
        "Priority",
        choices=enum_choices(Priority),
        default=Priority.MEDIUM.value,
        validators=[DataRequired("Choose a priority")],
    )
    # Choices are the case's meetings; the service refuses any other id (a forged one) with a clear message.
    meeting_id = SelectField("Agreed at a review meeting", validate_choice=False, validators=[Optional()])
    source_note = StringField(
        "Where else the action came from",
        filters=[strip_filter],
        validators=[Optional(), max_length(SOURCE_NOTE_MAX, "Where else the action came from")],
    )
    restricted = BooleanField("Restricted: only the owning agency, chairs and coordinators may read it")
    victim_visible = BooleanField("The victim may be told about this action")
    victim_wording = TextAreaField(
        "Plain-English wording for the victim",
        filters=[strip_filter],
        validators=[Optional(), max_length(DESCRIPTION_MAX, "The wording for the victim")],
    )
    version = _version_field()


class NewActionForm(ActionForm):
    due_on = DateInput("Due date", validators=[InputRequired("Enter the due date")])
    # Set when the form was opened from a recommendation ("Make this an action"): the action is linked to it.
    recommendation_id = HiddenField()


class DueDateForm(FlaskForm):
    due_on = DateInput("New due date", validators=[InputRequired("Enter the new due date")])
    reason = TextAreaField(
        "Why the due date is changing",
        filters=[strip_filter],
        validators=[DataRequired("Enter why the due date is changing"), max_length(REASON_MAX, "The reason")],
    )
    version = _version_field()


class UpdateForm(FlaskForm):
    note = TextAreaField(
        "Progress note",
        filters=[strip_filter],
        validators=[DataRequired("Enter a progress note"), max_length(UPDATE_NOTE_MAX, "The note")],
    )
    status = RadioField("Status", choices=enum_choices(ActionStatus), validators=[DataRequired("Choose a status")])
    reason = TextAreaField(
        "Reason (needed if the action could not be completed or is cancelled)",
        filters=[strip_filter],
        validators=[Optional(), max_length(REASON_MAX, "The reason")],
    )
    version = _version_field()


class PlanForm(FlaskForm):
    status = RadioField(
        "Plan status", choices=enum_choices(PlanStatus), validators=[DataRequired("Choose the plan's status")]
    )
    closed_reason = TextAreaField(
        "Why the plan is closed",
        filters=[strip_filter],
        validators=[Optional(), max_length(REASON_MAX, "The reason")],
    )
    victim_update_frequency = SelectField(
        "How often the victim wants updates",
        choices=[("", "Not recorded yet")] + enum_choices(UpdateFrequency),
        validators=[Optional()],
    )
    victim_update_method = SelectField(
        "How the victim wants updates",
        choices=[("", "Not recorded yet")] + enum_choices(ContactMethod),
        validators=[Optional()],
    )
    victim_consulted = BooleanField("The victim was consulted on the draft plan")
    victim_consulted_on = DateInput("Date the victim was consulted", validators=[Optional()])
