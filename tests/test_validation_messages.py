"""Validation messages speak the page's language: WTForms' own, ours and the CSRF refusals."""

from __future__ import annotations

import ast
import re
from html import unescape
from pathlib import Path

import pytest

from tests.assessments.conftest import form_data

ROOT = Path(__file__).resolve().parent.parent


def _errors(response) -> list[str]:
    """The texts of the page's field errors (<p class="error">), as a person reads them."""
    html = response.get_data(as_text=True)
    return [unescape(text).strip() for text in re.findall(r'<p class="error"[^>]*>(.*?)</p>', html,
                                                          re.S)]


def _in_language(client, lang: str):
    client.get(f"/lang/{lang}")
    return client


@pytest.mark.parametrize(("lang", "expected"), [
    ("vi", "Trường này là bắt buộc."),
    ("en", "This field is required."),
])
def test_login_required_field(client, world, lang, expected):
    response = _in_language(client, lang).post("/auth/login", data={"email": "", "password": ""})
    assert expected in _errors(response)


@pytest.mark.parametrize(("lang", "headcount", "expected"), [
    ("vi", "2000000", "Số phải nằm trong khoảng từ 1 đến 1000000."),
    ("en", "2000000", "Number must be between 1 and 1000000."),
])
def test_profile_number_range(world, login_as, lang, headcount, expected):
    client = _in_language(login_as(world.a.officer), lang)
    response = client.post("/enterprise/profile", data={"name": "Công ty May",
                                                         "headcount": headcount})
    assert response.status_code == 422
    assert expected in _errors(response)


@pytest.mark.parametrize(("lang", "expected"), [
    ("vi", "Nhập một số từ 0 đến 100."),
    ("en", "Enter a number from 0 to 100."),
])
def test_assessment_number_out_of_range(world, login_as, lang, expected):
    client = _in_language(login_as(world.a.officer), lang)
    edit_url = client.post("/enterprise/assessments/new").headers["Location"]
    page = client.get(edit_url).get_data(as_text=True)
    lock = re.search(r'name="lock_version"[^>]*value="(\d+)"', page).group(1)
    response = client.post(edit_url, data=form_data({"HYG-2": "150"}, lock_version=lock))
    assert expected in _errors(response)


@pytest.mark.parametrize(("lang", "expected"), [
    ("vi", "Không được dài quá 500 ký tự."),
    ("en", "Field cannot be longer than 500 characters."),
])
def test_province_area_level_note(world, login_as, lang, expected):
    client = _in_language(login_as(world.a.admin), lang)
    response = client.post("/province/areas", data={
        "area_id": str(world.a.district.id), "level": "2", "effective_from": "2026-01-05",
        "note": "x" * 501})
    assert response.status_code == 400
    assert expected in _errors(response)


@pytest.mark.parametrize(("lang", "expected"), [
    ("vi", ["Địa chỉ e-mail không hợp lệ.", "Trường này là bắt buộc."]),
    ("en", ["Invalid email address.", "This field is required."]),
])
def test_admin_invite_form(world, login_as, lang, expected):
    client = _in_language(login_as(world.a.admin), lang)
    response = client.post("/admin/users/invite", data={
        "role": "province_viewer", "email": "not-an-address", "name": ""})
    assert response.status_code == 400
    errors = _errors(response)
    assert all(message in errors for message in expected), errors


@pytest.mark.parametrize(("lang", "expected"), [
    ("vi", ["Trường này là bắt buộc.", "Không được dài quá 64 ký tự."]),
    ("en", ["This field is required.", "Field cannot be longer than 64 characters."]),
])
def test_platform_province_form(world, login_as, lang, expected):
    client = _in_language(login_as(world.platform_admin), lang)
    response = client.post("/admin/", data={"code": "", "timezone": "x" * 65,
                                             "email": "a@example.vn", "admin_name": "A"})
    assert response.status_code == 400
    errors = _errors(response)
    assert all(message in errors for message in expected), errors


@pytest.mark.parametrize(("lang", "expected"), [
    ("vi", "Biểu mẫu đã hết hạn hoặc không hợp lệ. Tải lại trang rồi gửi lại."),
    ("en", "The form has expired or is not valid. Reload the page and send it again."),
])
def test_csrf_refusal_is_translated(dedicated_app, world, lang, expected):
    client = dedicated_app(WTF_CSRF_ENABLED=True).test_client()
    client.get(f"/lang/{lang}")
    client.get("/auth/login")  # the session now holds a CSRF secret
    response = client.post("/auth/login", data={"email": "a@example.vn", "password": "x",
                                                "csrf_token": "forged"})
    assert response.status_code == 400
    assert expected in unescape(response.get_data(as_text=True))
    assert "CSRF" not in response.get_data(as_text=True)


def test_every_form_uses_the_translated_base():
    """A form built on FlaskForm directly would show WTForms' English messages on vi pages."""
    direct = []
    for path in (ROOT / "riskapp").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ClassDef) and any(
                isinstance(base, ast.Name) and base.id == "FlaskForm" for base in node.bases
            ) and path.name != "fields.py":
                direct.append(f"{path.relative_to(ROOT)}:{node.name}")
    assert direct == []
