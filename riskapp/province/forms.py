"""Province forms: area level and level proposals, import upload, checklist upload (filters:
riskapp.filters)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import DateField, HiddenField, SelectField, StringField
from wtforms.validators import DataRequired, InputRequired, Length

from riskapp import clock
from riskapp.fields import TranslatedForm, optional_int

# The level form's first choice: every area of the province at once (a fresh province's
# communes all sit at the top; setting 166 levels one by one is not a way to start).
WHOLE_PROVINCE = 0


class AreaLevelForm(TranslatedForm):
    area_id = SelectField(_l("Area"), coerce=optional_int, validators=[InputRequired()])
    level = SelectField(_l("Epidemic level"), coerce=int, validators=[DataRequired()])
    effective_from = DateField(_l("Effective from"), default=clock.today,
                               validators=[DataRequired()])
    note = StringField(_l("Note (decision number, reason)"), validators=[Length(max=500)])


class ImportForm(TranslatedForm):
    file = FileField(_l("File (CSV or XLSX)"), validators=[
        FileRequired(_l("Choose a file.")),
        FileAllowed(["csv", "xlsx"], _l("Upload a .csv or .xlsx file.")),
    ])


class ImportApplyForm(TranslatedForm):
    token = HiddenField(validators=[DataRequired()])
    filename = HiddenField()


class ChecklistUploadForm(TranslatedForm):
    file = FileField(_l("Checklist definition (YAML)"), validators=[
        FileRequired(_l("Choose a file.")),
        FileAllowed(["yaml", "yml"], _l("Upload a .yaml file.")),
    ])
    active_from = DateField(_l("Active from"), default=clock.today, validators=[DataRequired()])


class ChecklistActivateForm(TranslatedForm):
    # The version is in the route (/checklists/<id>/activate), loaded within reach.
    active_from = DateField(_l("Active from"), default=clock.today, validators=[DataRequired()])


class LevelProposalForm(TranslatedForm):
    """An area admin's proposal: the area is one of theirs (the view checks it, 404)."""

    area_id = SelectField(_l("Area"), coerce=optional_int, validators=[InputRequired()])
    level = SelectField(_l("Epidemic level"), coerce=int, validators=[DataRequired()])
    effective_from = DateField(_l("Effective from"), default=clock.today,
                               validators=[DataRequired()])
    reason = StringField(_l("Reason"), validators=[DataRequired(), Length(max=500)])


class ProposalDecisionForm(TranslatedForm):
    note = StringField(_l("Note (required to reject)"), validators=[Length(max=500)])
