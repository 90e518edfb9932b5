"""The 1 July 2025 reform as one reviewed operation: a province set up on districts and their
communes is planned (every enterprise's old and new area, and those that could not be matched),
then moved onto the official new units, its districts kept as former groupings or closed."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date

from flask_babel import gettext as _
from sqlalchemy import select

from riskapp import gazetteer, territory
from riskapp.auditlog import record
from riskapp.db import db
from riskapp.models import Area, AreaChange, AreaKind, Enterprise, Province
from riskapp.province.areas import (
    AreaChangeRefused,
    carry_over,
    move_enterprises,
    record_succession,
)

REFORM_DAY = date(2025, 7, 1)
OLD_TOP_KINDS = (AreaKind.DISTRICT, AreaKind.TOWN, AreaKind.CITY)
PREFIXES = ("thi tran ", "thi xa ", "thanh pho ", "xa ", "phuong ", "huyen ", "quan ")
UNIT_KINDS = {"ward": AreaKind.WARD, "commune": AreaKind.COMMUNE, "zone": AreaKind.ZONE}


@dataclass(frozen=True)
class Placement:
    enterprise_id: int
    tax_code: str
    name: str
    old_area_id: int
    old_area: str
    new_code: str
    new_area: str
    matched_by: str  # "code" | "name"


@dataclass(frozen=True)
class Unplaced:
    enterprise_id: int
    tax_code: str
    name: str
    old_area: str
    reason: str


@dataclass
class ReformPlan:
    province_id: int
    official_code: str
    on: date
    placements: list[Placement] = field(default_factory=list)
    unplaced: list[Unplaced] = field(default_factory=list)
    successors: dict[int, str] = field(default_factory=dict)  # old commune area → new code
    districts: list[int] = field(default_factory=list)


@dataclass
class ReformResult:
    created: int = 0
    moved: int = 0
    closed: int = 0
    flags: list[str] = field(default_factory=list)


def _bare(name: str) -> str:
    """A unit's name without its kind ("Xã Hoằng Quỳ" → "hoang quy"), diacritics folded."""
    folded = territory.reading_order(name).strip()
    return next((folded[len(p):] for p in PREFIXES if folded.startswith(p)), folded)


def official_code_of(province: Province) -> str | None:
    """The province's official code: its own code if official, else by its name."""
    if gazetteer.province(province.code) is not None:
        return province.code
    wanted = _bare(province.name.replace("Tỉnh ", ""))
    return next((p.code for p in gazetteer.provinces() if _bare(p.name) == wanted), None)


class _Legacy:
    """The province's pre-2025 communes, found by code or by (district, commune) name."""

    def __init__(self, official_code: str):
        units = gazetteer.legacy_units(official_code)
        self.by_code = {u.code: u for u in units}
        self.by_path = {(_bare(u.district_name), _bare(u.name)): u for u in units}
        names = Counter(_bare(u.name) for u in units)
        self.by_name = {_bare(u.name): u for u in units if names[_bare(u.name)] == 1}

    def find(self, area: Area, district: Area) -> tuple[gazetteer.LegacyUnit | None, str]:
        if area.code and area.code in self.by_code:
            return self.by_code[area.code], "code"
        found = (self.by_path.get((_bare(district.name), _bare(area.name)))
                 or self.by_name.get(_bare(area.name)))
        return found, "name"


def _old_districts(province_id: int) -> list[Area]:
    """Open top areas of the old kind (districts, towns, cities) not yet kept as groupings."""
    return list(db.session.scalars(select(Area).where(
        Area.province_id == province_id, Area.parent_id.is_(None), Area.valid_to.is_(None),
        Area.kind.in_(OLD_TOP_KINDS))))


def plan_reform(province: Province, on: date = REFORM_DAY,
                official_code: str | None = None) -> ReformPlan:
    """The dry run: nothing is written."""
    code = official_code or official_code_of(province)
    if code is None or gazetteer.province(code) is None:
        raise AreaChangeRefused(_("%(province)s is not an official province; give its code.",
                                  province=province.name))
    plan = ReformPlan(province.id, code, on)
    units = {u.code: u for u in gazetteer.units(code)}
    legacy = _Legacy(code)
    tree = territory.area_tree(province.id)
    for district in _old_districts(province.id):
        plan.districts.append(district.id)
        for area_id, _depth in tree.depth_first([district.id])[1:]:
            area = db.session.get(Area, area_id)
            if area.valid_to is None:
                unit, how = legacy.find(area, district)
                new_code = gazetteer.successor(unit.code) if unit else None
                if new_code in units:
                    plan.successors[area.id] = new_code
        _plan_enterprises(plan, tree, district, units, legacy)
    return plan


