"""Personal API tokens: stored hashed, shown once, scoped, expiring, revocable."""

from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace

from sqlalchemy import select

from riskapp.api import tokens
from riskapp.db import db
from riskapp.models import ApiToken
from riskapp.models.types import utcnow
from tests.api.helpers import bearer, make_token


def _row(app, secret: str) -> SimpleNamespace:
    """The stored row's columns, read in their own app context."""
    with app.app_context():
        row = db.session.scalar(
            select(ApiToken).where(ApiToken.token_hash == tokens.hash_token(secret)))
        return SimpleNamespace(**{c.key: getattr(row, c.key) for c in ApiToken.__table__.c})


def test_token_is_stored_as_its_hash_only(app, world):
    secret = make_token(app, world.a.officer)
    assert secret.startswith("rk_") and len(secret.split("_")) >= 3
    row = _row(app, secret)
    assert row.token_hash == tokens.hash_token(secret) != secret
    assert row.prefix == secret.split("_")[1]
    with app.app_context():
        stored = db.session.execute(select(ApiToken.__table__)).mappings().all()
    assert all(secret not in str(dict(r).values()) for r in stored)


def test_scopes_are_limited_to_the_role(app, world):
    secret = make_token(app, world.a.officer, scopes=("read", "province", "write"))
    assert _row(app, secret).scopes == ["read", "write"]


def test_valid_token_authenticates_and_records_last_use(app, client, world):
    secret = make_token(app, world.a.officer)
    assert _row(app, secret).last_used_at is None
    assert client.get("/api/v1/enterprises", headers=bearer(secret)).status_code == 200
    assert _row(app, secret).last_used_at is not None


def test_missing_wrong_expired_and_revoked_tokens_get_401(app, client, world):
    assert client.get("/api/v1/enterprises").status_code == 401
    response = client.get("/api/v1/enterprises", headers=bearer("rk_0000_nope"))
    assert response.status_code == 401
    assert response.headers["Content-Type"] == "application/problem+json"
    assert response.headers["WWW-Authenticate"].startswith("Bearer")

    expired = make_token(app, world.a.officer)
    with app.app_context():
        row = db.session.scalar(select(ApiToken).where(
            ApiToken.token_hash == tokens.hash_token(expired)))
        row.expires_at = utcnow() - timedelta(minutes=1)
        db.session.commit()
    assert client.get("/api/v1/enterprises", headers=bearer(expired)).status_code == 401

    revoked = make_token(app, world.a.officer)
    assert client.get("/api/v1/enterprises", headers=bearer(revoked)).status_code == 200
    with app.app_context():
        row = db.session.scalar(select(ApiToken).where(
            ApiToken.token_hash == tokens.hash_token(revoked)))
        tokens.revoke_token(row, row.user)
        db.session.commit()
    assert client.get("/api/v1/enterprises", headers=bearer(revoked)).status_code == 401


def test_deactivated_user_token_stops_working(app, client, world):
    secret = make_token(app, world.a.officer)
    with app.app_context():
        from riskapp.models import User

        db.session.get(User, world.a.officer.id).is_active_account = False
        db.session.commit()
    assert client.get("/api/v1/enterprises", headers=bearer(secret)).status_code == 401


def test_missing_scope_is_403_problem(app, client, world):
    secret = make_token(app, world.a.officer, scopes=("read",))
    response = client.post("/api/v1/assessments", headers=bearer(secret))
    assert response.status_code == 403
    assert response.headers["Content-Type"] == "application/problem+json"
    assert "write" in response.json["detail"]
    viewer = make_token(app, world.a.viewer, scopes=("read",))
    assert client.get("/api/v1/province/summary", headers=bearer(viewer)).status_code == 403


def test_session_cookie_alone_does_not_authenticate_the_api(client, world, login_as):
    login_as(world.a.officer)
    assert client.get("/api/v1/enterprises").status_code == 401


def test_token_page_creates_shows_once_and_revokes(app, client, world, login_as):
    login_as(world.a.officer)
    page = client.get("/account/tokens")
    assert page.status_code == 200 and "API tokens" in page.get_data(as_text=True)
    created = client.post("/account/tokens", data={"name": "Bảng tính", "scopes": ["read"],
                                                   "expires_in": "30"})
    html = created.get_data(as_text=True)
    assert created.status_code == 200
    secret = html.split('class="token-secret">')[1].split("<")[0]
    assert client.get("/api/v1/enterprises", headers=bearer(secret)).status_code == 200
    listing = client.get("/account/tokens").get_data(as_text=True)
    assert "Bảng tính" in listing and secret not in listing
    row = _row(app, secret)
    assert row.expires_at is not None
    response = client.post(f"/account/tokens/{row.id}/revoke")
    assert response.status_code == 302
    assert _row(app, secret).revoked_at is not None
    assert client.get("/api/v1/enterprises", headers=bearer(secret)).status_code == 401


def test_token_form_keeps_input_on_error(client, world, login_as):
    login_as(world.a.officer)
    response = client.post("/account/tokens", data={"name": "Script", "expires_in": "90"})
    assert response.status_code == 422
    assert 'value="Script"' in response.get_data(as_text=True)


def test_another_users_token_cannot_be_revoked(app, client, world, login_as):
    secret = make_token(app, world.a.viewer)
    row = _row(app, secret)
    login_as(world.a.officer)
    assert client.post(f"/account/tokens/{row.id}/revoke").status_code == 404
    assert _row(app, secret).revoked_at is None


def test_user_menu_links_the_token_page(client, world, login_as):
    login_as(world.a.viewer)
    assert "/account/tokens" in client.get("/auth/password").get_data(as_text=True)


def test_api_calls_leave_no_session_cookie(app, client, world):
    secret = make_token(app, world.a.officer)
    response = client.get("/api/v1/enterprises", headers=bearer(secret))
    assert response.status_code == 200
    assert "Set-Cookie" not in response.headers
