"""The review life cycle: pending → accepted, or returned for correction → corrected.

A submission enters review on submit (riskapp.assessments.services.submit calls enter_review):
pending when the province reviews its grade or when it corrects a returned one, else accepted
automatically. One decision per assessment: a conditional UPDATE on its review status lets one of
two reviewers in, and the unique assessment_review.assessment_id backs it. Services flush, never
commit.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from riskapp import checklists, clock, jobs, links, territory
from riskapp.auditlog import record
from riskapp.db import db
from riskapp.models import (
    Assessment,
    AssessmentReview,
    AssessmentStatus,
    Grade,
    Province,
    ReviewComment,
    ReviewDecision,
    ReviewStatus,
)
from riskapp.models.territory import DEFAULT_REVIEW_GRADES
from riskapp.models.types import utcnow
from riskapp.rounds import receipts
from riskapp.tenancy import scoped
from riskapp.transparency import services as transparency_log
from riskapp.webhooks import payloads

NOTIFY_TASK = "riskapp.reviews.notify:send_decision_mail"
MAX_COMMENT_LENGTH = 2000


class ReviewRefused(Exception):
    """The decision cannot be taken (already decided, superseded, nothing said); nothing stored."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class PinnedComment:
    item_id: str
    text: str
    needs_evidence: bool = False


# --- the province's setting ------------------------------------------------------------------


def review_grades(province: Province) -> frozenset[Grade]:
    """The grades whose submissions the province reviews."""
    stored = province.review_grades if province.review_grades is not None \
        else DEFAULT_REVIEW_GRADES
    return frozenset(Grade(value) for value in stored.split(",") if value)


def set_review_grades(province: Province, grades: set[Grade], user) -> bool:
    """Store which grades are reviewed; returns whether it changed."""
    value = ",".join(grade.value for grade in Grade if grade in grades)
    if value == province.review_grades:
        return False
    before = province.review_grades
    province.review_grades = value
    db.session.flush()
    record("review_grades_set", province, details={"before": before, "after": value}, user=user)
    return True


# --- entering review ---------------------------------------------------------------------------


def enter_review(assessment: Assessment, user) -> None:
    """On submit: pending when the grade is reviewed or it corrects a returned assessment, else
    accepted automatically (recorded as such, with no reviewer)."""
    province = db.session.get(Province, assessment.province_id)
    if assessment.corrects_id is not None or assessment.grade in review_grades(province):
        assessment.review_status = ReviewStatus.PENDING
        db.session.flush()
        record("review_pending", assessment, user=user,
               details={"grade": assessment.grade.value, "corrects": assessment.corrects_id})
        return
    assessment.review_status = ReviewStatus.AUTO_ACCEPTED
    review = _review_row(assessment, ReviewDecision.ACCEPTED, None, None, automatic=True)
    db.session.add(review)
    db.session.flush()
    transparency_log.log_review(review, assessment)
    receipts.record_acceptance(assessment, territory.province_today(assessment.province_id))
    record("review_auto_accepted", assessment, user=user,
           details={"grade": assessment.grade.value})
    payloads.emit_assessment("assessment.reviewed", assessment, decision="accepted",
                             automatic=True)


def _review_row(assessment: Assessment, decision: ReviewDecision, reviewer, comment: str | None,
                automatic: bool = False) -> AssessmentReview:
    return AssessmentReview(
        assessment_id=assessment.id, enterprise_id=assessment.enterprise_id,
        province_id=assessment.province_id, area_id=assessment.area_id, decision=decision,
        automatic=automatic, reviewer_id=getattr(reviewer, "id", None), comment=comment,
        decided_at=utcnow(),
    )


# --- deciding ----------------------------------------------------------------------------------


def corrected_of(assessment: Assessment) -> Assessment | None:
    """The returned submission this one corrects (same enterprise, so in the same reach)."""
    if assessment.corrects_id is None:
        return None
    return db.session.scalar(scoped(select(Assessment), Assessment)
                             .where(Assessment.id == assessment.corrects_id))


def review_of(assessment_id: int) -> AssessmentReview | None:
    return db.session.scalar(
        select(AssessmentReview).where(AssessmentReview.assessment_id == assessment_id))


