"""Maintaining a province's areas over time: add, rename, merge, split, move under a grouping,
close; every change is dated, recorded as a succession, and carries levels and auditor
assignments over to the successor (or flags what it could not). Services flush, never commit."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta

from flask_babel import gettext as _
from sqlalchemy import func, select

from riskapp import territory
from riskapp.auditlog import record
from riskapp.db import db
from riskapp.models import (
    Area,
    AreaChange,
    AreaKind,
    AreaSuccession,
    AuditorArea,
    Enterprise,
)
from riskapp.province import regrade


class AreaChangeRefused(ValueError):
    """A change that would orphan enterprises, cross provinces or break the tree."""


def open_children(area: Area, on: date) -> list[Area]:
    """The area's sub-areas in force on a day."""
    rows = db.session.scalars(select(Area).where(Area.parent_id == area.id))
    return [child for child in rows if child.is_open(on)]


def enterprise_count(area: Area) -> int:
    return db.session.scalar(
        select(func.count()).select_from(Enterprise).where(Enterprise.area_id == area.id)) or 0


def _same_province(province_id: int, areas: Iterable[Area | None]) -> None:
    for area in areas:
        if area is not None and area.province_id != province_id:
            raise AreaChangeRefused(_("%(area)s belongs to another province.", area=area.name))


def _check_open(areas: Iterable[Area], on: date) -> None:
    for area in areas:
        if not area.is_open(on):
            raise AreaChangeRefused(_("%(area)s is already closed.", area=area.name))


def _check_grouping(parent: Area | None) -> None:
    if parent is not None and parent.kind != AreaKind.GROUP:
        raise AreaChangeRefused(_("%(area)s is not a grouping; areas can only be placed under a "
                                  "grouping.", area=parent.name))


def _check_name_free(province_id: int, parent_id: int | None, name: str,
                     area_id: int | None = None) -> None:
    """Two open areas side by side cannot share a name (the pickers could not tell them apart)."""
    taken = db.session.scalar(select(Area.id).where(
        Area.province_id == province_id, Area.parent_id.is_(parent_id) if parent_id is None
        else Area.parent_id == parent_id, Area.name == name.strip(), Area.valid_to.is_(None),
        Area.id != (area_id or 0)).limit(1))
    if taken is not None:
        raise AreaChangeRefused(_("There is already an area named %(area)s there.",
                                  area=name.strip()))


def record_succession(old: Area, new: Area, kind: AreaChange, on: date, user,
                      note: str | None = None) -> AreaSuccession:
    """Record that `old` became `new` from a day (the old name is kept as it read then)."""
    row = AreaSuccession(province_id=old.province_id, old_area_id=old.id, new_area_id=new.id,
                         effective_from=on, kind=kind, old_name=territory.area_path(old),
                         note=note, created_by_id=getattr(user, "id", None))
    db.session.add(row)
    return row


def _close(area: Area, on: date) -> None:
    area.valid_to = on


def _level_on(area_id: int, levels: dict[int, tuple]) -> int:
    return levels.get(area_id, (territory.DEFAULT_AREA_LEVEL, None))[0]


def carry_levels(old_ids: list[int], new: Area, on: date, user) -> list[str]:
    """Give the successor the strictest level its predecessors had the day before; flag when
    they differed (the province decides)."""
    db.session.flush()
    territory.forget_area_trees()
    levels = territory.levels_in_force(new.province_id, on - timedelta(days=1))
    before = {old_id: _level_on(old_id, levels) for old_id in old_ids}
    strictest = max(before.values(), default=territory.DEFAULT_AREA_LEVEL)
    if territory.level_of(new, on)[0] != strictest:
        regrade.set_area_level(new, strictest, on, user, note=_("Carried over"))
    if len(set(before.values())) <= 1:
        return []
    names = territory.area_tree(new.province_id)
    listed = ", ".join(f"{names.path(a)} {level}" for a, level in before.items())
    return [_("%(area)s: the former areas had different levels (%(levels)s); level %(level)s "
              "applies, check it.", area=new.name, levels=listed, level=strictest)]


def carry_auditors(old_ids: list[int], new: Area) -> list[str]:
    """Auditors assigned to a predecessor (or above it) keep the successor in their reach."""
    db.session.flush()
    territory.forget_area_trees()
    tree = territory.area_tree(new.province_id)
    reach_of_new = set(tree.ancestors(new.id))
    chains = {a for old_id in old_ids for a in tree.ancestors(old_id)}
    assigned: dict[int, set[int]] = {}
    for user_id, area_id in db.session.execute(select(AuditorArea.user_id, AuditorArea.area_id)
                                               .where(AuditorArea.area_id.in_(chains))):
        assigned.setdefault(user_id, set()).add(area_id)
    for user_id in assigned:
        own = set(db.session.scalars(select(AuditorArea.area_id)
                                     .where(AuditorArea.user_id == user_id)))
        if not own & reach_of_new:
            db.session.add(AuditorArea(user_id=user_id, area_id=new.id))
    return []


def carry_over(old_ids: list[int], new: Area, on: date, user) -> list[str]:
    """Levels and auditor assignments of the predecessors onto the successor; the flags."""
    return carry_levels(old_ids, new, on, user) + carry_auditors(old_ids, new)


def move_enterprises(old: Area, new: Area, only: Iterable[int] | None = None) -> int:
    """Enterprises of `old` (all or the given ids) now in `new`; their history stays put."""
    query = select(Enterprise).where(Enterprise.area_id == old.id)
    if only is not None:
        query = query.where(Enterprise.id.in_(list(only)))
    moved = 0
    for enterprise in db.session.scalars(query):
        enterprise.area_id = new.id
        moved += 1
    return moved


