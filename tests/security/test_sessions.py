"""Session lifetime: the absolute limit holds even while the user stays active."""

from __future__ import annotations

import time
from datetime import timedelta

from tests.conftest import login


class _Clock:
    def __init__(self, monkeypatch):
        self.offset = 0
        real = time.time
        monkeypatch.setattr(time, "time", lambda: real() + self.offset)


def test_absolute_lifetime_ends_an_active_session(dedicated_app, world, monkeypatch):
    app = dedicated_app(PERMANENT_SESSION_LIFETIME=timedelta(hours=2), SESSION_IDLE_MINUTES=60)
    client = app.test_client()
    clock = _Clock(monkeypatch)
    assert login(client, world.a.officer).status_code == 302
    # Active every 50 minutes: the idle limit never strikes, and each request re-signs the cookie.
    for minutes in (50, 100):
        clock.offset = minutes * 60
        assert client.get("/enterprise/").status_code == 200
    clock.offset = 125 * 60
    response = client.get("/enterprise/")
    assert response.status_code == 302 and "/auth/login" in response.headers["Location"]
    assert client.get("/enterprise/").status_code == 302  # and it stays ended


def test_a_new_login_starts_a_new_session(client, world):
    client.get("/auth/login")
    with client.session_transaction() as session:
        session["planted"] = "by an attacker"
    assert login(client, world.a.officer).status_code == 302
    with client.session_transaction() as session:
        assert "planted" not in session
        assert session["logged_in_at"] <= int(time.time())
