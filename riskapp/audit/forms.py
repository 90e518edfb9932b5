"""Auditor forms: the on-site finding (the list filters are riskapp.filters.FilterForm)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import DateField, RadioField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from riskapp import clock
from riskapp.fields import TranslatedForm


class FindingForm(TranslatedForm):
    """The fixed part of a finding; the observed answers are read per item by the view."""

    visited_on = DateField(_l("Date of the visit"), validators=[DataRequired()],
                           default=clock.today)
    outcome = RadioField(
        _l("What did you observe?"),
        choices=[
            SelectChoice("confirmed", _l("Everything as declared")),
            SelectChoice("differs", _l("Some items differ (give what you observed below)")),
        ],
        validators=[DataRequired()],
        default="confirmed",
    )
    note = TextAreaField(_l("Note"), validators=[Optional(), Length(max=4000)])

    def validate_visited_on(self, field):
        if field.data and field.data > clock.today():
            raise ValidationError(_l("The visit date cannot be in the future."))
