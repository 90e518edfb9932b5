"""Inspection visits: the authority assigns enterprises to an auditor whose areas cover them,
with a planned date; the auditor's "my visits"; a finding marks the visit done.

One open visit per enterprise and auditor is a database guarantee (a partial unique index): the
insert does nothing on a conflict, so a double click plans one visit. Services flush, never
commit."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select, update
from sqlalchemy.dialects import postgresql, sqlite

from riskapp import territory
from riskapp.auditlog import record
from riskapp.db import db
from riskapp.models import (
    AuditorArea,
    Enterprise,
    EnterpriseStatus,
    InspectionVisit,
    Role,
    User,
    VisitStatus,
)
from riskapp.models.types import utcnow
from riskapp.models.visit import OPEN_VISIT
from riskapp.tenancy import Scope, area_subtree_ids, current_scope, owned, scoped


class WrongAuditor(Exception):
    """The auditor's areas do not cover every chosen enterprise (or the user is no auditor of
    this province)."""

    def __init__(self, names: list[str]):
        super().__init__(", ".join(names))
        self.names = names


def _auditors(province_id: int) -> list[User]:
    return list(db.session.scalars(
        select(User).where(User.role == Role.AUDITOR, User.province_id == province_id,
                           User.is_active_account.is_(True)).order_by(User.name, User.id)))


def covered_areas(auditor: User) -> frozenset[int]:
    """The areas an auditor reaches: those bound to them and everything below."""
    bound = set(db.session.scalars(
        select(AuditorArea.area_id).where(AuditorArea.user_id == auditor.id)))
    return area_subtree_ids(bound)


def auditor_choices(enterprises: list[Enterprise], scope: Scope | None = None) -> list[User]:
    """The province's auditors whose areas cover every one of these enterprises (the picker);
    with none given, every auditor of the province."""
    scope = scope or current_scope()
    areas = {enterprise.area_id for enterprise in enterprises}
    return [auditor for auditor in _auditors(scope.province_id)
            if areas <= covered_areas(auditor)]


def enterprises_in_reach(ids: list[int]) -> list[Enterprise]:
    """The chosen enterprises the user reaches (others are silently left out: 404 material)."""
    if not ids:
        return []
    return list(db.session.scalars(
        scoped(select(Enterprise), Enterprise).where(Enterprise.id.in_(ids))
        .order_by(Enterprise.name, Enterprise.id)))


def auditor_in_province(auditor_id: int | None, scope: Scope | None = None) -> User | None:
    scope = scope or current_scope()
    auditor = db.session.get(User, auditor_id) if auditor_id else None
    if auditor is None or auditor.role != Role.AUDITOR or auditor.province_id != scope.province_id:
        return None
    return auditor


def _insert(dialect: str):
    return postgresql.insert if dialect == "postgresql" else sqlite.insert


def assign(enterprises: list[Enterprise], auditor: User | None, planned_on: date,
           note: str | None, by: User,
           at_random: frozenset[int] = frozenset()) -> tuple[int, int]:
    """Plan a visit of each enterprise by the auditor: (planned now, already planned). Nothing is
    planned when the auditor's areas miss one of them (WrongAuditor names those). The
    enterprises in `at_random` were drawn by the random share (their visits say so)."""
    if auditor is None:
        raise WrongAuditor([enterprise.name for enterprise in enterprises])
    covered = covered_areas(auditor)
    outside = [e.name for e in enterprises if e.area_id not in covered]
    if outside or auditor.role != Role.AUDITOR:
        raise WrongAuditor(outside)
    insert = _insert(db.session.get_bind().dialect.name)
    planned = 0
    for enterprise in enterprises:
        visit_id = db.session.execute(
            insert(InspectionVisit).values(
                province_id=enterprise.province_id, enterprise_id=enterprise.id,
                auditor_id=auditor.id, planned_on=planned_on, status=VisitStatus.PLANNED.value,
                assigned_by_id=by.id, note=(note or "").strip() or None, created_at=utcnow(),
                at_random=enterprise.id in at_random)
            .on_conflict_do_nothing(index_elements=["enterprise_id", "auditor_id"],
                                    index_where=OPEN_VISIT)
            .returning(InspectionVisit.id)
        ).scalar()
        if visit_id is None:
            continue
        planned += 1
        record("visit_assigned", db.session.get(InspectionVisit, visit_id), user=by,
               details={"auditor": auditor.email, "planned_on": planned_on.isoformat(),
                        "at_random": enterprise.id in at_random})
    return planned, len(enterprises) - planned


@dataclass
class VisitRow:
    visit: InspectionVisit
    status: EnterpriseStatus | None
    overdue: bool


def my_visits(scope: Scope | None = None) -> list[VisitRow]:
    """The auditor's planned visits, by planned date (the overdue ones come first by that
    order), overdue measured on the province's day."""
    scope = scope or current_scope()
    today = territory.province_today(scope.province_id)
    rows = db.session.execute(
        owned(scoped(select(InspectionVisit, EnterpriseStatus), InspectionVisit, scope),
              InspectionVisit)
        .outerjoin(EnterpriseStatus,
                   EnterpriseStatus.enterprise_id == InspectionVisit.enterprise_id)
        .where(InspectionVisit.status == VisitStatus.PLANNED)
        .order_by(InspectionVisit.planned_on, InspectionVisit.id)).all()
    return [VisitRow(visit, status, visit.planned_on < today) for visit, status in rows]


def mark_done(visit: InspectionVisit, user: User) -> bool:
    """Close a planned visit (a conditional UPDATE: a second click changes nothing)."""
    changed = db.session.execute(
        update(InspectionVisit)
        .where(InspectionVisit.id == visit.id, InspectionVisit.status == VisitStatus.PLANNED)
        .values(status=VisitStatus.DONE, done_at=utcnow())
        .execution_options(synchronize_session="fetch")).rowcount
    if changed:
        record("visit_done", visit, user=user)
    return bool(changed)


def visits_done_by_finding(enterprise_id: int, auditor: User) -> int:
    """A finding recorded on an enterprise closes that auditor's planned visit of it."""
    planned = db.session.scalars(select(InspectionVisit).where(
        InspectionVisit.enterprise_id == enterprise_id, InspectionVisit.auditor_id == auditor.id,
        InspectionVisit.status == VisitStatus.PLANNED)).all()
    return sum(mark_done(visit, auditor) for visit in planned)
