"""The province's lists behind its figures: the enterprises of a figure, and where to inspect
first."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from sqlalchemy import and_, case, func, select

from riskapp import clock
from riskapp.db import db
from riskapp.filters import Filters, apply_filters, grade_rank
from riskapp.models import (
    GRADED_STATUSES,
    OPEN_ACTION_STATUSES,
    ActionStatus,
    Assessment,
    Enterprise,
    EnterpriseStatus,
    Finding,
    Grade,
    Priority,
    RemediationAction,
)
from riskapp.pagination import Page, page_number, paginate
from riskapp.tenancy import Scope, current_scope, scoped

PAGE_SIZE = 50


def _overdue_p1(today: date):
    """Overdue open P1 actions of the enterprise of the row (correlated: read per ranked row)."""
    return (
        select(func.count())
        .where(RemediationAction.enterprise_id == EnterpriseStatus.enterprise_id,
               RemediationAction.status.in_(OPEN_ACTION_STATUSES),
               RemediationAction.due_on < today,
               RemediationAction.priority == Priority.P1)
        .correlate(EnterpriseStatus)
        .scalar_subquery()
    )


def enterprise_page(filters: Filters, page: int = 1, scope: Scope | None = None,
                    today: date | None = None, per_page: int = PAGE_SIZE) -> Page:
    """The enterprises behind a figure, in registration order."""
    total = db.session.scalar(
        apply_filters(select(func.count()).select_from(EnterpriseStatus), filters, scope, today)
    ) or 0
    statement = apply_filters(
        select(EnterpriseStatus, Enterprise.name, Enterprise.tax_code)
        .join(Enterprise, Enterprise.id == EnterpriseStatus.enterprise_id)
        .order_by(EnterpriseStatus.enterprise_id),
        filters, scope, today,
    )
    return paginate(statement, page, per_page, total=total,
                    row=lambda status, name, tax_code: {"status": status, "name": name,
                                                        "tax_code": tax_code})


@dataclass
class Ranked:
    position: int
    status: EnterpriseStatus
    name: str
    tax_code: str
    overdue_p1: int
    worsening: bool
    critical_items: list[str]
    address: str | None = None


def _ranking_groups(filters: Filters, scope: Scope, today: date) -> list[tuple]:
    """(grade, failed critical, enterprises) of the assessed, in ranking order."""
    statement = apply_filters(
        select(EnterpriseStatus.effective_grade, EnterpriseStatus.failed_critical, func.count())
        .where(EnterpriseStatus.current_assessment_id.is_not(None))
        .group_by(EnterpriseStatus.effective_grade, EnterpriseStatus.failed_critical),
        filters, scope, today,
    )
    groups = [(grade, failed or 0, count) for grade, failed, count in db.session.execute(statement)]
    groups.sort(key=lambda g: (-(Grade(g[0]).rank if g[0] is not None else -1), -g[1]))
    return groups


def inspection_ranking(filters: Filters, page: int = 1, scope: Scope | None = None,
                       today: date | None = None, per_page: int = PAGE_SIZE) -> Page:
    """Assessed enterprises ranked for inspection: final grade, failed critical items, overdue P1
    actions, worsening trend, head-count — each entry carries what put it there.

    Grade and failed critical items lead the order, so the group sizes (one index scan) tell
    which groups hold the page; only those rows get their overdue actions counted and sorted."""
    scope = scope or current_scope()
    today = today or clock.today()
    groups = _ranking_groups(filters, scope, today)
    total = sum(count for _grade, _failed, count in groups)
    page = page_number(page, total, per_page)
    start = (page - 1) * per_page
    rows, group_start = [], 0
    for grade, failed, count in groups:
        group_end = group_start + count
        if group_end > start and group_start < start + per_page:
            first = max(start, group_start)
            statement = _ranked_rows(filters, scope, today, grade, failed).limit(
                min(start + per_page, group_end) - first).offset(first - group_start)
            rows.extend(db.session.execute(statement).all())
        group_start = group_end
        if group_start >= start + per_page:
            break
    critical = _critical_items([row[0].current_assessment_id for row in rows])
    items = [
        Ranked(start + i + 1, status, name, tax_code, int(overdue_p1 or 0), bool(worse),
               critical.get(status.current_assessment_id, []), address)
        for i, (status, name, tax_code, overdue_p1, worse, address) in enumerate(rows)
    ]
    return Page(items, total, page, per_page)


def _ranked_rows(filters: Filters, scope: Scope, today: date, grade, failed: int):
    """One (grade, failed critical items) group, in ranking order within it."""
    overdue_count = _overdue_p1(today)
    worsening = case(
        (and_(EnterpriseStatus.previous_grade.is_not(None),
              grade_rank(EnterpriseStatus.effective_grade)
              > grade_rank(EnterpriseStatus.previous_grade)), 1),
        else_=0,
    )
    return apply_filters(
        select(EnterpriseStatus, Enterprise.name, Enterprise.tax_code,
               overdue_count.label("overdue_p1"), worsening, Enterprise.address)
        .join(Enterprise, Enterprise.id == EnterpriseStatus.enterprise_id)
        .where(EnterpriseStatus.current_assessment_id.is_not(None),
               EnterpriseStatus.failed_critical == failed,
               EnterpriseStatus.effective_grade.is_(None) if grade is None
               else EnterpriseStatus.effective_grade == grade)
        .order_by(overdue_count.desc(), worsening.desc(),
                  EnterpriseStatus.headcount.desc(), EnterpriseStatus.enterprise_id),
        filters, scope, today,
    )


def _critical_items(assessment_ids: list[int]) -> dict[int, list[str]]:
    """The failed critical items of each assessment, in remediation order."""
    critical: dict[int, list[str]] = defaultdict(list)
    if assessment_ids:
        for assessment_id, item_id in db.session.execute(
            select(RemediationAction.assessment_id, RemediationAction.item_id)
            .where(RemediationAction.assessment_id.in_(assessment_ids),
                   RemediationAction.critical.is_(True))
            .order_by(RemediationAction.position)
        ):
            critical[assessment_id].append(item_id)
    return critical



@dataclass(frozen=True)
class EnterpriseDetail:
    """What the province's page of one enterprise shows."""

    status: EnterpriseStatus | None
    history: list[Assessment]  # graded assessments, newest first
    open_actions: list[RemediationAction]
    findings: list[Finding]
    done_actions: list[RemediationAction]  # done by the enterprise, awaiting the review
    current: Assessment | None = None  # the assessment its grade comes from


