"""The pages that maintain areas and groupings (issue 14): each change through its form, each
refusal shown under the form, closed areas gone from pickers, viewers read only."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from riskapp import territory
from riskapp.db import db
from riskapp.models import Area, AreaKind, Assessment, Enterprise
from tests import factories

ON = "2026-01-01"


def _area(name: str) -> Area | None:
    return db.session.scalar(select(Area).where(Area.name == name))


@pytest.fixture
def admin(client, world, login_as):
    login_as(world.a.admin)
    return client


def _post(client, url: str, data: dict, **kwargs):
    """Post the add or merge form of the areas page (its fields carry the form's prefix)."""
    prefix = url.rsplit("/", 1)[1]
    return client.post(url, data={f"{prefix}-{key}": value for key, value in data.items()},
                       **kwargs)


def test_add_a_commune_and_a_grouping(app, admin):
    page = _post(admin, "/province/areas/add", {
        "name": "Khu kinh tế Nghi Sơn", "kind": "group", "group_id": "None", "valid_from": ON})
    assert page.status_code == 302 and page.headers["Location"].endswith("#maintenance")
    with app.app_context():
        group = _area("Khu kinh tế Nghi Sơn")
        assert group.kind == AreaKind.GROUP
        group_id = group.id
    page = _post(admin, "/province/areas/add", {
        "name": "Xã Hải Bình", "code": "16000", "kind": "commune", "group_id": str(group_id),
        "valid_from": ON}, follow_redirects=True)
    assert "Xã Hải Bình added." in page.get_data(as_text=True)
    with app.app_context():
        commune = _area("Xã Hải Bình")
        assert (commune.parent_id, commune.code) == (group_id, "16000")


def test_add_refuses_a_name_taken_beside_it(admin, world):
    page = _post(admin, "/province/areas/add", {
        "name": world.a.other_district.name, "kind": "commune", "group_id": "None",
        "valid_from": ON})
    assert page.status_code == 400
    assert "There is already an area named" in page.get_data(as_text=True)


def test_refusals_read_in_vietnamese(admin, world):
    admin.get("/lang/vi")
    page = _post(admin, "/province/areas/add", {
        "name": world.a.other_district.name, "kind": "commune", "group_id": "None",
        "valid_from": ON})
    assert page.status_code == 400
    assert "Đã có một địa bàn tên" in page.get_data(as_text=True)


def test_rename_corrects_the_code_and_refuses_an_empty_name(app, admin, world):
    commune = world.a.commune
    page = admin.post(f"/province/areas/{commune.id}/rename", data={
        "name": "Xã Đông Hòa Mới", "code": "15999", "effective_from": ON})
    assert page.status_code == 302
    with app.app_context():
        renamed = db.session.get(Area, commune.id)
        assert (renamed.name, renamed.code) == ("Xã Đông Hòa Mới", "15999")
    page = admin.post(f"/province/areas/{commune.id}/rename", data={
        "name": "", "effective_from": ON})
    assert page.status_code == 400 and "This field is required." in page.get_data(as_text=True)


def test_move_under_a_grouping_and_back_to_the_top(app, admin, world):
    with app.app_context():
        group = factories.make_area(db.session.merge(world.a.province), "Vùng Tây",
                                    kind=AreaKind.GROUP, level=None)
        db.session.commit()
        group_id = group.id
    other = world.a.other_district
    page = admin.post(f"/province/areas/{other.id}/move",
                      data={"group_id": str(group_id), "effective_from": ON})
    assert page.status_code == 302
    with app.app_context():
        assert db.session.get(Area, other.id).parent_id == group_id
    admin.post(f"/province/areas/{other.id}/move", data={"group_id": "None",
                                                          "effective_from": ON})
    with app.app_context():
        assert db.session.get(Area, other.id).parent_id is None


def test_move_refuses_a_grouping_of_another_province_with_404(admin, world):
    page = admin.post(f"/province/areas/{world.a.other_district.id}/move",
                      data={"group_id": str(world.b.district.id), "effective_from": ON})
    assert page.status_code == 404


def test_move_refuses_a_grouping_under_itself(app, admin, world):
    with app.app_context():
        province = db.session.merge(world.a.province)
        outer = factories.make_area(province, "Vùng Ngoài", kind=AreaKind.GROUP, level=None)
        inner = factories.make_area(province, "Vùng Trong", outer, AreaKind.GROUP, level=None)
        db.session.commit()
        outer_id, inner_id = outer.id, inner.id
    page = admin.post(f"/province/areas/{outer_id}/move",
                      data={"group_id": str(inner_id), "effective_from": ON})
    assert page.status_code == 400 and "cannot be placed under itself" in page.get_data(
        as_text=True)


def test_merge_moves_enterprises_and_keeps_past_assessments(app, admin, world):
    with app.app_context():
        firm = db.session.merge(world.a.enterprise)
        done = factories.submit_assessment(firm, db.session.merge(world.a.officer))
        commune = db.session.merge(world.a.commune)
        twin = factories.make_area(db.session.merge(world.a.province), "Xã Đông Tiến",
                                   commune.parent, AreaKind.COMMUNE, level=None)
        db.session.commit()
        done_id, twin_id = done.id, twin.id
    page = _post(admin, "/province/areas/merge", {
        "area_ids": [str(world.a.commune.id), str(twin_id)], "name": "Xã Đông Hòa Tiến",
        "kind": "commune", "group_id": "None", "effective_from": ON}, follow_redirects=True)
    assert "The areas were merged into Xã Đông Hòa Tiến." in page.get_data(as_text=True)
    with app.app_context():
        merged = _area("Xã Đông Hòa Tiến")
        assert db.session.get(Enterprise, world.a.enterprise.id).area_id == merged.id
        assert db.session.get(Assessment, done_id).area_id == world.a.commune.id
    with app.test_request_context():  # the past assessment still reads its area's name
        tree = territory.area_tree(world.a.province.id)
        assert tree.names[world.a.commune.id] == world.a.commune.name
    history = admin.get("/province/areas").get_data(as_text=True).split('id="history"')[1]
    assert world.a.commune.name in history and "Xã Đông Hòa Tiến" in history


def test_merge_refuses_an_area_with_areas_under_it(app, admin, world):
    page = _post(admin, "/province/areas/merge", {
        "area_ids": [str(world.a.district.id), str(world.a.other_district.id)],
        "name": "Vùng Gộp", "kind": "commune", "effective_from": ON})
    assert page.status_code == 400 and "still has areas under it" in page.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Area, world.a.district.id).valid_to is None