def _plan_enterprises(plan: ReformPlan, tree: territory.AreaTree, district: Area, units: dict,
                      legacy: _Legacy) -> None:
    below = [a for a, _depth in tree.depth_first([district.id])]
    rows = db.session.scalars(select(Enterprise).where(Enterprise.area_id.in_(below))
                              .order_by(Enterprise.tax_code))
    for enterprise in rows:
        old = tree.path(enterprise.area_id)
        new_code = plan.successors.get(enterprise.area_id)
        if new_code is not None:
            how = legacy.find(enterprise.area, district)[1]
            plan.placements.append(Placement(enterprise.id, enterprise.tax_code, enterprise.name,
                                             enterprise.area_id, old, new_code,
                                             units[new_code].name, how))
            continue
        reason = (_("in a district, not in a commune") if enterprise.area_id == district.id
                  else _("no official successor found for this commune"))
        plan.unplaced.append(Unplaced(enterprise.id, enterprise.tax_code, enterprise.name, old,
                                      reason))


def apply_reform(province: Province, user, on: date = REFORM_DAY,
                 official_code: str | None = None, keep_districts: bool = True) -> ReformResult:
    """Create the official units, move the enterprises, record the successions, close the old
    communes, keep the districts as former groupings (or close them); flush, never commit."""
    plan = plan_reform(province, on, official_code)
    if not plan.districts:
        raise AreaChangeRefused(_("%(province)s has no districts left: it is already on the "
                                  "2025 units.", province=province.name))
    result = ReformResult()
    for old_id in plan.successors:
        # Closed first: a new unit may take its predecessor's name under the same grouping.
        db.session.get(Area, old_id).valid_to = on
        result.closed += 1
    db.session.flush()
    new_areas = _new_units(plan, keep_districts, result)
    predecessors: dict[int, list[int]] = {}
    for old_id, new_code in plan.successors.items():
        old, new = db.session.get(Area, old_id), new_areas[new_code]
        result.moved += move_enterprises(old, new)
        record_succession(old, new, AreaChange.REFORM, on, user)
        predecessors.setdefault(new.id, []).append(old_id)
    _keep_or_close_districts(plan, keep_districts, on, result)
    db.session.flush()
    for new_id, old_ids in predecessors.items():
        result.flags += carry_over(old_ids, db.session.get(Area, new_id), on, user)
    result.flags += [_("%(enterprise)s (%(tax)s) stays in %(area)s: %(reason)s.",
                       enterprise=u.name, tax=u.tax_code, area=u.old_area, reason=u.reason)
                     for u in plan.unplaced]
    territory.forget_area_trees()
    record("territory_reformed", province, user=user, details={
        "official_code": plan.official_code, "on": on.isoformat(), "created": result.created,
        "moved": result.moved, "unplaced": len(plan.unplaced)})
    return result


def _home_group(plan: ReformPlan, keep_districts: bool) -> dict[str, int | None]:
    """Each new unit under the former district most of its old communes came from."""
    if not keep_districts:
        return {}
    tree = territory.area_tree(plan.province_id)
    votes: dict[str, Counter] = {}
    for old_id, code in plan.successors.items():
        votes.setdefault(code, Counter())[tree.ancestors(old_id)[-1]] += 1
    return {code: counter.most_common(1)[0][0] for code, counter in votes.items()}


def _new_units(plan: ReformPlan, keep_districts: bool, result: ReformResult) -> dict[str, Area]:
    """The official units of the province as areas (reused when already there and open)."""
    homes = _home_group(plan, keep_districts)
    old = set(plan.successors) | set(plan.districts)
    existing = {a.code: a for a in db.session.scalars(select(Area).where(
        Area.province_id == plan.province_id, Area.valid_to.is_(None), Area.code.is_not(None)))
        if a.id not in old and a.kind in UNIT_KINDS.values()}
    areas: dict[str, Area] = {}
    for unit in gazetteer.units(plan.official_code):
        area = existing.get(unit.code)
        if area is None:
            area = Area(province_id=plan.province_id, parent_id=homes.get(unit.code),
                        code=unit.code, name=unit.name, kind=UNIT_KINDS[unit.kind],
                        latitude=unit.latitude, longitude=unit.longitude, valid_from=plan.on)
            db.session.add(area)
            result.created += 1
        areas[unit.code] = area
    db.session.flush()
    return areas


def _keep_or_close_districts(plan: ReformPlan, keep_districts: bool, on: date,
                             result: ReformResult) -> None:
    for district in (db.session.get(Area, d) for d in plan.districts):
        district.kind, district.former = AreaKind.GROUP, True
        if keep_districts:
            continue
        db.session.flush()
        if any(c.valid_to is None for c in db.session.scalars(
                select(Area).where(Area.parent_id == district.id))):
            result.flags.append(_("%(area)s is kept as a grouping: enterprises that could not be "
                                  "matched are still under it.", area=district.name))
            continue
        district.valid_to = on
        result.closed += 1
