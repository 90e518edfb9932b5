"""What reviewers read: the queue (pending, oldest first), its count, and what a correction changed.

The queue is a range of ix_assessment_review_queue (province, pending, submitted, oldest first)
read a page at a time, so it stays quick however many assessments the province holds.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Select, func, select

from riskapp import checklists, formatting
from riskapp.db import db
from riskapp.models import Assessment, AssessmentStatus, Grade, ReviewStatus
from riskapp.pagination import Page, paginate
from riskapp.tenancy import area_subtree_ids, scoped

PER_PAGE = 50


def _pending() -> Select:
    return (scoped(select(Assessment), Assessment)
            .where(Assessment.review_status == ReviewStatus.PENDING,
                   Assessment.status == AssessmentStatus.SUBMITTED))


def queue(page: int | None, area_id: int | None = None, grade: Grade | None = None) -> Page:
    """One page of the submissions awaiting review in reach, oldest first."""
    statement = _pending()
    if area_id is not None:
        statement = statement.where(Assessment.area_id.in_(area_subtree_ids({area_id})))
    if grade is not None:
        statement = statement.where(Assessment.grade == grade)
    statement = statement.order_by(Assessment.submitted_at, Assessment.id)
    return paginate(statement, page, PER_PAGE, row=lambda assessment: assessment)


def pending_count() -> int:
    """How many submissions in reach await review (the dashboard's figure)."""
    counted = _pending().with_only_columns(func.count(Assessment.id)).order_by(None)
    return db.session.scalar(counted) or 0


@dataclass(frozen=True)
class ChangedAnswer:
    item_id: str
    question: str
    before: str
    after: str


def changes(corrected: Assessment, correction: Assessment, lang: str) -> list[ChangedAnswer]:
    """The answers a correction changed, in checklist order, in words."""
    checklist = checklists.definition(correction.checklist_version)
    before, after = corrected.answers or {}, correction.answers or {}
    changed = []
    for item in checklist.items:
        if before.get(item.id) == after.get(item.id):
            continue
        changed.append(ChangedAnswer(
            item.id, item.question.get(lang),
            formatting.answer_words(item, before.get(item.id), lang),
            formatting.answer_words(item, after.get(item.id), lang)))
    return changed
