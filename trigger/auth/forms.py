"""Forms for signing in and changing one's own password."""

from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, StringField
from wtforms.validators import DataRequired, EqualTo, Length


class LoginForm(FlaskForm):
    email = EmailField(
        "Email address",
        validators=[DataRequired("Enter your email address"), Length(max=254, message="Email address is too long")],
    )
    password = PasswordField(
        "Password",
        validators=[DataRequired("Enter your password"), Length(max=256, message="Password is too long")],
    )


class ChangePasswordForm(FlaskForm):
    current_password = PasswordField("Current password", validators=[DataRequired("Enter your current password")])
    new_password = PasswordField("New password", validators=[DataRequired("Enter a new password")])
    confirm_password = PasswordField(
        "Confirm new password",
        validators=[
            DataRequired("Confirm your new password"),
            EqualTo("new_password", message="The passwords do not match"),
        ],
    )


class NewPasswordForm(FlaskForm):
    """Choosing a password from an invitation or reset link (the rules are auth.passwords.password_problems)."""

    new_password = PasswordField("New password", validators=[DataRequired("Enter a new password")])
    confirm_password = PasswordField(
        "Confirm new password",
        validators=[
            DataRequired("Confirm your new password"),
            EqualTo("new_password", message="The passwords do not match"),
        ],
    )


class ForgottenPasswordForm(FlaskForm):
    email = EmailField(
        "Email address",
        validators=[DataRequired("Enter your email address"), Length(max=254, message="Email address is too long")],
    )


class CodeForm(FlaskForm):
    code = StringField(
        "Code",
        validators=[DataRequired("Enter the code"), Length(max=40, message="The code is too long")],
    )


class EmptyForm(FlaskForm):
    """A button that changes something: only the CSRF token."""


class PasskeyNameForm(FlaskForm):
    name = StringField(
        "Name for this passkey",
        validators=[Length(max=80, message="The name must be 80 characters or fewer")],
    )