def enterprise_detail(enterprise: Enterprise) -> EnterpriseDetail:
    """An enterprise reached through tenancy: its roll-up, history, open actions and findings."""
    history = db.session.scalars(
        scoped(select(Assessment), Assessment)
        .where(Assessment.enterprise_id == enterprise.id, Assessment.status.in_(GRADED_STATUSES))
        .order_by(Assessment.assessed_on.desc(), Assessment.id.desc())
    ).all()
    actions = db.session.scalars(
        scoped(select(RemediationAction), RemediationAction)
        .where(RemediationAction.enterprise_id == enterprise.id,
               RemediationAction.status.in_(OPEN_ACTION_STATUSES))
        .order_by(RemediationAction.due_on, RemediationAction.position)
    ).all()
    findings = db.session.scalars(
        scoped(select(Finding), Finding).where(Finding.enterprise_id == enterprise.id)
        .order_by(Finding.visited_on.desc())
    ).all()
    done = db.session.scalars(
        scoped(select(RemediationAction), RemediationAction)
        .where(RemediationAction.enterprise_id == enterprise.id,
               RemediationAction.status == ActionStatus.DONE)
        .order_by(RemediationAction.completed_at, RemediationAction.position)
    ).all()
    status = db.session.get(EnterpriseStatus, enterprise.id)
    current_id = status.current_assessment_id if status else None
    current = next((a for a in history if a.id == current_id), None)
    return EnterpriseDetail(status, list(history), list(actions), list(findings), list(done),
                            current)
