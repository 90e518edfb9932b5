"""Reminders to enterprise officers: mailed daily by `flask send-reminders`, shown in the app.

One query (`due_reminders`) finds what an officer should be reminded of; the cron command mails
it and the officer's pages show it as notices. What is due:
- the next assessment, when due within DUE_SOON_DAYS days or overdue (EnterpriseStatus.next_due_on);
- an enterprise that never submitted an assessment (treated as due now: the province expects one);
- every open or in-progress P1 remediation action past its due date;
- (notice only) a due date the province's re-grading moved earlier: the re-grading mailed it
  already, so `send_reminders` does not mail it again.
A ReminderLog row per (officer, kind, subject, day) keeps a second run on the same day silent.
The same command sends the reporting rounds' reminders and escalations (riskapp.rounds.reminders).
"""

from __future__ import annotations

import hashlib
import logging
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

import click
from flask import g
from flask.cli import with_appcontext
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import Select, select
from sqlalchemy.exc import IntegrityError, SQLAlchemyError

from riskapp import clock, links
from riskapp.db import db
from riskapp.formatting import format_date
from riskapp.models import (
    OPEN_ACTION_STATUSES,
    AuditLog,
    Enterprise,
    EnterpriseStatus,
    Priority,
    Province,
    RemediationAction,
    Role,
    User,
)
from riskapp.models.access import ReminderLog
from riskapp.notifications import kinds
from riskapp.notifications.services import notify
from riskapp.rounds import reminders as round_reminders
from riskapp.tenancy import OFFICERS, allows
from riskapp.webhooks import overdue

log = logging.getLogger(__name__)

DUE_SOON_DAYS = 3
MOVED_ACTION = "due_date_moved"  # written by riskapp.province.regrade


class ReminderKind(StrEnum):
    NOT_ASSESSED = "not_assessed"
    ASSESSMENT_DUE = "assessment_due"
    ASSESSMENT_OVERDUE = "assessment_overdue"
    ACTION_OVERDUE = "action_overdue"
    DUE_DATE_MOVED = "due_date_moved"


# Shown in the app but never mailed by send_reminders (someone else mails them).
NOTICE_ONLY = frozenset({ReminderKind.DUE_DATE_MOVED})


@dataclass(frozen=True)
class Reminder:
    user_id: int
    email: str
    locale: str | None
    enterprise_id: int
    enterprise_name: str
    kind: ReminderKind
    subject_key: str
    due_on: date | None = None
    item_id: str | None = None
    action_vi: str | None = None
    action_en: str | None = None
    previous_due_on: date | None = None

    @property
    def mailed(self) -> bool:
        return self.kind not in NOTICE_ONLY

    @property
    def overdue(self) -> bool:
        return self.kind in (ReminderKind.ASSESSMENT_OVERDUE, ReminderKind.ACTION_OVERDUE)

    def text(self, lang: str) -> str:
        """The sentence in the active locale (the caller picks it: request or force_locale)."""
        name, due = self.enterprise_name, format_date(self.due_on, lang)
        if self.kind == ReminderKind.NOT_ASSESSED:
            return _("%(name)s has not submitted a risk self-assessment yet.", name=name)
        if self.kind == ReminderKind.ASSESSMENT_DUE:
            return _("The next risk self-assessment of %(name)s is due on %(date)s.",
                     name=name, date=due)
        if self.kind == ReminderKind.ASSESSMENT_OVERDUE:
            return _("The risk self-assessment of %(name)s is overdue: it was due on %(date)s.",
                     name=name, date=due)
        if self.kind == ReminderKind.ACTION_OVERDUE:
            action = (self.action_en if lang == "en" else self.action_vi) or ""
            return _("Priority P1 action for item %(item)s was due on %(date)s: %(action)s",
                     item=self.item_id, date=due, action=action)
        return _("The epidemic level of your area changed: the next risk self-assessment is now "
                 "due on %(date)s (it was due on %(before)s).",
                 date=due, before=format_date(self.previous_due_on, lang))


