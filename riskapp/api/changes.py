"""GET /api/v1/changes: the province's change events after a cursor, for systems that poll."""

from __future__ import annotations

from sqlalchemy import select

from riskapp.api.common import MAX_ID, api_route, int_arg, iso
from riskapp.db import db
from riskapp.models import ChangeEvent
from riskapp.models.webhook import TEST_EVENT
from riskapp.tenancy import READERS, scoped

DEFAULT_LIMIT, MAX_LIMIT = 100, 500


def _event(row: ChangeEvent) -> dict:
    return {"id": row.id, "type": row.type, "occurred_at": iso(row.occurred_at),
            "enterprise_id": row.enterprise_id, "area_id": row.area_id,
            "data": row.payload or {}}


@api_route("/changes", scope="province", roles=READERS)
def changes():
    """Events after ``since`` in id order; ``next`` is the cursor of the following call (the
    last id returned, or ``since`` itself when nothing is new). Area staff and auditors see only
    events about their areas."""
    since = int_arg("since", 0, minimum=0, maximum=MAX_ID)
    limit = int_arg("limit", DEFAULT_LIMIT, maximum=MAX_LIMIT)
    rows = db.session.scalars(
        scoped(select(ChangeEvent), ChangeEvent)
        .where(ChangeEvent.id > since, ChangeEvent.type != TEST_EVENT)
        .order_by(ChangeEvent.id).limit(limit)).all()
    return {"items": [_event(row) for row in rows],
            "next": rows[-1].id if rows else since, "more": len(rows) == limit}
