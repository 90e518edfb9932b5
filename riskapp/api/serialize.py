"""Model rows as the JSON documents the OpenAPI schemas describe (riskapp/api/openapi.py)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from riskapp import clock, territory
from riskapp.api.common import iso
from riskapp.assessments.services import DECLARED_CONTEXT_KEYS
from riskapp.db import db
from riskapp.models import Assessment, Enterprise, EnterpriseStatus, Finding, RemediationAction


def _value(enum_value):
    return enum_value.value if enum_value is not None else None


def enterprise(row: Enterprise, status: EnterpriseStatus | None) -> dict:
    return {
        "id": row.id,
        "tax_code": row.tax_code,
        "name": row.name,
        "province_id": row.province_id,
        "area_id": row.area_id,
        "area_path": territory.area_path(row.area),
        "industry": row.industry,
        "industry_division": row.industry_division,
        "address": row.address,
        "latitude": row.latitude,
        "longitude": row.longitude,
        "headcount": row.headcount,
        "has_canteen": bool(row.has_canteen),
        "has_shuttle": bool(row.has_shuttle),
        "has_dormitory": bool(row.has_dormitory),
        "status": None if status is None else {
            "current_assessment_id": status.current_assessment_id,
            "assessed_on": iso(status.assessed_on),
            "score": status.score,
            "declared_grade": _value(status.declared_grade),
            "effective_grade": _value(status.effective_grade),
            "audited_grade": _value(status.audited_grade),
            "failed_critical": status.failed_critical or 0,
            "next_due_on": iso(status.next_due_on),
            "assessment_count": status.assessment_count or 0,
            **_review_of_current(status),
        },
    }


def _review_of_current(status: EnterpriseStatus) -> dict:
    """The current assessment's review status and accepted grade (one primary-key read)."""
    current = (db.session.get(Assessment, status.current_assessment_id)
               if status.current_assessment_id else None)
    return {"review_status": _value(current.review_status) if current else None,
            "accepted_grade": _value(current.accepted_grade) if current else None}


def _audited_grade(row: Assessment):
    """The grade of the latest on-site finding on this assessment (an indexed read)."""
    if row.is_draft:
        return None
    return db.session.scalar(select(Finding.grade).where(Finding.assessment_id == row.id)
                             .order_by(Finding.created_at.desc(), Finding.id.desc()).limit(1))


def assessment(row: Assessment) -> dict:
    context = row.context or {}
    return {
        "id": row.id,
        "enterprise_id": row.enterprise_id,
        "province_id": row.province_id,
        "status": row.status.value,
        "checklist": {"key": row.checklist_version.checklist_key,
                      "version": row.checklist_version.version},
        "answers": dict(row.answers or {}),
        "declared": {key: bool(context.get(key, False)) for key in DECLARED_CONTEXT_KEYS},
        "lock_version": row.lock_version,
        "assessed_on": iso(row.assessed_on),
        "score": row.score,
        "grade": _value(row.grade),
        "effective_grade": _value(row.current_grade),
        "declared_grade": _value(row.grade),
        "review_status": _value(row.review_status),
        "accepted_grade": _value(row.accepted_grade),
        "audited_grade": _value(_audited_grade(row)),
        "corrects_id": row.corrects_id,
        "failed_critical": row.failed_critical or 0,
        "next_due_on": iso(row.current_next_due_on),
        "created_at": iso(row.created_at),
        "submitted_at": iso(row.submitted_at),
        "superseded_by_id": row.superseded_by_id,
    }


def action(row: RemediationAction, today: date | None = None) -> dict:
    today = today or clock.today()
    return {
        "id": row.id,
        "assessment_id": row.assessment_id,
        "enterprise_id": row.enterprise_id,
        "item_id": row.item_id,
        "priority": row.priority.value,
        "critical": bool(row.critical),
        "points": float(row.points or 0),
        "position": row.position,
        "action": {"vi": row.action_vi, "en": row.action_en},
        "due_on": iso(row.due_on),
        "status": row.status.value,
        "overdue": row.is_overdue(today),
        "owner": row.owner,
        "note": row.note,
        "completed_at": iso(row.completed_at),
        "verified_at": iso(row.verified_at),
    }


def tally(row) -> dict:
    """A province Tally: reporting counts and counts by final grade."""
    return {
        "total": row.total,
        "current": row.current,
        "overdue": row.overdue,
        "never": row.never,
        "reporting_rate": row.reporting_rate,
        "on_time_rate": row.on_time_rate,
        "by_grade": dict(row.by_grade),
    }
