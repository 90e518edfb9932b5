"""Areas and their epidemic levels: the area tree, area names and the level in force, for every
part of the app."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from datetime import date

from flask import g
from flask_babel import ngettext
from sqlalchemy import select

from riskapp import clock
from riskapp.db import db
from riskapp.models import Area, AreaLevel, Province

DEFAULT_AREA_LEVEL = 1
PATH_SEPARATOR = " › "


def reading_order(name: str) -> str:
    """Vietnamese reading order: "Hà Trung" before "Hoằng Hóa" (a byte sort puts it after)."""
    base = unicodedata.normalize("NFD", name.replace("Đ", "D").replace("đ", "d"))
    return "".join(c for c in base if not unicodedata.combining(c)).casefold()


@dataclass
class AreaTree:
    """A province's areas: names, parents and children (in reading order) by id."""

    names: dict[int, str]
    parents: dict[int, int | None]
    children: dict[int | None, list[int]] = field(default_factory=dict)
    # The day each closed area stopped being in force (open areas are not listed).
    closed_on: dict[int, date] = field(default_factory=dict)

    def path(self, area_id: int, separator: str = PATH_SEPARATOR) -> str:
        """The area's full name from the top of the tree, e.g. "Huyện Đông Sơn › Xã Đông Hòa"."""
        return separator.join(self.names[node] for node in reversed(self.ancestors(area_id)))

    def ancestors(self, area_id: int) -> list[int]:
        """The area and its parents, nearest first."""
        chain, node = [], area_id
        while node is not None and node in self.names:
            chain.append(node)
            node = self.parents.get(node)
        return chain

    def depth_first(self, roots: list[int]) -> list[tuple[int, int]]:
        """(area id, depth) in tree order below the given roots."""
        out: list[tuple[int, int]] = []

        def walk(node: int, depth: int) -> None:
            out.append((node, depth))
            for child in self.children.get(node, []):
                walk(child, depth + 1)

        for root in roots:
            walk(root, 0)
        return out

    def is_closed(self, area_id: int, on: date) -> bool:
        """Whether the area was closed by a day (its name still reads in the past)."""
        closed = self.closed_on.get(area_id)
        return closed is not None and closed <= on

    def open_depth_first(self, roots: list[int], on: date) -> list[tuple[int, int]]:
        """Like depth_first, leaving out the areas closed by a day (what pickers offer); an open
        area under a closed one takes the closed one's place."""
        out: list[tuple[int, int]] = []

        def walk(node: int, depth: int) -> None:
            closed = self.is_closed(node, on)
            if not closed:
                out.append((node, depth))
            for child in self.children.get(node, []):
                walk(child, depth if closed else depth + 1)

        for root in roots:
            walk(root, 0)
        return out


def _load_tree(province_id: int) -> AreaTree:
    rows = db.session.execute(
        select(Area.id, Area.parent_id, Area.name, Area.valid_to)
        .where(Area.province_id == province_id)
    ).all()
    rows = sorted(rows, key=lambda r: (reading_order(r.name), r.name, r.id))
    tree = AreaTree({r.id: r.name for r in rows}, {r.id: r.parent_id for r in rows},
                    closed_on={r.id: r.valid_to for r in rows if r.valid_to is not None})
    for row in rows:
        # A parent outside the province cannot happen; such a child would show as a root.
        parent = row.parent_id if row.parent_id in tree.names else None
        tree.children.setdefault(parent, []).append(row.id)
    return tree


def area_tree(province_id: int, holding: int | None = None) -> AreaTree:
    """The province's areas (a few hundred rows), loaded once per request or task, and again
    when it lacks the area `holding` (added since)."""
    cache = g.setdefault("province_area_trees", {})
    tree = cache.get(province_id)
    if tree is None or (holding is not None and holding not in tree.names):
        tree = cache[province_id] = _load_tree(province_id)
    return tree


def forget_area_trees() -> None:
    """Drop this request's trees after areas were added, moved or renamed."""
    g.pop("province_area_trees", None)


