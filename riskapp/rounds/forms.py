"""The form that opens a reporting round."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import DateField, SelectMultipleField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional

from riskapp.fields import TranslatedForm
from riskapp.filters import SIZE_BAND_LABELS
from riskapp.rounds.targets import Criteria
from riskapp.templating import AREA_LEVEL_LABELS, VSIC_SECTIONS


def _choices(labels: dict) -> list[SelectChoice]:
    return [SelectChoice(value, label) for value, label in labels.items()]


class RoundForm(TranslatedForm):
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)])
    opens_on = DateField(_l("Open date"), validators=[DataRequired()])
    due_on = DateField(_l("Due date"), validators=[DataRequired()])
    closes_on = DateField(_l("Last day counted (optional)"), validators=[Optional()])
    area_ids = SelectMultipleField(_l("Areas or groupings"), coerce=int)
    levels = SelectMultipleField(_l("Epidemic levels"), coerce=int,
                                 choices=_choices(AREA_LEVEL_LABELS))
    industries = SelectMultipleField(_l("Industries"), choices=_choices(VSIC_SECTIONS))
    size_bands = SelectMultipleField(_l("Sizes"), choices=_choices(SIZE_BAND_LABELS))

    def setup(self, area_choices: list[tuple[int, str, int]]) -> RoundForm:
        """Offer the open areas of the province (id, name, depth)."""
        self.area_rows = area_choices
        self.area_ids.choices = [SelectChoice(area_id, name)
                                 for area_id, name, _depth in area_choices]
        return self

    def with_data(self, args) -> RoundForm:
        """The criteria read from query arguments (the live count), not from a post."""
        for field in self.criteria_fields():
            field.process(args)
        return self

    def criteria_fields(self) -> tuple:
        return self.area_ids, self.levels, self.industries, self.size_bands

    def criteria(self) -> Criteria:
        return Criteria(area_ids=tuple(self.area_ids.data or ()),
                        levels=tuple(self.levels.data or ()),
                        industries=tuple(self.industries.data or ()),
                        size_bands=tuple(self.size_bands.data or ()))
