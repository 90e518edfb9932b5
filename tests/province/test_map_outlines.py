"""The map without tiles: each top-level area's outline (the hull of its enterprises), and a
glyph on every marker so the grade is not told by colour alone."""

from __future__ import annotations

from riskapp.province import maps


def test_convex_hull_keeps_the_corners_and_drops_inner_points():
    square = [(0, 0), (2, 0), (2, 2), (0, 2), (1, 1), (1, 0), (0.5, 1.5)]
    assert maps.convex_hull(square) == [(0, 0), (2, 0), (2, 2), (0, 2)]
    assert maps.convex_hull([(1, 1), (1, 1)]) == [(1, 1)]
    assert maps.convex_hull([(0, 0), (1, 1)]) == [(0, 0), (1, 1)]


def test_map_document_outlines_each_top_area_around_its_own_markers(generated, client, login_as):
    login_as(generated.world.a.admin)
    data = client.get("/province/map.json").get_json()
    positions = {(m[1], m[2]) for m in data["markers"]}
    assert data["areas"], "no area outline in the map document"
    for name, outline in data["areas"]:
        assert name
        assert outline and {tuple(p) for p in outline} <= positions


def test_an_auditor_sees_outlines_of_their_own_markers_only(world, generated, client, login_as):
    login_as(world.a.auditor)
    data = client.get("/province/map.json").get_json()
    positions = {(m[1], m[2]) for m in data["markers"]}
    assert all({tuple(p) for p in outline} <= positions for _, outline in data["areas"])


def test_every_grade_has_its_own_glyph_and_readable_colours():
    styles = maps.marker_styles()
    assert [s["glyph"] for s in styles] == ["1", "2", "3", "4", "5", "?"]
    assert len({s["fill"] for s in styles}) == len(styles)


def test_an_http_intranet_tile_server_is_allowed_by_the_content_policy():
    from types import SimpleNamespace

    from riskapp.templating import _csp

    intranet = _csp(SimpleNamespace(config={"MAP_TILE_URL": "http://tiles.lan:8080/{z}/{x}/{y}.png"}))
    assert "img-src 'self' data: blob: http://tiles.lan:8080;" in intranet
    public = _csp(SimpleNamespace(config={"MAP_TILE_URL": "https://{s}.tile.example.org/{z}.png"}))
    assert "https://*.tile.example.org" in public
    assert "blob:;" in _csp(SimpleNamespace(config={"MAP_TILE_URL": ""}))
