"""Deliveries of change events to webhook endpoints: one per (endpoint, event), one task each.

A delivery is signed per Standard Webhooks (webhook-id is the event's, the same on every retry,
so a receiver can drop a repeat). A 2xx delivers it; 410 Gone disables the endpoint; anything
else fails the attempt and the outbox retries later; after the last attempt it is dead (the
dead-letter list, where a province admin may retry it)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from flask import current_app
from sqlalchemy import select
from standardwebhooks import Webhook

from riskapp import jobs
from riskapp.db import db
from riskapp.models import ChangeEvent, WebhookDelivery, WebhookEndpoint
from riskapp.models.types import utcnow
from riskapp.models.webhook import TEST_EVENT, DeliveryStatus
from riskapp.webhooks import sender
from riskapp.webhooks.ssrf import UnsafeTarget, check_url

TASK = "riskapp.webhooks.delivery:deliver_task"
ATTEMPTS = 6


def backoff(attempts: int) -> timedelta:
    """Exponential, capped: 30 s, 2 min, 8 min, 32 min, then every hour (WEBHOOK_RETRY_BASE
    and WEBHOOK_RETRY_CAP in seconds)."""
    config = current_app.config
    base, cap = config.get("WEBHOOK_RETRY_BASE", 30), config.get("WEBHOOK_RETRY_CAP", 3600)
    return timedelta(seconds=min(cap, base * 4 ** max(attempts - 1, 0)))


class DeliveryFailed(RuntimeError):
    """One attempt failed; the outbox queues the next one."""


def subscribed(event: ChangeEvent) -> list[WebhookEndpoint]:
    return list(db.session.scalars(
        select(WebhookEndpoint).where(WebhookEndpoint.province_id == event.province_id,
                                      WebhookEndpoint.active.is_(True))
        .order_by(WebhookEndpoint.id)
    ).all())


def dispatch(event: ChangeEvent, endpoints: list[WebhookEndpoint] | None = None) -> int:
    """Record and queue a delivery for every subscribed endpoint that has none yet (safe to run
    twice: the unique (endpoint, event) pair is checked first and kept by the database)."""
    if endpoints is None:
        endpoints = [e for e in subscribed(event) if event.type in (e.events or [])]
    existing = set(db.session.scalars(
        select(WebhookDelivery.endpoint_id).where(WebhookDelivery.event_id == event.id)))
    queued = 0
    for endpoint in endpoints:
        if endpoint.id in existing:
            continue
        row = WebhookDelivery(endpoint_id=endpoint.id, event_id=event.id,
                              status=DeliveryStatus.PENDING, attempts=0, created_at=utcnow())
        db.session.add(row)
        db.session.flush()
        enqueue(row)
        queued += 1
    return queued


def enqueue(row: WebhookDelivery) -> None:
    jobs.enqueue(TASK, row.id, key=f"webhook:{row.id}", province_id=_province_of(row))


def _province_of(row: WebhookDelivery) -> int:
    return db.session.get(WebhookEndpoint, row.endpoint_id).province_id


def body_of(event: ChangeEvent) -> bytes:
    occurred = event.occurred_at if event.occurred_at.tzinfo else event.occurred_at.replace(
        tzinfo=UTC)
    return json.dumps({"type": event.type, "timestamp": occurred.isoformat(),
                       "data": {"event_id": event.id, **event.payload}},
                      ensure_ascii=False, sort_keys=True).encode()


def signing_secrets(endpoint: WebhookEndpoint, moment: datetime) -> list[str]:
    """The current secret, and the one it replaced while its overlap lasts."""
    until = endpoint.previous_secret_until
    if until is not None and until.tzinfo is None:
        until = until.replace(tzinfo=UTC)
    if endpoint.previous_secret and until is not None and moment < until:
        return [endpoint.secret, endpoint.previous_secret]
    return [endpoint.secret]


def signed_headers(secrets: list[str], message_id: str, body: bytes) -> dict[str, str]:
    """Standard Webhooks headers; several secrets give space-separated signatures (rotation)."""
    moment = utcnow()
    signatures = " ".join(Webhook(secret).sign(message_id, moment, body) for secret in secrets)
    return {"webhook-id": message_id, "webhook-timestamp": str(int(moment.timestamp())),
            "webhook-signature": signatures}


def delivery_hooks(model) -> dict:
    """The outbox hooks of a delivery table (webhooks, notifications): giving up marks the row
    dead, a person's retry makes it pending again."""
    def give_up(delivery_id: int, reason: str) -> None:
        row = db.session.get(model, delivery_id)
        if row is not None and row.status != DeliveryStatus.DELIVERED:
            row.status, row.next_attempt_at = DeliveryStatus.DEAD, None

    def on_retry(delivery_id: int) -> None:
        row = db.session.get(model, delivery_id)
        if row is not None:
            row.status = DeliveryStatus.PENDING

    return {"on_give_up": give_up, "on_retry": on_retry, "backoff": backoff}


def open_delivery(model, delivery_id: int):
    """The delivery row, locked, if it still waits to be sent; else None (nothing to do)."""
    row = db.session.get(model, delivery_id, with_for_update=True)
    if row is None or row.status in (DeliveryStatus.DELIVERED, DeliveryStatus.DEAD):
        db.session.rollback()
        return None
    return row


@jobs.task(budget=60, attempts=ATTEMPTS, **delivery_hooks(WebhookDelivery))
def deliver_task(delivery_id: int) -> str:
    row = open_delivery(WebhookDelivery, delivery_id)
    if row is None:
        return "nothing to do"
    endpoint = db.session.get(WebhookEndpoint, row.endpoint_id)
    if not endpoint.active and _event_type(row) != TEST_EVENT:
        return close(row, DeliveryStatus.DEAD, error="endpoint disabled")
    event = db.session.get(ChangeEvent, row.event_id)
    body = body_of(event)
    row.attempts += 1
    try:
        target = check_url(endpoint.url)
        headers = signed_headers(signing_secrets(endpoint, utcnow()), f"evt_{event.id}", body)
        code = sender.post(target, body, headers)
    except UnsafeTarget as error:
        return attempt_failed(row, None, str(error))
    except OSError as error:
        return attempt_failed(row, None, f"{type(error).__name__}: {error}")
    if 200 <= code < 300:
        return close(row, DeliveryStatus.DELIVERED, code=code)
    if code == 410:
        endpoint.active = False
        endpoint.disabled_reason = "410 Gone"
        return close(row, DeliveryStatus.DEAD, code=code, error="410 Gone: endpoint disabled")
    return attempt_failed(row, code, f"HTTP {code}")


def _event_type(row: WebhookDelivery) -> str:
    return db.session.get(ChangeEvent, row.event_id).type


def close(row, status: str, code: int | None = None, error: str | None = None) -> str:
    """End a delivery (a webhook's or a notification's: the same columns) and commit."""
    row.status, row.last_status_code = status, code
    row.last_error = error[:2000] if error else error
    row.next_attempt_at = None
    if status == DeliveryStatus.DELIVERED:
        row.delivered_at = utcnow()
    db.session.commit()
    return status


def attempt_failed(row, code: int | None, error: str) -> str:
    """Record a failed attempt (webhook or notification delivery), commit, and raise so the
    outbox queues the next one after the backoff."""
    row.status, row.last_status_code, row.last_error = DeliveryStatus.FAILED, code, error[:2000]
    row.next_attempt_at = utcnow() + backoff(row.attempts)
    db.session.commit()  # kept although the attempt raises: the outbox rolls back what is open
    raise DeliveryFailed(error)
