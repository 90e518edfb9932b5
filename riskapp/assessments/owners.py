"""An action's owner chosen among the enterprise's users: the choices, the mail that tells the
chosen user (in their language, sent after the commit), and the actions assigned to the
logged-in user."""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import select

from riskapp import jobs, links
from riskapp.db import db
from riskapp.formatting import format_date
from riskapp.models import OPEN_ACTION_STATUSES, RemediationAction, Role, User
from riskapp.models.types import utcnow
from riskapp.notifications import kinds
from riskapp.notifications.services import notify
from riskapp.tenancy import Scope, current_scope, scoped

MAIL_TASK = "riskapp.assessments.owners:mail_assignment_task"


def enterprise_users(scope: Scope | None = None) -> list[User]:
    """The active users of the officer's enterprise (its officers), by name."""
    return list(db.session.scalars(
        scoped(select(User), User, scope or current_scope())
        .where(User.role == Role.OFFICER, User.is_active_account.is_(True))
        .order_by(User.name, User.id)))


def owner_in_reach(user_id: int | None) -> User | None:
    """A user of the officer's own enterprise, or None."""
    if not user_id:
        return None
    return next((user for user in enterprise_users() if user.id == user_id), None)


def assigned_to_me(scope: Scope | None = None) -> list[RemediationAction]:
    """Open actions whose owner is the logged-in user, by due date."""
    scope = scope or current_scope()
    return list(db.session.scalars(
        scoped(select(RemediationAction), RemediationAction, scope)
        .where(RemediationAction.owner_user_id == scope.user_id,
               RemediationAction.status.in_(OPEN_ACTION_STATUSES))
        .order_by(RemediationAction.due_on, RemediationAction.position)))


def notify_after_commit(action: RemediationAction, owner: User, by: User | None) -> None:
    """Mail the new owner once the assignment is stored (not when they chose themselves)."""
    if by is not None and by.id == owner.id:
        return
    jobs.enqueue(MAIL_TASK, action.id, owner.id, links.base_url(), utcnow().isoformat(),
                 province_id=action.province_id)


@jobs.task(budget=60, attempts=3)
def mail_assignment_task(action_id: int, owner_id: int, base_url: str | None = None,
                         assigned_at: str = "") -> str:
    action, owner = db.session.get(RemediationAction, action_id), db.session.get(User, owner_id)
    if action is None or owner is None or action.owner_user_id != owner.id:
        return "no longer assigned"
    enterprise = owner.enterprise.name if owner.enterprise else ""

    def render(lang: str) -> tuple[str, str]:
        subject = _("A remediation action was assigned to you: %(item)s", item=action.item_id)
        body = "\n".join([
            _("Hello %(name)s,", name=owner.name or owner.email), "",
            _("You are now the owner of this remediation action of %(enterprise)s:",
              enterprise=enterprise), "",
            f"{action.item_id} ({action.priority.value}): {action.action_text(lang)}",
            _("Due on %(date)s.", date=format_date(action.due_on, lang)), "",
            _("Open riskapp: %(link)s", link=links.external("/enterprise/actions", base_url)),
        ])
        return subject, body

    # One message per assignment (its moment is in the task's arguments: a rerun repeats it).
    sent = notify(owner, kinds.ACTION_ASSIGNED, render,
                  dedup_key=f"action:{action.id}:owner:{owner.id}:{assigned_at}",
                  context={"item": action.item_id, "date": str(action.due_on)})
    db.session.commit()
    return "sent" if sent is not None else "already sent"
