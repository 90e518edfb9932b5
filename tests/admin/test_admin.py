"""Administration: platform admin creates provinces; province admin invites and manages users."""

from __future__ import annotations

import re
from html import unescape

import pytest
from sqlalchemy import func, select

from riskapp.db import db
from riskapp.models import Area, AuditLog, AuditorArea, Province, Role, User
from tests.conftest import login

LINK = re.compile(r"https?://[^\s\"<]+/auth/invite/[A-Za-z0-9_\-]+")


def _user(app, email: str) -> User | None:
    """The user as stored now, detached so it can be read after the context ends."""
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == email))
        if user is not None:
            db.session.expunge(user)
        return user


def _audit_actions(app) -> list[str]:
    with app.app_context():
        return list(db.session.scalars(select(AuditLog.action).order_by(AuditLog.id)))


def _mailed_link(outbox, email: str) -> str:
    message = next(m for m in reversed(outbox) if m["To"] == email)
    return LINK.search(message.get_content()).group(0)


# --- platform admin -------------------------------------------------------------------------

def test_platform_admin_creates_province_and_invites_first_admin(app, client, world, login_as,
                                                                 outbox):
    login_as(world.platform_admin)
    form = client.get("/admin/").get_data(as_text=True)
    # The official list, name and code; provinces already on the platform are not offered.
    assert '<option value="37">Ninh Bình (37)</option>' in form
    assert 'value="38"' not in form and 'value="40"' not in form  # world's Thanh Hóa, Nghệ An
    response = client.post("/admin/", data={
        "code": "37", "email": "Admin@NinhBinh.vn", "admin_name": "Vũ Thị Hà",
    })
    assert response.status_code == 302
    with app.app_context():
        province = db.session.scalar(select(Province).where(Province.code == "37"))
        assert province.name == "Ninh Bình"
        codes = db.session.scalars(select(Area.code).where(Area.province_id == province.id)).all()
        assert len(codes) == 129 and all(codes)
        admin = db.session.scalar(select(User).where(User.email == "admin@ninhbinh.vn"))
        assert admin.role == Role.PROVINCE_ADMIN and admin.province_id == province.id
        assert admin.password_hash is None  # chooses it through the invitation
    link = _mailed_link(outbox, "admin@ninhbinh.vn")
    page = client.get("/admin/").get_data(as_text=True)
    assert link in page and "Ninh Bình" in page and "129" in page
    # Shown once only.
    assert link not in client.get("/admin/").get_data(as_text=True)
    assert {"province_created", "user_invited"} <= set(_audit_actions(app))


def test_invited_province_admin_accepts_and_reaches_users_page(app, client, world, login_as,
                                                               outbox):
    login_as(world.platform_admin)
    client.post("/admin/", data={"code": "37", "email": "new@hanam.vn",
                                 "admin_name": "Vũ Thị Hà"})
    link = _mailed_link(outbox, "new@hanam.vn")
    client.post("/auth/logout")
    path = link.split("://", 1)[1].split("/", 1)[1]
    accepted = client.post("/" + path, data={"name": "Vũ Thị Hà", "password": "Sông-Đáy-2021",
                                             "confirm": "Sông-Đáy-2021", "consent": "y"})
    assert accepted.status_code == 302
    assert login(client, "new@hanam.vn", "Sông-Đáy-2021").status_code == 302
    page = client.get("/admin/users")
    assert page.status_code == 200 and "new@hanam.vn" in page.get_data(as_text=True)


@pytest.mark.parametrize("field, value, message", [
    ("code", "40", "Nghệ An (code 40) is already on the platform."),  # world's "NA", by its name
    ("code", "99", "“99” is not a province of the official list: choose one from the list."),
    ("code", "", "This field is required."),
    ("email", "viewer-NA@example.vn", "An account with this e-mail address already exists."),
])
def test_create_province_refuses_and_keeps_input(app, client, world, login_as, field, value,
                                                 message):
    login_as(world.platform_admin)
    client.get("/lang/en")
    data = {"code": "44", "email": "a@qb.vn", "admin_name": "Ngô Văn Bình"}
    data[field] = value
    response = client.post("/admin/", data=data)
    page = unescape(response.get_data(as_text=True))
    assert response.status_code == 400
    assert message in page and "Ngô Văn Bình" in page
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Province)) == 2


