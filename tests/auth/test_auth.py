"""The auth blueprint: login, logout, sessions, invitations, password resets, CSRF, rate limits."""

from __future__ import annotations

import re
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from sqlalchemy import select, update

from riskapp import create_app
from riskapp.auth.services import create_token, send_invitation
from riskapp.config import DEFAULT_SECRET_KEY
from riskapp.db import db
from riskapp.models import OneTimeToken, TokenPurpose, User
from riskapp.models.types import utcnow
from tests.conftest import TEST_PASSWORD, login

GENERIC_FAILURE = "Wrong e-mail or password."
NEW_PASSWORD = "Lúa-Chiêm-Xuân-7"
LINK = re.compile(r"/auth/(?:invite|reset)/[A-Za-z0-9_\-]+")


def _path(message) -> str:
    return LINK.search(message.get_content()).group(0)


def _stored(app, user_id: int) -> User:
    with app.app_context():
        user = db.session.get(User, user_id)
        db.session.expunge(user)
        return user


# --- login ----------------------------------------------------------------------------------

def test_login_succeeds_and_records_last_login(app, client, world):
    response = login(client, world.a.viewer)
    assert response.status_code == 302
    assert _stored(app, world.a.viewer.id).last_login_at is not None
    assert client.get("/").status_code == 302  # logged in: sent on to the role's home page


@pytest.mark.parametrize("email, password", [
    ("viewer-TH@example.vn", "wrong-password-1"),
    ("nobody@example.vn", TEST_PASSWORD),
])
def test_login_failure_is_generic(client, world, email, password):
    response = login(client, email, password)
    page = response.get_data(as_text=True)
    assert response.status_code == 401
    assert GENERIC_FAILURE in page
    assert "nobody" not in page.replace('value="nobody@example.vn"', "")


def test_login_email_is_case_insensitive(client, world):
    assert login(client, "VIEWER-th@Example.VN").status_code == 302


def test_deactivated_and_pending_accounts_cannot_log_in(app, client, world):
    with app.app_context():
        db.session.execute(update(User).where(User.id == world.a.viewer.id)
                           .values(is_active_account=False))
        db.session.execute(update(User).where(User.id == world.a.auditor.id)
                           .values(password_hash=None))
        db.session.commit()
    for user in (world.a.viewer, world.a.auditor):
        response = login(client, user)
        assert response.status_code == 401 and GENERIC_FAILURE in response.get_data(as_text=True)


@pytest.mark.parametrize("target", ["//evil.example/", "/\\evil.example/", "https://evil.example/"])
def test_login_never_redirects_off_site(client, world, target):
    response = client.post(f"/auth/login?next={target}",
                           data={"email": world.a.viewer.email, "password": TEST_PASSWORD})
    assert response.status_code == 302
    location = response.headers["Location"]
    # The browser must read it as a path of this site (werkzeug quotes a backslash as %5C).
    assert not urlsplit(location).netloc or urlsplit(location).netloc == "localhost"
    assert not location.startswith(("//", "/\\"))


def test_login_follows_a_local_next(client, world):
    response = client.post("/auth/login?next=/auth/password",
                           data={"email": world.a.viewer.email, "password": TEST_PASSWORD})
    assert response.headers["Location"].endswith("/auth/password")


def test_login_rate_limit(dedicated_app, world):
    limited = dedicated_app(RATELIMIT_ENABLED=True, LOGIN_RATE_LIMIT="3 per minute")
    client = limited.test_client()
    codes = [login(client, world.a.viewer.email, "wrong-password-1").status_code
             for _ in range(4)]
    assert codes == [401, 401, 401, 429]
    page = client.post("/auth/login", data={"email": world.a.viewer.email,
                                            "password": TEST_PASSWORD})
    assert page.status_code == 429  # even the right password waits
    assert "Too many attempts" in page.get_data(as_text=True)


# --- sessions -------------------------------------------------------------------------------

def test_logout_ends_the_session_even_for_a_copied_cookie(app, client, world):
    login(client, world.a.viewer)
    stolen = client.get_cookie("session").value
    assert client.post("/auth/logout").status_code == 302

    replay = app.test_client()
    replay.set_cookie("session", stolen)
    response = replay.get("/")
    assert response.status_code == 302 and "/auth/login" in response.headers["Location"]


def test_logout_needs_post(client, world):
    login(client, world.a.viewer)
    assert client.get("/auth/logout").status_code == 405


