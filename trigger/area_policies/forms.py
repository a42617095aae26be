from flask_wtf import FlaskForm
from wtforms import DateField, IntegerField, RadioField, StringField
from wtforms.validators import InputRequired, NumberRange, Optional

from trigger.domain.deadlines import MAX_WORKING_DAYS, MIN_WORKING_DAYS, DeadlineKind
from trigger.forms import max_length, strip_filter


class _DateField(DateField):
    """A date with a GOV.UK message for text that is not a date (WTForms says "Not a valid date value")."""

    def process_formdata(self, valuelist):
        if not "".join(valuelist or []).strip():
            self.data = None  # left empty: InputRequired says what to enter
            return
        try:
            super().process_formdata(valuelist)
        except ValueError:
            raise ValueError("Enter a real date, like 27 December 2026") from None


class ClosureDayForm(FlaskForm):
    day = _DateField("Date", validators=[InputRequired("Enter the date the offices are closed")])
    reason = StringField("Reason", filters=[strip_filter], validators=[Optional(), max_length(200, "The reason")])


class _WholeNumberField(IntegerField):
    """A whole number with GOV.UK messages naming the field instead of WTForms' "Not a valid integer value"."""

    def __init__(self, label: str, what: str, low: int, high: int, *, example: int = 2, **kwargs):
        self.what, self.example = what, example
        super().__init__(
            label,
            validators=[
                InputRequired(f"Enter {what}"),
                NumberRange(low, high, f"{what[0].upper()}{what[1:]} must be between {low} and {high}"),
            ],
            **kwargs,
        )

    def process_formdata(self, valuelist):
        if valuelist and valuelist[0].strip():
            try:
                self.data = int(valuelist[0].strip())
            except ValueError:
                self.data = None
                raise ValueError(
                    f"{self.what[0].upper()}{self.what[1:]} must be a whole number, like {self.example}"
                ) from None
        else:
            self.data = None


class WorkingDaysField(_WholeNumberField):
    """The number of working days a timescale allows for one deadline kind."""

    def __init__(self, label: str, kind: DeadlineKind, **kwargs):
        super().__init__(
            label,
            f"the number of working days to {kind.label.lower()}",
            MIN_WORKING_DAYS,
            MAX_WORKING_DAYS,
            example=10,
            **kwargs,
        )


class TimescaleForm(FlaskForm):
    acknowledge = WorkingDaysField("Acknowledge the application", DeadlineKind.ACKNOWLEDGE)
    information_gathered = WorkingDaysField("Gather information from the agencies", DeadlineKind.INFORMATION)
    threshold_decision = WorkingDaysField("Decide whether the threshold is met", DeadlineKind.THRESHOLD_DECISION)
    meeting_held = WorkingDaysField("Hold the case review meeting", DeadlineKind.MEETING)
    outcome_sent = WorkingDaysField("Send the outcome letter", DeadlineKind.OUTCOME)
    escalation_window = WorkingDaysField(
        "Ask for an escalation (the applicant's window)", DeadlineKind.ESCALATION_REQUEST
    )
    escalation_decided = WorkingDaysField("Decide the escalation", DeadlineKind.ESCALATION_DECISION)


_YES_NO = [("yes", "Yes"), ("no", "No")]


class LadderForm(FlaskForm):
    days_before = _WholeNumberField(
        "Remind the owner this many working days before the due date",
        "the number of working days before the due date",
        0,
        20,
    )
    on_the_day = RadioField(
        "Remind the owner on the day it is due",
        choices=_YES_NO,
        validators=[InputRequired("Choose whether to remind the owner on the day it is due")],
    )
    when_overdue = RadioField(
        "Remind the owner (and the agency's contact address) when it is overdue",
        choices=_YES_NO,
        validators=[InputRequired("Choose whether to remind the owner when it is overdue")],
    )
    escalate_after = _WholeNumberField(
        "Escalate to the chairs and the coordinator when overdue by this many working days",
        "the number of working days overdue before escalating",
        1,
        60,
    )
