"""Commune/ward staff: the province admin invites them with their areas and changes those areas;
an area admin invites and manages users only inside their own areas, and imports only there."""

from __future__ import annotations

from sqlalchemy import select

from riskapp.db import db
from riskapp.models import AuditLog, AuditorArea, Enterprise, Role, User
from tests import factories
from tests.province.test_imports import HEADER, _apply, _problem_rows, _upload


def _stored(app, email: str) -> User | None:
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == email))
        if user is not None:
            db.session.expunge(user)
        return user


def _areas_of(app, user_id: int) -> set[int]:
    with app.app_context():
        return set(db.session.scalars(
            select(AuditorArea.area_id).where(AuditorArea.user_id == user_id)))


def _invite(client, role: str, email: str, **fields):
    client.get("/lang/en")
    return client.post("/admin/users/invite", data={"role": role, "email": email,
                                                    "name": "Phạm Văn Xã", **fields})


# --- the province admin ---------------------------------------------------------------------

def test_province_admin_invites_area_staff_with_their_areas(app, world, client, login_as):
    login_as(world.a.admin)
    form = client.get("/admin/users/invite").get_data(as_text=True)
    assert 'value="area_viewer"' in form and 'value="area_admin"' in form
    assert 'data-for-role="auditor area_viewer area_admin"' in form
    response = _invite(client, "area_admin", "xa@example.vn",
                       area_ids=[world.a.commune.id, world.a.other_district.id])
    assert response.status_code == 302
    user = _stored(app, "xa@example.vn")
    assert user.role == Role.AREA_ADMIN and user.province_id == world.a.province.id
    assert _areas_of(app, user.id) == {world.a.commune.id, world.a.other_district.id}
    listing = client.get("/admin/users").get_data(as_text=True)
    row = listing.split("<td>xa@example.vn</td>", 1)[1].split("</tr>", 1)[0]
    assert world.a.commune.name in row and world.a.other_district.name in row


def test_area_staff_need_areas_and_areas_of_the_province(app, world, client, login_as):
    login_as(world.a.admin)
    empty = _invite(client, "area_viewer", "none@example.vn")
    assert empty.status_code == 400
    assert "Choose at least one area for this person." in empty.get_data(as_text=True)
    foreign = _invite(client, "area_viewer", "far@example.vn", area_ids=[world.b.commune.id])
    assert foreign.status_code == 404
    assert _stored(app, "none@example.vn") is None and _stored(app, "far@example.vn") is None


def test_province_admin_changes_the_areas_of_area_staff(app, world, client, login_as):
    login_as(world.a.admin)
    page = client.get(f"/admin/users/{world.a.area_viewer.id}").get_data(as_text=True)
    assert 'name="area_ids"' in page
    response = client.post(f"/admin/users/{world.a.area_viewer.id}",
                           data={"area_ids": [world.a.other_district.id]})
    assert response.status_code == 302
    assert _areas_of(app, world.a.area_viewer.id) == {world.a.other_district.id}
    with app.app_context():
        entry = db.session.scalar(select(AuditLog).where(
            AuditLog.action == "auditor_areas_changed").order_by(AuditLog.id.desc()))
        assert entry.details["role"] == "area_viewer"
        assert entry.details["after"] == [world.a.other_district.id]


# --- the area admin -------------------------------------------------------------------------

def test_area_admin_invites_only_area_roles_inside_their_areas(app, world, client, login_as):
    login_as(world.a.area_admin)
    form = client.get("/admin/users/invite").get_data(as_text=True)
    assert 'value="area_viewer"' in form and 'value="officer"' in form
    assert 'value="province_viewer"' not in form and 'value="province_admin"' not in form
    assert world.a.commune.name in form and world.a.other_district.name not in form
    province_role = _invite(client, "province_admin", "boss@example.vn")
    assert province_role.status_code == 400
    outside = _invite(client, "area_viewer", "out@example.vn",
                      area_ids=[world.a.other_district.id])
    assert outside.status_code == 404
    officer_outside = _invite(client, "officer", "xm@example.vn",
                              enterprise_id=world.a.enterprise_elsewhere.id)
    assert officer_outside.status_code == 404
    for email in ("boss@example.vn", "out@example.vn", "xm@example.vn"):
        assert _stored(app, email) is None
    inside = _invite(client, "area_viewer", "in@example.vn", area_ids=[world.a.commune.id])
    assert inside.status_code == 302
    assert _areas_of(app, _stored(app, "in@example.vn").id) == {world.a.commune.id}
    officer = _invite(client, "officer", "may@example.vn", enterprise_id=world.a.enterprise.id)
    assert officer.status_code == 302
    assert _stored(app, "may@example.vn").enterprise_id == world.a.enterprise.id
    suggestions = client.get("/admin/users/enterprises.json").get_json()
    assert [item["id"] for item in suggestions["items"]] == [world.a.enterprise.id]


