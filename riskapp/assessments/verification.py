"""The authority's review of a done remediation action: verified (then locked for good) or sent
back to "in progress", each with a note. A conditional UPDATE on the action's lock version and
status decides: of two reviewers (or a reviewer and the officer) only the first one changes it.
Services flush, never commit."""

from __future__ import annotations

from sqlalchemy import update

from riskapp.auditlog import record
from riskapp.db import db
from riskapp.models import ActionStatus, RemediationAction, User
from riskapp.models.types import utcnow


class ReviewConflict(Exception):
    """The action changed since the reviewer's page was loaded (or is no longer done)."""


def review_action(action: RemediationAction, user: User, *, accept: bool, note: str | None,
                  lock_version: int) -> RemediationAction:
    """Verify a done action (accept) or send it back to in progress, with the reviewer's note."""
    note = (note or "").strip() or None
    values = {"review_note": note, "lock_version": lock_version + 1, "updated_at": utcnow()}
    if accept:
        values |= {"status": ActionStatus.VERIFIED, "verified_at": utcnow(),
                   "verified_by_id": user.id}
    else:
        values |= {"status": ActionStatus.IN_PROGRESS, "completed_at": None,
                   "verified_at": None, "verified_by_id": None}
    changed = db.session.execute(
        update(RemediationAction)
        .where(RemediationAction.id == action.id,
               RemediationAction.lock_version == lock_version,
               RemediationAction.status == ActionStatus.DONE)
        .values(**values)
        .execution_options(synchronize_session=False)
    ).rowcount
    if not changed:
        raise ReviewConflict()
    db.session.refresh(action)
    record("action_verified" if accept else "action_sent_back", action, user=user,
           details={"note": note, "item_id": action.item_id})
    return action
