"""action.overdue: one event per overdue action, the first day the daily reminders find it."""

from __future__ import annotations

from sqlalchemy import select

from riskapp import events
from riskapp.db import db
from riskapp.models import ChangeEvent, Enterprise, RemediationAction

TYPE = "action.overdue"


def emit_new(action_ids: set[int]) -> int:
    """Emit for the actions never reported overdue before; the caller commits."""
    if not action_ids:
        return 0
    actions = db.session.scalars(select(RemediationAction)
                                 .where(RemediationAction.id.in_(action_ids))).all()
    enterprise_ids = {action.enterprise_id for action in actions}
    seen = {event.payload.get("action_id") for event in db.session.scalars(
        select(ChangeEvent).where(ChangeEvent.type == TYPE,
                                  ChangeEvent.enterprise_id.in_(enterprise_ids)))}
    emitted = 0
    for action in sorted(actions, key=lambda row: row.id):
        if action.id in seen:
            continue
        enterprise = db.session.get(Enterprise, action.enterprise_id)
        events.emit(TYPE, enterprise.province_id, {
            "action_id": action.id, "enterprise_id": action.enterprise_id,
            "tax_code": enterprise.tax_code, "item_id": action.item_id,
            "priority": getattr(action.priority, "value", action.priority),
            "due_on": action.due_on.isoformat() if action.due_on else None,
        }, enterprise_id=action.enterprise_id, area_id=enterprise.area_id)
        emitted += 1
    return emitted
