"""Checklist versions: an uploaded one belongs to its province, a shipped one is everyone's.

Another province never sees an uploaded version on its checklist page, cannot activate it
(404), and its officers cannot read it through the API."""

from __future__ import annotations

from riskapp.db import db
from riskapp.models import ChecklistVersion
from tests import factories
from tests.api.helpers import bearer, make_token

KEY = "vn-workplace-2021"


def _upload(app, tenant, version: int, **title) -> int:
    with app.test_request_context():
        activation = factories.upload_checklist(tenant.province, tenant.admin, version, **title)
        db.session.commit()
        return activation.checklist_version_id


def test_another_provinces_upload_is_not_listed_activated_or_read(app, world, client, login_as):
    foreign_id = _upload(app, world.b, 7, title="Bảng riêng của tỉnh B")
    login_as(world.a.admin)
    page = client.get("/province/checklists").get_data(as_text=True)
    assert "Bảng riêng của tỉnh B" not in page and "v7" not in page
    refused = client.post(f"/province/checklists/{foreign_id}/activate",
                          data={"active_from": "2026-01-01"})
    assert refused.status_code == 404
    with app.test_request_context():
        from riskapp import checklists

        assert checklists.active_version(world.a.province.id).version == 1
    headers = bearer(make_token(app, world.a.officer))
    listed = client.get("/api/v1/checklists", headers=headers).json["items"]
    assert [(e["key"], e["version"]) for e in listed] == [(KEY, 1)]
    assert client.get(f"/api/v1/checklists/{KEY}/7", headers=headers).status_code == 404
    # Its own province reads it.
    own = client.get("/api/v1/checklists", headers=bearer(make_token(app, world.b.officer)))
    assert (KEY, 7) in {(e["key"], e["version"]) for e in own.json["items"]}


def test_own_upload_is_listed_and_activated_and_shipped_ones_are_shared(app, world, client,
                                                                         login_as):
    own_id = _upload(app, world.a, 2)
    with app.app_context():
        from riskapp import checklists

        shipped_id = checklists.default_version().id
        db.session.commit()
    login_as(world.a.admin)
    page = client.get("/province/checklists").get_data(as_text=True)
    assert f"/province/checklists/{own_id}/activate" in page
    assert f"/province/checklists/{shipped_id}/activate" in page
    # Province B sees the shipped version too, and can activate it.
    login_as(world.b.admin)
    assert client.post(f"/province/checklists/{shipped_id}/activate",
                       data={"active_from": "2026-01-01"}).status_code == 302


def test_two_provinces_may_each_upload_their_own_version_two(app, world):
    """The same key and version in two provinces are two definitions: uploading one never tells
    a province that another has one ('already exists')."""
    first = _upload(app, world.a, 2, title="A's version two")
    second = _upload(app, world.b, 2, title="B's version two")
    with app.app_context():
        rows = {db.session.get(ChecklistVersion, i).province_id for i in (first, second)}
    assert first != second and rows == {world.a.province.id, world.b.province.id}
