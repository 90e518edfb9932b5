"""Area maintenance services: merge, split, close, move; refusals name the area."""

from __future__ import annotations

from datetime import date

import pytest

from riskapp.db import db
from riskapp.models import AreaKind, Assessment, Enterprise
from riskapp.province import areas
from tests import factories

ON = date(2026, 1, 1)


def test_merge_moves_enterprises_and_keeps_past_assessments(world, ctx):
    a = db.session.merge(world.a.commune)
    province = db.session.merge(world.a.province)
    b = factories.make_area(province, "Xã Đông Tiến", a.parent, AreaKind.COMMUNE, level=None)
    firm = db.session.merge(world.a.enterprise)
    done = factories.submit_assessment(firm, db.session.merge(world.a.officer))
    merged, _flags = areas.merge_areas([a, b], "Xã Đông Sơn Mới", ON, None)
    assert firm.area_id == merged.id and a.valid_to == ON and b.valid_to == ON
    assert db.session.get(Assessment, done.id).area_id == a.id


def test_merge_refuses_other_provinces_and_areas_with_sub_areas(world, ctx):
    commune, other = db.session.merge(world.a.commune), db.session.merge(world.b.commune)
    with pytest.raises(areas.AreaChangeRefused, match=other.name):
        areas.merge_areas([commune, other], "X", ON, None)
    district, town = db.session.merge(world.a.district), db.session.merge(world.a.other_district)
    with pytest.raises(areas.AreaChangeRefused, match=district.name):
        areas.merge_areas([district, town], "X", ON, None)


def test_split_refuses_an_unassigned_enterprise(world, ctx):
    commune = db.session.merge(world.a.commune)
    with pytest.raises(areas.AreaChangeRefused, match=world.a.enterprise.tax_code):
        areas.split_area(commune, ["Xã Một", "Xã Hai"], {}, ON, None)
    parts, _flags = areas.split_area(commune, ["Xã Một", "Xã Hai"],
                                     {world.a.enterprise.id: 1}, ON, None)
    assert db.session.get(Enterprise, world.a.enterprise.id).area_id == parts[1].id


def test_close_is_refused_while_enterprises_remain(world, ctx):
    commune = db.session.merge(world.a.commune)
    with pytest.raises(areas.AreaChangeRefused, match="1 enterprises"):
        areas.close_area(commune, ON, None)


def test_move_only_under_a_grouping(world, ctx):
    commune, district = db.session.merge(world.a.commune), db.session.merge(world.a.district)
    with pytest.raises(areas.AreaChangeRefused, match="not a grouping"):
        areas.move_area(commune, db.session.merge(world.a.other_district), ON, None)
    group = areas.add_area(district.province_id, "Khu kinh tế Nghi Sơn", AreaKind.GROUP, ON,
                           None)
    areas.move_area(commune, group, ON, None)
    assert commune.parent_id == group.id