def _officers():
    """Officers who can log in (`_one_officer` checks the same for one user)."""
    return select(User).where(
        User.role == Role.OFFICER,
        User.enterprise_id.is_not(None),
        User.is_active_account.is_(True),
        User.password_hash.is_not(None),
    )


def _one_officer(user_id: int) -> list[tuple]:
    """The row `due_reminders` reads for one officer, from the session's identity map where it
    can (every officer page asks, and the logged-in user is already loaded)."""
    user = db.session.get(User, user_id)
    if user is None or user.role != Role.OFFICER or not user.enterprise_id or not user.is_active:
        return []
    status = db.session.get(EnterpriseStatus, user.enterprise_id)
    return [(user.id, user.email, user.locale, user.enterprise_id, user.enterprise.name,
             status.current_assessment_id if status else None,
             status.next_due_on if status else None)]


def _officer_rows(user_id: int | None) -> tuple[list[tuple], Select | list[int]]:
    """The rows reminders are worked out from, one per officer (user id, e-mail, locale,
    enterprise id and name, current assessment id, next due date), and the officers' enterprise
    ids as a list or a subquery for the later look-ups."""
    if user_id is not None:
        rows = _one_officer(user_id)
        return rows, [row[3] for row in rows]
    officers = _officers().subquery()
    rows = db.session.execute(
        select(officers.c.id, officers.c.email, officers.c.locale, Enterprise.id,
               Enterprise.name, EnterpriseStatus.current_assessment_id,
               EnterpriseStatus.next_due_on)
        .join(Enterprise, Enterprise.id == officers.c.enterprise_id)
        .outerjoin(EnterpriseStatus, EnterpriseStatus.enterprise_id == Enterprise.id)
        .order_by(Enterprise.id, officers.c.id)
    ).all()
    return rows, select(officers.c.enterprise_id)


def _assessment_reminders(rows: list[tuple], today: date) -> list[Reminder]:
    """Assessments never submitted, due within DUE_SOON_DAYS days, or overdue."""
    reminders: list[Reminder] = []
    for user_id, email, locale, enterprise_id, name, current_id, next_due in rows:
        base = dict(user_id=user_id, email=email, locale=locale, enterprise_id=enterprise_id,
                    enterprise_name=name)
        if current_id is None:
            reminders.append(Reminder(**base, kind=ReminderKind.NOT_ASSESSED,
                                      subject_key=f"enterprise:{enterprise_id}"))
        elif next_due is not None and next_due <= today + timedelta(days=DUE_SOON_DAYS):
            kind = (ReminderKind.ASSESSMENT_OVERDUE if next_due < today
                    else ReminderKind.ASSESSMENT_DUE)
            reminders.append(Reminder(**base, kind=kind, due_on=next_due,
                                      subject_key=f"assessment:{current_id}:{next_due}"))
    return reminders


def _action_reminders(with_officers, by_enterprise: dict[int, list[tuple]],
                      today: date) -> list[Reminder]:
    """Open or in-progress P1 actions past their due date, for each officer of the enterprise."""
    actions = db.session.scalars(
        select(RemediationAction)
        .where(RemediationAction.enterprise_id.in_(with_officers),
               RemediationAction.priority == Priority.P1,
               RemediationAction.status.in_(OPEN_ACTION_STATUSES),
               RemediationAction.due_on < today)
        .order_by(RemediationAction.enterprise_id, RemediationAction.due_on,
                  RemediationAction.id)
    ).all()
    return [
        Reminder(user_id=user_id, email=email, locale=locale, enterprise_id=action.enterprise_id,
                 enterprise_name=name, kind=ReminderKind.ACTION_OVERDUE,
                 subject_key=f"action:{action.id}", due_on=action.due_on, item_id=action.item_id,
                 action_vi=action.action_vi, action_en=action.action_en)
        for action in actions
        for user_id, email, locale, name in by_enterprise[action.enterprise_id]
    ]


