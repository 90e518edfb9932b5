"""GET /api/v1/changes: events after a cursor, in id order, within the caller's reach."""

from __future__ import annotations

from riskapp import events
from riskapp.db import db
from tests.api.helpers import bearer, make_token


def _emit_three(app, world):
    with app.test_request_context():
        inside = events.emit("assessment.submitted", world.a.province.id, {"n": 1},
                             enterprise_id=world.a.enterprise.id,
                             area_id=world.a.enterprise.area_id)
        outside = events.emit("assessment.submitted", world.a.province.id, {"n": 2},
                              enterprise_id=world.a.enterprise_elsewhere.id,
                              area_id=world.a.enterprise_elsewhere.area_id)
        other = events.emit("report.ready", world.b.province.id, {"n": 3},
                            enterprise_id=world.b.enterprise.id,
                            area_id=world.b.enterprise.area_id)
        db.session.commit()
        return inside.id, outside.id, other.id


def test_feed_pages_by_cursor(app, client, world):
    inside, outside, _other = _emit_three(app, world)
    headers = bearer(make_token(app, world.a.viewer))
    first = client.get("/api/v1/changes?limit=1", headers=headers).json
    assert [e["id"] for e in first["items"]] == [inside]
    assert first["more"] is True and first["next"] == inside
    second = client.get(f"/api/v1/changes?since={first['next']}", headers=headers).json
    assert [e["id"] for e in second["items"]] == [outside]
    assert second["items"][0]["data"] == {"n": 2}
    last = client.get(f"/api/v1/changes?since={second['next']}", headers=headers).json
    assert last == {"items": [], "next": outside, "more": False}


def test_area_staff_and_auditors_see_only_their_reach(app, client, world):
    inside, _outside, _other = _emit_three(app, world)
    for user in (world.a.auditor, world.a.area_viewer, world.a.area_admin):
        feed = client.get("/api/v1/changes", headers=bearer(make_token(app, user))).json
        assert [e["id"] for e in feed["items"]] == [inside], user.email


def test_feed_needs_the_province_scope_and_refuses_bad_cursors(app, client, world):
    token = bearer(make_token(app, world.a.viewer, scopes=["read"]))
    assert client.get("/api/v1/changes", headers=token).status_code == 403
    full = bearer(make_token(app, world.a.viewer))
    assert client.get("/api/v1/changes?since=-1", headers=full).status_code == 400
    assert client.get("/api/v1/changes?limit=501", headers=full).status_code == 400
    officer = bearer(make_token(app, world.a.officer))
    assert client.get("/api/v1/changes", headers=officer).status_code == 404


def test_feed_is_in_the_openapi_document(client):
    doc = client.get("/api/v1/openapi.json").json
    assert "/changes" in doc["paths"]
    assert "ChangeFeed" in doc["components"]["schemas"]
