"""Remediation actions: born from a submitted assessment's failing items, tracked by the officer,
carried over to the next assessment. Services flush, never commit."""

from __future__ import annotations

from datetime import date

from sqlalchemy import Select, and_, case, select, update

from riskapp import clock
from riskapp.assessments import owners
from riskapp.auditlog import record
from riskapp.db import db
from riskapp.models import (
    OPEN_ACTION_STATUSES,
    ActionStatus,
    Assessment,
    Priority,
    RemediationAction,
)
from riskapp.models.types import utcnow
from riskapp.scoring import Result
from riskapp.tenancy import scoped

# The officer's action list filters: name → statuses (empty: all).
ACTION_FILTERS = {
    "active": OPEN_ACTION_STATUSES,
    "open": (ActionStatus.OPEN,),
    "in_progress": (ActionStatus.IN_PROGRESS,),
    "done": (ActionStatus.DONE,),
    "verified": (ActionStatus.VERIFIED,),
    "superseded": (ActionStatus.SUPERSEDED,),
    "all": (),
}


def open_actions_by_priority(today: date | None = None) -> dict[Priority, dict[str, int]]:
    """Per priority: open (or in progress) actions and how many of them are overdue."""
    today = today or clock.today()
    counts = {priority: {"open": 0, "overdue": 0} for priority in Priority}
    rows = db.session.execute(
        scoped(select(RemediationAction.priority, RemediationAction.due_on), RemediationAction)
        .where(RemediationAction.status.in_(OPEN_ACTION_STATUSES))
    ).all()
    for priority, due_on in rows:
        counts[priority]["open"] += 1
        if due_on < today:
            counts[priority]["overdue"] += 1
    return counts


def actions_in_reach(status: ActionStatus | tuple[ActionStatus, ...] | None = None,
                     assessment_id: int | None = None) -> Select:
    """Actions in reach (of some statuses, of one assessment), newest assessment first, in
    remediation order."""
    statement = scoped(select(RemediationAction), RemediationAction)
    if status:
        statuses = status if isinstance(status, tuple) else (status,)
        statement = statement.where(RemediationAction.status.in_(statuses))
    if assessment_id is not None:
        statement = statement.where(RemediationAction.assessment_id == assessment_id)
    return statement.order_by(RemediationAction.assessment_id.desc(), RemediationAction.position,
                              RemediationAction.id)


def list_actions(statuses=OPEN_ACTION_STATUSES,
                 today: date | None = None) -> list[RemediationAction]:
    """Actions in reach with these statuses (all when empty) as the officer works them: the
    overdue ones first, then by due date; remediation order among equal dates."""
    today = today or clock.today()
    # The same rule as RemediationAction.is_overdue, for the database to sort by.
    overdue = and_(RemediationAction.status.in_(OPEN_ACTION_STATUSES),
                   RemediationAction.due_on < today)
    statement = actions_in_reach(tuple(statuses)).order_by(None).order_by(
        case((overdue, 0), else_=1), RemediationAction.due_on,
        RemediationAction.assessment_id.desc(), RemediationAction.position, RemediationAction.id)
    return list(db.session.scalars(statement))


class ActionLocked(Exception):
    """A verified action is closed by an auditor or the province; the officer cannot change it."""


def _claim(action: RemediationAction) -> None:
    """Take the action's next lock version in the database, or raise ActionLocked: a review
    committed since the action was read (verified it) wins over this edit."""
    loaded = action.lock_version
    claimed = db.session.execute(
        update(RemediationAction)
        .where(RemediationAction.id == action.id, RemediationAction.lock_version == loaded,
               RemediationAction.status.not_in([s for s in ActionStatus if s.is_locked]))
        .values(lock_version=loaded + 1)
        .execution_options(synchronize_session=False)
    ).rowcount
    if not claimed:
        raise ActionLocked()
    action.lock_version = loaded + 1  # what the row holds now: the flush below writes the same


# `update_action(owner_user=…)` left out (the API): the account stays while the name does.
KEEP_ACCOUNT = object()


def _set_owner(action: RemediationAction, owner: str | None, owner_user, by) -> None:
    if owner_user is not None and owner_user is not KEEP_ACCOUNT:
        newly = action.owner_user_id != owner_user.id
        action.owner, action.owner_user_id = owner_user.name or owner_user.email, owner_user.id
        if newly:
            owners.notify_after_commit(action, owner_user, by)
        return
    typed = (owner or "").strip() or None
    if owner_user is None or typed != action.owner:
        action.owner_user_id = None
    action.owner = typed


def update_action(action: RemediationAction, *, owner: str | None, due_on: date,
                  status: ActionStatus, note: str | None, user=None,
                  owner_user=KEEP_ACCOUNT) -> RemediationAction:
    """Change owner, due date, status and note; "verified" is not the officer's to set.

    `owner_user` is an owner chosen among the enterprise's users (their name becomes the owner
    shown; they are mailed after the commit), or None for a typed owner; left out, the chosen
    account stays until the typed name changes."""
    if action.status.is_locked:
        raise ActionLocked()
    if status == ActionStatus.VERIFIED:
        raise ValueError("the officer cannot verify an action")
    _claim(action)
    before = {"status": action.status.value, "due_on": action.due_on.isoformat(),
              "owner": action.owner}
    _set_owner(action, owner, owner_user, user)
    action.due_on = due_on
    action.note = (note or "").strip() or None
    if status != action.status:
        action.completed_at = utcnow() if status == ActionStatus.DONE else None
        action.status = status
    db.session.flush()
    record(
        "action_updated",
        action,
        details={"before": before, "status": status.value, "due_on": due_on.isoformat(),
                 "owner": action.owner, "owner_user_id": action.owner_user_id},
        user=user,
    )
    return action


def create_actions(
    assessment: Assessment, result: Result, replacing: Assessment | None = None
) -> list[RemediationAction]:
    """One remediation action per entry of the result's remediation list, in its order.

    The still-open actions of the assessment being replaced end as "superseded"; where the same
    item fails again, its owner, note and progress carry over so no follow-up is lost."""
    carried: dict[str, tuple[RemediationAction, ActionStatus]] = {}
    if replacing is not None:
        for old in db.session.scalars(
            select(RemediationAction).where(
                RemediationAction.assessment_id == replacing.id,
                RemediationAction.status.in_(OPEN_ACTION_STATUSES),
            )
        ):
            carried[old.item_id] = (old, old.status)
            old.status = ActionStatus.SUPERSEDED
    actions = []
    for position, entry in enumerate(result.remediation):
        action = RemediationAction(
            assessment_id=assessment.id,
            enterprise_id=assessment.enterprise_id,
            province_id=assessment.province_id,
            item_id=entry.item_id,
            priority=entry.priority,
            critical=entry.critical,
            points=float(entry.points),
            position=position,
            action_vi=entry.action.vi,
            action_en=entry.action.en,
            due_on=entry.due_on,
        )
        if entry.item_id in carried:
            old, old_status = carried[entry.item_id]
            action.owner, action.note, action.status = old.owner, old.note, old_status
            # An earlier deadline stays the deadline.
            action.due_on = min(old.due_on, entry.due_on)
        db.session.add(action)
        actions.append(action)
    return actions


def actions_of(assessment: Assessment) -> list[RemediationAction]:
    """The remediation actions born from one assessment, in its remediation order."""
    return list(
        db.session.scalars(
            scoped(select(RemediationAction), RemediationAction)
            .where(RemediationAction.assessment_id == assessment.id)
            .order_by(RemediationAction.position, RemediationAction.id)
        )
    )
