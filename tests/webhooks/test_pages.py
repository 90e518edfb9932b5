"""Province admins' webhook pages: registration checks, test event, switch, delete, retry."""

from __future__ import annotations

from sqlalchemy import select

from riskapp.db import db
from riskapp.models import AuditLog, WebhookDelivery, WebhookEndpoint
from riskapp.models.webhook import DeliveryStatus


def _endpoints():
    return db.session.scalars(select(WebhookEndpoint)).all()


def test_add_endpoint_with_secret_and_audit(app, world, receiver, login_as):
    client = login_as(world.a.admin)
    response = client.post("/province/webhooks/new", data={
        "url": receiver.url, "description": "Sở Y tế", "events": ["report.ready",
                                                                  "grade.changed"]})
    assert response.status_code == 302
    with app.app_context():
        (endpoint,) = _endpoints()
        assert endpoint.province_id == world.a.province.id
        assert endpoint.secret.startswith("whsec_")
        assert endpoint.events == ["grade.changed", "report.ready"]
        assert db.session.scalar(select(AuditLog).where(AuditLog.action == "webhook_created"))
        page = client.get(f"/province/webhooks/{endpoint.id}").get_data(as_text=True)
        assert endpoint.secret in page


def test_private_address_is_refused_with_a_message(app, world, login_as, monkeypatch):
    monkeypatch.setitem(app.config, "WEBHOOK_ALLOW_PRIVATE", False)
    client = login_as(world.a.admin)
    response = client.post("/province/webhooks/new", data={
        "url": "http://127.0.0.1:9/hook", "events": ["report.ready"]})
    assert response.status_code == 400
    assert "private or local network" in response.get_data(as_text=True)
    with app.app_context():
        assert _endpoints() == []


def test_no_event_chosen_is_refused(app, world, receiver, login_as):
    client = login_as(world.a.admin)
    response = client.post("/province/webhooks/new", data={"url": receiver.url})
    assert response.status_code == 400
    assert "Choose at least one event." in response.get_data(as_text=True)


def test_test_event_toggle_and_delete(app, world, receiver, endpoint, login_as):
    client = login_as(world.a.admin)
    assert client.post(f"/province/webhooks/{endpoint}/test").status_code == 302
    assert [p["type"] for p in receiver.received] == ["webhook.test"]
    client.post(f"/province/webhooks/{endpoint}/active")
    with app.app_context():
        assert db.session.get(WebhookEndpoint, endpoint).active is False
    client.post(f"/province/webhooks/{endpoint}/active")
    with app.app_context():
        assert db.session.get(WebhookEndpoint, endpoint).active is True
    page = client.get(f"/province/webhooks/{endpoint}").get_data(as_text=True)
    assert "webhook.test" in page and "Delivered" in page
    client.post(f"/province/webhooks/{endpoint}/delete")
    with app.app_context():
        assert _endpoints() == []


def test_dead_letter_list_and_retry(app, world, receiver, endpoint, login_as):
    from riskapp import events
    from riskapp.webhooks import delivery

    receiver.answers = [503] * delivery.ATTEMPTS
    with app.test_request_context():
        events.emit("report.ready", world.a.province.id, {"report_id": 7})
        db.session.commit()
        row_id = db.session.scalar(select(WebhookDelivery.id))
    client = login_as(world.a.admin)
    page = client.get("/province/webhooks/dead").get_data(as_text=True)
    assert "HTTP 503" in page and "Given up" in page
    assert client.post(f"/province/webhooks/deliveries/{row_id}/retry").status_code == 302
    with app.app_context():
        assert db.session.get(WebhookDelivery, row_id).status == DeliveryStatus.DELIVERED
    assert len(receiver.received) == 1
    # Retrying again: no longer dead, nothing queued.
    response = client.post(f"/province/webhooks/deliveries/{row_id}/retry",
                           follow_redirects=True)
    assert "no longer in the dead-letter list" in response.get_data(as_text=True)
    assert len(receiver.received) == 1


def test_other_province_admin_gets_404(app, world, receiver, endpoint, login_as):
    client = login_as(world.b.admin)
    assert client.get(f"/province/webhooks/{endpoint}").status_code == 404
    assert client.post(f"/province/webhooks/{endpoint}/delete").status_code == 404
    with app.app_context():
        assert len(_endpoints()) == 1


def test_new_secret_keeps_the_old_one_signing_for_a_day(app, world, endpoint, login_as):
    client = login_as(world.a.admin)
    with app.app_context():
        old = db.session.get(WebhookEndpoint, endpoint).secret
    response = client.post(f"/province/webhooks/{endpoint}/rotate", follow_redirects=True)
    page = response.get_data(as_text=True)
    assert "A new signing secret was made" in page
    assert "The previous secret also signs every delivery until" in page
    with app.app_context():
        row = db.session.get(WebhookEndpoint, endpoint)
        assert row.secret != old and row.previous_secret == old
        assert row.secret in page
        assert db.session.scalar(select(AuditLog).where(
            AuditLog.action == "webhook_secret_rotated"))