def test_the_same_province_twice_is_refused(app, client, world, login_as):
    login_as(world.platform_admin)
    data = {"code": "44", "email": "a@qb.vn", "admin_name": "Ngô Văn Bình"}
    assert client.post("/admin/", data=data).status_code == 302
    client.get("/lang/vi")
    again = client.post("/admin/", data={**data, "email": "b@qb.vn"})
    assert again.status_code == 400
    assert "Quảng Trị (mã 44) đã có trên nền tảng." in unescape(again.get_data(as_text=True))
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Area).join(Province).where(
            Province.code == "44")) == 78


def test_platform_admin_invites_another_province_admin(app, client, world, login_as, outbox):
    login_as(world.platform_admin)
    response = client.post(f"/admin/provinces/{world.b.province.id}/admins",
                           data={"email": "second@nghean.vn", "admin_name": "Hồ Văn Nghệ"})
    assert response.status_code == 302
    user = _user(app, "second@nghean.vn")
    assert user.role == Role.PROVINCE_ADMIN and user.province_id == world.b.province.id
    assert _mailed_link(outbox, "second@nghean.vn") in client.get("/admin/").get_data(as_text=True)
    assert client.post("/admin/provinces/999999/admins",
                       data={"email": "x@y.vn", "admin_name": "X"}).status_code == 404


def test_platform_admin_sees_no_tenant_data(client, world, login_as):
    login_as(world.platform_admin)
    page = client.get("/admin/").get_data(as_text=True)
    assert world.a.enterprise.name not in page and world.a.officer.email not in page
    assert client.get("/admin/users").status_code == 404
    assert client.get(f"/admin/users/{world.a.officer.id}").status_code == 404


@pytest.mark.parametrize("who", ["admin", "viewer", "officer", "auditor"])
def test_province_roles_cannot_reach_platform_admin(client, world, login_as, who):
    login_as(getattr(world.a, who))
    assert client.get("/admin/").status_code == 404
    assert client.post("/admin/", data={"code": "X", "name": "X", "email": "x@x.vn",
                                        "admin_name": "X"}).status_code == 404


def test_anonymous_is_sent_to_login(client, world):
    response = client.get("/admin/users")
    assert response.status_code == 302 and "/auth/login" in response.headers["Location"]


# --- province admin: users ------------------------------------------------------------------

def test_users_lists_only_the_own_province(client, world, login_as):
    login_as(world.a.admin)
    page = client.get("/admin/users").get_data(as_text=True)
    for user in (world.a.officer, world.a.auditor, world.a.viewer, world.a.admin):
        assert user.email in page
    assert world.a.enterprise.name in page  # the officer's scope
    assert world.a.district.name in page  # the auditor's scope
    assert world.b.officer.email not in page and world.platform_admin.email not in page


@pytest.mark.parametrize("who", ["viewer", "officer", "auditor"])
def test_other_roles_cannot_manage_users(client, world, login_as, who):
    login_as(getattr(world.a, who))
    assert client.get("/admin/users").status_code == 404
    assert client.get("/admin/users/invite").status_code == 404
    assert client.post(f"/admin/users/{world.a.viewer.id}/deactivate").status_code == 404


def test_invite_officer_of_own_enterprise(app, client, world, login_as, outbox):
    login_as(world.a.admin)
    response = client.post("/admin/users/invite", data={
        "role": "officer", "email": "huong@maydonghoa.vn", "name": "Đặng Thị Hương",
        "enterprise_id": world.a.enterprise.id,
    })
    assert response.status_code == 302
    user = _user(app, "huong@maydonghoa.vn")
    assert user.role == Role.OFFICER
    assert user.enterprise_id == world.a.enterprise.id
    assert user.province_id == world.a.province.id
    link = _mailed_link(outbox, "huong@maydonghoa.vn")
    assert link in client.get("/admin/users").get_data(as_text=True)
    assert link not in client.get("/admin/users").get_data(as_text=True)
    assert "user_invited" in _audit_actions(app)


def test_invite_officer_of_another_province_enterprise_is_404(app, client, world, login_as,
                                                             outbox):
    login_as(world.a.admin)
    response = client.post("/admin/users/invite", data={
        "role": "officer", "email": "spy@x.vn", "name": "Spy",
        "enterprise_id": world.b.enterprise.id,
    })
    assert response.status_code == 404
    assert _user(app, "spy@x.vn") is None and outbox == []


