"""The forms that maintain a province's areas and groupings (riskapp.province.area_views)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from wtforms import DateField, SelectField, SelectMultipleField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional

from riskapp import clock, territory
from riskapp.db import db
from riskapp.fields import TranslatedForm, optional_int
from riskapp.models import Area, AreaKind, Enterprise

KIND_LABELS = {
    AreaKind.COMMUNE: _l("Commune"),
    AreaKind.WARD: _l("Ward"),
    AreaKind.ZONE: _l("Special zone"),
    AreaKind.GROUP: _l("Grouping"),
}
KINDS = [SelectChoice(k.value, label) for k, label in KIND_LABELS.items()]
UNIT_KINDS = [c for c in KINDS if c.value != AreaKind.GROUP]


def _effective() -> DateField:
    return DateField(_l("Effective from"), default=clock.today, validators=[DataRequired()])


class AddAreaForm(TranslatedForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=120)])
    code = StringField(_l("Official code (optional)"), validators=[Optional(), Length(max=20)])
    kind = SelectField(_l("Kind"), choices=KINDS, default=AreaKind.COMMUNE,
                       coerce=AreaKind)
    group_id = SelectField(_l("Grouping (optional)"), coerce=optional_int)
    valid_from = _effective()


class RenameAreaForm(TranslatedForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=120)])
    code = StringField(_l("Official code"), validators=[Optional(), Length(max=20)])
    effective_from = _effective()


class MoveAreaForm(TranslatedForm):
    group_id = SelectField(_l("Grouping"), coerce=optional_int)
    effective_from = _effective()


class CloseAreaForm(TranslatedForm):
    effective_from = _effective()


class MergeAreasForm(TranslatedForm):
    area_ids = SelectMultipleField(_l("Areas to merge"), coerce=int,
                                   validators=[DataRequired()])
    name = StringField(_l("Name of the area they become"),
                       validators=[DataRequired(), Length(max=120)])
    kind = SelectField(_l("Kind"), choices=UNIT_KINDS, default=AreaKind.COMMUNE, coerce=AreaKind)
    group_id = SelectField(_l("Grouping (optional)"), coerce=optional_int)
    effective_from = _effective()


class SplitAreaForm(TranslatedForm):
    part_1 = StringField(_l("New area 1"), validators=[DataRequired(), Length(max=120)])
    part_2 = StringField(_l("New area 2"), validators=[DataRequired(), Length(max=120)])
    part_3 = StringField(_l("New area 3 (optional)"), validators=[Optional(), Length(max=120)])
    effective_from = _effective()

    PARTS = ("part_1", "part_2", "part_3")

    def parts(self) -> list[str]:
        return [getattr(self, name).data or "" for name in self.PARTS]

    def assignment(self, enterprises: list[Enterprise]) -> dict[int, int]:
        """Enterprise id → index of the new area chosen for it (unchosen ones left out)."""
        chosen = {e.id: getattr(self, f"enterprise_{e.id}").data for e in enterprises}
        return {e_id: index for e_id, index in chosen.items() if index is not None}


def split_form(enterprises: list[Enterprise]) -> SplitAreaForm:
    """The split form with one select per enterprise of the area (which new area it goes to)."""
    choices = [SelectChoice(None, "—")] + [SelectChoice(i, _l("New area %(n)s", n=i + 1))
                                          for i in range(3)]

    class Form(SplitAreaForm):
        pass

    for enterprise in enterprises:
        setattr(Form, f"enterprise_{enterprise.id}",
                SelectField(f"{enterprise.name} ({enterprise.tax_code})", choices=choices,
                            coerce=optional_int))
    return Form()


def area_enterprises(area: Area) -> list[Enterprise]:
    return list(db.session.scalars(select(Enterprise).where(Enterprise.area_id == area.id)
                                   .order_by(Enterprise.name, Enterprise.id)))


def grouping_choices(province_id: int, top: str) -> list[tuple[int | None, str]]:
    """The open groupings of the province, after the `top` choice (no grouping)."""
    tree = territory.area_tree(province_id)
    groups = set(db.session.scalars(select(Area.id).where(
        Area.province_id == province_id, Area.kind == AreaKind.GROUP)))
    return [(None, top)] + [(a, "\u2003" * depth + tree.names[a])
                            for a, depth in territory.picker_rows(province_id)
                            if a in groups]


def unit_choices(province_id: int) -> list[tuple[int, str]]:
    """The open areas that can be merged (groupings are closed, not merged)."""
    tree = territory.area_tree(province_id)
    groups = set(db.session.scalars(select(Area.id).where(
        Area.province_id == province_id, Area.kind == AreaKind.GROUP)))
    return [(a, tree.path(a)) for a, _depth in territory.picker_rows(province_id)
            if a not in groups]


# The areas page holds the level form too: prefixes keep every field's id unique on the page.
ADD_PREFIX, MERGE_PREFIX = "add", "merge"


def add_form(province_id: int) -> AddAreaForm:
    form = AddAreaForm(prefix=ADD_PREFIX)
    form.group_id.choices = grouping_choices(province_id, str(_l("None (directly under the "
                                                                   "province)")))
    return form


def merge_form(province_id: int) -> MergeAreasForm:
    form = MergeAreasForm(prefix=MERGE_PREFIX)
    form.area_ids.choices = unit_choices(province_id)
    form.group_id.choices = grouping_choices(province_id, str(_l("None (directly under the "
                                                                   "province)")))
    return form


def move_form(area: Area) -> MoveAreaForm:
    form = MoveAreaForm(group_id=area.parent_id)
    choices = grouping_choices(area.province_id, str(_l("At the top of the province")))
    form.group_id.choices = [c for c in choices if c[0] != area.id]
    return form
