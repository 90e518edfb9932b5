"""Who has not reported, leading to action: the overdue list with contacts, and the province's
reminders ("nudges") to those enterprises' officers, sent in the background.

The request stores one work item carrying the filters (or the chosen enterprises); the task
rebuilds the requesting user's reach, so it never reminds more than that user could open. A
ReminderLog row per (officer, enterprise, day) keeps a second click the same day silent.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from flask_babel import gettext as _
from sqlalchemy import case, func, select
from sqlalchemy.exc import IntegrityError

from riskapp import clock, jobs, links, territory
from riskapp.auditlog import record
from riskapp.db import db
from riskapp.filters import Filters, apply_filters
from riskapp.models import Enterprise, EnterpriseStatus, ReminderLog, Role, User
from riskapp.notifications import kinds
from riskapp.notifications.services import notify
from riskapp.pagination import Page, paginate
from riskapp.tenancy import Scope, current_scope, scope_for

NUDGE_KIND = "province_nudge"
NUDGE_TASK = "riskapp.province.followup:send_nudges_task"
PAGE_SIZE = 50
BATCH = 200  # officers logged and notified per commit


@dataclass
class Contact:
    name: str
    email: str


@dataclass
class OverdueRow:
    status: EnterpriseStatus
    name: str
    tax_code: str
    address: str | None
    registered_on: date | None
    contacts: list[Contact] = field(default_factory=list)
    reminded: bool = False

    def days_overdue(self, today: date) -> int | None:
        """Days past the due date; never assessed: days since the enterprise was registered."""
        since = self.status.next_due_on if self.status.current_assessment_id else self.registered_on
        return max(0, (today - since).days) if since else None


def _subject(enterprise_id: int) -> str:
    return f"enterprise:{enterprise_id}"


def _unreported(filters: Filters) -> Filters:
    return filters.but(state="unreported")


def overdue_page(filters: Filters, number: int = 1, scope: Scope | None = None,
                 today: date | None = None) -> Page:
    """The overdue and never-assessed enterprises, most overdue first (the never-assessed lead:
    the province has waited for them longest), with their officers and today's reminders."""
    scope = scope or current_scope()
    today = today or territory.province_today(scope.province_id)
    statement = apply_filters(
        select(EnterpriseStatus, Enterprise.name, Enterprise.tax_code, Enterprise.address,
               Enterprise.created_at)
        .join(Enterprise, Enterprise.id == EnterpriseStatus.enterprise_id)
        .order_by(case((EnterpriseStatus.current_assessment_id.is_(None), 0), else_=1),
                  EnterpriseStatus.next_due_on, EnterpriseStatus.enterprise_id),
        _unreported(filters), scope, today,
    )
    zone = territory.province_zone(scope.province_id)
    page = paginate(statement, number, PAGE_SIZE, row=lambda status, name, tax, address, at:
                    OverdueRow(status, name, tax, address, clock.local_date(at, zone)))
    ids = [row.status.enterprise_id for row in page.items]
    contacts = officers_of(ids)
    reminded = reminded_on(ids, today)
    for row in page.items:
        row.contacts = contacts.get(row.status.enterprise_id, [])
        row.reminded = row.status.enterprise_id in reminded
    return page


def officers_of(enterprise_ids: list[int]) -> dict[int, list[Contact]]:
    """The active officers of each enterprise, as stored."""
    contacts: dict[int, list[Contact]] = defaultdict(list)
    if enterprise_ids:
        for enterprise_id, name, email in db.session.execute(
            _reachable_officers().where(User.enterprise_id.in_(enterprise_ids))
            .with_only_columns(User.enterprise_id, User.name, User.email).order_by(User.id)
        ):
            contacts[enterprise_id].append(Contact(name, email))
    return contacts


def reminded_on(enterprise_ids: list[int], day: date) -> set[int]:
    """The enterprises the province reminded on that day."""
    if not enterprise_ids:
        return set()
    return set(db.session.scalars(
        select(ReminderLog.enterprise_id).where(
            ReminderLog.kind == NUDGE_KIND, ReminderLog.sent_on == day,
            ReminderLog.enterprise_id.in_(enterprise_ids))))


def _reachable_officers():
    return select(User).where(User.role == Role.OFFICER, User.is_active_account.is_(True),
                              User.password_hash.is_not(None))


# --------------------------------------------------------------------------- the request's side


def _targets(filters: Filters, enterprise_ids: list[int] | None, scope: Scope, today: date):
    """A select of the ids to remind: the unreported within the filters (and chosen ids) that
    have an officer who can log in."""
    with_officer = _reachable_officers().with_only_columns(User.id).where(
        User.enterprise_id == EnterpriseStatus.enterprise_id).exists()
    statement = apply_filters(select(EnterpriseStatus.enterprise_id).where(with_officer),
                              _unreported(filters), scope, today)
    if enterprise_ids is not None:
        statement = statement.where(EnterpriseStatus.enterprise_id.in_(enterprise_ids))
    return statement


