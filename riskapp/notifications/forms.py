"""The notification preferences form: a phone number, quiet hours, channels per kind."""

from __future__ import annotations

from flask import request
from flask_babel import lazy_gettext as _l
from wtforms import StringField, TimeField
from wtforms.validators import Optional, ValidationError

from riskapp.fields import TranslatedForm
from riskapp.notifications import phone as phones
from riskapp.notifications.kinds import CHANNELS, INAPP, KINDS


class PreferencesForm(TranslatedForm):
    phone = StringField(_l("Mobile phone (for SMS and Zalo)"), validators=[Optional()])
    quiet_start = TimeField(_l("Quiet hours from"), validators=[Optional()])
    quiet_end = TimeField(_l("until"), validators=[Optional()])

    def validate_phone(self, field) -> None:
        try:
            phones.normalise(field.data)
        except phones.InvalidPhone as error:
            raise ValidationError(str(error)) from error

    def phone_number(self) -> str | None:
        """The number in international form (after validation), or None when left empty."""
        return phones.normalise(self.phone.data)

    def validate_quiet_end(self, field) -> None:
        if (self.quiet_start.data is None) != (field.data is None):
            raise ValidationError(_l("Give both the start and the end of the quiet hours."))

    def chosen(self) -> dict[str, list[str]]:
        """{kind: [channel, …]} from the checkboxes named "<kind>:<channel>"."""
        picked = set(request.form.getlist("channels"))
        return {kind: [channel for channel in CHANNELS
                       if channel == INAPP or f"{kind}:{channel}" in picked] for kind in KINDS}
