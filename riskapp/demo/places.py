"""The demo's territory: official communes grouped under the former districts they came from."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field

from sqlalchemy import select

from riskapp import gazetteer
from riskapp.db import db
from riskapp.models import Area, AreaKind, Province
from riskapp.territory import reading_order


@dataclass
class FormerDistrict:
    """A grouping named after a former district, and the current units under it."""

    group: Area
    units: list[Area] = field(default_factory=list)


def group_name(district_name: str) -> str:
    return f"{district_name} (cũ)"


def main_origin(official_code: str) -> dict[str, str]:
    """New unit code → the former district most of its old communes belonged to (ties: the
    first in reading order)."""
    votes: dict[str, Counter] = defaultdict(Counter)
    for old in gazetteer.legacy_units(official_code):
        new_code = gazetteer.successor(old.code)
        if new_code is not None:
            votes[new_code][old.district_name] += 1
    return {code: max(sorted(counts, key=reading_order), key=lambda name: counts[name])
            for code, counts in votes.items()}


def group_by_former_district(province: Province) -> dict[str, FormerDistrict]:
    """Put each of the province's official units under a grouping named after the former
    district it mostly came from; returns them by former district name. Flushes."""
    units = db.session.scalars(select(Area).where(
        Area.province_id == province.id, Area.parent_id.is_(None), Area.code.is_not(None))).all()
    origin = main_origin(province.code)
    groups: dict[str, FormerDistrict] = {}
    for unit in sorted(units, key=lambda u: reading_order(u.name)):
        district = origin.get(unit.code)
        if district is None:
            continue  # a unit with no recorded predecessor stays at the top
        if district not in groups:
            group = Area(province_id=province.id, name=group_name(district), kind=AreaKind.GROUP,
                         former=True)
            db.session.add(group)
            db.session.flush()
            groups[district] = FormerDistrict(group)
        groups[district].units.append(unit)
        unit.parent_id = groups[district].group.id
    for former in groups.values():
        _centre(former)
    db.session.flush()
    return groups


def _centre(former: FormerDistrict) -> None:
    """The grouping's point on the map: the mean of its units' coordinates."""
    points = [(u.latitude, u.longitude) for u in former.units
              if u.latitude is not None and u.longitude is not None]
    if points:
        former.group.latitude = round(sum(p[0] for p in points) / len(points), 5)
        former.group.longitude = round(sum(p[1] for p in points) / len(points), 5)
