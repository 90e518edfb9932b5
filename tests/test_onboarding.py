"""Creating a province from the official list (riskapp.onboarding)."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from riskapp import gazetteer, onboarding
from riskapp.db import db
from riskapp.models import Area, AreaKind, AuditLog, Province


def test_thanh_hoa_starts_with_its_166_official_communes_and_wards(app):
    with app.test_request_context():
        province = onboarding.create_province("38")
        db.session.commit()
        assert (province.code, province.name, province.timezone) == (
            "38", "Thanh Hóa", "Asia/Ho_Chi_Minh")
        areas = db.session.scalars(select(Area).where(Area.province_id == province.id)).all()
        assert len(areas) == 166
        assert all(a.parent_id is None and a.code and a.latitude and a.longitude for a in areas)
        assert {a.kind for a in areas} == {AreaKind.WARD, AreaKind.COMMUNE}
        by_code = {a.code: a for a in areas}
        official = {u.code: u for u in gazetteer.units("38")}
        assert set(by_code) == set(official)
        ward = next(u for u in official.values() if u.name == "Phường Hạc Thành")
        assert by_code[ward.code].name == "Phường Hạc Thành"
        assert by_code[ward.code].kind == AreaKind.WARD
        entry = db.session.scalar(select(AuditLog).where(AuditLog.action == "province_created"))
        assert entry.details["areas"] == 166 and entry.province_id == province.id


def test_special_zones_become_zone_areas(app):
    code = next(p.code for p in gazetteer.provinces()
                if any(u.kind == "zone" for u in gazetteer.units(p.code)))
    with app.test_request_context():
        province = onboarding.create_province(code)
        kinds = set(db.session.scalars(select(Area.kind).where(Area.province_id == province.id)))
        assert AreaKind.ZONE in kinds


def test_a_province_already_on_the_platform_is_refused(app):
    with app.test_request_context():
        onboarding.create_province("38")
        db.session.commit()
        with pytest.raises(onboarding.OnboardingError) as refused:
            onboarding.create_province("38")
        assert refused.value.field == "code"
        assert "Thanh Hóa (code 38) is already on the platform." in refused.value.message
        assert db.session.scalar(select(func.count()).select_from(Province)) == 1
        assert db.session.scalar(select(func.count()).select_from(Area)) == 166
        assert "38" not in {p.code for p in onboarding.available_provinces()}


def test_a_province_created_before_the_official_list_is_refused_by_its_name(app):
    with app.test_request_context():
        db.session.add(Province(code="TH", name="Thanh Hoá"))  # old-style accent placement too
        db.session.flush()
        with pytest.raises(onboarding.OnboardingError):
            onboarding.create_province("38")


def test_the_unique_code_catches_a_concurrent_creation(app, monkeypatch):
    with app.test_request_context():
        onboarding.create_province("46")
        # As if the other request had not committed yet when this one looked.
        monkeypatch.setattr(onboarding, "_taken", lambda: (set(), set()))
        with pytest.raises(onboarding.OnboardingError) as refused:
            onboarding.create_province("46")
        assert "already on the platform" in refused.value.message
        db.session.commit()  # the first creation is intact
        assert db.session.scalar(select(func.count()).select_from(Province)) == 1


@pytest.mark.parametrize("code", ["99", "", "TH", None])
def test_an_unknown_code_is_refused_with_a_message(app, code):
    with app.test_request_context():
        with pytest.raises(onboarding.OnboardingError) as refused:
            onboarding.create_province(code)
        assert "is not a province of the official list" in refused.value.message
        assert db.session.scalar(select(func.count()).select_from(Province)) == 0


def test_an_unknown_time_zone_is_refused(app):
    with app.test_request_context():
        with pytest.raises(onboarding.OnboardingError) as refused:
            onboarding.create_province("46", "Mars/Base")
        assert refused.value.field == "timezone"
        assert db.session.scalar(select(func.count()).select_from(Province)) == 0
