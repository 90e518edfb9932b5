"""Areas and their epidemic levels: lookups shared by every area of the app."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from riskapp.db import db
from riskapp.models import Area, AreaLevel

DEFAULT_AREA_LEVEL = 1


def ancestors(area: Area) -> list[Area]:
    """The area and its parents, nearest first."""
    chain = []
    node: Area | None = area
    while node is not None:
        chain.append(node)
        node = db.session.get(Area, node.parent_id) if node.parent_id else None
    return chain


def area_path(area: Area, separator: str = " › ") -> str:
    """The area's full name from the top of the tree, e.g. "Huyện Đông Sơn › Xã Đông Hòa"."""
    return separator.join(a.name for a in reversed(ancestors(area)))


def level_of(area: Area, on: date | None = None) -> tuple[int, AreaLevel | None]:
    """The epidemic level in force for an area on a date: its own, else the nearest parent's."""
    on = on or date.today()
    chain = ancestors(area)
    ids = [a.id for a in chain]
    rows = db.session.scalars(
        select(AreaLevel)
        .where(AreaLevel.area_id.in_(ids), AreaLevel.effective_from <= on)
        .order_by(AreaLevel.effective_from.desc(), AreaLevel.id.desc())
    ).all()
    by_area: dict[int, AreaLevel] = {}
    for row in rows:
        by_area.setdefault(row.area_id, row)
    for node in chain:
        if node.id in by_area:
            return by_area[node.id].level, by_area[node.id]
    return DEFAULT_AREA_LEVEL, None