def decide(assessment: Assessment, decision: ReviewDecision, reviewer, comment: str | None,
           pinned: list[PinnedComment] = ()) -> AssessmentReview:
    """Accept or return a pending submission. Raises ReviewRefused (nothing stored) when it is
    decided already, superseded, or a return says nothing for the officer to correct."""
    comment = (comment or "").strip() or None
    pinned = _checked_pins(assessment, pinned)
    if decision == ReviewDecision.RETURNED and not comment and not pinned:
        raise ReviewRefused(_("Say what to correct: write a general comment or a comment on "
                              "at least one item."))
    new_status = ReviewStatus(decision.value)
    claimed = db.session.execute(
        update(Assessment)
        .where(Assessment.id == assessment.id, Assessment.status == AssessmentStatus.SUBMITTED,
               Assessment.review_status == ReviewStatus.PENDING)
        .values(review_status=new_status)
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.refresh(assessment)
    if claimed != 1:
        raise ReviewRefused(refusal_message(assessment))
    review = _review_row(assessment, decision, reviewer, comment)
    try:
        with db.session.begin_nested():
            db.session.add(review)
            review.comments = [_comment_row(assessment, pin) for pin in pinned]
    except IntegrityError:
        # Another decision's row got in first: the caller rolls back the claimed status too.
        raise ReviewRefused(refusal_message(assessment)) from None
    transparency_log.log_review(review, assessment)
    if new_status.is_accepted:  # reporting rounds count it accepted
        receipts.record_acceptance(assessment, territory.province_today(assessment.province_id))
    record(f"review_{decision.value}", assessment, user=reviewer,
           details={"comments": len(pinned), "grade": assessment.grade.value})
    payloads.emit_assessment("assessment.reviewed", assessment, decision=decision.value)
    jobs.enqueue(NOTIFY_TASK, review.id, links.base_url(), province_id=assessment.province_id)
    return review


def _comment_row(assessment: Assessment, pin: PinnedComment) -> ReviewComment:
    return ReviewComment(enterprise_id=assessment.enterprise_id,
                         province_id=assessment.province_id, item_id=pin.item_id,
                         text=pin.text or None, needs_evidence=pin.needs_evidence)


def _checked_pins(assessment: Assessment, pinned) -> list[PinnedComment]:
    """The comments that say something, on items of the assessment's checklist."""
    known = {item.id for item in checklists.definition(assessment.checklist_version).items}
    kept = []
    for pin in pinned:
        text = (pin.text or "").strip()
        if pin.item_id not in known:
            raise ReviewRefused(_("Unknown checklist item: %(item)s.", item=pin.item_id))
        if len(text) > MAX_COMMENT_LENGTH or len(pin.item_id) > 40:
            raise ReviewRefused(_("A comment may be at most %(n)d characters long.",
                                  n=MAX_COMMENT_LENGTH))
        if text or pin.needs_evidence:
            kept.append(PinnedComment(pin.item_id, text, pin.needs_evidence))
    return kept


def refusal_message(assessment: Assessment) -> str:
    """Why a decision on this assessment is no longer possible, in words."""
    if assessment.status == AssessmentStatus.SUPERSEDED:
        return _("This submission was replaced by a newer one; nothing was changed.")
    review = review_of(assessment.id)
    if review is not None and review.reviewer is not None:
        return _("Already decided by %(name)s: %(decision)s. Nothing was changed.",
                 name=review.reviewer.name or review.reviewer.email,
                 decision=decision_label(review.decision))
    return _("This submission is not awaiting review; nothing was changed.")


def report_facts(assessment: Assessment, zone: str) -> dict:
    """What a PDF report states of the review: its status and the province's day of the
    decision (riskapp.reports.data.ReportData)."""
    review = review_of(assessment.id)
    return {"review_status": assessment.review_status.value if assessment.review_status else None,
            "review_decided_on": clock.local_date(review.decided_at, zone) if review else None}


def decision_label(decision: ReviewDecision) -> str:
    return _("accepted") if decision == ReviewDecision.ACCEPTED else _("returned for correction")


# --- the officer's correction -------------------------------------------------------------------


def returned_review(assessment: Assessment | None) -> AssessmentReview | None:
    """The return of this (current) assessment, when it is returned for correction."""
    if assessment is None or assessment.review_status != ReviewStatus.RETURNED:
        return None
    return review_of(assessment.id)


def comments_by_item(review: AssessmentReview | None) -> dict[str, list[ReviewComment]]:
    pinned: dict[str, list[ReviewComment]] = {}
    for comment in (review.comments if review else []):
        pinned.setdefault(comment.item_id, []).append(comment)
    return pinned
