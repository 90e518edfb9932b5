"""Opening and closing reporting rounds (the views commit; nothing here does)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask_babel import gettext as _
from sqlalchemy import select, update

from riskapp import clock, jobs, territory
from riskapp.auditlog import record
from riskapp.db import db
from riskapp.models import ReportingRound, RoundStatus, RoundTarget
from riskapp.rounds import receipts, snapshot, targets
from riskapp.rounds.targets import Criteria
from riskapp.tenancy import province_reader_scope, scoped

PDF_TASK = "riskapp.rounds.summary:render_pdf_task"


class RoundRefused(Exception):
    """The request cannot be done; the message says why, in the user's language."""


@dataclass(frozen=True)
class RoundPlan:
    title: str
    opens_on: date
    due_on: date
    closes_on: date | None
    criteria: Criteria


def check_dates(plan: RoundPlan) -> None:
    if plan.due_on < plan.opens_on:
        raise RoundRefused(_("The due date cannot be before the open date."))
    if plan.closes_on is not None and plan.closes_on < plan.due_on:
        raise RoundRefused(_("The closing date cannot be before the due date."))


def open_round(province_id: int, plan: RoundPlan, user) -> ReportingRound:
    """Create an open round and freeze its targets; refused (nothing stored) when no enterprise
    matches or the dates are wrong."""
    check_dates(plan)
    today = territory.province_today(province_id)
    round_ = ReportingRound(
        province_id=province_id, title=plan.title, opens_on=plan.opens_on, due_on=plan.due_on,
        closes_on=plan.closes_on, criteria=plan.criteria.to_json(), status=RoundStatus.OPEN,
        created_by_id=getattr(user, "id", None))
    db.session.add(round_)
    db.session.flush()
    round_.expected = targets.freeze(round_, plan.criteria, today)
    if round_.expected == 0:
        raise RoundRefused(_("No enterprise matches these criteria."))
    received = receipts.backfill(round_, today)
    targets.refresh_statistics()
    record("round_opened", round_, user=user, details={
        "title": plan.title, "expected": round_.expected, "already_received": received,
        "criteria": round_.criteria, "opens_on": plan.opens_on.isoformat(),
        "due_on": plan.due_on.isoformat()})
    return round_


def rounds_in_reach() -> list[ReportingRound]:
    return list(db.session.scalars(scoped(select(ReportingRound), ReportingRound)
                                   .order_by(ReportingRound.opens_on.desc(),
                                             ReportingRound.id.desc())))


def _claim_close(round_: ReportingRound, user) -> bool:
    """Close atomically: of two clicks (or two admins) only one conditional UPDATE lands."""
    closed = db.session.execute(
        update(ReportingRound)
        .where(ReportingRound.id == round_.id, ReportingRound.status == RoundStatus.OPEN)
        .values(status=RoundStatus.CLOSED, closed_at=clock.now(),
                closed_by_id=getattr(user, "id", None))
        .execution_options(synchronize_session=False)).rowcount
    db.session.refresh(round_)
    return closed == 1


def close_round(round_: ReportingRound, user, lang: str) -> ReportingRound:
    """Close the round and freeze its figures (JSON, XLSX now; the PDF in the background)."""
    today = territory.province_today(round_.province_id)
    if round_.status == RoundStatus.CLOSED:
        raise RoundRefused(_("This round is already closed."))
    if today < round_.opens_on:
        raise RoundRefused(_("A round cannot be closed before its open date."))
    if not _claim_close(round_, user):
        raise RoundRefused(_("This round is already closed."))
    round_.snapshot = snapshot.build(round_, province_reader_scope(round_.province_id), today)
    round_.xlsx_file = snapshot.store_xlsx(round_, lang)
    db.session.flush()
    jobs.enqueue(PDF_TASK, round_.id, lang, key=f"round-pdf:{round_.id}",
                 province_id=round_.province_id)
    record("round_closed", round_, user=user, details=round_.snapshot["total"])
    return round_


def targets_of_enterprise(enterprise_id: int, today: date) -> list[ReportingRound]:
    """Open rounds this enterprise has not reported to yet (the officer's home page)."""
    return list(db.session.scalars(
        scoped(select(ReportingRound)
               .join(RoundTarget, RoundTarget.round_id == ReportingRound.id)
               .where(RoundTarget.enterprise_id == enterprise_id,
                      RoundTarget.received_on.is_(None),
                      ReportingRound.status == RoundStatus.OPEN,
                      ReportingRound.opens_on <= today), RoundTarget)
        .order_by(ReportingRound.due_on)))
