"""Auditor forms: the list filters (GET) and the on-site finding."""

from __future__ import annotations

from datetime import date

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, RadioField, SelectField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from riskapp.models import Grade
from riskapp.templating import GRADE_LABELS, VSIC_SECTIONS


class FilterForm(FlaskForm):
    """Read from the query string; a filter that does not validate is ignored, and says so."""

    class Meta:
        csrf = False

    area = SelectField(_l("Area"), choices=[], validators=[Optional()], validate_choice=False)
    grade = SelectField(_l("Current grade"), validators=[Optional()])
    industry = SelectField(_l("Industry"), validators=[Optional()])
    date_from = DateField(_l("Assessed from"), validators=[Optional()])
    date_to = DateField(_l("Assessed until"), validators=[Optional()])

    def __init__(self, *args, area_choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.area.choices = [SelectChoice("", _l("All my areas"))] + [
            SelectChoice(value, label) for value, label in area_choices
        ]
        self.grade.choices = [SelectChoice("", _l("All grades"))] + [
            SelectChoice(g.value, GRADE_LABELS[g]) for g in Grade
        ]
        self.industry.choices = [SelectChoice("", _l("All industries"))] + [
            SelectChoice(letter, f"{letter} – {label}") for letter, label in VSIC_SECTIONS.items()
        ]

    def validate_date_to(self, field):
        if field.data and self.date_from.data and field.data < self.date_from.data:
            raise ValidationError(_l("The end date is before the start date."))


class FindingForm(FlaskForm):
    """The fixed part of a finding; the observed answers are read per item by the view."""

    visited_on = DateField(_l("Date of the visit"), validators=[DataRequired()], default=date.today)
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
        if field.data and field.data > date.today():
            raise ValidationError(_l("The visit date cannot be in the future."))
