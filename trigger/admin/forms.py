from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    EmailField,
    PasswordField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Email, Optional

from trigger.domain.workdays import Nation
from trigger.forms import DateInput, enum_choices, max_length, strip_filter
from trigger.models import AgencyType, ProcessName, Role

NATION_CHOICES = [
    (Nation.ENGLAND_AND_WALES.value, "England and Wales"),
    (Nation.SCOTLAND.value, "Scotland"),
    (Nation.NORTHERN_IRELAND.value, "Northern Ireland"),
]


def _email(required_message: str | None):
    validators = [DataRequired(required_message)] if required_message else [Optional()]
    return validators + [
        Email("Enter an email address in the correct format, like name@example.org", check_deliverability=False),
        max_length(254, "Email address"),
    ]


class OrganisationForm(FlaskForm):
    name = StringField(
        "Name", filters=[strip_filter], validators=[DataRequired("Enter the name"), max_length(200, "The name")]
    )
    address = TextAreaField(
        "Postal address for letters", filters=[strip_filter], validators=[Optional(), max_length(500, "The address")]
    )
    contact_email = EmailField("Contact email for applicants", filters=[strip_filter], validators=_email(None))
    contact_phone = StringField(
        "Contact telephone for applicants",
        filters=[strip_filter],
        validators=[Optional(), max_length(40, "The telephone number")],
    )
    process_name = RadioField(
        "Name used in letters",
        choices=[(p.value, p.label) for p in ProcessName],
        validators=[DataRequired("Choose the name used in letters")],
    )
    two_factor_roles = SelectMultipleField(
        "Roles that must sign in with two-factor authentication",
        choices=[(role.value, role.label) for role in Role],
        validators=[Optional()],
    )


class AreaForm(FlaskForm):
    name = StringField(
        "Name", filters=[strip_filter], validators=[DataRequired("Enter the area's name"), max_length(120, "The name")]
    )
    nation = RadioField(
        "Nation (decides the bank holidays)",
        choices=NATION_CHOICES,
        validators=[DataRequired("Choose the nation the area is in")],
    )
    active = BooleanField("Active (new applications can be made in this area)", default=True)


class AgencyForm(FlaskForm):
    name = StringField(
        "Name",
        filters=[strip_filter],
        validators=[DataRequired("Enter the agency's name"), max_length(160, "The name")],
    )
    agency_type = SelectField(
        "Type of agency",
        choices=[("", "Choose a type")] + enum_choices(AgencyType),
        validators=[DataRequired("Choose the type of agency")],
    )
    contact_email = EmailField("Shared contact email", filters=[strip_filter], validators=_email(None))
    active = BooleanField("Active (can be invited and own actions)", default=True)
    sso_provider_name = StringField(
        "Sign-in provider's name",
        filters=[strip_filter],
        validators=[Optional(), max_length(80, "The provider's name")],
    )
    sso_issuer = StringField(
        "Issuer address (OpenID Connect)",
        filters=[strip_filter],
        validators=[Optional(), max_length(300, "The issuer address")],
    )
    sso_client_id = StringField(
        "Client ID", filters=[strip_filter], validators=[Optional(), max_length(200, "The client ID")]
    )
    sso_client_secret = PasswordField("Client secret", validators=[Optional(), max_length(500, "The client secret")])
    sso_email_domains = StringField(
        "Email domains that may use it",
        filters=[strip_filter],
        validators=[Optional(), max_length(500, "The email domains")],
    )
    local_passwords = BooleanField("People at this agency may also sign in with a Trigger password", default=True)


class UserForm(FlaskForm):
    name = StringField(
        "Full name",
        filters=[strip_filter],
        validators=[DataRequired("Enter the person's full name"), max_length(120, "The name")],
    )
    email = EmailField("Email address", filters=[strip_filter], validators=_email("Enter the email address"))
    role = RadioField("Role", choices=enum_choices(Role), validators=[DataRequired("Choose a role")])
    agency_id = SelectField("Agency", coerce=str, validators=[Optional()])
    active = BooleanField("Active (can sign in)", default=True)


class ConfirmForm(FlaskForm):
    """An empty form: its CSRF token is what makes a confirmation button safe."""


class AuditSearchForm(FlaskForm):
    """The audit trail's filters, read from the query string (a search changes nothing: no CSRF token)."""

    class Meta:
        csrf = False

    person = StringField(
        "Person",
        filters=[strip_filter],
        validators=[Optional(), max_length(300, "The person")],
        description="Part of a name or email address, or “system”",
    )
    case_reference = StringField(
        "Case reference",
        filters=[strip_filter],
        validators=[Optional(), max_length(20, "The case reference")],
        description="For example, ASB-2026-0001",
    )
    record_type = StringField(
        "Record type",
        filters=[strip_filter],
        validators=[Optional(), max_length(40, "The record type")],
        description="For example, case, action, meeting, user or area",
    )
    record_id = StringField(
        "Record number",
        filters=[strip_filter],
        validators=[Optional(), max_length(12, "The record number")],
        description="With a record type: one record",
    )
    action = StringField(
        "Action",
        filters=[strip_filter],
        validators=[Optional(), max_length(80, "The action")],
        description="For example, login, user.updated or agency",
    )
    date_from = DateInput(
        "From", validators=[Optional()], invalid="Enter the ‘from’ date as a real date, for example 2026-03-27"
    )
    date_to = DateInput(
        "To", validators=[Optional()], invalid="Enter the ‘to’ date as a real date, for example 2026-03-27"
    )
