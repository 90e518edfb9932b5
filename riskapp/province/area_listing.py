"""What the areas page lists: the open areas by grouping with enterprise counts, and the history
of closed areas with what they became."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import func, select

from riskapp import territory
from riskapp.db import db
from riskapp.models import Area, AreaChange, AreaKind, AreaSuccession, Enterprise


@dataclass
class AreaRow:
    area_id: int
    name: str
    code: str | None
    kind: AreaKind
    depth: int
    enterprises: int


@dataclass
class Grouping:
    """A top area and the open areas under it (a grouping, a former district, or none)."""

    top: AreaRow | None
    rows: list[AreaRow] = field(default_factory=list)

    @property
    def enterprises(self) -> int:
        own = self.top.enterprises if self.top else 0
        return own + sum(row.enterprises for row in self.rows)


@dataclass
class ClosedArea:
    area_id: int
    name: str
    closed_on: date
    successors: list[str]


def _facts(province_id: int) -> tuple[dict[int, tuple], dict[int, int]]:
    kinds = {r.id: (r.code, r.kind) for r in db.session.execute(
        select(Area.id, Area.code, Area.kind).where(Area.province_id == province_id))}
    counts = dict(db.session.execute(
        select(Enterprise.area_id, func.count()).where(Enterprise.province_id == province_id)
        .group_by(Enterprise.area_id)).all())
    return kinds, counts


def open_groupings(province_id: int, on: date) -> list[Grouping]:
    """The open areas by top area; the top areas with nothing under them (communes directly
    under the province) come together last, in one grouping without a top."""
    tree = territory.area_tree(province_id)
    kinds, counts = _facts(province_id)
    groups: list[Grouping] = []
    for area_id, depth in tree.open_depth_first(tree.children.get(None, []), on):
        code, kind = kinds[area_id]
        row = AreaRow(area_id, tree.names[area_id], code, kind, depth, counts.get(area_id, 0))
        if depth == 0:
            groups.append(Grouping(row))
        else:
            row.depth -= 1
            groups[-1].rows.append(row)
    loose = [g.top for g in groups if not g.rows and g.top.kind != AreaKind.GROUP]
    kept = [g for g in groups if g.rows or g.top.kind == AreaKind.GROUP]
    return kept + ([Grouping(None, loose)] if loose else [])


def closed_areas(province_id: int, on: date) -> list[ClosedArea]:
    """Areas closed by a day, newest first, with the areas that took their place."""
    tree = territory.area_tree(province_id)
    closed = list(db.session.execute(
        select(Area.id, Area.valid_to).where(Area.province_id == province_id,
                                             Area.valid_to <= on)
        .order_by(Area.valid_to.desc(), Area.id)))
    successors: dict[int, list[str]] = {}
    for row in db.session.execute(
            select(AreaSuccession.old_area_id, AreaSuccession.new_area_id)
            .where(AreaSuccession.old_area_id.in_([r.id for r in closed]),
                   AreaSuccession.kind.not_in([AreaChange.RENAME, AreaChange.MOVE]))
            .order_by(AreaSuccession.id)):
        successors.setdefault(row.old_area_id, []).append(tree.path(row.new_area_id))
    return [ClosedArea(r.id, tree.path(r.id), r.valid_to, successors.get(r.id, []))
            for r in closed]
