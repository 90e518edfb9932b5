"""Request size and rate limits: clear pages, never a traceback."""

from __future__ import annotations

import io

import pytest
from sqlalchemy import select

from riskapp.db import db
from riskapp.models import Assessment
from tests import factories
from tests.conftest import login


def test_a_body_over_max_content_length_gets_the_413_page(dedicated_app, world):
    app = dedicated_app(MAX_CONTENT_LENGTH=4096)
    client = app.test_client()
    login(client, world.a.admin)
    upload = {"file": (io.BytesIO(b"x" * 10_000), "big.csv")}
    response = client.post("/province/imports", data=upload, content_type="multipart/form-data")
    assert response.status_code == 413
    body = response.get_data(as_text=True)
    assert "The file is too large" in body and "Traceback" not in body


def test_max_content_length_is_set_by_default(app):
    assert 0 < app.config["MAX_CONTENT_LENGTH"] <= 64 * 1024 * 1024


@pytest.mark.parametrize("path", ["/province/export/enterprises.csv",
                                  "/province/export/tables.xlsx"])
def test_exports_are_rate_limited_per_user(dedicated_app, world, path):
    app = dedicated_app(RATELIMIT_ENABLED=True, COSTLY_RATE_LIMIT="2 per minute")
    client = app.test_client()
    login(client, world.a.admin)
    codes = [client.get(path).status_code for _ in range(3)]
    assert codes == [200, 200, 429]
    assert "Too many requests" in client.get(path).get_data(as_text=True)
    other = app.test_client()  # another user from the same address is not held back
    login(other, world.a.viewer)
    assert other.get(path).status_code == 200


def test_report_downloads_are_rate_limited(dedicated_app, app, world):
    with app.app_context():
        factories.submit_assessment(db.session.merge(world.a.enterprise),
                                    db.session.merge(world.a.officer))
        db.session.commit()
        assessment_id = db.session.scalar(select(Assessment.id))
    limited = dedicated_app(RATELIMIT_ENABLED=True, COSTLY_RATE_LIMIT="1 per minute")
    client = limited.test_client()
    login(client, world.a.officer)
    path = f"/reports/assessment/{assessment_id}.pdf"
    assert client.get(path).status_code in (200, 202)
    assert client.get(path).status_code == 429


def test_costly_limit_has_a_setting(app):
    assert "per minute" in app.config["COSTLY_RATE_LIMIT"]


def test_behind_a_trusted_proxy_limits_count_per_client(dedicated_app, world):
    app = dedicated_app(RATELIMIT_ENABLED=True, LOGIN_RATE_LIMIT="1 per minute", TRUSTED_PROXIES=1)
    client = app.test_client()
    wrong = {"email": world.a.viewer.email, "password": "wrong-password-1"}

    def attempt(address):
        return client.post("/auth/login", data=wrong,
                           headers={"X-Forwarded-For": address}).status_code

    assert [attempt("203.0.113.7"), attempt("203.0.113.7")] == [401, 429]
    assert attempt("198.51.100.9") == 401  # another client behind the same proxy
