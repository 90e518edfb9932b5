"""The providers' stand-ins wired into the app's settings for one test."""

from __future__ import annotations

import pytest

from tests.notifications.receivers import EsmsReceiver, SmtpReceiver, ZnsReceiver

KINDS = ("reminder", "review_decision", "round_reminder", "round_escalation",
         "action_assigned", "province_nudge", "level_change")


@pytest.fixture
def smtp(app, monkeypatch):
    server = SmtpReceiver().start()
    for name, value in (("MAIL_SERVER", "127.0.0.1"), ("MAIL_PORT", server.port),
                        ("MAIL_USE_TLS", False)):
        monkeypatch.setitem(app.config, name, value)
    yield server
    server.stop()


@pytest.fixture
def esms(app, monkeypatch):
    server = EsmsReceiver().start()
    for name, value in (("SMS_GATEWAY_URL", server.url), ("SMS_API_KEY", server.api_key),
                        ("SMS_SECRET_KEY", server.secret_key),
                        ("SMS_BRANDNAME", server.brandname)):
        monkeypatch.setitem(app.config, name, value)
    yield server
    server.stop()


@pytest.fixture
def zns(app, monkeypatch):
    server = ZnsReceiver().start()
    templates = {kind: f"20000{n}" for n, kind in enumerate(KINDS, start=1)}
    for name, value in (("ZNS_API_URL", server.url), ("ZNS_ACCESS_TOKEN", server.token),
                        ("ZNS_TEMPLATES", templates)):
        monkeypatch.setitem(app.config, name, value)
    yield server
    server.stop()
