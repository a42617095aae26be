"""Forms of the governance pages."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import IntegerField, StringField, TextAreaField
from wtforms.validators import DataRequired, NumberRange

from trigger.domain import retention as rules
from trigger.forms import max_length, strip_filter

_YEARS_MESSAGE = (
    f"The retention period must be a whole number of years between {rules.MIN_RETENTION_YEARS} "
    f"and {rules.MAX_RETENTION_YEARS}"
)


class _Years(IntegerField):
    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError:
            raise ValueError(_YEARS_MESSAGE) from None


class RetentionForm(FlaskForm):
    retention_years = _Years(
        "Years after a case is closed",
        validators=[
            DataRequired(_YEARS_MESSAGE),
            NumberRange(rules.MIN_RETENTION_YEARS, rules.MAX_RETENTION_YEARS, _YEARS_MESSAGE),
        ],
    )


class HoldForm(FlaskForm):
    reason = TextAreaField(
        "Reason", filters=[strip_filter], validators=[DataRequired("Enter the reason"), max_length(2000, "The reason")]
    )


class SubjectSearchForm(FlaskForm):
    class Meta:
        csrf = False  # a search changes nothing: GET, bookmarkable

    q = StringField(
        "Name or email address",
        filters=[strip_filter],
        validators=[DataRequired("Enter a name or email address to search for"), max_length(120, "The search")],
    )


def notice_form_class(kind: str) -> type[FlaskForm]:
    """A form with one text area per required section of the notice (and, for the accessibility statement,
    the dates it was prepared and last reviewed)."""
    from wtforms.validators import InputRequired, Optional, ValidationError

    from trigger.forms import DateInput
    from trigger.governance.notices import DATE_FIELDS, KINDS, MAX_SECTION

    class NoticeForm(FlaskForm):
        pass

    for section in KINDS[kind][1]:
        setattr(
            NoticeForm,
            section.key,
            TextAreaField(
                section.heading,
                filters=[strip_filter],
                description=section.hint,
                validators=[
                    DataRequired(f"Enter the text of “{section.heading}”"),
                    max_length(MAX_SECTION, f"“{section.heading}”"),
                ],
            ),
        )
    for key, label in DATE_FIELDS.get(kind, ()):
        required = key == "prepared_on"
        setattr(
            NoticeForm,
            key,
            DateInput(
                label,
                validators=[
                    InputRequired(f"Enter the date the statement was prepared, like {_example()}")
                    if required
                    else Optional()
                ],
            ),
        )
    if kind == "accessibility":

        def validate_reviewed_on(form, field):
            if field.data and form.prepared_on.data and field.data < form.prepared_on.data:
                raise ValidationError("The review date must be on or after the date the statement was prepared")

        NoticeForm.validate_reviewed_on = validate_reviewed_on
    return NoticeForm


def _example() -> str:
    return "2026-09-23"


class ExportForm(FlaskForm):
    """The chosen candidate (a radio button per match); its CSRF token guards the audited export."""

    subject = StringField("Person", validators=[DataRequired("Choose the person whose information to export")])
