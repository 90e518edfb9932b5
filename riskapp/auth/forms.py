"""Login, invitation and password forms."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, EmailField, PasswordField, StringField
from wtforms.validators import DataRequired, EqualTo, Length, ValidationError

from riskapp.auth.services import password_problem
from riskapp.fields import TranslatedForm


class LoginForm(TranslatedForm):
    email = EmailField(_l("E-mail"), validators=[DataRequired(), Length(max=255)])
    password = PasswordField(_l("Password"), validators=[DataRequired()])


class ForgotPasswordForm(TranslatedForm):
    email = EmailField(_l("E-mail"), validators=[DataRequired(), Length(max=255)])


def _check_policy(_form, field) -> None:
    problem = password_problem(field.data or "")
    if problem:
        raise ValidationError(problem)


class SetPasswordForm(TranslatedForm):
    password = PasswordField(_l("New password"), validators=[DataRequired(), _check_policy])
    confirm = PasswordField(
        _l("Repeat the password"),
        validators=[DataRequired(), EqualTo("password", message=_l("The passwords differ."))],
    )


class ChangePasswordForm(SetPasswordForm):
    # Asked again so that a hijacked session cannot take the account over.
    current_password = PasswordField(_l("Current password"), validators=[DataRequired()])


_CONSENT_LABEL = _l("I have read the privacy notice and agree that riskapp keeps my data as it "
                    "describes.")
_CONSENT_REFUSED = _l("Tick the box to agree to the privacy notice. Without your agreement the "
                      "account stays inactive; ask the person who invited you if you have "
                      "questions.")


class AcceptInviteForm(SetPasswordForm):
    name = StringField(_l("Your full name"), validators=[DataRequired(), Length(max=255)])
    consent = BooleanField(_CONSENT_LABEL, validators=[DataRequired(message=_CONSENT_REFUSED)])


class ConsentForm(TranslatedForm):
    consent = BooleanField(_CONSENT_LABEL, validators=[
        DataRequired(message=_l("Tick the box to agree, or choose “Later”."))])
