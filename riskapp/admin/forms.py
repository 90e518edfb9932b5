"""Forms of the administration area."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import EmailField, SearchField, SelectField, SelectMultipleField, StringField
from wtforms.validators import DataRequired, Email, Length, Optional, ValidationError

from riskapp import clock
from riskapp.admin.services import areas_required_message, invitable_roles
from riskapp.fields import TranslatedForm, optional_int
from riskapp.models import Role
from riskapp.search import MAX_QUERY_LENGTH
from riskapp.templating import ROLE_LABELS


class ProvinceForm(TranslatedForm):
    # One of the official list (the view fills the choices); the service refuses any other code.
    code = SelectField(_l("Province (official list)"), validators=[DataRequired()],
                       validate_choice=False)
    email = EmailField(_l("First province admin's e-mail"),
                       validators=[DataRequired(), Email(), Length(max=255)])
    admin_name = StringField(_l("First province admin's name"),
                             validators=[DataRequired(), Length(max=255)])
    # Its "today", due dates and shown times; empty means Vietnam's (checked by the service).
    timezone = StringField(_l("Time zone"), default=clock.DEFAULT_TIMEZONE,
                           validators=[Optional(), Length(max=64)])


class ProvinceAdminForm(TranslatedForm):
    email = EmailField(_l("E-mail"), validators=[DataRequired(), Email(), Length(max=255)])
    admin_name = StringField(_l("Full name"), validators=[DataRequired(), Length(max=255)])


class InviteForm(TranslatedForm):
    role = SelectField(_l("Role"), validators=[DataRequired()])
    email = EmailField(_l("E-mail"), validators=[DataRequired(), Email(), Length(max=255)])
    name = StringField(_l("Full name"), validators=[DataRequired(), Length(max=255)])
    # A search, then a radio button per match (templates/admin/invite.html); the service checks
    # the chosen id is in reach (404).
    enterprise_q = SearchField(_l("Find it by name or tax code"),
                               validators=[Optional(), Length(max=MAX_QUERY_LENGTH)])
    enterprise_id = SelectField(_l("Enterprise (officers)"), coerce=optional_int,
                                validators=[Optional()], validate_choice=False)
    # Choices are the province's areas; the view fills them, the service checks each one (404).
    area_ids = SelectMultipleField(_l("Areas (auditors, commune/ward staff)"), coerce=int,
                                   validate_choice=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Only the roles this manager may give (an area admin: no province role).
        self.role.choices = [(r.value, str(ROLE_LABELS[r])) for r in invitable_roles()]

    def validate_enterprise_id(self, field) -> None:
        if self.role.data == Role.OFFICER.value and not field.data:
            raise ValidationError(_l("Choose the officer's enterprise."))

    def validate_area_ids(self, field) -> None:
        role = Role(self.role.data) if self.role.data in set(Role) else None
        if role is not None and role.has_areas and not field.data:
            raise ValidationError(areas_required_message(role))


class UserAreasForm(TranslatedForm):
    """The areas of an auditor or a commune/ward staff member."""

    area_ids = SelectMultipleField(_l("Areas"), coerce=int, validate_choice=False)

    def __init__(self, *args, role: Role | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.for_role = role

    def validate_area_ids(self, field) -> None:
        if not field.data:
            raise ValidationError(areas_required_message(self.for_role))


class ConfirmForm(TranslatedForm):
    """A button-only form (CSRF token only)."""
