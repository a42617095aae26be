"""Forms for the risk questionnaire (administrators) and for assessing a case (one yes/no per question)."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, IntegerField, RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, NumberRange, Optional

from trigger.domain.risk import MAX_WEIGHT
from trigger.forms import enum_choices, max_length, strip_filter
from trigger.models import RiskCategory
from trigger.models.risk import NOTES_MAX, QUESTION_MAX

YES_NO = [("yes", "Yes"), ("no", "No")]


class QuestionForm(FlaskForm):
    text = StringField(
        "Question",
        filters=[strip_filter],
        validators=[DataRequired("Enter the question"), max_length(QUESTION_MAX, "The question")],
    )
    category = SelectField(
        "Kind of risk",
        choices=[("", "Choose the kind of risk")] + enum_choices(RiskCategory),
        validators=[DataRequired("Choose the kind of risk the question is about")],
    )
    weight = IntegerField(
        "Score for “yes”",
        validators=[
            InputRequired("Enter the score a “yes” adds"),
            NumberRange(0, MAX_WEIGHT, f"The score must be between 0 and {MAX_WEIGHT}"),
        ],
    )
    position = IntegerField(
        "Position in the list", validators=[Optional(), NumberRange(0, 1000, "The position must be between 0 and 1000")]
    )
    active = BooleanField("Active (asked in new assessments)", default=True)


class _AssessmentBase(FlaskForm):
    notes = TextAreaField("Notes", filters=[strip_filter], validators=[Optional(), max_length(NOTES_MAX, "The notes")])


def assessment_form(questions, formdata=None):
    """A form with one yes/no question per active risk question, named q_<id>."""

    class AssessmentForm(_AssessmentBase):
        pass

    for question in questions:
        setattr(
            AssessmentForm,
            f"q_{question.id}",
            RadioField(
                question.text,
                choices=YES_NO,
                validators=[DataRequired(f"Answer yes or no: {question.text}")],
            ),
        )
    return AssessmentForm() if formdata is None else AssessmentForm(formdata=formdata)


def answers_of(form, questions) -> dict[int, bool | None]:
    values = {}
    for question in questions:
        data = getattr(form, f"q_{question.id}").data
        values[question.id] = True if data == "yes" else False if data == "no" else None
    return values
