"""Round reminders, run by the daily `send-reminders` with each province's own "today":
officers of targets not yet reported are mailed REMIND_DAYS_BEFORE days before the due date;
after it, the area admins bound above a late target's area are mailed the list (then weekly).
A ReminderLog row per (user, kind, round, day) keeps a second run on the same day silent."""

from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta

from flask_babel import gettext as _
from sqlalchemy import or_, select
from sqlalchemy.exc import IntegrityError

from riskapp import links, territory
from riskapp.auditlog import record
from riskapp.db import db
from riskapp.formatting import format_date
from riskapp.models import (
    AuditorArea,
    Enterprise,
    ReminderLog,
    ReportingRound,
    Role,
    RoundStatus,
    RoundTarget,
    User,
)
from riskapp.notifications import kinds
from riskapp.notifications.services import notify

log = logging.getLogger(__name__)

REMIND_DAYS_BEFORE = (3, 1)
ESCALATE_EVERY_DAYS = 7
KIND_DUE = "round_due"
KIND_ESCALATION = "round_escalation"


@dataclass
class RoundReminderSummary:
    sent: int = 0
    already_sent: int = 0
    failed: int = 0


def _lang(locale: str | None) -> str:
    return locale if locale in ("vi", "en") else "vi"


def _active(role: Role):
    return (User.role == role, User.is_active_account.is_(True), User.password_hash.is_not(None))


def _unreported(round_: ReportingRound):
    return (RoundTarget.round_id == round_.id, RoundTarget.received_on.is_(None))


def _rounds_running(province_ids: list[int], today: date) -> list[ReportingRound]:
    return list(db.session.scalars(select(ReportingRound).where(
        ReportingRound.province_id.in_(province_ids), ReportingRound.status == RoundStatus.OPEN,
        ReportingRound.opens_on <= today,
        or_(ReportingRound.closes_on.is_(None), ReportingRound.closes_on >= today))
        .order_by(ReportingRound.id)))


def _send_once(user: tuple, kind: str, round_: ReportingRound, today: date, message,
               summary: RoundReminderSummary) -> None:
    """Log and notify in one commit; the unique log row makes a concurrent or repeated run
    skip it (the notification service retries a failed delivery)."""
    user_id, _email, _locale = user
    db.session.add(ReminderLog(user_id=user_id, kind=kind, subject_key=f"round:{round_.id}",
                               sent_on=today, details={"due_on": round_.due_on.isoformat()}))
    try:
        notify(db.session.get(User, user_id),
               kinds.ROUND_REMINDER if kind == KIND_DUE else kinds.ROUND_ESCALATION, message,
               dedup_key=f"{kind}:{round_.id}:{user_id}:{today.isoformat()}",
               context={"title": round_.title, "date": round_.due_on.isoformat()})
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        summary.already_sent += 1
        return
    summary.sent += 1


def _remind_officers(round_: ReportingRound, today: date, summary: RoundReminderSummary) -> None:
    rows = db.session.execute(
        select(User.id, User.email, User.locale, Enterprise.name)
        .join(RoundTarget, RoundTarget.enterprise_id == User.enterprise_id)
        .join(Enterprise, Enterprise.id == RoundTarget.enterprise_id)
        .where(*_unreported(round_), *_active(Role.OFFICER))
        .order_by(User.id)).all()
    for user_id, email, locale, name in rows:
        def message(lang, name=name):
            return (_("Reporting round: %(title)s", title=round_.title), "\n".join([
                _("Hello,"), "",
                _("%(name)s is asked to assess its risk again by %(date)s (%(title)s).",
                  name=name, date=format_date(round_.due_on, lang), title=round_.title), "",
                _("Open riskapp: %(link)s", link=links.external("/enterprise/"))]))
        _send_once((user_id, email, locale), KIND_DUE, round_, today, message, summary)


def _late_by_admin(round_: ReportingRound) -> dict[tuple, list[str]]:
    """Each active area admin of the province → the late targets in or below their areas."""
    tree = territory.area_tree(round_.province_id)
    late = db.session.execute(
        select(Enterprise.name, Enterprise.tax_code, RoundTarget.area_id)
        .join(Enterprise, Enterprise.id == RoundTarget.enterprise_id)
        .where(*_unreported(round_)).order_by(Enterprise.name)).all()
    bound: dict[tuple, set[int]] = defaultdict(set)
    for user_id, email, locale, area_id in db.session.execute(
            select(User.id, User.email, User.locale, AuditorArea.area_id)
            .join(AuditorArea, AuditorArea.user_id == User.id)
            .where(User.province_id == round_.province_id, *_active(Role.AREA_ADMIN))):
        bound[(user_id, email, locale)].add(area_id)
    out: dict[tuple, list[str]] = {}
    for admin, areas in sorted(bound.items()):
        names = [f"{name} ({tax_code}) – {tree.path(area_id)}" for name, tax_code, area_id in late
                 if areas & set(tree.ancestors(area_id))]
        if names:
            out[admin] = names
    return out


def _escalated_lately(user_id: int, round_: ReportingRound, today: date) -> bool:
    since = today - timedelta(days=ESCALATE_EVERY_DAYS - 1)
    return db.session.scalar(select(ReminderLog.id).where(
        ReminderLog.user_id == user_id, ReminderLog.kind == KIND_ESCALATION,
        ReminderLog.subject_key == f"round:{round_.id}", ReminderLog.sent_on >= since,
        ReminderLog.sent_on < today).limit(1)) is not None


def _escalate(round_: ReportingRound, today: date, summary: RoundReminderSummary) -> None:
    for admin, names in _late_by_admin(round_).items():
        if _escalated_lately(admin[0], round_, today):
            summary.already_sent += 1
            continue

        def message(lang, names=names):
            return (_("Not reported: %(title)s", title=round_.title), "\n".join([
                _("Hello,"), "",
                _("These enterprises of your areas did not assess their risk by %(date)s "
                  "(%(title)s):", date=format_date(round_.due_on, lang), title=round_.title),
                "", *[f"- {name}" for name in names], "",
                _("Open riskapp: %(link)s", link=links.external(f"/province/rounds/{round_.id}"))]))
        _send_once(admin, KIND_ESCALATION, round_, today, message, summary)


def send_round_reminders(today: date, province_ids: list[int]) -> RoundReminderSummary:
    """Reminders and escalations of the provinces' running rounds on their `today`."""
    summary = RoundReminderSummary()
    for round_ in _rounds_running(province_ids, today):
        before = (summary.sent, summary.failed)
        days_left = (round_.due_on - today).days
        if days_left in REMIND_DAYS_BEFORE:
            _remind_officers(round_, today, summary)
        elif days_left < 0:
            _escalate(round_, today, summary)
        if (summary.sent, summary.failed) != before:
            record("round_reminders_sent", round_, details={
                "on": today.isoformat(), "sent": summary.sent - before[0],
                "failed": summary.failed - before[1],
                "kind": KIND_DUE if days_left >= 0 else KIND_ESCALATION})
            db.session.commit()
    return summary
