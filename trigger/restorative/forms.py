"""Forms for the restorative pathway. Choices that depend on the referral are filled in by the routes."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, IntegerField, RadioField, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, NumberRange, Optional

from trigger.domain.restorative import ClosingOutcome, ParticipantRole, ProcessKind
from trigger.forms import DateInput, TimeInput, enum_choices, max_length, strip_filter
from trigger.models.restorative import QUESTION_MAX, TEXT_MAX, ContactKind, ItemKind, ItemStatus, VictimAnswer

YES_NO = [("yes", "Yes"), ("no", "No")]
YES_PARTLY_NO = [("yes", "Yes"), ("partly", "Partly"), ("no", "No")]
RECOMMEND = [(str(n), str(n)) for n in range(1, 6)]


def _notes(label: str, what: str):
    return TextAreaField(label, filters=[strip_filter], validators=[Optional(), max_length(TEXT_MAX, what)])


class ReferralForm(FlaskForm):
    agency_id = SelectField(
        "Restorative justice service",
        choices=[],
        validate_choice=False,
        validators=[DataRequired("Choose the restorative justice service")],
    )
    reason = TextAreaField(
        "Why is the case referred?",
        filters=[strip_filter],
        validators=[
            DataRequired("Enter why the case is referred for restorative justice"),
            max_length(TEXT_MAX, "The reason"),
        ],
    )
    action_id = SelectField("Is the referral an action of the plan?", choices=[], validate_choice=False)
    include_applicant = BooleanField("Refer the applicant (the person harmed)", default=True)
    other_harmed = TextAreaField(
        "Other people harmed", filters=[strip_filter], validators=[Optional(), max_length(2000, "The names")]
    )
    perpetrator_ids = SelectMultipleField("People responsible", choices=[], validate_choice=False)
    neighbours = TextAreaField(
        "Other affected neighbours", filters=[strip_filter], validators=[Optional(), max_length(2000, "The names")]
    )


class ParticipantForm(FlaskForm):
    role = RadioField(
        "Who is this person?",
        choices=enum_choices(ParticipantRole),
        validators=[DataRequired("Choose who this person is")],
    )
    name = StringField("Name", filters=[strip_filter], validators=[Optional(), max_length(120, "The name")])
    perpetrator_id = SelectField("Person responsible (from the case)", choices=[], validate_choice=False)
    supporter = StringField(
        "Supporter", filters=[strip_filter], validators=[Optional(), max_length(200, "The supporter")]
    )


class ToldForm(FlaskForm):
    told_on = DateInput("Date the victim was told", validators=[InputRequired("Enter the date the victim was told")])
    how = RadioField(
        "How were they told?",
        choices=enum_choices(ContactKind),
        validators=[DataRequired("Choose how the victim was told")],
    )
    answer = RadioField(
        "Their answer", choices=enum_choices(VictimAnswer), validators=[DataRequired("Choose the victim's answer")]
    )


class QuestionForm(FlaskForm):
    text = StringField(
        "Question",
        filters=[strip_filter],
        validators=[DataRequired("Enter the question"), max_length(QUESTION_MAX, "The question")],
    )
    concern_if_yes = RadioField(
        "Which answer is a concern?",
        choices=[("yes", "“Yes” is a concern"), ("no", "“No” is a concern")],
        validators=[DataRequired("Choose which answer is a concern")],
    )
    position = IntegerField(
        "Position in the list", validators=[Optional(), NumberRange(0, 1000, "The position must be between 0 and 1000")]
    )
    active = BooleanField("Active (asked in new assessments)", default=True)


class _AssessmentBase(FlaskForm):
    suitable = RadioField(
        "Is restorative justice suitable?",
        choices=[("yes", "Suitable"), ("no", "Not suitable")],
        validators=[DataRequired("Choose whether restorative justice is suitable")],
    )
    reason = _notes("Reason (needed when not suitable)", "The reason")


def assessment_form(questions):
    class AssessmentForm(_AssessmentBase):
        pass

    for question in questions:
        setattr(
            AssessmentForm,
            f"q_{question.id}",
            RadioField(question.text, choices=YES_NO, validators=[DataRequired(f"Answer yes or no: {question.text}")]),
        )
    return AssessmentForm()


class ConsentForm(FlaskForm):
    participant_id = SelectField(
        "Participant", choices=[], validate_choice=False, validators=[DataRequired("Choose who gave consent")]
    )
    given_on = DateInput("Date consent was given", validators=[InputRequired("Enter the date consent was given")])
    how = RadioField(
        "How was consent given?",
        choices=enum_choices(ContactKind),
        validators=[DataRequired("Choose how consent was given")],
    )


class WithdrawForm(FlaskForm):
    participant_id = SelectField(
        "Participant", choices=[], validate_choice=False, validators=[DataRequired("Choose who withdrew their consent")]
    )
    withdrawn_on = DateInput(
        "Date consent was withdrawn", validators=[InputRequired("Enter the date consent was withdrawn")]
    )


class FacilitatorForm(FlaskForm):
    user_id = SelectField(
        "Facilitator", choices=[], validate_choice=False, validators=[DataRequired("Choose a facilitator")]
    )


class PreparationForm(FlaskForm):
    participant_id = SelectField(
        "Participant", choices=[], validate_choice=False, validators=[DataRequired("Choose who the contact was with")]
    )
    contact_on = DateInput("Date of the contact", validators=[InputRequired("Enter the date of the contact")])
    kind = RadioField(
        "Kind of contact", choices=enum_choices(ContactKind), validators=[DataRequired("Choose the kind of contact")]
    )
    notes = _notes("Preparation notes", "The notes")


class ProcessForm(FlaskForm):
    kind = RadioField(
        "Kind of process", choices=enum_choices(ProcessKind), validators=[DataRequired("Choose the kind of process")]
    )


class BookingForm(FlaskForm):
    day = DateInput("Date", validators=[InputRequired("Enter the date of the conference")])
    start = TimeInput("Start time", validators=[InputRequired("Enter the start time")])
    end = TimeInput("End time", validators=[InputRequired("Enter the end time")])
    place = StringField("Place", filters=[strip_filter], validators=[Optional(), max_length(300, "The place")])
    virtual_link = StringField(
        "Link to join", filters=[strip_filter], validators=[Optional(), max_length(500, "The link")]
    )
    chair_id = SelectField("Chair", choices=[], validate_choice=False, validators=[DataRequired("Choose the chair")])


class HeldForm(FlaskForm):
    held_on = DateInput("Date it took place", validators=[InputRequired("Enter the date it took place")])


class ItemForm(FlaskForm):
    kind = RadioField(
        "Kind of item", choices=enum_choices(ItemKind), validators=[DataRequired("Choose the kind of item")]
    )
    responsible = StringField(
        "Person responsible for this item",
        filters=[strip_filter],
        validators=[DataRequired("Enter who is responsible for this item"), max_length(120, "The name")],
    )
    what = TextAreaField(
        "What they will do",
        filters=[strip_filter],
        validators=[DataRequired("Enter what the person responsible agreed to do"), max_length(TEXT_MAX, "The item")],
    )
    victim_wording = _notes("Wording for the victim's copy", "The wording")
    due_on = DateInput("Due by", validators=[InputRequired("Enter the date it is due by")])


class ProgressForm(FlaskForm):
    status = RadioField("Status", choices=enum_choices(ItemStatus), validators=[DataRequired("Choose the status")])
    progress = _notes("Progress", "The progress")


class FollowUpForm(FlaskForm):
    done_on = DateInput("Date of the check", validators=[InputRequired("Enter the date of the check")])
    notes = _notes("What was found", "The notes")


class CloseForm(FlaskForm):
    outcome = RadioField(
        "How did it end?",
        choices=enum_choices(ClosingOutcome),
        validators=[DataRequired("Choose how the pathway ended")],
    )
    closed_on = DateInput("Date closed", validators=[InputRequired("Enter the date")])


class FeedbackLinkForm(FlaskForm):
    participant_id = SelectField(
        "Participant", choices=[], validate_choice=False, validators=[DataRequired("Choose who the link is for")]
    )


class FeedbackForm(FlaskForm):
    felt_heard = RadioField(
        "Did you feel heard?", choices=YES_PARTLY_NO, validators=[DataRequired("Choose whether you felt heard")]
    )
    helped = RadioField("Did it help?", choices=YES_PARTLY_NO, validators=[DataRequired("Choose whether it helped")])
    recommend = RadioField(
        "Would you recommend it to someone in your situation? (1 not at all, 5 certainly)",
        choices=RECOMMEND,
        validators=[DataRequired("Choose a number from 1 to 5")],
    )
    comments = _notes("Anything else you want to tell us", "Your comments")


class PhoneFeedbackForm(FeedbackForm):
    participant_id = SelectField(
        "Participant", choices=[], validate_choice=False, validators=[DataRequired("Choose who gave the feedback")]
    )


class FiguresForm(FlaskForm):
    class Meta:
        csrf = False

    area_id = SelectField("Area", choices=[], validate_choice=False)
    start = DateInput("From")
    end = DateInput("To")