def add_area(province_id: int, name: str, kind: AreaKind, on: date | None, user,
             parent: Area | None = None, code: str | None = None) -> Area:
    """A new area (a commune, ward or grouping) in force from a day."""
    _same_province(province_id, [parent])
    _check_grouping(parent)
    _check_name_free(province_id, parent.id if parent else None, name)
    area = Area(province_id=province_id, parent_id=parent.id if parent else None,
                name=name.strip(), kind=kind, code=(code or "").strip() or None, valid_from=on)
    db.session.add(area)
    db.session.flush()
    territory.forget_area_trees()
    record("area_added", area, details={"name": area.name, "kind": str(kind)}, user=user)
    return area


def rename_area(area: Area, name: str, on: date, user, code: str | None = None) -> Area:
    """The same area under a new name from a day; the old name stays in its succession. A code
    given replaces the official code (codes get corrected; blank clears it)."""
    _check_name_free(area.province_id, area.parent_id, name, area.id)
    record_succession(area, area, AreaChange.RENAME, on, user)
    record("area_renamed", area, details={"from": area.name, "to": name.strip()}, user=user)
    area.name = name.strip()
    if code is not None:
        area.code = code.strip() or None
    db.session.flush()
    territory.forget_area_trees()
    return area


def move_area(area: Area, group: Area | None, on: date, user) -> Area:
    """Place an area under a grouping (or at the top of the province)."""
    _same_province(area.province_id, [group])
    _check_grouping(group)
    if group is not None and area.id in territory.area_tree(area.province_id,
                                                            holding=group.id).ancestors(group.id):
        raise AreaChangeRefused(_("%(area)s cannot be placed under itself.", area=area.name))
    _check_name_free(area.province_id, group.id if group else None, area.name, area.id)
    record_succession(area, area, AreaChange.MOVE, on, user)
    area.parent_id = group.id if group else None
    db.session.flush()
    territory.forget_area_trees()
    record("area_moved", area, details={"group": group.id if group else None}, user=user)
    return area


def _check_leaves(areas: Iterable[Area], on: date) -> None:
    """Areas with open sub-areas cannot go: their sub-areas' enterprises would be orphaned."""
    for area in areas:
        if open_children(area, on):
            raise AreaChangeRefused(_("%(area)s still has areas under it; move or merge them "
                                      "first, so no enterprise is left in a closed area.",
                                      area=area.name))


def merge_areas(areas: list[Area], name: str, on: date, user,
                kind: AreaKind = AreaKind.COMMUNE, parent: Area | None = None) -> tuple[Area, list]:
    """A+B → C from a day: C is new, enterprises of A and B move to it, A and B close."""
    if len(areas) < 2:
        raise AreaChangeRefused(_("Choose at least two areas to merge."))
    province_id = areas[0].province_id
    _same_province(province_id, [*areas, parent])
    _check_open(areas, on)
    _check_leaves(areas, on)
    for area in areas:
        _close(area, on)
    db.session.flush()
    merged = add_area(province_id, name, kind, on, user, parent=parent)
    for area in areas:
        move_enterprises(area, merged)
        record_succession(area, merged, AreaChange.MERGE, on, user)
    flags = carry_over([a.id for a in areas], merged, on, user)
    record("areas_merged", merged, details={"from": [a.id for a in areas]}, user=user)
    return merged, flags


def split_area(area: Area, parts: list[str], assignment: dict[int, int], on: date,
               user) -> tuple[list[Area], list]:
    """A → B, C from a day: every enterprise of A must be assigned to one part (by index)."""
    names = [p.strip() for p in parts if p and p.strip()]
    if len(names) < 2:
        raise AreaChangeRefused(_("A split needs at least two new areas."))
    _check_open([area], on)
    _check_leaves([area], on)
    for enterprise in db.session.scalars(select(Enterprise).where(Enterprise.area_id == area.id)):
        if assignment.get(enterprise.id) not in range(len(names)):
            raise AreaChangeRefused(_("%(enterprise)s (%(tax)s) in %(area)s is not assigned to "
                                      "a new area.", enterprise=enterprise.name,
                                      tax=enterprise.tax_code, area=area.name))
    _close(area, on)
    db.session.flush()
    parent = area.parent if area.parent is not None and area.parent.kind == AreaKind.GROUP \
        else None
    new = [add_area(area.province_id, n, area.kind, on, user, parent=parent) for n in names]
    flags: list[str] = []
    for index, part in enumerate(new):
        move_enterprises(area, part, [e for e, i in assignment.items() if i == index])
        record_succession(area, part, AreaChange.SPLIT, on, user)
        flags += carry_over([area.id], part, on, user)
    record("area_split", area, details={"into": [p.id for p in new]}, user=user)
    return new, flags


def close_area(area: Area, on: date, user) -> Area:
    """Close an area from a day; refused while enterprises are in it. A grouping's areas move
    up to where the grouping was."""
    _check_open([area], on)
    count = enterprise_count(area)
    if count:
        raise AreaChangeRefused(_("%(area)s still has %(count)s enterprises; move them first.",
                                  area=area.name, count=count))
    children = open_children(area, on)
    if children and area.kind != AreaKind.GROUP:
        _check_leaves([area], on)
    for child in children:
        child.parent_id = area.parent_id
    _close(area, on)
    db.session.flush()
    territory.forget_area_trees()
    record("area_closed", area, details={"on": on.isoformat()}, user=user)
    return area