def test_invite_auditor_with_areas(app, client, world, login_as):
    login_as(world.a.admin)
    response = client.post("/admin/users/invite", data={
        "role": "auditor", "email": "kiem@soyte.vn", "name": "Kiểm Toán",
        "area_ids": [world.a.district.id, world.a.other_district.id],
    })
    assert response.status_code == 302
    user = _user(app, "kiem@soyte.vn")
    with app.app_context():
        areas = set(db.session.scalars(
            select(AuditorArea.area_id).where(AuditorArea.user_id == user.id)))
    assert areas == {world.a.district.id, world.a.other_district.id}


def test_invite_auditor_with_another_province_area_is_404(app, client, world, login_as):
    login_as(world.a.admin)
    response = client.post("/admin/users/invite", data={
        "role": "auditor", "email": "kiem@soyte.vn", "name": "Kiểm",
        "area_ids": [world.a.district.id, world.b.district.id],
    })
    assert response.status_code == 404
    assert _user(app, "kiem@soyte.vn") is None


@pytest.mark.parametrize("data, message", [
    ({"role": "auditor"}, "Choose at least one area for the auditor."),
    ({"role": "officer"}, "Choose the officer&#39;s enterprise."),
    ({"role": "platform_admin"}, "Not a valid choice"),
    ({"role": "province_viewer", "email": "viewer-TH@example.vn"},
     "An account with this e-mail address already exists."),
])
def test_invite_refuses_incomplete_input_and_keeps_it(app, client, world, login_as, data,
                                                      message):
    login_as(world.a.admin)
    form = {"email": "tran@soyte.vn", "name": "Trần Thị Đào", **data}
    response = client.post("/admin/users/invite", data=form)
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert message in page
    assert "Trần Thị Đào" in page
    assert _user(app, "tran@soyte.vn") is None


def test_invite_viewer_and_admin_cover_whole_province(app, client, world, login_as):
    login_as(world.a.admin)
    for role, email in (("province_viewer", "v2@th.vn"), ("province_admin", "a2@th.vn")):
        assert client.post("/admin/users/invite", data={
            "role": role, "email": email, "name": "Người Mới"}).status_code == 302
        user = _user(app, email)
        assert user.role == Role(role) and user.province_id == world.a.province.id
        assert user.enterprise_id is None


def test_area_picker_shows_tree_indented_by_depth(client, world, login_as):
    login_as(world.a.admin)
    page = client.get("/admin/users/invite").get_data(as_text=True)
    district = page.index(f'value="{world.a.district.id}"')
    commune = page.index(f'value="{world.a.commune.id}"')
    assert district < commune  # the commune follows its district
    assert re.search(r'padding-left: 1\.5rem">\s*<input type="checkbox" name="area_ids" '
                     rf'value="{world.a.commune.id}"', page)
    assert world.b.district.name not in page and world.b.enterprise.name not in page
    assert world.a.enterprise.name in page  # the officer's enterprise picker


def test_resend_invitation_replaces_the_old_link(app, client, world, login_as, outbox):
    login_as(world.a.admin)
    client.post("/admin/users/invite", data={"role": "province_viewer", "email": "late@th.vn",
                                             "name": "Chậm Trễ"})
    first = _mailed_link(outbox, "late@th.vn")
    user = _user(app, "late@th.vn")
    response = client.post(f"/admin/users/{user.id}/resend")
    assert response.status_code == 302
    second = _mailed_link(outbox, "late@th.vn")
    assert second != first
    assert second in client.get(f"/admin/users/{user.id}").get_data(as_text=True)
    client.post("/auth/logout")
    assert client.get("/" + first.split("/", 3)[3]).status_code == 404
    assert client.get("/" + second.split("/", 3)[3]).status_code == 200
    assert "invitation_resent" in _audit_actions(app)


def test_resend_refused_once_accepted(app, client, world, login_as, outbox):
    login_as(world.a.admin)
    response = client.post(f"/admin/users/{world.a.viewer.id}/resend", follow_redirects=True)
    assert "already accepted" in response.get_data(as_text=True)
    assert outbox == []


def test_deactivate_ends_sessions_and_reactivate(app, world, login_as, client):
    officer_client = app.test_client()
    assert login(officer_client, world.a.officer).status_code == 302
    before = _user(app, world.a.officer.email).session_version

    login_as(world.a.admin)
    assert client.post(f"/admin/users/{world.a.officer.id}/deactivate").status_code == 302
    officer = _user(app, world.a.officer.email)
    assert officer.is_active_account is False and officer.session_version == before + 1
    kicked = officer_client.get("/")
    assert kicked.status_code == 302 and "/auth/login" in kicked.headers["Location"]
    assert login(officer_client, world.a.officer).status_code == 401

    assert client.post(f"/admin/users/{world.a.officer.id}/reactivate").status_code == 302
    assert _user(app, world.a.officer.email).is_active_account is True
    assert login(officer_client, world.a.officer).status_code == 302
    assert {"user_deactivated", "user_reactivated"} <= set(_audit_actions(app))


