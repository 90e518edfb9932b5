"""The official territory read from the pinned package: 34 provinces, Thanh Hóa's 166 units,
its 27 former districts, and where each former commune went."""

from __future__ import annotations

from riskapp import gazetteer


def test_34_provinces_in_reading_order_with_thanh_hoa_code_38():
    provinces = gazetteer.provinces()
    assert len(provinces) == 34
    assert gazetteer.province("38").name == "Thanh Hóa"
    assert gazetteer.province("38").full_name == "Tỉnh Thanh Hóa"
    assert gazetteer.province("99") is None
    names = [p.name for p in provinces]
    assert names.index("Hà Nội") < names.index("Hồ Chí Minh")


def test_thanh_hoa_has_166_communes_and_wards_with_codes_and_diacritics():
    units = gazetteer.units("38")
    assert len(units) == 166
    assert len({u.code for u in units}) == 166
    hac_thanh = next(u for u in units if u.short_name == "Hạc Thành")
    assert (hac_thanh.name, hac_thanh.kind, hac_thanh.code) == ("Phường Hạc Thành", "ward", "14797")
    assert {u.kind for u in units} <= {"ward", "commune", "zone"}
    assert all(19.0 < u.latitude < 21.0 and 104.0 < u.longitude < 106.5 for u in units)


def test_thanh_hoa_before_the_reform_and_every_former_commune_has_a_successor():
    legacy = gazetteer.legacy_units("38")
    # The territory of 30 June 2025: the 27 district-level units of 2021 less Đông Sơn, merged
    # into Thanh Hóa city on 1 January 2025.
    districts = {u.district_name for u in legacy}
    assert len(districts) == 26 and "Huyện Đông Sơn" not in districts
    assert "Huyện Hoằng Hóa" in {u.district_name for u in legacy}
    new_codes = {u.code for u in gazetteer.units("38")}
    assert all(gazetteer.successor(u.code) in new_codes for u in legacy)
    assert gazetteer.successor("nonsense") is None