def test_password_change_ends_other_sessions(app, client, world):
    other = app.test_client()
    login(client, world.a.viewer)
    login(other, world.a.viewer)
    response = client.post("/auth/password", data={
        "current_password": TEST_PASSWORD, "password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert response.status_code == 302
    kept = client.get("/auth/password")
    assert kept.status_code == 200  # this session continues
    ended = other.get("/auth/password")
    assert ended.status_code == 302 and "/auth/login" in ended.headers["Location"]
    assert login(app.test_client(), world.a.viewer, NEW_PASSWORD).status_code == 302


def test_password_change_needs_the_current_password(app, client, world):
    login(client, world.a.viewer)
    response = client.post("/auth/password", data={
        "current_password": "not-my-password", "password": NEW_PASSWORD,
        "confirm": NEW_PASSWORD})
    assert response.status_code == 400
    assert "current password is wrong" in response.get_data(as_text=True)
    assert login(app.test_client(), world.a.viewer).status_code == 302


@pytest.mark.parametrize("weak, message", [
    ("short", "at least 8 characters"),
    ("password123", "too common"),
])
def test_password_policy_refuses_short_and_common(app, client, world, weak, message):
    login(client, world.a.viewer)
    response = client.post("/auth/password", data={
        "current_password": TEST_PASSWORD, "password": weak, "confirm": weak})
    assert message in response.get_data(as_text=True)
    assert login(app.test_client(), world.a.viewer).status_code == 302  # unchanged


def test_idle_session_ends(client, world, app):
    login(client, world.a.viewer)
    with client.session_transaction() as session:
        session["last_seen"] -= app.config["SESSION_IDLE_MINUTES"] * 60 + 5
    response = client.get("/auth/password")
    assert response.status_code == 302 and "/auth/login" in response.headers["Location"]
    assert client.get("/auth/password").status_code == 302


def test_session_cookie_flags(client, world):
    response = login(client, world.a.viewer)
    cookie = next(h for h in response.headers.getlist("Set-Cookie") if h.startswith("session="))
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie


def test_production_cookies_are_secure(monkeypatch, tmp_path):
    monkeypatch.setenv("RISKAPP_ENV", "production")
    monkeypatch.setenv("SECRET_KEY", "p" * 48)
    monkeypatch.setenv("RATELIMIT_ENABLED", "false")
    monkeypatch.setenv("BASE_URL", "https://riskapp.example.gov.vn")
    monkeypatch.setenv("DATABASE_URL", "sqlite:///" + str(tmp_path / "prod.sqlite3"))
    monkeypatch.setenv("RISKAPP_INSTANCE", str(tmp_path))
    production = create_app()
    assert production.config["SESSION_COOKIE_SECURE"] is True
    assert production.config["SESSION_COOKIE_HTTPONLY"] is True
    assert production.config["SESSION_COOKIE_SAMESITE"] == "Lax"
    assert production.config["REMEMBER_COOKIE_SECURE"] is True


@pytest.mark.parametrize("secret", [None, DEFAULT_SECRET_KEY, "too-short"])
def test_production_refuses_missing_or_default_secret(monkeypatch, tmp_path, secret):
    monkeypatch.setenv("RISKAPP_ENV", "production")
    monkeypatch.setenv("RISKAPP_INSTANCE", str(tmp_path))
    if secret is None:
        monkeypatch.delenv("SECRET_KEY", raising=False)
    else:
        monkeypatch.setenv("SECRET_KEY", secret)
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app()


def test_csrf_refuses_a_post_without_token(dedicated_app, world):
    protected = dedicated_app(WTF_CSRF_ENABLED=True)
    client = protected.test_client()
    refused = client.post("/auth/login", data={"email": world.a.viewer.email,
                                               "password": TEST_PASSWORD})
    assert refused.status_code == 400
    assert client.get("/").status_code == 302  # not logged in
    page = client.get("/auth/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    accepted = client.post("/auth/login", data={"email": world.a.viewer.email,
                                                "password": TEST_PASSWORD, "csrf_token": token})
    assert accepted.status_code == 302
    assert client.post("/auth/logout").status_code == 400  # logout needs a token too


# --- invitations ----------------------------------------------------------------------------

def _invite(app, user_id: int, outbox) -> str:
    with app.test_request_context():
        send_invitation(db.session.get(User, user_id), "Lê Minh Quản")
        db.session.commit()
    return _path(outbox[-1])


def _pending_user(app, email: str) -> int:
    with app.app_context():
        user = User(email=email, name="", role=db.session.scalar(
            select(User.role).where(User.email == "viewer-TH@example.vn")),
            province_id=db.session.scalar(
            select(User.province_id).where(User.email == "viewer-TH@example.vn")))
        db.session.add(user)
        db.session.commit()
        return user.id


def test_invitation_is_accepted_once(app, client, world, outbox):
    user_id = _pending_user(app, "moi@th.vn")
    path = _invite(app, user_id, outbox)
    assert client.get(path).status_code == 200
    response = client.post(path, data={"name": "Nguyễn Văn Mới", "password": NEW_PASSWORD,
                                       "confirm": NEW_PASSWORD, "consent": "y"})
    assert response.status_code == 302
    assert _stored(app, user_id).name == "Nguyễn Văn Mới"
    assert login(client, "moi@th.vn", NEW_PASSWORD).status_code == 302
    client.post("/auth/logout")
    again = client.post(path, data={"name": "X", "password": "Other-Pass-99",
                                    "confirm": "Other-Pass-99"})
    assert again.status_code == 404
    assert login(client, "moi@th.vn", "Other-Pass-99").status_code == 401


def test_invitation_form_errors_keep_the_name(app, client, world, outbox):
    path = _invite(app, _pending_user(app, "moi@th.vn"), outbox)
    response = client.post(path, data={"name": "Nguyễn Văn Mới", "password": NEW_PASSWORD,
                                       "confirm": "different-one-1"})
    page = response.get_data(as_text=True)
    assert "The passwords differ." in page and "Nguyễn Văn Mới" in page
    assert client.get(path).status_code == 200  # not spent


def test_expired_invitation_is_refused(app, client, world, outbox):
    user_id = _pending_user(app, "moi@th.vn")
    path = _invite(app, user_id, outbox)
    with app.app_context():
        db.session.execute(update(OneTimeToken).values(expires_at=utcnow() - timedelta(minutes=1)))
        db.session.commit()
    assert client.get(path).status_code == 404
    response = client.post(path, data={"name": "X", "password": NEW_PASSWORD,
                                       "confirm": NEW_PASSWORD})
    assert response.status_code == 404
    assert _stored(app, user_id).password_hash is None


def test_invite_token_is_not_a_reset_token(app, client, world, outbox):
    path = _invite(app, _pending_user(app, "moi@th.vn"), outbox)
    assert client.get(path.replace("/invite/", "/reset/")).status_code == 404


def test_only_the_token_hash_is_stored(app, world):
    with app.test_request_context():
        raw = create_token(db.session.get(User, world.a.viewer.id), TokenPurpose.RESET,
                           timedelta(minutes=5))
        stored = db.session.scalars(select(OneTimeToken.token_hash)).all()
        db.session.rollback()
    assert raw not in stored and len(stored) == 1


# --- password reset -------------------------------------------------------------------------

def test_reset_same_message_for_known_and_unknown(client, world, outbox):
    known = client.post("/auth/forgot", data={"email": world.a.viewer.email},
                        follow_redirects=True).get_data(as_text=True)
    assert len(outbox) == 1 and outbox[0]["To"] == world.a.viewer.email
    unknown = client.post("/auth/forgot", data={"email": "nobody@example.vn"},
                          follow_redirects=True).get_data(as_text=True)
    assert len(outbox) == 1
    message = "If an account uses this address, a reset link is on its way."
    assert message in known and message in unknown


def test_reset_link_works_once_and_ends_sessions(app, client, world, outbox):
    session_client = app.test_client()
    login(session_client, world.a.viewer)
    client.post("/auth/forgot", data={"email": world.a.viewer.email})
    path = _path(outbox[-1])
    assert client.get(path).status_code == 200
    response = client.post(path, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert response.status_code == 302
    assert login(app.test_client(), world.a.viewer, NEW_PASSWORD).status_code == 302
    assert login(app.test_client(), world.a.viewer).status_code == 401
    ended = session_client.get("/auth/password")
    assert ended.status_code == 302 and "/auth/login" in ended.headers["Location"]
    assert client.post(path, data={"password": "Another-Pass-42",
                                   "confirm": "Another-Pass-42"}).status_code == 404


def test_expired_reset_link_is_refused(app, client, world, outbox):
    client.post("/auth/forgot", data={"email": world.a.viewer.email})
    path = _path(outbox[-1])
    with app.app_context():
        db.session.execute(update(OneTimeToken).values(expires_at=utcnow() - timedelta(seconds=1)))
        db.session.commit()
    assert client.post(path, data={"password": NEW_PASSWORD,
                                   "confirm": NEW_PASSWORD}).status_code == 404
    assert login(client, world.a.viewer).status_code == 302  # old password still valid


def test_no_reset_mail_for_a_deactivated_account(app, client, world, outbox):
    with app.app_context():
        db.session.execute(update(User).where(User.id == world.a.viewer.id)
                           .values(is_active_account=False))
        db.session.commit()
    client.post("/auth/forgot", data={"email": world.a.viewer.email})
    assert outbox == []