def _moved_due_date_reminders(with_officers, by_enterprise: dict[int, list[tuple]],
                              current_of: dict[int, int | None], today: date) -> list[Reminder]:
    """The latest move of each enterprise's due date, while it concerns its current assessment
    and the new date has not passed."""
    moves = db.session.scalars(
        select(AuditLog)
        .where(AuditLog.enterprise_id.in_(with_officers), AuditLog.action == MOVED_ACTION)
        .order_by(AuditLog.enterprise_id, AuditLog.at.desc(), AuditLog.id.desc())
    ).all()
    reminders: list[Reminder] = []
    seen: set[int] = set()
    for move in moves:
        if move.enterprise_id in seen:
            continue
        seen.add(move.enterprise_id)
        details = move.details or {}
        after = date.fromisoformat(details["after"]) if details.get("after") else None
        if (after is None or after < today
                or details.get("assessment_id") != current_of.get(move.enterprise_id)):
            continue
        before = date.fromisoformat(details["before"]) if details.get("before") else None
        for user_id, email, locale, name in by_enterprise[move.enterprise_id]:
            reminders.append(Reminder(
                user_id=user_id, email=email, locale=locale, enterprise_id=move.enterprise_id,
                enterprise_name=name, kind=ReminderKind.DUE_DATE_MOVED,
                subject_key=f"move:{move.id}", due_on=after, previous_due_on=before))
    return reminders


def due_reminders(today: date, user_id: int | None = None) -> list[Reminder]:
    """Everything officers (or one officer) should be reminded of on `today` (reads only)."""
    rows, with_officers = _officer_rows(user_id)
    reminders = _assessment_reminders(rows, today)
    if not rows:
        return reminders
    current_of = {row[3]: row[5] for row in rows}
    by_enterprise: dict[int, list[tuple]] = defaultdict(list)
    for user_id_, email, locale, enterprise_id, name, *_rest in rows:
        by_enterprise[enterprise_id].append((user_id_, email, locale, name))
    reminders += _action_reminders(with_officers, by_enterprise, today)
    reminders += _moved_due_date_reminders(with_officers, by_enterprise, current_of, today)
    return reminders


def current_notices() -> list[Reminder]:
    """The logged-in officer's reminders for today (once per request); nobody else has any."""
    if not allows(OFFICERS):
        return []
    if "reminder_notices" not in g:
        try:
            g.reminder_notices = due_reminders(clock.today(), current_user.id)
        except SQLAlchemyError:
            # An error page must still render when the database misbehaves.
            db.session.rollback()
            g.reminder_notices = []
    return g.reminder_notices


@dataclass
class ReminderSummary:
    officers_mailed: int = 0
    reminders_sent: int = 0
    already_sent: int = 0
    failed: int = 0


def _message(user_reminders: list[Reminder]):
    """The officer's digest, rendered by the notification service in the officer's language."""
    first = user_reminders[0]
    link = links.external("/enterprise/")

    def render(lang: str) -> tuple[str, str]:
        lines = [f"- {reminder.text(lang)}" for reminder in user_reminders]
        body = "\n".join([
            _("Hello,"), "", _("riskapp reminds you of the following:"), "", *lines, "",
            _("Open riskapp: %(link)s", link=link),
        ])
        return _("Reminder: %(name)s", name=first.enterprise_name), body
    return render


def _notify(user_id: int, reminders: list[Reminder], today: date) -> None:
    """The digest through the notification service (its deliveries retry on their own)."""
    keys = ",".join(sorted(f"{r.kind.value}:{r.subject_key}" for r in reminders))
    digest = hashlib.sha256(keys.encode()).hexdigest()[:16]
    first = reminders[0]
    notify(db.session.get(User, user_id), kinds.REMINDER, _message(reminders),
           dedup_key=f"reminder:{user_id}:{today.isoformat()}:{digest}",
           context={"enterprise": first.enterprise_name, "count": str(len(reminders)),
                    "date": today.isoformat()})


def _enterprises_of(province_ids: list[int]) -> set[int]:
    return set(db.session.scalars(
        select(Enterprise.id).where(Enterprise.province_id.in_(province_ids))))