def test_area_admin_sees_and_manages_only_users_inside_their_areas(app, world, client,
                                                                   login_as):
    with app.app_context():
        other_officer = factories.make_user(
            "xm-officer@example.vn", Role.OFFICER,
            enterprise=db.session.get(Enterprise, world.a.enterprise_elsewhere.id))
        straddling = factories.make_user("both@example.vn", Role.AUDITOR,
                                         province=world.a.province)
        for area in (world.a.commune, world.a.other_district):
            db.session.add(AuditorArea(user_id=straddling.id, area_id=area.id))
        db.session.commit()
        outside_ids = (other_officer.id, straddling.id)
    login_as(world.a.area_admin)
    listing = client.get("/admin/users").get_data(as_text=True)
    for inside in (world.a.officer, world.a.auditor, world.a.area_viewer):
        assert f"<td>{inside.email}</td>" in listing
    for outside in (world.a.viewer, world.a.admin, "xm-officer@example.vn",
                    "both@example.vn", world.b.officer):
        assert f"<td>{getattr(outside, 'email', outside)}</td>" not in listing
    for user_id in (world.a.viewer.id, world.a.admin.id, *outside_ids):
        assert client.get(f"/admin/users/{user_id}").status_code == 404
        assert client.post(f"/admin/users/{user_id}/deactivate").status_code == 404
        assert client.post(f"/admin/users/{user_id}",
                           data={"area_ids": [world.a.commune.id]}).status_code == 404
    assert _stored(app, world.a.viewer.email).is_active_account
    assert client.post(f"/admin/users/{world.a.area_viewer.id}/deactivate").status_code == 302
    assert not _stored(app, world.a.area_viewer.email).is_active_account
    # Their areas only inside their own; never areas outside.
    assert client.post(f"/admin/users/{world.a.auditor.id}",
                       data={"area_ids": [world.a.other_district.id]}).status_code == 404
    assert client.post(f"/admin/users/{world.a.auditor.id}",
                       data={"area_ids": [world.a.commune.id]}).status_code == 302
    assert _areas_of(app, world.a.auditor.id) == {world.a.commune.id}


def test_area_admin_cannot_change_their_own_areas(app, world, client, login_as):
    login_as(world.a.area_admin)
    client.get("/lang/en")
    response = client.post(f"/admin/users/{world.a.area_admin.id}",
                           data={"area_ids": [world.a.commune.id]})
    assert "You cannot change your own areas." in response.get_data(as_text=True)
    assert _areas_of(app, world.a.area_admin.id) == {world.a.district.id}


def test_area_admin_imports_only_inside_their_areas(app, world, client, login_as):
    login_as(world.a.area_admin)
    commune, other = world.a.commune.name, world.a.other_district.name
    elsewhere = world.a.enterprise_elsewhere
    data = (HEADER
            + f"0280000011,Công ty Trong Xã,A,{commune},,120,\n"
            + f"0280000012,Công ty Ngoài Xã,A,{other},,80,\n"
            + f"{elsewhere.tax_code},Đổi tên,C,{commune},,10,\n").encode("utf-8")
    dry = _upload(client, data)
    html = dry.get_data(as_text=True)
    problems = _problem_rows(html)
    assert (3, "area", f"“{other}” is outside your areas") in problems
    assert any(row == 4 and text == "this enterprise is outside your areas"
               for row, _column, text in problems)
    assert _apply(client, html).status_code == 302
    with app.app_context():
        names = set(db.session.scalars(select(Enterprise.name)))
        assert "Công ty Trong Xã" in names
        assert "Công ty Ngoài Xã" not in names and "Đổi tên" not in names


def test_scoped_users_and_grantable_roles_follow_the_reach(app, world):
    from riskapp.tenancy import grantable_roles, scope_for, scoped_users

    with app.app_context():
        def reach(user) -> set[str]:
            return set(db.session.scalars(scoped_users(select(User.email), scope_for(user))))

        a = world.a
        assert reach(a.admin) == {u.email for u in (a.officer, a.auditor, a.viewer, a.admin,
                                                    a.area_admin, a.area_viewer)}
        assert reach(a.area_admin) == {u.email for u in (a.officer, a.auditor, a.area_admin,
                                                         a.area_viewer)}
        assert reach(a.viewer) == reach(a.area_viewer) == reach(a.auditor) == set()
        assert Role.PROVINCE_ADMIN in grantable_roles(scope_for(a.admin))
        assert grantable_roles(scope_for(a.area_admin)) == {
            Role.OFFICER, Role.AUDITOR, Role.AREA_VIEWER, Role.AREA_ADMIN}
        assert grantable_roles(scope_for(a.viewer)) == frozenset()


def test_area_admin_import_template_names_one_of_their_communes(world, client, login_as):
    login_as(world.a.area_admin)
    template = client.get("/province/imports/template.csv").data.decode("utf-8-sig")
    assert world.a.commune.name in template and world.a.other_district.name not in template
