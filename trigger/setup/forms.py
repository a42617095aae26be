from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, StringField
from wtforms.validators import DataRequired, Email, EqualTo

from trigger.forms import max_length, strip_filter


class SetupForm(FlaskForm):
    org_name = StringField(
        "Name of your partnership or organisation",
        filters=[strip_filter],
        validators=[DataRequired("Enter the name of your partnership"), max_length(200, "The name")],
    )
    name = StringField(
        "Your full name",
        filters=[strip_filter],
        validators=[DataRequired("Enter your full name"), max_length(120, "Your name")],
    )
    email = EmailField(
        "Your email address",
        filters=[strip_filter],
        validators=[
            DataRequired("Enter your email address"),
            Email("Enter an email address in the correct format, like name@example.org", check_deliverability=False),
            max_length(254, "Email address"),
        ],
    )
    password = PasswordField("Choose a password", validators=[DataRequired("Enter a password")])
    confirm_password = PasswordField(
        "Confirm the password",
        validators=[DataRequired("Confirm the password"), EqualTo("password", message="The passwords do not match")],
    )