def test_admin_cannot_deactivate_self(app, client, world, login_as):
    login_as(world.a.admin)
    response = client.post(f"/admin/users/{world.a.admin.id}/deactivate", follow_redirects=True)
    assert "cannot deactivate your own account" in response.get_data(as_text=True)
    assert _user(app, world.a.admin.email).is_active_account is True


def test_edit_auditor_areas(app, client, world, login_as):
    login_as(world.a.admin)
    page = client.get(f"/admin/users/{world.a.auditor.id}").get_data(as_text=True)
    assert re.search(rf'value="{world.a.district.id}" checked', page)
    response = client.post(f"/admin/users/{world.a.auditor.id}",
                           data={"area_ids": [world.a.other_district.id, world.a.commune.id]})
    assert response.status_code == 302
    with app.app_context():
        areas = set(db.session.scalars(
            select(AuditorArea.area_id).where(AuditorArea.user_id == world.a.auditor.id)))
    assert areas == {world.a.other_district.id, world.a.commune.id}
    assert "auditor_areas_changed" in _audit_actions(app)
    empty = client.post(f"/admin/users/{world.a.auditor.id}", data={})
    assert empty.status_code == 400
    assert "Choose at least one area" in empty.get_data(as_text=True)


def test_edit_auditor_areas_with_another_province_area_is_404(app, client, world, login_as):
    login_as(world.a.admin)
    response = client.post(f"/admin/users/{world.a.auditor.id}",
                           data={"area_ids": [world.b.district.id]})
    assert response.status_code == 404
    with app.app_context():
        areas = set(db.session.scalars(
            select(AuditorArea.area_id).where(AuditorArea.user_id == world.a.auditor.id)))
    assert areas == {world.a.district.id}


@pytest.mark.parametrize("method, path", [
    ("get", "/admin/users/{id}"),
    ("post", "/admin/users/{id}"),
    ("post", "/admin/users/{id}/resend"),
    ("post", "/admin/users/{id}/deactivate"),
    ("post", "/admin/users/{id}/reactivate"),
])
def test_another_province_user_is_404(app, client, world, login_as, method, path):
    login_as(world.a.admin)
    for target in (world.b.auditor, world.b.officer, world.platform_admin):
        response = getattr(client, method)(path.format(id=target.id),
                                           data={"area_ids": [world.b.district.id]})
        assert response.status_code == 404
    assert _user(app, world.b.auditor.email).is_active_account is True


def test_area_picker_sorts_in_vietnamese_order(app, client, world, login_as):
    from tests.factories import make_area

    with app.app_context():
        province = db.session.get(Province, world.a.province.id)
        for name in ("Huyện Hoằng Hóa", "Huyện Hà Trung", "Huyện Đông Anh"):
            make_area(province, name)
        db.session.commit()
    login_as(world.a.admin)
    page = client.get("/admin/users/invite").get_data(as_text=True)
    positions = [page.index(name) for name in
                 ("Huyện Đông Anh", "Huyện Hà Trung", "Huyện Hoằng Hóa")]
    assert positions == sorted(positions)


@pytest.mark.parametrize("zone, stored", [
    ("Asia/Bangkok", "Asia/Bangkok"),
    ("", "Asia/Ho_Chi_Minh"),  # left empty: Vietnam's
])
def test_a_new_province_gets_its_time_zone(app, client, world, login_as, zone, stored):
    login_as(world.platform_admin)
    response = client.post("/admin/", data={"code": "44", "email": "a@qb.vn",
                                            "admin_name": "Ngô Văn Bình", "timezone": zone})
    assert response.status_code == 302
    with app.app_context():
        assert db.session.scalar(select(Province.timezone).where(Province.code == "44")) == stored
    assert stored in client.get("/admin/").get_data(as_text=True)


def test_an_unknown_time_zone_is_refused_with_a_message(app, client, world, login_as):
    login_as(world.platform_admin)
    client.get("/lang/en")
    response = client.post("/admin/", data={"code": "44", "email": "a@qb.vn",
                                            "admin_name": "Ngô Văn Bình", "timezone": "Mars/Base"})
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Not a time zone this server knows" in page and "Mars/Base" in page
    with app.app_context():
        assert db.session.scalar(select(Province).where(Province.code == "44")) is None
