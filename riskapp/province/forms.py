"""Province forms: dashboard filters (GET), area level, import upload, checklist upload."""

from __future__ import annotations

from datetime import date

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import DateField, HiddenField, SelectField, StringField
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from riskapp.models import Grade
from riskapp.province.services import NO_GRADE, SIZE_BAND_LABELS, Filters


def _int_or_none(value):
    if value in (None, "", "None"):
        return None
    return int(value)


class FilterForm(FlaskForm):
    """The dashboard filters; read from the query string, so no CSRF token."""

    class Meta:
        csrf = False

    area_id = SelectField(_l("Area"), coerce=_int_or_none, validators=[Optional()],
                          validate_choice=True)
    industry = SelectField(_l("Industry"), validators=[Optional()])
    size_band = SelectField(_l("Size"), validators=[Optional()])
    grade = SelectField(_l("Final grade"), validators=[Optional()])
    date_from = DateField(_l("Assessed from"), validators=[Optional()])
    date_to = DateField(_l("Assessed until"), validators=[Optional()])

    def setup(self, area_choices, grade_label, industries) -> FilterForm:
        self.area_id.choices = [(None, _l("All areas"))] + area_choices
        self.industry.choices = [("", _l("All industries"))] + [
            (key, f"{key} · {label}") for key, label in industries.items()]
        self.size_band.choices = [("", _l("All sizes"))] + list(SIZE_BAND_LABELS.items())
        self.grade.choices = [("", _l("All grades"))] + [
            (g.value, grade_label(g)) for g in reversed(Grade)] + [(NO_GRADE, _l("not assessed"))]
        return self

    def validate_date_to(self, field) -> None:
        if field.data and self.date_from.data and field.data < self.date_from.data:
            raise ValidationError(_l("The end date is before the start date."))


def filters_from(form: FilterForm, args) -> Filters:
    """Filters from a validated form plus the drill-down arguments; bad values are left out."""
    def valid(name):
        field = getattr(form, name)
        return None if field.errors else (field.data or None)

    grade_values = {g.value for g in Grade}
    declared = args.get("declared") if args.get("declared") in grade_values else None
    audited = args.get("audited")
    audited = audited if audited in grade_values | {"any"} else None
    state = args.get("state") if args.get("state") in (
        "current", "overdue", "never", "unreported", "assessed") else None
    item = (args.get("item") or "").strip()[:40] or None
    return Filters(
        area_id=valid("area_id"), area_exact=args.get("area_exact") == "1",
        industry=valid("industry"), size_band=valid("size_band"), grade=valid("grade"),
        date_from=valid("date_from"), date_to=valid("date_to"), state=state, item=item,
        declared=declared, audited=audited, worsening=args.get("worsening") == "1",
    )


class AreaLevelForm(FlaskForm):
    area_id = SelectField(_l("Area"), coerce=_int_or_none, validators=[DataRequired()])
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
    version_id = HiddenField(validators=[DataRequired()])
    active_from = DateField(_l("Active from"), default=date.today, validators=[DataRequired()])
