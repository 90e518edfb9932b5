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


def test_static_files_leave_the_session_cookie_alone(client, world):
    """A page's stylesheet or icon request, answered after the language switch, must not send
    back the session as it was before the switch (the browser keeps the last cookie it got)."""
    assert login(client, world.a.officer).status_code == 302
    for path in ("/static/css/app.css", "/static/favicon.svg"):
        response = client.get(path)
        assert "Set-Cookie" not in response.headers, path


def test_a_page_in_the_same_minute_does_not_resign_the_cookie(client, world):
    """Only what changes the session sends a cookie: pages opened together (a page and its
    live-count request) cannot overwrite a choice made by one of them."""
    assert login(client, world.a.officer).status_code == 302
    client.get("/enterprise/")  # its forms' CSRF token is stored once
    assert "Set-Cookie" not in client.get("/enterprise/").headers
    assert "Set-Cookie" in client.get("/lang/vi").headers


def test_activity_is_still_recorded_minute_by_minute(client, world, monkeypatch):
    clock = _Clock(monkeypatch)
    assert login(client, world.a.officer).status_code == 302
    with client.session_transaction() as session:
        logged_in = session["last_seen"]
    clock.offset = 61
    assert "Set-Cookie" in client.get("/enterprise/").headers
    with client.session_transaction() as session:
        assert session["last_seen"] >= logged_in + 61
