"""Province forms: area level, import upload, checklist upload (filters: riskapp.filters)."""

from __future__ import annotations

from datetime import date

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import DateField, HiddenField, SelectField, StringField
from wtforms.validators import DataRequired, Length

from riskapp.fields import optional_int


class AreaLevelForm(FlaskForm):
    area_id = SelectField(_l("Area"), coerce=optional_int, validators=[DataRequired()])
    level = SelectField(_l("Epidemic level"), coerce=int, validators=[DataRequired()])
    effective_from = DateField(_l("Effective from"), default=date.today,
                               validators=[DataRequired()])
    note = StringField(_l("Note (decision number, reason)"), validators=[Length(max=500)])


class ImportForm(FlaskForm):
    file = FileField(_l("File (CSV or XLSX)"), validators=[
        FileRequired(_l("Choose a file.")),
        FileAllowed(["csv", "xlsx"], _l("Upload a .csv or .xlsx file.")),
    ])


class ImportApplyForm(FlaskForm):
    token = HiddenField(validators=[DataRequired()])
    filename = HiddenField()


class ChecklistUploadForm(FlaskForm):
    file = FileField(_l("Checklist definition (YAML)"), validators=[
        FileRequired(_l("Choose a file.")),
        FileAllowed(["yaml", "yml"], _l("Upload a .yaml file.")),
    ])
    active_from = DateField(_l("Active from"), default=date.today, validators=[DataRequired()])


class ChecklistActivateForm(FlaskForm):
    # The version is in the route (/checklists/<id>/activate), loaded within reach.
    active_from = DateField(_l("Active from"), default=date.today, validators=[DataRequired()])
