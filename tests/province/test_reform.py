"""The 2025 reform: a province on pre-2025 districts and communes, planned then moved."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from riskapp import territory
from riskapp.db import db
from riskapp.models import (
    Area,
    AreaChange,
    AreaKind,
    AreaLevel,
    AreaSuccession,
    Assessment,
    AuditorArea,
    EnterpriseStatus,
    Role,
)
from riskapp.province.areas import AreaChangeRefused
from riskapp.province.reform import apply_reform, plan_reform
from tests import factories


def _old_thanh_hoa():
    """A pre-2025 Thanh Hóa subset: Huyện Hoằng Hóa with four communes (by code, by name
    without its kind or diacritics care, and one unknown), enterprises, an auditor, levels."""
    province = factories.make_province("TH", "Thanh Hóa")
    district = factories.make_area(province, "Huyện Hoằng Hóa", level=1)
    son = factories.make_area(province, "Xã Hoằng Sơn", district, AreaKind.COMMUNE, level=None)
    son.code = "15901"
    cat = factories.make_area(province, "Hoằng Cát", district, AreaKind.COMMUNE, level=3)
    but = factories.make_area(province, "Thị trấn Bút Sơn", district, AreaKind.TOWNSHIP,
                              level=None)
    but.code = "15865"
    lost = factories.make_area(province, "Xã Không Có", district, AreaKind.COMMUNE, level=None)
    firms = {
        "son": factories.make_enterprise(son, "3800000001", "May Hoằng Sơn"),
        "cat": factories.make_enterprise(cat, "3800000002", "Gạch Hoằng Cát"),
        "but": factories.make_enterprise(but, "3800000003", "Nước mắm Bút Sơn"),
        "lost": factories.make_enterprise(lost, "3800000004", "Cơ khí Không Có"),
        "district": factories.make_enterprise(district, "3800000005", "Vận tải Hoằng Hóa"),
    }
    auditor = factories.make_user("auditor@example.vn", Role.AUDITOR, province=province)
    db.session.add(AuditorArea(user_id=auditor.id, area_id=cat.id))
    officer = factories.make_user("officer@example.vn", Role.OFFICER, enterprise=firms["son"])
    done = factories.submit_assessment(firms["son"], officer, on=date(2025, 5, 5))
    db.session.flush()
    return province, district, {"son": son, "cat": cat, "but": but, "lost": lost}, firms, \
        auditor, done


def test_dry_run_lists_every_enterprise_and_changes_nothing(ctx):
    province, district, communes, firms, _auditor, _done = _old_thanh_hoa()
    plan = plan_reform(province)
    moves = {m.tax_code: (m.old_area, m.new_code, m.new_area, m.matched_by)
             for m in plan.placements}
    assert moves == {
        "3800000001": ("Huyện Hoằng Hóa › Xã Hoằng Sơn", "15910", "Xã Hoằng Sơn", "code"),
        "3800000002": ("Huyện Hoằng Hóa › Hoằng Cát", "15910", "Xã Hoằng Sơn", "name"),
        "3800000003": ("Huyện Hoằng Hóa › Thị trấn Bút Sơn", "15865", "Xã Hoằng Hóa", "code"),
    }
    assert sorted(u.tax_code for u in plan.unplaced) == ["3800000004", "3800000005"]
    assert plan.official_code == "38"
    assert firms["son"].area_id == communes["son"].id
    assert db.session.scalar(select(AreaSuccession.id)) is None


def test_apply_moves_enterprises_keeps_history_and_carries_levels(ctx):
    province, district, communes, firms, auditor, done = _old_thanh_hoa()
    result = apply_reform(province, None)
    db.session.commit()
    territory.forget_area_trees()
    units = {a.code: a for a in db.session.scalars(select(Area).where(
        Area.province_id == province.id, Area.valid_from == date(2025, 7, 1)))}
    assert len(units) == 166 and result.created == 166
    hoang_son, hoang_hoa = units["15910"], units["15865"]
    assert (hoang_son.name, hoang_son.kind, hoang_son.parent_id) == (
        "Xã Hoằng Sơn", AreaKind.COMMUNE, district.id)
    assert firms["son"].area_id == firms["cat"].area_id == hoang_son.id
    assert firms["but"].area_id == hoang_hoa.id
    assert firms["lost"].area_id == communes["lost"].id  # unmatched: stays, flagged
    assert db.session.get(EnterpriseStatus, firms["son"].id).area_id == hoang_son.id
    assert db.session.get(Assessment, done.id).area_id == communes["son"].id
    assert (district.kind, district.former, district.valid_to) == (AreaKind.GROUP, True, None)
    assert communes["son"].valid_to == date(2025, 7, 1) and communes["lost"].valid_to is None
    kinds = set(db.session.scalars(select(AreaSuccession.kind)))
    assert kinds == {AreaChange.REFORM}
    # Hoằng Cát (3) and Hoằng Sơn (1, from the district) merged: the stricter level, flagged.
    assert territory.level_of(hoang_son, date(2025, 7, 2))[0] == 3
    assert territory.level_of(hoang_hoa, date(2025, 7, 2))[0] == 1
    assert any("Xã Hoằng Sơn" in flag and "3" in flag for flag in result.flags)
    assert any("3800000004" in flag for flag in result.flags)
    assert any("3800000005" in flag for flag in result.flags)
    reach = set(db.session.scalars(select(AuditorArea.area_id)
                                   .where(AuditorArea.user_id == auditor.id)))
    assert reach == {communes["cat"].id, hoang_son.id}
    assert db.session.scalar(select(AreaLevel.note).where(AreaLevel.area_id == hoang_son.id))


def test_a_second_apply_is_refused_and_the_plan_is_empty(ctx):
    province, *_rest = _old_thanh_hoa()
    apply_reform(province, None)
    assert plan_reform(province).placements == []
    with pytest.raises(AreaChangeRefused, match="already on the 2025 units"):
        apply_reform(province, None)


def test_closing_the_districts_keeps_one_with_unmatched_enterprises(ctx):
    province, district, *_rest = _old_thanh_hoa()
    result = apply_reform(province, None, keep_districts=False)
    assert district.valid_to is None and district.kind == AreaKind.GROUP
    assert any("Huyện Hoằng Hóa" in flag for flag in result.flags)


def test_cli_dry_run_lists_the_moves(app):
    with app.app_context():
        _old_thanh_hoa()
        db.session.commit()
    out = app.test_cli_runner().invoke(args=["territory", "reform", "--province", "TH",
                                             "--dry-run", "--lang", "en"])
    assert out.exit_code == 0, "".join(__import__("traceback").format_exception(*out.exc_info))
    assert "3 to move, 2 unmatched" in out.output
    assert "UNMATCHED 3800000005" in out.output


def test_cli_applies_and_reports(app):
    with app.app_context():
        _old_thanh_hoa()
        db.session.commit()
    out = app.test_cli_runner().invoke(args=["territory", "reform", "--province", "TH",
                                             "--lang", "en"])
    assert out.exit_code == 0, out.output
    assert "166 units created, 3 enterprises moved" in out.output
    assert "FLAG" in out.output


def test_the_admin_reviews_the_dry_run_then_applies(world, client, login_as):
    login_as(world.a.admin)
    page = client.get("/province/areas/reform")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "Could not be matched" in text and world.a.enterprise.tax_code in text
    done = client.post("/province/areas/reform")
    assert done.status_code == 302
    again = client.post("/province/areas/reform", follow_redirects=True)
    assert "already on the 2025 units" in again.get_data(as_text=True)
