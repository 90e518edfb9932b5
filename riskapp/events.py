"""The change-event log: `emit` appends one event in the transaction of the change it reports.

The pull feed (GET /api/v1/changes) reads the log; the province's webhook endpoints subscribed to
the type get one delivery each, queued in the same transaction (riskapp.webhooks.delivery)."""

from __future__ import annotations

from riskapp.db import db
from riskapp.models import ChangeEvent
from riskapp.models.types import utcnow
from riskapp.webhooks import delivery


def emit(type_: str, province_id: int, payload: dict, *, enterprise_id: int | None = None,
         area_id: int | None = None) -> ChangeEvent:
    event = ChangeEvent(province_id=province_id, type=type_, occurred_at=utcnow(),
                        enterprise_id=enterprise_id, area_id=area_id, payload=payload)
    db.session.add(event)
    db.session.flush()
    delivery.dispatch(event)
    return event
