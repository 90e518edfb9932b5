"""Importing enterprises: the dry run names every bad row; known tax codes update; re-import is
a no-op."""

from __future__ import annotations

import io

import pandas as pd
from sqlalchemy import func, select

from riskapp.db import db
from riskapp.models import AuditLog, Enterprise, EnterpriseStatus, Role, User

HEADER = "Mã số thuế,Tên doanh nghiệp,Ngành,Địa bàn,Địa chỉ,Số lao động,Email cán bộ\n"


def _csv(world, rows: list[str]) -> bytes:
    return (HEADER + "\n".join(rows) + "\n").encode("utf-8")


def _good_rows(world) -> list[str]:
    district, commune = world.a.district.name, world.a.commune.name
    return [
        f"0280000001,Công ty Thủy sản Sầm Sơn,A,{commune},Số 5 Lê Lợi,120,ho@example.vn",
        f"2800000002-001,Chi nhánh May Hà Trung,\"Công nghiệp chế biến, chế tạo\","
        f"{district} › {commune},,900,",
    ]


def _problem_rows(html: str) -> list[tuple[int, str, str]]:
    import re
    from html import unescape

    table = html.split('id="import-problems"', 1)[1].split("</table>", 1)[0]
    cells = re.findall(r"<tr><td[^>]*>(\d+)</td><td>(.*?)</td><td>(.*?)</td></tr>", table)
    return [(int(row), unescape(column), unescape(text)) for row, column, text in cells]


def _upload(client, data: bytes, name: str = "dn.csv"):
    client.get("/lang/en")
    return client.post("/province/imports", data={"file": (io.BytesIO(data), name)},
                       content_type="multipart/form-data")


def _apply(client, html: str):
    import re

    token = re.search(r'name="token"[^>]*value="([^"]+)"', html) or re.search(
        r'value="([^"]+)"[^>]*name="token"', html)
    filename = re.search(r'name="filename"[^>]*value="([^"]*)"', html) or re.search(
        r'value="([^"]*)"[^>]*name="filename"', html)
    return client.post("/province/imports/apply", data={"token": token.group(1),
                                                       "filename": filename.group(1)})


def test_dry_run_reports_every_bad_row_and_saves_nothing(app, world, client, login_as):
    login_as(world.a.admin)
    commune = world.a.commune.name
    rows = _good_rows(world)[:1] + [
        f"28000X0003,Công ty Sai Mã,C,{commune},,10,",                 # row 3: tax code
        f"2800000004,,C,{commune},,10,",                               # row 4: name
        f"2800000005,Công ty Ngành Lạ,Z,{commune},,10,",               # row 5: industry
        "2800000006,Công ty Ở Đâu,C,Xã Không Có,,10,",                  # row 6: area
        f"2800000007,Công ty Âm,C,{commune},,-4,",                     # row 7: head-count
        f"2800000008,Công ty Thư,C,{commune},,10,khong-phai-email",    # row 8: e-mail
        f"0280000001,Công ty Trùng,C,{commune},,10,",                  # row 9: as row 2
        f"{world.b.enterprise.tax_code},Công ty Tỉnh Khác,C,{commune},,10,",  # row 10
    ]
    with app.test_request_context():
        before = db.session.scalar(select(func.count()).select_from(Enterprise))
    response = _upload(client, _csv(world, rows))
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    problems = _problem_rows(html)
    # Rows 2 and 9 share a tax code: both are refused (which one is right is the province's call).
    assert [(row, column) for row, column, _text in problems] == [
        (2, "tax code"), (3, "tax code"), (4, "name"), (5, "industry"), (6, "area"),
        (7, "head-count"), (8, "officer e-mail"), (9, "tax code"), (10, "tax code")]
    texts = {row: text for row, _column, text in problems}
    assert "28000X0003" in texts[3] and "10 digits" in texts[3]
    assert texts[4] == "missing"
    assert "Xã Không Có" in texts[6]
    assert texts[9] == texts[2] == "rows 2, 9 have the same tax code 0280000001"
    # Another province's tax code: the row cannot be used, and nothing says where it is.
    assert texts[10] == "this tax code cannot be used in this import"
    assert 'name="token"' not in html  # no good row: nothing to apply
    with app.test_request_context():
        assert db.session.scalar(select(func.count()).select_from(Enterprise)) == before