def pending_count(filters: Filters, enterprise_ids: list[int] | None,
                  scope: Scope | None = None) -> tuple[int, int]:
    """(to remind, already reminded today) among the targets: two counts, no rows read."""
    scope = scope or current_scope()
    today = territory.province_today(scope.province_id)
    targets = _targets(filters, enterprise_ids, scope, today).subquery()
    total = db.session.scalar(select(func.count()).select_from(targets)) or 0
    done = db.session.scalar(
        select(func.count(func.distinct(ReminderLog.enterprise_id)))
        .where(ReminderLog.kind == NUDGE_KIND, ReminderLog.sent_on == today,
               ReminderLog.enterprise_id.in_(select(targets.c.enterprise_id)))) or 0
    return total - done, done


def queue_nudges(filters: Filters, enterprise_ids: list[int] | None,
                 user: User) -> tuple[int, int]:
    """Queue one work item reminding the targets' officers: (enterprises still to remind today,
    enterprises reminded today already); nothing is queued when the first is 0."""
    to_remind, done = pending_count(filters, enterprise_ids)
    if to_remind == 0:
        return 0, done
    args = {"filters": filters.args(), "ids": enterprise_ids, "base_url": links.base_url()}
    record("province_nudge_queued", object_type="enterprise",
           details={"filters": filters.args(), "chosen": len(enterprise_ids or []) or None,
                    "enterprises": to_remind}, user=user)
    jobs.enqueue(NUDGE_TASK, user.id, args, province_id=user.province_id)
    return to_remind, done


# --------------------------------------------------------------------------- the task


@jobs.task(budget=3600, attempts=3)
def send_nudges_task(user_id: int, args: dict) -> str:
    """Remind each officer of the targets once today; safe to run again (the log is checked)."""
    user = db.session.get(User, user_id)
    if user is None or user.province_id is None:
        return "missing"
    scope = scope_for(user)
    today = territory.province_today(scope.province_id)
    targets = _targets(Filters.from_args(args.get("filters") or {}), args.get("ids"), scope,
                       today)
    rows = db.session.execute(
        _reachable_officers().with_only_columns(User.id, User.email, User.locale,
                                                Enterprise.id, Enterprise.name)
        .join(Enterprise, Enterprise.id == User.enterprise_id)
        .where(Enterprise.id.in_(targets)).order_by(Enterprise.id, User.id)).all()
    sent = 0
    for start in range(0, len(rows), BATCH):
        sent += _send_batch(rows[start:start + BATCH], today, args.get("base_url"))
    record("province_nudge_sent", object_type="enterprise", user=user,
           details={"officers": sent, "day": today.isoformat()})
    db.session.commit()
    return f"sent {sent}"


def _send_batch(rows: list, today: date, base_url: str | None) -> int:
    """Log and notify one batch in one commit: rows logged today already are skipped; a
    concurrent run's rows are claimed one by one."""
    logged = set(db.session.execute(
        select(ReminderLog.user_id, ReminderLog.enterprise_id).where(
            ReminderLog.kind == NUDGE_KIND, ReminderLog.sent_on == today,
            ReminderLog.user_id.in_([row[0] for row in rows]))).all())
    fresh = [row for row in rows if (row[0], row[3]) not in logged]
    try:
        for row in fresh:
            _log_and_notify(row, today, base_url)
        db.session.commit()
    except IntegrityError:  # a concurrent run logged some of these: claim them one by one
        db.session.rollback()
        fresh = [row for row in fresh if _claimed(row, today, base_url)]
    return len(fresh)


def _log_and_notify(row, today: date, base_url: str | None) -> None:
    user_id, _email, _locale, enterprise_id, name = row
    db.session.add(ReminderLog(user_id=user_id, enterprise_id=enterprise_id, kind=NUDGE_KIND,
                               subject_key=_subject(enterprise_id), sent_on=today))

    def render(lang: str) -> tuple[str, str]:
        subject = _("The authority asks %(name)s for its risk self-assessment", name=name)
        body = "\n".join([
            _("Hello,"), "",
            _("The provincial authority has not received a current risk self-assessment from "
              "%(name)s. Please submit one as soon as possible.", name=name), "",
            _("Open riskapp: %(link)s", link=links.external("/enterprise/", base_url)),
        ])
        return subject, body

    notify(db.session.get(User, user_id), kinds.PROVINCE_NUDGE, render,
           dedup_key=f"{NUDGE_KIND}:{user_id}:{enterprise_id}:{today.isoformat()}",
           context={"enterprise": name})


def _claimed(row, today: date, base_url: str | None) -> bool:
    try:
        _log_and_notify(row, today, base_url)
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        return False
    return True
