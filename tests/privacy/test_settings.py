"""The province's retention periods on its settings page: saved, audited, refused outside each
kind's bounds with a message in the page's language, and only the admin's own province's."""

from __future__ import annotations

from sqlalchemy import select

from riskapp.db import db
from riskapp.models import AuditLog
from riskapp.privacy import settings
from riskapp.privacy.kinds import ACCOUNTS, EVIDENCE, KINDS, LOGINS

DEFAULTS = {kind.code: kind.default for kind in KINDS}


def _periods(app, province_id):
    with app.app_context():
        return settings.periods(province_id)


def test_page_shows_the_defaults_and_saving_changes_only_the_admins_province(app, world,
                                                                              login_as):
    client = login_as(world.a.admin)
    page = client.get("/province/reviews/settings").get_data(as_text=True)
    assert 'id="personal-data"' in page and 'name="evidence_photos" ' in page
    assert 'value="24"' in page and "Allowed: 12 to 60; default 24." in page
    response = client.post("/province/privacy/retention", data={**DEFAULTS, EVIDENCE: 36})
    assert response.status_code == 302
    assert _periods(app, world.a.province.id)[EVIDENCE] == 36
    assert _periods(app, world.b.province.id) == DEFAULTS
    with app.app_context():
        entry = db.session.scalar(select(AuditLog).where(AuditLog.action == "retention_set"))
        assert entry.details == {EVIDENCE: {"before": 24, "after": 36}}
        assert entry.province_id == world.a.province.id
    again = client.post("/province/privacy/retention", data={**DEFAULTS, EVIDENCE: 36},
                        follow_redirects=True)
    assert "Nothing changed." in again.get_data(as_text=True)


def test_out_of_bounds_and_non_numbers_are_refused_with_the_reason_in_english(app, world,
                                                                            login_as):
    client = login_as(world.a.admin)
    response = client.post("/province/privacy/retention",
                           data={**DEFAULTS, LOGINS: 5, ACCOUNTS: "soon", EVIDENCE: 61})
    text = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Enter a whole number of days from 30 to 730" in text
    assert "Enter a whole number of months from 12 to 60" in text
    assert "Not a valid integer value." in text
    assert 'value="5"' in text  # the typed value is kept
    assert _periods(app, world.a.province.id) == DEFAULTS


def test_the_refusal_is_in_vietnamese_on_a_vietnamese_page(app, world, login_as):
    client = login_as(world.a.admin)
    client.get("/lang/vi")
    text = client.post("/province/privacy/retention",
                       data={**DEFAULTS, LOGINS: 731}).get_data(as_text=True)
    assert "Nhập số ngày nguyên từ 30 đến 730" in text
    assert "Chưa lưu gì" in text
    assert _periods(app, world.a.province.id)[LOGINS] == 180


def test_only_a_province_admin_saves_periods(app, world, login_as):
    for user in (world.a.viewer, world.a.area_admin, world.platform_admin):
        client = login_as(user)
        assert client.post("/province/privacy/retention",
                           data={**DEFAULTS, EVIDENCE: 36}).status_code == 404
    assert _periods(app, world.a.province.id) == DEFAULTS