def send_reminders(today: date, province_ids: list[int] | None = None) -> ReminderSummary:
    """Notify each officer (of these provinces, else all) of what is due and not yet sent
    today; commits per officer (a cron task).

    The log rows and the notification commit together, so two runs at once cannot both send;
    a delivery that fails is retried by the notification service (`failed` stays 0 here)."""
    summary = ReminderSummary()
    due = [reminder for reminder in due_reminders(today) if reminder.mailed]
    if province_ids is not None:
        enterprises = _enterprises_of(province_ids)
        due = [reminder for reminder in due if reminder.enterprise_id in enterprises]
    overdue.emit_new({int(r.subject_key.split(":")[1]) for r in due
                      if r.kind == ReminderKind.ACTION_OVERDUE})
    db.session.commit()  # the events (and their webhook deliveries) whatever the mail does
    sent_today = {
        (row.user_id, row.kind, row.subject_key)
        for row in db.session.execute(
            select(ReminderLog.user_id, ReminderLog.kind, ReminderLog.subject_key)
            .where(ReminderLog.sent_on == today)
        )
    }
    per_user: dict[int, list[Reminder]] = defaultdict(list)
    for reminder in due:
        if (reminder.user_id, reminder.kind.value, reminder.subject_key) in sent_today:
            summary.already_sent += 1
        else:
            per_user[reminder.user_id].append(reminder)
    for user_id, reminders in per_user.items():
        db.session.add_all([
            ReminderLog(user_id=user_id, enterprise_id=r.enterprise_id, kind=r.kind.value,
                        subject_key=r.subject_key, sent_on=today,
                        details={"due_on": r.due_on.isoformat() if r.due_on else None})
            for r in reminders])
        try:
            _notify(user_id, reminders, today)
            db.session.commit()  # the log and the message together: one of two runs wins
        except IntegrityError:
            # A concurrent run logged (and notified) these: nothing more for this officer.
            db.session.rollback()
            summary.already_sent += len(reminders)
            continue
        summary.officers_mailed += 1
        summary.reminders_sent += len(reminders)
    return summary


def with_round_reminders(summary: ReminderSummary, today: date,
                         province_ids: list[int] | None = None) -> ReminderSummary:
    """Add the reporting rounds' reminders and escalations of the same day to a summary."""
    if province_ids is None:
        province_ids = list(db.session.scalars(select(Province.id)))
    rounds = round_reminders.send_round_reminders(today, province_ids)
    summary.reminders_sent += rounds.sent
    summary.already_sent += rounds.already_sent
    summary.failed += rounds.failed
    return summary


def send_reminders_each_province_today() -> ReminderSummary:
    """`send_reminders` for each time zone's provinces with that zone's today (a province's day
    starts at its own midnight)."""
    by_zone: dict[str, list[int]] = defaultdict(list)
    for province_id, zone in db.session.execute(select(Province.id, Province.timezone)):
        by_zone[zone].append(province_id)
    total = ReminderSummary()
    for zone, province_ids in sorted(by_zone.items()):
        summary = with_round_reminders(send_reminders(clock.today(zone), province_ids),
                                       clock.today(zone), province_ids)
        for name in vars(total):
            setattr(total, name, getattr(total, name) + getattr(summary, name))
    return total


@click.command("send-reminders")
@with_appcontext
@click.option("--date", "on", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
              help="The day to remind for (default: each province's today).")
def send_reminders_command(on) -> None:
    """Mail officers their due assessments and overdue P1 actions (run daily from cron)."""
    summary = (with_round_reminders(send_reminders(on.date()), on.date()) if on
               else send_reminders_each_province_today())
    click.echo(f"officers mailed: {summary.officers_mailed}")
    click.echo(f"reminders sent: {summary.reminders_sent}")
    click.echo(f"already sent today: {summary.already_sent}")
    click.echo(f"failed: {summary.failed}")
    if summary.failed:
        raise SystemExit(1)
