"""Area epidemic levels: setting one, and re-grading the current assessments below it.

The submitted snapshot (grade, result, next_due_on) never changes; re-grading writes the
effective_* fields with the same engine and the same stored answers, and refreshes the roll-up in
the same transaction.
"""

from __future__ import annotations

from datetime import date

from flask_babel import gettext as _
from sqlalchemy import func, select

from riskapp import checklists, clock, events, jobs, territory
from riskapp.assessments.services import refresh_enterprise_status
from riskapp.auditlog import record
from riskapp.db import db
from riskapp.formatting import format_date
from riskapp.models import (
    Area,
    AreaLevel,
    Assessment,
    Enterprise,
    EnterpriseStatus,
    Role,
    User,
)
from riskapp.models.types import utcnow
from riskapp.notifications import kinds
from riskapp.notifications.services import notify
from riskapp.scoring import Result
from riskapp.scoring import regrade as engine_regrade
from riskapp.tenancy import Scope, area_subtree_ids, scoped
from riskapp.territory import levels_in_force
from riskapp.transparency import services as transparency_log
from riskapp.webhooks import payloads

REGRADE_TASK = "riskapp.province.regrade:regrade_area_task"
BATCH = 500


def set_area_level(area: Area, level: int, effective_from: date, user,
                   note: str | None = None) -> AreaLevel:
    """Record an area's new level; re-grading runs in the background after the commit."""
    if level not in (1, 2, 3, 4):
        raise ValueError("level must be 1–4")
    row = AreaLevel(area_id=area.id, level=level, effective_from=effective_from,
                    note=note or None, set_by_id=getattr(user, "id", None))
    db.session.add(row)
    db.session.flush()
    record(
        "area_level_set",
        area,
        details={"level": level, "effective_from": effective_from.isoformat(),
                    "area_level_id": row.id},
        user=user,
    )
    transparency_log.log_area_level(row, area)
    events.emit("area_level.changed", area.province_id,
                {"area_id": area.id, "level": level, "effective_from": effective_from.isoformat(),
                 "area_level_id": row.id}, area_id=area.id)
    if effective_from <= territory.province_today(area.province_id):
        jobs.enqueue(REGRADE_TASK, area.id, row.id, key=f"regrade:{row.id}",
                     province_id=area.province_id)
    return row


def set_province_level(province_id: int, level: int, effective_from: date, user,
                       note: str | None = None) -> list[AreaLevel]:
    """The same level on every open area at the top of the province's tree (so on every area
    below them); one re-grade per top area after the commit. No areas: an empty list."""
    tops = [area_id for area_id, depth in territory.picker_rows(province_id) if depth == 0]
    return [set_area_level(db.session.get(Area, area_id), level, effective_from, user, note)
            for area_id in tops]


@jobs.task(budget=600, attempts=3)
def regrade_area_task(area_id: int, area_level_id: int) -> dict:
    """Background task: re-grade the current assessments under an area's level; commits."""
    summary = regrade_area(area_id, area_level_id)
    db.session.commit()
    return summary


# The calendar furthest ahead (UTC+14): no province's day is later than this zone's.
EARLIEST_ZONE = "Etc/GMT-14"


def regrade_pending(on: date | None = None) -> int:
    """Re-grade levels that came into force since they were set (run daily, or hourly: each
    province's level starts at its own midnight); commits each. ``on`` overrides every
    province's today."""
    rows = db.session.execute(
        select(AreaLevel, Area.province_id).join(Area, Area.id == AreaLevel.area_id)
        .where(AreaLevel.regraded_at.is_(None),
               AreaLevel.effective_from <= (on or clock.today(EARLIEST_ZONE)),
               AreaLevel.set_by_id.is_not(None))
        .order_by(AreaLevel.effective_from, AreaLevel.id)
    ).all()
    done = 0
    for row, province_id in rows:
        day = on or territory.province_today(province_id)
        if row.effective_from <= day:
            regrade_area(row.area_id, row.id, day)
            db.session.commit()
            done += 1
    return done


