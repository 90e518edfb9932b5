"""The roll-ups the province dashboard reads, kept current in the writing transaction.

- `enterprise_status`: one row per enterprise, always present. A row is inserted with the enterprise
  (mapper event, so every code path that creates one is covered) and refreshed on submit by
  `assessments.services.refresh_enterprise_status` and on re-grading by `province.regrade`.
- `weekly_grade_count`: submitted assessments per week, area and submitted grade, bumped when an
  assessment receives its grade (mapper event on the same connection, so the same transaction).

`recount_rows`/`recount_weekly` rebuild both from history with set-based SQL; tests compare
them with the maintained rows, and `recount_all` repairs a province from them.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta

from sqlalchemy import (
    Connection,
    Date,
    cast,
    delete,
    event,
    func,
    insert,
    inspect,
    select,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite

from riskapp.assessments.services import refresh_enterprise_status
from riskapp.db import db
from riskapp.models import (
    GRADED_STATUSES,
    Assessment,
    AssessmentStatus,
    Enterprise,
    EnterpriseStatus,
    Finding,
    Grade,
    WeeklyGradeCount,
)

STATUS_FIELDS = (
    "enterprise_id", "province_id", "area_id", "industry", "headcount", "current_assessment_id",
    "assessed_on", "score", "declared_grade", "effective_grade", "previous_grade",
    "failed_critical", "next_due_on", "audited_grade", "audited_on", "assessment_count",
    "regraded_at",
)


def week_start(day: date) -> date:
    """The Monday of the ISO week of a day."""
    return day - timedelta(days=day.weekday())


# ----------------------------------------------------------------------------- maintenance events

def _upsert(connection: Connection):
    return (postgresql.insert if connection.dialect.name == "postgresql" else sqlite.insert)(
        WeeklyGradeCount.__table__
    )


def bump_week(connection: Connection, province_id: int, day: date, area_id: int, grade,
              delta: int) -> None:
    """Add delta to one weekly counter, creating it when missing (one statement, no race)."""
    grade_value = Grade(grade).value
    statement = _upsert(connection).values(
        province_id=province_id, week_start=week_start(day), area_id=area_id, grade=grade_value,
        assessments=delta,
    )
    statement = statement.on_conflict_do_update(
        index_elements=["province_id", "week_start", "area_id", "grade"],
        set_={"assessments": WeeklyGradeCount.__table__.c.assessments + delta},
    )
    connection.execute(statement)


def _area_of(connection: Connection, enterprise_id: int) -> int:
    return connection.execute(
        select(Enterprise.area_id).where(Enterprise.id == enterprise_id)
    ).scalar_one()


def _counted(status, grade, assessed_on) -> bool:
    return status in GRADED_STATUSES and grade is not None and assessed_on is not None


def new_status_values(enterprise_id: int, province_id: int, area_id: int, industry: str,
                      headcount: int | None) -> dict:
    """The roll-up row of an enterprise with no assessment yet (bulk imports insert it too)."""
    return {"enterprise_id": enterprise_id, "province_id": province_id, "area_id": area_id,
            "industry": industry, "headcount": headcount or 1, "failed_critical": 0,
            "assessment_count": 0}


@event.listens_for(Enterprise, "after_insert")
def _enterprise_inserted(_mapper, connection: Connection, enterprise: Enterprise) -> None:
    connection.execute(insert(EnterpriseStatus).values(new_status_values(
        enterprise.id, enterprise.province_id, enterprise.area_id, enterprise.industry,
        enterprise.headcount)))


@event.listens_for(Enterprise, "after_update")
def _enterprise_updated(_mapper, connection: Connection, enterprise: Enterprise) -> None:
    state = inspect(enterprise)
    changed = {
        key for key in ("area_id", "industry", "headcount", "province_id", "latitude", "longitude")
        if state.attrs[key].history.has_changes()
    }
    if not changed:
        return
    connection.execute(
        update(EnterpriseStatus)
        .where(EnterpriseStatus.enterprise_id == enterprise.id)
        # Coordinates are not kept here, but touching the row moves updated_at: the map's ETag.
        .values(area_id=enterprise.area_id, industry=enterprise.industry,
                headcount=enterprise.headcount, province_id=enterprise.province_id)
    )
    old_area = state.attrs.area_id.history.deleted
    if "area_id" in changed and old_area and old_area[0] is not None:
        # The trend counts an enterprise's history under its area: move it along.
        rows = connection.execute(
            select(Assessment.assessed_on, Assessment.grade)
            .where(Assessment.enterprise_id == enterprise.id,
                   Assessment.status.in_(GRADED_STATUSES),
                   Assessment.grade.is_not(None), Assessment.assessed_on.is_not(None))
        ).all()
        for assessed_on, grade in rows:
            bump_week(connection, enterprise.province_id, assessed_on, old_area[0], grade, -1)
            bump_week(connection, enterprise.province_id, assessed_on, enterprise.area_id, grade, 1)


@event.listens_for(Assessment, "after_insert")
def _assessment_inserted(_mapper, connection: Connection, assessment: Assessment) -> None:
    if _counted(assessment.status, assessment.grade, assessment.assessed_on):
        bump_week(connection, assessment.province_id, assessment.assessed_on,
                  _area_of(connection, assessment.enterprise_id), assessment.grade, 1)


def _old(state, key):
    history = state.attrs[key].history
    if history.deleted:
        return history.deleted[0]
    if history.added:  # changed from an unloaded value: treat as new
        return None
    return getattr(state.object, key)


@event.listens_for(Assessment, "after_update")
def _assessment_updated(_mapper, connection: Connection, assessment: Assessment) -> None:
    state = inspect(assessment)
    if not any(state.attrs[k].history.has_changes() for k in ("grade", "assessed_on", "status")):
        return
    old = (_old(state, "status"), _old(state, "grade"), _old(state, "assessed_on"))
    # submit() claims the draft with a Core UPDATE of status, so the ORM never sees that change:
    # a grade appearing on a graded status is the moment the assessment counts.
    if state.attrs.grade.history.has_changes() and old[1] is None:
        old = (AssessmentStatus.DRAFT, None, None)
    new = (assessment.status, assessment.grade, assessment.assessed_on)
    if old == new:
        return
    area_id = _area_of(connection, assessment.enterprise_id)
    if _counted(*old):
        bump_week(connection, assessment.province_id, old[2], area_id, old[1], -1)
    if _counted(*new):
        bump_week(connection, assessment.province_id, new[2], area_id, new[1], 1)


@event.listens_for(Assessment, "after_delete")
def _assessment_deleted(_mapper, connection: Connection, assessment: Assessment) -> None:
    if _counted(assessment.status, assessment.grade, assessment.assessed_on):
        bump_week(connection, assessment.province_id, assessment.assessed_on,
                  _area_of(connection, assessment.enterprise_id), assessment.grade, -1)


def ensure_status(enterprise: Enterprise) -> EnterpriseStatus:
    """The enterprise's roll-up row, created from its history when missing."""
    row = db.session.get(EnterpriseStatus, enterprise.id)
    return row if row is not None else refresh_enterprise_status(enterprise.id)


