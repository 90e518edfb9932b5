"""Pages that maintain the province's areas and groupings: add, rename, move, merge, split,
close. Each view validates, calls riskapp.province.areas, commits once and says what it did."""

from __future__ import annotations

from collections.abc import Iterable

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from wtforms import Field

from riskapp import territory
from riskapp.db import db
from riskapp.models import Area, AreaKind
from riskapp.province import area_forms, areas, bp
from riskapp.province.areas import AreaChangeRefused
from riskapp.province.views import _render_areas
from riskapp.tenancy import PROVINCE_ADMINS, current_province_id, get_area_or_404, route

MAINTENANCE = "maintenance"


def _picked_areas_in_reach(*names: str) -> None:
    """Another province's area named in a picker answers 404 (as in the path)."""
    for name in names:
        for value in request.form.getlist(name):
            if value.isdigit():
                get_area_or_404(int(value))


def _group(area_id: int | None) -> Area | None:
    return get_area_or_404(area_id) if area_id is not None else None


def _refused(field: Field, refused: AreaChangeRefused) -> None:
    """Nothing of a refused change is kept; the refusal shows under the field."""
    db.session.rollback()
    territory.forget_area_trees()
    field.errors.append(str(refused))


def _done(message: str, flags: Iterable[str] = (), area: Area | None = None):
    db.session.commit()
    flash(message, "success")
    for line in flags:
        flash(line, "warning")
    if area is not None:
        return redirect(url_for("province.area_page", area_id=area.id))
    return redirect(url_for("province.areas", _anchor=MAINTENANCE))


@route(bp, "/areas/add", roles=PROVINCE_ADMINS, methods=["POST"])
def add_area():
    _picked_areas_in_reach(f"{area_forms.ADD_PREFIX}-group_id")
    form = area_forms.add_form(current_province_id())
    if form.validate_on_submit():
        try:
            area = areas.add_area(current_province_id(), form.name.data, form.kind.data,
                                  form.valid_from.data, current_user,
                                  parent=_group(form.group_id.data), code=form.code.data)
            return _done(_("%(area)s added.", area=area.name))
        except AreaChangeRefused as refused:
            _refused(form.name, refused)
    return _render_areas(status=400, add_form=form)


@route(bp, "/areas/merge", roles=PROVINCE_ADMINS, methods=["POST"])
def merge_areas():
    _picked_areas_in_reach(f"{area_forms.MERGE_PREFIX}-area_ids",
                           f"{area_forms.MERGE_PREFIX}-group_id")
    form = area_forms.merge_form(current_province_id())
    if form.validate_on_submit():
        try:
            merged, flags = areas.merge_areas(
                [get_area_or_404(a) for a in form.area_ids.data], form.name.data,
                form.effective_from.data, current_user, kind=form.kind.data,
                parent=_group(form.group_id.data))
            return _done(_("The areas were merged into %(area)s.", area=merged.name), flags)
        except AreaChangeRefused as refused:
            _refused(form.area_ids, refused)
    return _render_areas(status=400, merge_form=form)


def _render_area(area: Area, status: int = 200, **forms):
    """One area's page: its facts and the forms that change it."""
    forms.setdefault("rename_form", area_forms.RenameAreaForm(name=area.name, code=area.code))
    forms.setdefault("move_form", area_forms.move_form(area))
    forms.setdefault("close_form", area_forms.CloseAreaForm())
    today = territory.province_today(area.province_id)
    return render_template(
        "province/area.html", area=area, path=territory.area_path(area),
        is_group=area.kind == AreaKind.GROUP, open=area.is_open(today),
        enterprises=areas.enterprise_count(area),
        children=areas.open_children(area, today), **forms), status


@route(bp, "/areas/<int:area_id>", roles=PROVINCE_ADMINS)
def area_page(area_id: int):
    return _render_area(get_area_or_404(area_id))


@route(bp, "/areas/<int:area_id>/rename", roles=PROVINCE_ADMINS, methods=["POST"])
def rename_area(area_id: int):
    area = get_area_or_404(area_id)
    form = area_forms.RenameAreaForm()
    if form.validate_on_submit():
        try:
            areas.rename_area(area, form.name.data, form.effective_from.data, current_user,
                              code=form.code.data)
            return _done(_("%(area)s saved.", area=area.name), area=area)
        except AreaChangeRefused as refused:
            _refused(form.name, refused)
            area = get_area_or_404(area_id)
    return _render_area(area, 400, rename_form=form)


@route(bp, "/areas/<int:area_id>/move", roles=PROVINCE_ADMINS, methods=["POST"])
def move_area(area_id: int):
    area = get_area_or_404(area_id)
    _picked_areas_in_reach("group_id")
    form = area_forms.move_form(area)
    if form.validate_on_submit():
        try:
            areas.move_area(area, _group(form.group_id.data), form.effective_from.data,
                            current_user)
            return _done(_("%(area)s moved.", area=area.name), area=area)
        except AreaChangeRefused as refused:
            _refused(form.group_id, refused)
            area = get_area_or_404(area_id)
    return _render_area(area, 400, move_form=form)


@route(bp, "/areas/<int:area_id>/close", roles=PROVINCE_ADMINS, methods=["POST"])
def close_area(area_id: int):
    area = get_area_or_404(area_id)
    form = area_forms.CloseAreaForm()
    if form.validate_on_submit():
        try:
            areas.close_area(area, form.effective_from.data, current_user)
            return _done(_("%(area)s closed.", area=area.name))
        except AreaChangeRefused as refused:
            _refused(form.effective_from, refused)
            area = get_area_or_404(area_id)
    return _render_area(area, 400, close_form=form)


def _render_split(area: Area, form, enterprises, status: int = 200):
    return render_template("province/area_split.html", area=area, form=form,
                           enterprises=enterprises), status


@route(bp, "/areas/<int:area_id>/split", roles=PROVINCE_ADMINS)
def split_page(area_id: int):
    area = get_area_or_404(area_id)
    enterprises = area_forms.area_enterprises(area)
    return _render_split(area, area_forms.split_form(enterprises), enterprises)


@route(bp, "/areas/<int:area_id>/split", roles=PROVINCE_ADMINS, methods=["POST"])
def split_area(area_id: int):
    area = get_area_or_404(area_id)
    enterprises = area_forms.area_enterprises(area)
    form = area_forms.split_form(enterprises)
    if form.validate_on_submit():
        try:
            parts, flags = areas.split_area(area, form.parts(), form.assignment(enterprises),
                                            form.effective_from.data, current_user)
            return _done(_("%(area)s was split into %(parts)s.", area=area.name,
                           parts=", ".join(p.name for p in parts)), flags)
        except AreaChangeRefused as refused:
            _refused(form.part_1, refused)
            area = get_area_or_404(area_id)
            enterprises = area_forms.area_enterprises(area)
    return _render_split(area, form, enterprises, 400)
