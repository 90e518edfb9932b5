"""A round's receipts: the first submission of a target enterprise inside the round's window is
written on its target row (when, on time or not), so progress is a plain GROUP BY.

Called by the assessment submit service in its transaction, and at opening for submissions
already made since the open date.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import and_, func, or_, select, update

from riskapp.db import db
from riskapp.models import (
    GRADED_STATUSES,
    Assessment,
    ReportingRound,
    RoundStatus,
    RoundTarget,
)


def accepted_count():
    """SQL aggregate over round_target rows: how many count as accepted (a submission made in
    the window accepted by review, or accepted on submit because its grade is not reviewed)."""
    return func.count(RoundTarget.accepted_on)


def _in_window(day: date):
    return (ReportingRound.status == RoundStatus.OPEN, ReportingRound.opens_on <= day,
            or_(ReportingRound.closes_on.is_(None), ReportingRound.closes_on >= day))


def _mark(target_id: int, assessment_id: int, submitted_at, day: date, due_on: date) -> None:
    # Conditional: a receipt already written (a concurrent submit) is never overwritten.
    db.session.execute(
        update(RoundTarget)
        .where(RoundTarget.id == target_id, RoundTarget.received_on.is_(None))
        .values(assessment_id=assessment_id, received_at=submitted_at, received_on=day,
                on_time=day <= due_on)
        .execution_options(synchronize_session=False))


def record_receipt(assessment: Assessment) -> None:
    """Mark the enterprise's open targets received by this just-submitted assessment."""
    day = assessment.assessed_on
    targets = db.session.execute(
        select(RoundTarget.id, ReportingRound.due_on)
        .join(ReportingRound, ReportingRound.id == RoundTarget.round_id)
        .where(RoundTarget.enterprise_id == assessment.enterprise_id,
               RoundTarget.received_on.is_(None), *_in_window(day))
    ).all()
    for target_id, due_on in targets:
        _mark(target_id, assessment.id, assessment.submitted_at, day, due_on)


def record_acceptance(assessment: Assessment, on: date) -> None:
    """Mark accepted (on the province's day `on`) the enterprise's open targets in whose window
    the accepted assessment was made; called wherever a review status becomes accepted."""
    in_window = (select(RoundTarget.id)
                 .join(ReportingRound, ReportingRound.id == RoundTarget.round_id)
                 .where(RoundTarget.enterprise_id == assessment.enterprise_id,
                        RoundTarget.accepted_on.is_(None), *_in_window(assessment.assessed_on)))
    db.session.execute(
        update(RoundTarget).where(RoundTarget.id.in_(in_window)).values(accepted_on=on)
        .execution_options(synchronize_session=False))


def backfill(round_: ReportingRound, through: date) -> int:
    """Receipts for submissions made between the open date and `through` (a round opened with a
    past open date); returns how many targets were marked."""
    if round_.opens_on > through:
        return 0
    last = min(through, round_.closes_on) if round_.closes_on else through
    # From the province's recent assessments (a date range of their index) to the targets, not
    # from every target to all its history.
    rows = db.session.execute(
        select(RoundTarget.id, Assessment.id, Assessment.submitted_at, Assessment.assessed_on,
               Assessment.review_status)
        .select_from(Assessment)
        .join(RoundTarget, and_(RoundTarget.round_id == round_.id,
                                RoundTarget.enterprise_id == Assessment.enterprise_id))
        .where(Assessment.province_id == round_.province_id,
               Assessment.status.in_(GRADED_STATUSES),
               Assessment.assessed_on.between(round_.opens_on, last))
        .order_by(Assessment.submitted_at, Assessment.id)
    ).all()
    first: dict[int, dict] = {}
    for target_id, assessment_id, submitted_at, day, review in rows:
        if target_id not in first:
            first[target_id] = {"id": target_id, "assessment_id": assessment_id,
                                "received_at": submitted_at, "received_on": day,
                                "on_time": day <= round_.due_on, "accepted_on": None}
        if review is not None and review.is_accepted and first[target_id]["accepted_on"] is None:
            first[target_id]["accepted_on"] = day
    if first:
        # One executemany by primary key (the targets were inserted in this transaction).
        db.session.execute(update(RoundTarget), list(first.values()))
    return len(first)
