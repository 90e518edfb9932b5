"""Vietnam's official territory as data: the 34 provinces and their communes, wards and special
zones since 1 July 2025, the units before it, and which new unit each old commune became.

Read from the `vietnamadminunits` package's dataset (MIT; pinned in requirements.txt, data of
2025-08-23): its SQLite file and its 2025 conversion table, opened read-only. Nothing here touches
the app's database; `riskapp.onboarding` and the importers turn these records into areas.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from functools import cache
from importlib import resources

from riskapp.territory import reading_order

PACKAGE = "vietnamadminunits"
DATA_VERSION = "vietnamadminunits 1.0.4 (data of 2025-08-23)"

KINDS = {"Phường": "ward", "Xã": "commune", "Đặc khu": "zone",
         "Quận": "district", "Huyện": "district", "Thị xã": "town", "Thành phố": "city"}


@dataclass(frozen=True)
class OfficialProvince:
    code: str          # e.g. "38"
    name: str          # "Thanh Hóa"
    full_name: str     # "Tỉnh Thanh Hóa"
    latitude: float | None
    longitude: float | None


@dataclass(frozen=True)
class OfficialUnit:
    """A commune-level unit since 1 July 2025 (ward, commune or special zone)."""

    code: str          # e.g. "14797"
    name: str          # "Phường Hạc Thành"
    short_name: str    # "Hạc Thành"
    kind: str          # ward | commune | zone
    province_code: str
    latitude: float | None
    longitude: float | None


@dataclass(frozen=True)
class LegacyUnit:
    """A commune-level unit before 1 July 2025, under its district."""

    code: str
    name: str
    kind: str
    district_code: str
    district_name: str
    district_kind: str
    province_code: str
    latitude: float | None
    longitude: float | None


def _connect() -> sqlite3.Connection:
    path = resources.files(PACKAGE) / "data" / "dataset.db"
    return sqlite3.connect(f"file:{path}?mode=ro", uri=True, check_same_thread=False)


@cache
def provinces() -> tuple[OfficialProvince, ...]:
    """The 34 provinces and centrally-run cities, in reading order."""
    with _connect() as connection:
        rows = connection.execute(
            "SELECT DISTINCT provinceCode, provinceShort, province, provinceLat, provinceLon "
            "FROM admin_units").fetchall()
    found = [OfficialProvince(code, short, full, lat, lon) for code, short, full, lat, lon in rows]
    return tuple(sorted(found, key=lambda p: reading_order(p.name)))


def province(code: str) -> OfficialProvince | None:
    return next((p for p in provinces() if p.code == str(code).strip()), None)


@cache
def units(province_code: str) -> tuple[OfficialUnit, ...]:
    """The province's communes, wards and special zones since 1 July 2025, in reading order."""
    with _connect() as connection:
        rows = connection.execute(
            "SELECT wardCode, ward, wardShort, wardType, wardLat, wardLon FROM admin_units "
            "WHERE provinceCode = ?", (str(province_code),)).fetchall()
    found = [OfficialUnit(code, name, short, KINDS.get(kind, "commune"), str(province_code),
                          lat, lon) for code, name, short, kind, lat, lon in rows]
    return tuple(sorted(found, key=lambda u: reading_order(u.short_name)))


@cache
def legacy_units(province_code: str) -> tuple[LegacyUnit, ...]:
    """The units of a province as it was before 1 July 2025 (by its old code), district by
    district; communes of a province merged since then keep their old province code."""
    with _connect() as connection:
        rows = connection.execute(
            "SELECT wardCode, ward, wardType, districtCode, district, districtType, wardLat, "
            "wardLon FROM admin_units_legacy WHERE provinceCode = ? AND ward IS NOT NULL",
            (str(province_code),)).fetchall()
    found = [LegacyUnit(code, name, KINDS.get(kind, "commune"), d_code, d_name,
                        KINDS.get(d_kind, "district"), str(province_code), lat, lon)
             for code, name, kind, d_code, d_name, d_kind, lat, lon in rows]
    return tuple(sorted(found, key=lambda u: (reading_order(u.district_name),
                                              reading_order(u.name))))


@cache
def successors() -> dict[str, str]:
    """Old commune code → the code of the new unit it became (for a commune split between
    several, the one the official conversion names as the default)."""
    table = json.loads((resources.files(PACKAGE) / "data" / "converter_2025.json").read_text())
    with _connect() as connection:
        old = {f"{p}_{d}_{w}": code for p, d, w, code in connection.execute(
            "SELECT provinceKey, districtKey, wardKey, wardCode FROM admin_units_legacy "
            "WHERE wardKey IS NOT NULL")}
        new = {(p, w): code for p, w, code in connection.execute(
            "SELECT provinceKey, wardKey, wardCode FROM admin_units")}
    mapping: dict[str, str] = {}
    for province_key, wards in table["DICT_PROVINCE_WARD_NO_DIVIDED"].items():
        for ward_key, old_keys in wards.items():
            for old_key in old_keys:
                if old_key in old and (province_key, ward_key) in new:
                    mapping[old[old_key]] = new[(province_key, ward_key)]
    for province_key, divided in table["DICT_PROVINCE_WARD_DIVIDED"].items():
        for old_key, choices in divided.items():
            default = next((c["newWardKey"] for c in choices if c["isDefaultNewWard"]), None)
            if old_key in old and (province_key, default) in new:
                mapping.setdefault(old[old_key], new[(province_key, default)])
    return mapping


def successor(old_code: str) -> str | None:
    """The code of the unit an old commune (code before 1 July 2025) belongs to now."""
    return successors().get(str(old_code).strip())
