"""The province map: one compact document of every enterprise's position and final grade."""

from __future__ import annotations

import hashlib
import json
from datetime import date

from sqlalchemy import String, case, cast, select

from riskapp import charts, clock, territory
from riskapp.db import db
from riskapp.filters import Filters, apply_filters
from riskapp.models import Enterprise, EnterpriseStatus, Grade
from riskapp.province.rollups import data_version
from riskapp.tenancy import Scope, current_scope

MAP_GRADE_CODES = {grade: index for index, grade in enumerate(Grade)}  # 5 = not assessed
NOT_ASSESSED_FILL, NOT_ASSESSED_GLYPH = "#cfd8dc", "?"


def marker_styles() -> list[dict[str, str]]:
    """Fill, glyph and glyph colour per map grade code: each marker carries its grade's rank
    (1 very low … 5 very high, "?" not assessed) so no grade is told by colour alone."""
    styles = [{"fill": charts.grade_colour(grade), "text": charts.grade_text_colour(grade),
               "glyph": str(code + 1)} for grade, code in MAP_GRADE_CODES.items()]
    return [*styles, {"fill": NOT_ASSESSED_FILL, "text": charts.TEXT_COLOUR,
                      "glyph": NOT_ASSESSED_GLYPH}]


def convex_hull(points: list[tuple[float, float]]) -> list[tuple[float, float]]:
    """The smallest convex polygon around the points (Andrew's monotone chain), anticlockwise;
    fewer than three distinct points come back as they are."""
    unique = sorted(set(points))
    if len(unique) < 3:
        return unique

    def cross(o, a, b) -> float:
        return (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0])

    def half(ordered):
        chain: list[tuple[float, float]] = []
        for point in ordered:
            while len(chain) >= 2 and cross(chain[-2], chain[-1], point) <= 0:
                chain.pop()
            chain.append(point)
        return chain[:-1]

    return half(unique) + half(list(reversed(unique)))


def area_outlines(rows, province_id: int | None) -> list[list]:
    """[name, outline] per top-level area: the convex hull of its enterprises' positions.

    Areas are stored with a centre point only (no boundary polygons), so this outline of where an
    area's enterprises are is the shape the data supports; the map draws it when no tiles load."""
    if province_id is None:
        return []
    tree = territory.area_tree(province_id)
    tops: dict[int, int] = {}
    points: dict[int, list[tuple[float, float]]] = {}
    for _enterprise_id, lat, lon, _grade, area_id in rows:
        if area_id not in tops:
            chain = tree.ancestors(area_id)
            tops[area_id] = chain[-1] if chain else area_id
        points.setdefault(tops[area_id], []).append((round(lat, 5), round(lon, 5)))
    return [[tree.names.get(top, ""), [list(p) for p in convex_hull(found)]]
            for top, found in sorted(points.items())]


def map_markers(filters: Filters, scope: Scope | None = None, today: date | None = None) -> dict:
    """One compact document: [id, lat, lon, grade code] per enterprise with coordinates, and
    the outline of each top-level area (see `area_outlines`).

    Grade codes come from SQL (0 very low … 4 very high, 5 not assessed) and rows are read
    through Core, so 100,000 markers never pass through ORM or enum conversion."""
    scope = scope or current_scope()
    code = case({grade.value: index for grade, index in MAP_GRADE_CODES.items()},
                value=cast(EnterpriseStatus.effective_grade, String), else_=len(Grade))
    statement = apply_filters(
        select(EnterpriseStatus.enterprise_id, Enterprise.latitude, Enterprise.longitude, code,
               EnterpriseStatus.area_id)
        .join(Enterprise, Enterprise.id == EnterpriseStatus.enterprise_id)
        .where(Enterprise.latitude.is_not(None), Enterprise.longitude.is_not(None)),
        filters, scope, today,
    )
    rows = db.session.connection().execute(statement).all()  # one fetch, not one per row
    markers = [[enterprise_id, round(lat, 5), round(lon, 5), grade]
               for enterprise_id, lat, lon, grade, _area in rows]
    return {"fields": ["id", "lat", "lon", "grade"], "markers": markers,
            "areas": area_outlines(rows, scope.province_id)}


def map_markers_json(filters: Filters, scope: Scope | None = None,
                     today: date | None = None) -> str:
    """`map_markers` serialised compactly (no spaces): 100,000 markers in under 3 MB."""
    return json.dumps(map_markers(filters, scope, today), separators=(",", ":"))


def map_version(filters: Filters, scope: Scope | None = None, today: date | None = None) -> str:
    """An ETag for the map document: the roll-up's version, the filters, the reach."""
    scope = scope or current_scope()
    today = today or clock.today()
    key = repr((scope.reach_key(), sorted(filters.args().items()), today.isoformat(),
                data_version(scope.province_id)))
    return hashlib.sha1(key.encode(), usedforsecurity=False).hexdigest()

