"""Consent to the privacy notice: at invitation (required), once after login for existing users."""

from __future__ import annotations

import re

from sqlalchemy import select, update

from riskapp.auth.consent import NOTICE_VERSION
from riskapp.auth.services import send_invitation
from riskapp.db import db
from riskapp.models import AuditLog, Role, User
from tests.conftest import TEST_PASSWORD, login

PASSWORD = "Sông-Mã-2026-mới"


def _invite(app, outbox) -> tuple[int, str]:
    with app.test_request_context():
        user = User(email="moi@th.vn", name="", role=Role.PROVINCE_VIEWER,
                    province_id=db.session.scalar(select(User.province_id).where(
                        User.email == "viewer-TH@example.vn")))
        db.session.add(user)
        db.session.flush()
        send_invitation(user, "Lê Minh Quản")
        db.session.commit()
        user_id = user.id
    body = outbox[-1].get_content()
    return user_id, body


def _path(body: str) -> str:
    return re.search(r"/auth/invite/[A-Za-z0-9_\-]+", body).group(0)


def _user(app, user_id: int):
    with app.app_context():
        user = db.session.get(User, user_id)
        return user.password_hash, user.privacy_consent_at, user.privacy_notice_version


def test_invitation_mail_points_to_the_notice(app, client, world, outbox):
    _user_id, body = _invite(app, outbox)
    assert "privacy notice" in body and "/privacy" in body


def test_invitation_shows_the_notice_and_refuses_without_the_tick(app, client, world, outbox):
    client.get("/lang/en")
    user_id, body = _invite(app, outbox)
    page = client.get(_path(body)).get_data(as_text=True)
    assert "Privacy notice" in page and "Your rights" in page and 'href="/privacy"' in page
    refused = client.post(_path(body), data={"name": "Mới", "password": PASSWORD,
                                             "confirm": PASSWORD})
    text = refused.get_data(as_text=True)
    assert refused.status_code == 200
    assert "Without your agreement the account stays inactive" in text
    assert "Your account is not activated" in text
    assert _user(app, user_id) == (None, None, None)
    assert login(client, "moi@th.vn", PASSWORD).status_code == 401
    # The link is not spent: the person may come back and agree.
    accepted = client.post(_path(body), data={"name": "Mới", "password": PASSWORD,
                                              "confirm": PASSWORD, "consent": "y"})
    assert accepted.status_code == 302
    password_hash, agreed_at, version = _user(app, user_id)
    assert password_hash and agreed_at and version == NOTICE_VERSION
    # Agreed at invitation: the login goes straight where it was going.
    assert login(client, "moi@th.vn", PASSWORD).headers["Location"] == "/"


def test_existing_user_is_asked_once_after_login_and_never_locked_out(app, client, world):
    viewer = world.a.viewer
    with app.app_context():
        db.session.execute(update(User).where(User.id == viewer.id)
                           .values(privacy_notice_version=None))
        db.session.commit()
    client.get("/lang/en")
    response = login(client, viewer.email, TEST_PASSWORD)
    assert response.headers["Location"].startswith("/auth/privacy-consent?next=")
    # "Later": the pages open as before; the question comes back at the next login.
    assert client.get("/").status_code in (200, 302)
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Privacy notice" in page and "Later" in page
    unticked = client.post(response.headers["Location"], data={})
    assert "Tick the box to agree" in unticked.get_data(as_text=True)
    agreed = client.post(response.headers["Location"], data={"consent": "y"})
    assert agreed.status_code == 302
    with app.app_context():
        assert db.session.get(User, viewer.id).privacy_notice_version == NOTICE_VERSION
        assert db.session.scalar(select(AuditLog).where(
            AuditLog.action == "privacy_notice_accepted")).details == {"version": NOTICE_VERSION}
    client.post("/auth/logout")
    assert not login(client, viewer.email, TEST_PASSWORD).headers["Location"].startswith(
        "/auth/privacy-consent")


def test_privacy_page_is_public_in_both_languages(client):
    for lang, words in (("en", "Your rights"), ("vi", "Quyền của bạn")):
        client.get(f"/lang/{lang}")
        page = client.get("/privacy")
        assert page.status_code == 200 and words in page.get_data(as_text=True)
    assert 'href="/privacy"' in client.get("/auth/login").get_data(as_text=True)