def test_apply_creates_invites_and_reimport_changes_nothing(app, world, client, login_as,
                                                             outbox):
    login_as(world.a.admin)
    data = _csv(world, _good_rows(world))
    response = _upload(client, data)
    html = response.get_data(as_text=True)
    assert "2 new, 0 updated, 0 unchanged, 1 officers to invite, 0 problems" in html
    assert _apply(client, html).status_code == 302
    with app.test_request_context():
        created = db.session.scalar(select(Enterprise).where(Enterprise.tax_code == "0280000001"))
        assert created.name == "Công ty Thủy sản Sầm Sơn"  # diacritics and leading zero kept
        assert created.province_id == world.a.province.id
        branch = db.session.scalar(
            select(Enterprise).where(Enterprise.tax_code == "2800000002-001"))
        assert branch.industry == "C" and branch.area_id == world.a.commune.id
        assert db.session.get(EnterpriseStatus, created.id) is not None
        officer = db.session.scalar(select(User).where(User.email == "ho@example.vn"))
        assert officer.role == Role.OFFICER and officer.enterprise_id == created.id
        assert officer.password_hash is None
        snapshot = db.session.scalar(select(func.count()).select_from(Enterprise))
        logs = db.session.scalar(select(func.count()).select_from(AuditLog))
    assert [m["To"] for m in outbox] == ["ho@example.vn"]

    # The same file again: every row unchanged, nothing written, nobody invited twice.
    again = _upload(client, data).get_data(as_text=True)
    assert _apply(client, again).status_code == 302
    with app.test_request_context():
        assert db.session.scalar(select(func.count()).select_from(Enterprise)) == snapshot
        entry = db.session.scalars(select(AuditLog).where(
            AuditLog.action == "enterprises_imported").order_by(AuditLog.id.desc())).first()
        assert entry.details["unchanged"] == 2 and entry.details["new"] == 0
        assert db.session.scalar(select(func.count()).select_from(AuditLog)) == logs + 1
    assert len(outbox) == 1


def test_duplicate_tax_code_updates_and_xlsx_keeps_leading_zeros(app, world, client, login_as):
    login_as(world.a.admin)
    frame = pd.DataFrame({
        "Mã số thuế": [world.a.enterprise.tax_code, "0012345678"],
        "Tên doanh nghiệp": ["Công ty May Đông Hòa (đổi tên)", "Công ty Đá Vôi"],
        "Ngành": ["C", "B"],
        "Địa bàn": [world.a.commune.name, world.a.other_district.name],
        "Địa chỉ": ["", "Thôn 3"],
        "Số lao động": ["300", "45"],
        "Email cán bộ": [world.a.officer.email, ""],
    })
    buffer = io.BytesIO()
    frame.to_excel(buffer, index=False)
    html = _upload(client, buffer.getvalue(), "dn.xlsx").get_data(as_text=True)
    assert _apply(client, html).status_code == 302
    with app.test_request_context():
        updated = db.session.get(Enterprise, world.a.enterprise.id)
        assert updated.name == "Công ty May Đông Hòa (đổi tên)" and updated.headcount == 300
        assert db.session.get(EnterpriseStatus, updated.id).headcount == 300
        assert db.session.scalar(
            select(func.count()).select_from(Enterprise).where(
                Enterprise.tax_code == world.a.enterprise.tax_code)) == 1
        assert db.session.scalar(
            select(Enterprise).where(Enterprise.tax_code == "0012345678")) is not None


def test_only_province_admin_imports(world, client, login_as):
    for user in (world.a.viewer, world.a.auditor, world.a.officer):
        login_as(user)
        assert client.get("/province/imports").status_code == 404


def test_dry_run_never_tells_whether_an_e_mail_exists_in_another_province(app, world, client,
                                                                          login_as):
    """Another province's account and the platform admin's get the same words as a stranger's
    address the file cannot use; an account of this province is named as such."""
    login_as(world.a.admin)
    commune = world.a.commune.name
    rows = [
        f"2800000011,Công ty Một,C,{commune},,10,{world.b.officer.email}",     # row 2
        f"2800000012,Công ty Hai,C,{commune},,10,{world.platform_admin.email}",  # row 3
        f"2800000013,Công ty Ba,C,{commune},,10,{world.a.viewer.email}",        # row 4
    ]
    problems = _problem_rows(_upload(client, _csv(world, rows)).get_data(as_text=True))
    texts = {row: text for row, _column, text in problems}
    assert texts[2] == texts[3] == "this e-mail cannot be used in this import"
    for text in texts.values():
        assert "another province" not in text and "outside" not in text
    assert texts[4] == "this e-mail already belongs to another account in this province"
