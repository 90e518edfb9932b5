"""Erasure by a province admin: the person goes, the records the law keeps stay under a
pseudonym, a signed report still verifies; refused for the last admin, 404 elsewhere; a user's
own request reaches the province admin."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from riskapp.api import tokens
from riskapp.clock import now
from riskapp.db import db
from riskapp.models import (
    ApiToken,
    Assessment,
    AuditLog,
    AuditLogPersonal,
    ErasureRequest,
    Notification,
    OneTimeToken,
    Province,
    Role,
    User,
)
from riskapp.privacy import erasure
from riskapp.reports import signing
from tests import factories
from tests.audit.support import report_row, submitted
from tests.privacy.support import token


def _erase(client, user, typed=None):
    return client.post(f"/admin/users/{user.id}/erase", data={"email": typed or user.email})


def _with_personal_things(app, user):
    with app.test_request_context():
        row = db.session.get(User, user.id)
        row.phone = "84912345678"
        tokens.create_token(row, "script", ["read"], 30)
        token(user.id, now() + timedelta(days=1))
        db.session.add(Notification(user_id=user.id, province_id=row.province_id,
                                    kind="reminder", dedup_key=f"x:{user.id}", subject="S",
                                    body="B"))
        db.session.add(AuditLog(action="login", user_id=user.id, province_id=row.province_id,
                                personal=AuditLogPersonal(user_email=user.email,
                                                          ip="203.0.113.9")))
        db.session.commit()


def test_erasure_removes_the_person_keeps_the_records_and_the_report_verifies(app, world,
                                                                              login_as):
    officer = world.a.officer
    assessment_id = submitted(app, world.a.enterprise, officer)
    report = report_row(app, assessment_id)
    _with_personal_things(app, officer)
    client = login_as(world.a.admin)
    client.get("/lang/en")
    refused = _erase(client, officer, typed="someone@example.vn")
    assert refused.status_code == 422
    assert "e-mail address: nothing was erased" in refused.get_data(as_text=True)
    assert _erase(client, officer).status_code == 302
    with app.app_context():
        row = db.session.get(User, officer.id)
        assert row.email == f"erased-{officer.id}@invalid"
        assert row.name == f"Người dùng đã xoá / Erased user #{officer.id}"
        assert row.phone is None and row.password_hash is None and not row.is_active
        assert row.session_version > 1
        for model in (ApiToken, OneTimeToken, Notification):
            assert db.session.scalar(select(func.count()).select_from(model).where(
                model.user_id == officer.id)) == 0
        login = db.session.scalar(select(AuditLog).where(AuditLog.action == "login",
                                                         AuditLog.user_id == officer.id))
        assert login.user_email == row.email and login.ip is None
        entry = db.session.scalar(select(AuditLog).where(AuditLog.action == "user_erased"))
        assert entry.details == {"user_id": officer.id}
        assert "officer-TH" not in str(entry.details) and entry.user_id == world.a.admin.id
        kept = db.session.get(Assessment, assessment_id)
        assert kept.submitted_by_id == officer.id and kept.grade is not None
    public = client.get("/verify/public-key.pem").data
    assert signing.verify_report(report.pdf, signing.load_public_key(public)).valid
    assert report_row(app, assessment_id).pdf == report.pdf
    checked = client.post(f"/verify/{report.verification_code}",
                          data={"pdf": (io.BytesIO(report.pdf), "report.pdf")},
                          content_type="multipart/form-data")
    assert "Genuine report" in checked.get_data(as_text=True)
    # The old session of the erased person ends; their old password no longer logs in.
    assert client.post("/auth/logout").status_code in (302, 200)
    assert client.post("/auth/login", data={"email": officer.email,
                                            "password": factories.TEST_PASSWORD}
                       ).status_code != 302


def test_another_provinces_user_answers_404_and_is_untouched(app, world, login_as):
    client = login_as(world.a.admin)
    assert _erase(client, world.b.officer).status_code == 404
    assert client.get(f"/admin/users/{world.b.officer.id}/data.json").status_code == 404
    with app.app_context():
        assert db.session.get(User, world.b.officer.id).email == world.b.officer.email


def test_the_last_active_admin_cannot_be_erased(app, world, login_as):
    client = login_as(world.a.admin)
    client.get("/lang/en")
    # Through the page a province admin is always another admin: their own account is refused.
    refused = _erase(client, world.a.admin)
    assert refused.status_code == 409
    assert "You cannot erase your own account" in refused.get_data(as_text=True)
    with app.test_request_context():
        admin = db.session.get(User, world.a.admin.id)
        operator = db.session.get(User, world.platform_admin.id)
        with pytest.raises(erasure.ErasureRefused, match="last active administrator"):
            erasure.check_erasable(admin, operator)
        factories.make_user("admin2-TH@example.vn", Role.PROVINCE_ADMIN,
                            province=db.session.get(Province, world.a.province.id))
        erasure.check_erasable(admin, operator)  # another active admin is left
        db.session.rollback()
    with app.app_context():
        assert db.session.get(User, world.a.admin.id).email == world.a.admin.email


def test_a_users_request_reaches_the_admin_who_declines_or_erases(app, world, login_as):
    client = login_as(world.a.auditor)
    client.get("/lang/en")
    page = client.get("/account/privacy").get_data(as_text=True)
    assert "Ask to be erased" in page
    assert client.post("/account/privacy/erasure").status_code == 302
    assert client.post("/account/privacy/erasure").status_code == 302  # one open request
    assert "the province has not acted yet" in client.get("/account/privacy").get_data(
        as_text=True)
    admin = login_as(world.a.admin)
    listing = admin.get("/admin/erasure-requests").get_data(as_text=True)
    assert world.a.auditor.name in listing
    assert login_as(world.b.admin).get("/admin/erasure-requests").get_data(
        as_text=True).count(world.a.auditor.name) == 0
    admin = login_as(world.a.admin)
    assert _erase(admin, world.a.auditor).status_code == 302
    with app.app_context():
        requests = db.session.scalars(select(ErasureRequest)).all()
        assert [(r.user_id, r.outcome) for r in requests] == [(world.a.auditor.id, "erased")]
        assert requests[0].closed_at is not None