# ----------------------------------------------------------------------------- recount from history

def _latest_submitted(province_id: int):
    ranked = (
        select(
            Assessment.id.label("id"),
            Assessment.enterprise_id.label("enterprise_id"),
            func.row_number()
            .over(partition_by=Assessment.enterprise_id,
                  order_by=(Assessment.assessed_on.desc(), Assessment.id.desc()))
            .label("position"),
        )
        .where(Assessment.province_id == province_id,
               Assessment.status == AssessmentStatus.SUBMITTED)
        .subquery()
    )
    return select(ranked.c.enterprise_id, ranked.c.id).where(ranked.c.position == 1).subquery()


PROFILE_FIELDS = ("enterprise_id", "province_id", "area_id", "industry", "headcount")
HISTORY_FIELDS = ("current_assessment_id", "assessed_on", "score", "declared_grade",
                  "effective_grade", "failed_critical", "next_due_on", "regraded_at")
NEVER_ASSESSED = (None, None, None, None, None, 0, None, None)  # HISTORY_FIELDS of no assessment


def _current_assessments(province_id: int) -> dict[int, tuple]:
    """The HISTORY_FIELDS of each enterprise's latest submitted assessment, by enterprise id."""
    latest = _latest_submitted(province_id)
    current = Assessment.__table__.alias("current")
    statement = (
        select(
            current.c.enterprise_id, current.c.id, current.c.assessed_on, current.c.score,
            current.c.grade, func.coalesce(current.c.effective_grade, current.c.grade),
            func.coalesce(current.c.failed_critical, 0),
            func.coalesce(current.c.effective_next_due_on, current.c.next_due_on),
            current.c.regraded_at,
        )
        .select_from(latest)
        .join(current, current.c.id == latest.c.id)
    )
    return {values[0]: values[1:] for values in db.session.execute(statement)}


def _graded_counts(province_id: int) -> dict[int, int]:
    """Graded (submitted or superseded) assessments per enterprise id."""
    return dict(db.session.execute(
        select(Assessment.enterprise_id, func.count())
        .where(Assessment.province_id == province_id, Assessment.status.in_(GRADED_STATUSES))
        .group_by(Assessment.enterprise_id)
    ).all())


def _previous_grades(province_id: int) -> dict[int, Grade]:
    """The grade of the assessment each assessment superseded, by the superseding one's id."""
    return dict(db.session.execute(
        select(Assessment.superseded_by_id, Assessment.grade)
        .where(Assessment.province_id == province_id, Assessment.superseded_by_id.is_not(None))
        .order_by(Assessment.id)
    ).all())


def _latest_findings(province_id: int) -> dict[int, tuple]:
    """The (grade, visit day) of each assessment's latest finding, by assessment id.

    Read apart: few rows, and SQLite cannot index a windowed subquery for the join."""
    findings: dict[int, tuple] = {}
    for assessment_id, grade, visited_on in db.session.execute(
        select(Finding.assessment_id, Finding.grade, Finding.visited_on)
        .where(Finding.province_id == province_id)
        .order_by(Finding.created_at, Finding.id)
    ):
        findings[assessment_id] = (grade, visited_on)
    return findings