def test_merge_of_another_provinces_area_answers_404(admin, world):
    page = _post(admin, "/province/areas/merge", {
        "area_ids": [str(world.a.commune.id), str(world.b.commune.id)], "name": "X",
        "kind": "commune", "effective_from": ON})
    assert page.status_code == 404


def test_split_assigns_each_enterprise_and_refuses_an_unassigned_one(app, admin, world):
    commune, firm = world.a.commune, world.a.enterprise
    form = admin.get(f"/province/areas/{commune.id}/split").get_data(as_text=True)
    assert f'name="enterprise_{firm.id}"' in form
    data = {"part_1": "Xã Một", "part_2": "Xã Hai", "effective_from": ON,
            f"enterprise_{firm.id}": "None"}
    page = admin.post(f"/province/areas/{commune.id}/split", data=data)
    assert page.status_code == 400 and firm.tax_code in page.get_data(as_text=True)
    page = admin.post(f"/province/areas/{commune.id}/split",
                      data={**data, f"enterprise_{firm.id}": "1"})
    assert page.status_code == 302
    with app.app_context():
        assert db.session.get(Enterprise, firm.id).area_id == _area("Xã Hai").id
        assert db.session.get(Area, commune.id).valid_to == date(2026, 1, 1)


def test_close_refused_with_enterprises_then_a_grouping_closes_and_its_areas_move_up(
        app, admin, world):
    page = admin.post(f"/province/areas/{world.a.commune.id}/close",
                      data={"effective_from": ON})
    assert page.status_code == 400 and "still has 1 enterprises" in page.get_data(as_text=True)
    with app.app_context():
        province = db.session.merge(world.a.province)
        group = factories.make_area(province, "Vùng Đông", kind=AreaKind.GROUP, level=None)
        inside = factories.make_area(province, "Xã Trong", group, AreaKind.COMMUNE, level=None)
        db.session.commit()
        group_id, inside_id = group.id, inside.id
    page = admin.post(f"/province/areas/{group_id}/close", data={"effective_from": ON})
    assert page.status_code == 302
    with app.app_context():
        assert db.session.get(Area, group_id).valid_to == date(2026, 1, 1)
        assert db.session.get(Area, inside_id).parent_id is None


def test_closed_areas_are_gone_from_the_filter_choices(app, admin, world):
    _post(admin, "/province/areas/merge", {
        "area_ids": [str(world.a.commune.id), str(world.a.other_district.id)],
        "name": "Xã Hợp Nhất", "kind": "commune", "effective_from": ON})
    page = admin.get("/province/enterprises").get_data(as_text=True)
    choices = page.split('name="area_id"')[1].split("</select>")[0]
    assert "Xã Hợp Nhất" in choices
    assert world.a.commune.name not in choices and world.a.other_district.name not in choices
    found = admin.get("/search/areas.json?q=dong hoa").get_json()["matches"]
    assert world.a.commune.id not in found


def test_the_areas_page_lists_groupings_with_counts(admin, world):
    page = admin.get("/province/areas").get_data(as_text=True)
    section = page.split('id="maintenance"')[1].split('id="history"')[0]
    assert "<details" in section and world.a.district.name in section
    assert "1 areas, 1 enterprises" in section
    assert 'action="/province/areas/add"' in page


def test_a_viewer_reads_but_cannot_change(client, world, login_as):
    login_as(world.a.viewer)
    page = client.get("/province/areas").get_data(as_text=True)
    assert 'id="maintenance"' in page and 'action="/province/areas/add"' not in page
    assert client.post("/province/areas/add", data={
        "name": "Xã Mới", "kind": "commune", "group_id": "None",
        "valid_from": ON}).status_code == 404
    assert client.post(f"/province/areas/{world.a.commune.id}/close",
                       data={"effective_from": ON}).status_code == 404