def regrade_area(area_id: int, area_level_id: int, on: date | None = None) -> dict:
    """Re-grade, flush, and return counts; the caller commits."""
    area = db.session.get(Area, area_id)
    on = on or (territory.province_today(area.province_id) if area else clock.today())
    level_row = db.session.get(AreaLevel, area_level_id)
    if area is None or level_row is None:
        return {"regraded": 0, "moved_earlier": 0}
    levels = levels_in_force(area.province_id, on)
    # Only areas whose level in force is this row: a child area with its own later level keeps it.
    areas = [a for a in area_subtree_ids({area.id}) if levels.get(a, (None, None))[1] is level_row]
    regraded = moved = 0
    if areas:
        ids = db.session.scalars(
            select(EnterpriseStatus.current_assessment_id)
            .where(EnterpriseStatus.area_id.in_(areas),
                   EnterpriseStatus.current_assessment_id.is_not(None))
            .order_by(EnterpriseStatus.current_assessment_id)
        ).all()
        for start in range(0, len(ids), BATCH):
            assessments = db.session.scalars(
                select(Assessment).where(Assessment.id.in_(ids[start:start + BATCH]))
            ).all()
            for assessment in assessments:
                regraded += 1
                moved += _regrade_one(assessment, level_row)
            db.session.flush()
    level_row.regraded_at = utcnow()
    db.session.flush()
    return {"regraded": regraded, "moved_earlier": moved}


def _regrade_one(assessment: Assessment, level_row: AreaLevel) -> int:
    """Re-grade one assessment; returns 1 when its next due date moved earlier."""
    status = db.session.get(EnterpriseStatus, assessment.enterprise_id)
    due_before = status.next_due_on if status else assessment.next_due_on
    grade_before = assessment.effective_grade or assessment.grade
    checklist = checklists.definition(assessment.checklist_version)
    result = engine_regrade(checklist, Result.from_dict(assessment.result),
                            area_level=level_row.level)
    assessment.effective_grade = result.grade
    assessment.effective_area_level = level_row.level
    assessment.effective_result = result.to_dict()
    assessment.effective_next_due_on = result.next_assessment_due_on
    assessment.regraded_at = utcnow()
    db.session.flush()
    refresh_enterprise_status(assessment.enterprise_id)
    payloads.emit_grade_changed(assessment, grade_before, result.grade)
    due_after = result.next_assessment_due_on
    if due_before is not None and due_after < due_before:
        _tell_due_date_moved(assessment, level_row, due_before, due_after)
        return 1
    return 0


def _tell_due_date_moved(assessment: Assessment, level_row: AreaLevel, before: date,
                         after: date) -> None:
    enterprise = db.session.get(Enterprise, assessment.enterprise_id)
    officers = db.session.scalars(
        select(User).where(User.enterprise_id == enterprise.id, User.role == Role.OFFICER,
                           User.is_active_account.is_(True))
    ).all()
    details = {"before": before.isoformat(), "after": after.isoformat(),
               "level": level_row.level, "area_level_id": level_row.id,
               "assessment_id": assessment.id}
    record("due_date_moved", assessment, details=details)
    for officer in officers:
        def render(lang: str) -> tuple[str, str]:
            return _("Your next assessment is due sooner"), _(
                "The epidemic level of your area is now %(level)d. The next self-assessment "
                "of %(name)s is now due on %(after)s (it was due on %(before)s).",
                level=level_row.level, name=enterprise.name,
                after=format_date(after, lang), before=format_date(before, lang))

        notify(officer, kinds.LEVEL_CHANGE, render,
               dedup_key=f"level:{level_row.id}:{assessment.id}:{officer.id}",
               context={"enterprise": enterprise.name, "level": str(level_row.level),
                        "date": after.isoformat()})


def last_regrade(province_id: int, scope: Scope | None = None):
    """When re-grading last ran for the province, and how many level changes still wait."""
    ran = db.session.scalar(
        select(func.max(AreaLevel.regraded_at))
        .join(Area, Area.id == AreaLevel.area_id)
        .where(Area.province_id == province_id)
    )
    pending = db.session.scalar(
        select(func.count()).select_from(AreaLevel)
        .join(Area, Area.id == AreaLevel.area_id)
        .where(Area.province_id == province_id, AreaLevel.regraded_at.is_(None),
               AreaLevel.effective_from <= territory.province_today(province_id),
               AreaLevel.created_at.is_not(None),
               AreaLevel.set_by_id.is_not(None))
    ) or 0
    regraded = db.session.scalar(
        scoped(select(func.count()).select_from(EnterpriseStatus)
               .where(EnterpriseStatus.regraded_at.is_not(None)), EnterpriseStatus, scope)
    ) or 0
    return {"ran_at": ran, "pending": pending, "regraded": regraded}