def recount_rows(province_id: int) -> dict[int, dict]:
    """Every enterprise's roll-up as computed from assessment history alone, by enterprise id.

    Simple queries merged here rather than one join: without statistics SQLite's planner scans
    grouped subqueries once per row, and this must stay linear at 1,000,000 assessments."""
    assessed = _current_assessments(province_id)
    counts = _graded_counts(province_id)
    previous = _previous_grades(province_id)
    findings = _latest_findings(province_id)
    rows = {}
    for values in db.session.execute(
        select(Enterprise.id, Enterprise.province_id, Enterprise.area_id, Enterprise.industry,
               Enterprise.headcount).where(Enterprise.province_id == province_id)
    ):
        row = dict(zip(PROFILE_FIELDS, values, strict=True))
        row.update(zip(HISTORY_FIELDS, assessed.get(row["enterprise_id"], NEVER_ASSESSED),
                       strict=True))
        row["previous_grade"] = previous.get(row["current_assessment_id"])
        row["assessment_count"] = counts.get(row["enterprise_id"], 0)
        row["audited_grade"], row["audited_on"] = findings.get(
            row["current_assessment_id"], (None, None))
        for key in ("declared_grade", "effective_grade", "previous_grade", "audited_grade"):
            row[key] = Grade(row[key]) if row[key] is not None else None
        rows[row["enterprise_id"]] = row
    return rows


def maintained_rows(province_id: int) -> dict[int, dict]:
    """The enterprise_status rows as they are, in the shape of `recount_rows`."""
    columns = [getattr(EnterpriseStatus, name) for name in STATUS_FIELDS]
    statement = select(*columns).where(EnterpriseStatus.province_id == province_id)
    return {
        values[0]: dict(zip(STATUS_FIELDS, values, strict=True))
        for values in db.session.execute(statement)
    }


def _week_expression(column):
    if db.engine.dialect.name == "postgresql":
        return cast(func.date_trunc("week", column), Date)
    return func.date(column, "weekday 0", "-6 days")


def recount_weekly(province_id: int) -> dict[tuple[date, int, Grade], int]:
    """Weekly counts of submitted assessments by area and grade, from history."""
    week = _week_expression(Assessment.assessed_on).label("week")
    statement = (
        select(week, Enterprise.area_id, Assessment.grade, func.count())
        .join(Enterprise, Enterprise.id == Assessment.enterprise_id)
        .where(Assessment.province_id == province_id, Assessment.status.in_(GRADED_STATUSES),
               Assessment.grade.is_not(None), Assessment.assessed_on.is_not(None))
        .group_by(week, Enterprise.area_id, Assessment.grade)
    )
    result = {}
    for day, area_id, grade, count in db.session.execute(statement):
        day = date.fromisoformat(day) if isinstance(day, str) else day
        result[(day, area_id, Grade(grade))] = count
    return result


def maintained_weekly(province_id: int) -> dict[tuple[date, int, Grade], int]:
    statement = select(
        WeeklyGradeCount.week_start, WeeklyGradeCount.area_id, WeeklyGradeCount.grade,
        WeeklyGradeCount.assessments,
    ).where(WeeklyGradeCount.province_id == province_id, WeeklyGradeCount.assessments != 0)
    return {(day, area, Grade(grade)): n for day, area, grade, n in db.session.execute(statement)}


def _chunks(values: list, size: int = 2000) -> Iterable[list]:
    for start in range(0, len(values), size):
        yield values[start:start + size]


def recount_all(province_id: int) -> dict[str, int]:
    """Rebuild a province's roll-ups from history (repair, bulk loads); flushes, never commits."""
    rows = list(recount_rows(province_id).values())
    weekly = recount_weekly(province_id)
    session = db.session
    session.flush()
    session.execute(delete(EnterpriseStatus).where(EnterpriseStatus.province_id == province_id))
    session.execute(delete(WeeklyGradeCount).where(WeeklyGradeCount.province_id == province_id))
    for chunk in _chunks(rows):
        session.execute(insert(EnterpriseStatus), chunk)
    weekly_rows = [
        {"province_id": province_id, "week_start": day, "area_id": area_id, "grade": grade,
         "assessments": count}
        for (day, area_id, grade), count in weekly.items()
    ]
    for chunk in _chunks(weekly_rows):
        session.execute(insert(WeeklyGradeCount), chunk)
    session.expire_all()
    return {"enterprises": len(rows), "weekly_rows": len(weekly_rows)}


def data_version(province_id: int) -> str:
    """The roll-up's last change: it moves whenever a figure of the province may move.

    Every write to enterprise_status (submit, re-grade, profile or coordinate edits) moves
    `updated_at`; rows are only deleted by a recount, which inserts them again with a new time.
    One look-up at the end of the (province_id, updated_at) index: a count(*) beside it scanned
    100,000 index entries (14 ms on SQLite) on every dashboard and map request."""
    changed = db.session.scalar(
        select(func.max(EnterpriseStatus.updated_at))
        .where(EnterpriseStatus.province_id == province_id)
    )
    return str(changed)
