"""The province's retention periods (one whole number per kind, within its bounds) and the
erasure confirmation (the user's e-mail typed again)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import IntegerField, StringField
from wtforms.validators import InputRequired, NumberRange, ValidationError

from riskapp.fields import TranslatedForm
from riskapp.privacy.kinds import DAYS, KINDS

OUT_OF_RANGE = {
    DAYS: _l("Enter a whole number of days from %(min)s to %(max)s: below the minimum the "
             "province could not answer a complaint or an inspection, above the maximum the "
             "purpose no longer justifies keeping it."),
    "months": _l("Enter a whole number of months from %(min)s to %(max)s: below the minimum the "
                 "province could not answer a complaint or an inspection, above the maximum the "
                 "purpose no longer justifies keeping it."),
}


class RetentionForm(TranslatedForm):
    """One field per kind of personal data (riskapp/privacy/kinds.py), named by its code."""

    def periods(self) -> dict[str, int]:
        return {kind.code: self[kind.code].data for kind in KINDS}


for _kind in KINDS:
    setattr(RetentionForm, _kind.code, IntegerField(_kind.label, validators=[
        InputRequired(), NumberRange(_kind.minimum, _kind.maximum,
                                     message=OUT_OF_RANGE[_kind.unit])]))


class EraseForm(TranslatedForm):
    email = StringField(_l("Type the user's e-mail address to confirm"),
                        validators=[InputRequired()])

    def __init__(self, *args, expected: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.expected = expected

    def validate_email(self, field) -> None:
        if (field.data or "").strip().casefold() != self.expected.casefold():
            raise ValidationError(_l("This is not the user's e-mail address: nothing was "
                                     "erased."))
