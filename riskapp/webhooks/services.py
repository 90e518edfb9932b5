"""A province admin's webhook endpoints: register, test, switch off and on, delete, retry."""

from __future__ import annotations

import base64
import secrets
from datetime import datetime, timedelta

from flask import abort
from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update

from riskapp.auditlog import record
from riskapp.db import db
from riskapp.models import ChangeEvent, WebhookDelivery, WebhookEndpoint
from riskapp.models.types import utcnow
from riskapp.models.webhook import TEST_EVENT, DeliveryStatus
from riskapp.tenancy import get_or_404, scoped
from riskapp.webhooks import delivery
from riskapp.webhooks.ssrf import check_url

STATUS_LABELS = {
    DeliveryStatus.PENDING: _l("Waiting"),
    DeliveryStatus.DELIVERED: _l("Delivered"),
    DeliveryStatus.FAILED: _l("Failed, will retry"),
    DeliveryStatus.DEAD: _l("Given up"),
}
SHOWN_DELIVERIES = 100
# How long the replaced secret keeps signing after a rotation: a day for the receiver to switch.
ROTATION_OVERLAP = timedelta(hours=24)


def new_secret() -> str:
    """A Standard Webhooks signing key: the prefix whsec_ and 32 random bytes in base64."""
    return "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode()


def endpoints() -> list[WebhookEndpoint]:
    return list(db.session.scalars(
        scoped(select(WebhookEndpoint), WebhookEndpoint).order_by(WebhookEndpoint.id)))


def endpoint_or_404(endpoint_id: int) -> WebhookEndpoint:
    return get_or_404(WebhookEndpoint, endpoint_id)


def create(province_id: int, url: str, events: list[str], description: str | None,
           user) -> WebhookEndpoint:
    """Raises UnsafeTarget (nothing stored) when the address may not receive webhooks."""
    url = url.strip()
    check_url(url)
    endpoint = WebhookEndpoint(province_id=province_id, url=url, events=sorted(events),
                               description=(description or "").strip() or None,
                               secret=new_secret(), active=True,
                               created_by_id=getattr(user, "id", None), created_at=utcnow())
    db.session.add(endpoint)
    db.session.flush()
    record("webhook_created", endpoint, user=user, details={"url": url, "events": events})
    return endpoint


def set_active(endpoint: WebhookEndpoint, active: bool, user) -> None:
    endpoint.active = active
    endpoint.disabled_reason = None if active else "disabled by an administrator"
    record("webhook_enabled" if active else "webhook_disabled", endpoint, user=user)


def rotate_secret(endpoint: WebhookEndpoint, user) -> datetime:
    """A new secret; the replaced one signs beside it until the moment returned."""
    until = utcnow() + ROTATION_OVERLAP
    endpoint.previous_secret, endpoint.previous_secret_until = endpoint.secret, until
    endpoint.secret = new_secret()
    record("webhook_secret_rotated", endpoint, user=user,
           details={"previous_signs_until": until.isoformat()})
    return until


def overlap_until(endpoint: WebhookEndpoint) -> datetime | None:
    """While the replaced secret still signs: until when; else None."""
    if len(delivery.signing_secrets(endpoint, utcnow())) > 1:
        return endpoint.previous_secret_until
    return None


def delete(endpoint: WebhookEndpoint, user) -> None:
    record("webhook_deleted", endpoint, user=user, details={"url": endpoint.url})
    db.session.delete(endpoint)
    db.session.flush()


def send_test(endpoint: WebhookEndpoint, user) -> WebhookDelivery:
    """A webhook.test event for this endpoint only (not in the pull feed)."""
    event = ChangeEvent(province_id=endpoint.province_id, type=TEST_EVENT, occurred_at=utcnow(),
                        payload={"endpoint_id": endpoint.id, "message": "test"})
    db.session.add(event)
    db.session.flush()
    delivery.dispatch(event, [endpoint])
    record("webhook_tested", endpoint, user=user)
    return db.session.scalar(select(WebhookDelivery).where(WebhookDelivery.event_id == event.id))


def deliveries_of(endpoint: WebhookEndpoint) -> list[tuple[WebhookDelivery, ChangeEvent]]:
    return list(db.session.execute(
        select(WebhookDelivery, ChangeEvent).join(ChangeEvent)
        .where(WebhookDelivery.endpoint_id == endpoint.id)
        .order_by(WebhookDelivery.id.desc()).limit(SHOWN_DELIVERIES)).all())


def dead_letters() -> list[tuple[WebhookDelivery, ChangeEvent, WebhookEndpoint]]:
    mine = scoped(select(WebhookEndpoint.id), WebhookEndpoint)
    return list(db.session.execute(
        select(WebhookDelivery, ChangeEvent, WebhookEndpoint)
        .join(ChangeEvent, ChangeEvent.id == WebhookDelivery.event_id)
        .join(WebhookEndpoint, WebhookEndpoint.id == WebhookDelivery.endpoint_id)
        .where(WebhookDelivery.status == DeliveryStatus.DEAD,
               WebhookDelivery.endpoint_id.in_(mine))
        .order_by(WebhookDelivery.id.desc()).limit(SHOWN_DELIVERIES)).all())


def retry(delivery_id: int, user) -> bool:
    """Queue a dead delivery again; False if it is no longer dead (retried twice at once)."""
    row = db.session.get(WebhookDelivery, delivery_id)
    if row is None:
        abort(404)
    endpoint = endpoint_or_404(row.endpoint_id)  # 404 outside the province
    claimed = db.session.execute(
        update(WebhookDelivery)
        .where(WebhookDelivery.id == row.id, WebhookDelivery.status == DeliveryStatus.DEAD)
        .values(status=DeliveryStatus.PENDING, last_error=None)
        .execution_options(synchronize_session=False)).rowcount
    if not claimed:
        return False
    db.session.refresh(row)
    delivery.enqueue(row)
    record("webhook_retried", endpoint, user=user, details={"delivery_id": row.id})
    return True