def visible_roots(tree: AreaTree, area_ids: frozenset[int] | None) -> list[int]:
    """Top areas of a reach: the province's roots, or the tops of an auditor's subtrees."""
    if area_ids is None:
        return list(tree.children.get(None, []))
    tops = [a for a in area_ids if tree.parents.get(a) not in area_ids and a in tree.names]
    return sorted(tops, key=lambda a: (reading_order(tree.names[a]), a))


def picker_rows(province_id: int | None, area_ids: frozenset[int] | None = None,
                on: date | None = None) -> list[tuple[int, int]]:
    """(area id, depth) of the areas a picker offers in a reach: the ones still open."""
    tree = area_tree(province_id)
    return tree.open_depth_first(visible_roots(tree, area_ids), on or province_today(province_id))


def area_path(area: Area, separator: str = PATH_SEPARATOR) -> str:
    """The area's full name from the top of the tree."""
    return area_tree(area.province_id, holding=area.id).path(area.id, separator)


# ----------------------------------------------------------------------------- levels in force


def _own_levels(on: date, *criteria) -> dict[int, AreaLevel]:
    """Each area's own latest level in force on a date (areas without one are left out)."""
    own: dict[int, AreaLevel] = {}
    for row in db.session.scalars(
        select(AreaLevel)
        .join(Area, Area.id == AreaLevel.area_id)
        .where(AreaLevel.effective_from <= on, *criteria)
        .order_by(AreaLevel.effective_from.desc(), AreaLevel.id.desc())
    ):
        own.setdefault(row.area_id, row)
    return own


def _in_force(chain: list[int], own: dict[int, AreaLevel]) -> tuple[int, AreaLevel | None]:
    """The level of the nearest area of the chain (the area, then its parents) that has one."""
    for area_id in chain:
        if area_id in own:
            return own[area_id].level, own[area_id]
    return DEFAULT_AREA_LEVEL, None


def province_zone(province_id: int | None) -> str | None:
    """The province's IANA zone name; None without a province (then the request's zone holds)."""
    province = db.session.get(Province, province_id) if province_id else None
    return province.timezone if province is not None else None


def province_today(province_id: int | None) -> date:
    """Today in the province's own zone (also outside a request: jobs, cron); no province: the
    request's zone."""
    return clock.today(province_zone(province_id))


def level_of(area: Area, on: date | None = None) -> tuple[int, AreaLevel | None]:
    """The epidemic level in force for an area on a date: its own, else the nearest parent's."""
    chain = area_tree(area.province_id, holding=area.id).ancestors(area.id)
    return _in_force(chain, _own_levels(on or province_today(area.province_id),
                                          AreaLevel.area_id.in_(chain)))


def levels_in_force(province_id: int,
                    on: date | None = None) -> dict[int, tuple[int, AreaLevel | None]]:
    """Every area's level in force on a date (own or inherited), in one query."""
    tree = area_tree(province_id)
    own = _own_levels(on or province_today(province_id), Area.province_id == province_id)
    return {area_id: _in_force(tree.ancestors(area_id), own) for area_id in tree.names}


def recent_level_changes(province_id: int, limit: int = 20) -> list[AreaLevel]:
    """The latest level decisions of the province, newest first."""
    return list(db.session.scalars(
        select(AreaLevel)
        .join(Area, Area.id == AreaLevel.area_id)
        .where(Area.province_id == province_id)
        .order_by(AreaLevel.created_at.desc(), AreaLevel.id.desc())
        .limit(limit)
    ))


def reach_label(province_id: int, area_ids: frozenset[int] | None) -> str | None:
    """Whose figures a restricted reach shows: its first top area "and N more"; None for the
    whole province."""
    if area_ids is None:
        return None
    tops = visible_roots(area_tree(province_id), area_ids)
    if not tops:
        return None
    first = area_tree(province_id).names[tops[0]]
    if len(tops) == 1:
        return first
    return ngettext("%(area)s and %(num)d more", "%(area)s and %(num)d more", len(tops) - 1,
                    area=first)
