"""Targets inside the deployment's network are refused before every delivery."""

from __future__ import annotations

import pytest

from riskapp.db import db
from riskapp.models import WebhookDelivery
from riskapp.models.webhook import DeliveryStatus
from riskapp.webhooks.ssrf import UnsafeTarget, check_url

REFUSED = [
    "http://127.0.0.1:8080/hook", "http://10.1.2.3/hook", "http://[::1]/hook",
    "http://169.254.169.254/latest/meta-data", "http://localhost/hook",
    "http://[::ffff:127.0.0.1]/hook", "http://192.168.1.10/", "http://0.0.0.0/",
    "http://224.0.0.1/", "http://[fe80::1]/",
]


@pytest.fixture
def strict(app, monkeypatch):
    monkeypatch.setitem(app.config, "WEBHOOK_ALLOW_PRIVATE", False)


@pytest.mark.parametrize("url", REFUSED)
def test_private_targets_are_refused(app, strict, url):
    with app.test_request_context(), pytest.raises(UnsafeTarget) as refused:
        check_url(url)
    assert "private or local network" in str(refused.value)


@pytest.mark.parametrize("url", ["ftp://example.org/x", "file:///etc/passwd", "http:///x",
                                 "https://user:pw@example.org/hook"])
def test_malformed_or_credentialed_urls_are_refused(app, strict, url):
    with app.test_request_context(), pytest.raises(UnsafeTarget):
        check_url(url)


def test_public_literal_address_is_allowed(app, strict):
    with app.test_request_context():
        target = check_url("https://93.184.215.14:8443/hook?x=1")
    assert (target.address, target.port, target.path) == ("93.184.215.14", 8443, "/hook?x=1")


def test_delivery_to_loopback_is_refused_when_private_is_off(app, world, receiver, endpoint,
                                                            monkeypatch):
    from riskapp import events

    monkeypatch.setitem(app.config, "WEBHOOK_ALLOW_PRIVATE", False)
    with app.test_request_context():
        events.emit("report.ready", world.a.province.id, {"report_id": 1})
        db.session.commit()
        row = db.session.query(WebhookDelivery).one()
        assert row.status == DeliveryStatus.DEAD
        assert "private or local network" in row.last_error
    assert receiver.received == []
