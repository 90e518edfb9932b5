"""What an event says: ids, tax code, grades and dates — nothing the API does not already show."""

from __future__ import annotations

from riskapp import events
from riskapp.db import db
from riskapp.models import Assessment, Enterprise, Report


def _value(field):
    return getattr(field, "value", field)


def _day(moment):
    return moment.isoformat() if moment is not None else None


def assessment(row: Assessment) -> dict:
    enterprise = db.session.get(Enterprise, row.enterprise_id)
    return {"assessment_id": row.id, "enterprise_id": row.enterprise_id,
            "tax_code": enterprise.tax_code if enterprise else None, "area_id": row.area_id,
            "grade": _value(row.grade), "effective_grade": _value(row.effective_grade),
            "assessed_on": _day(row.assessed_on), "next_due_on": _day(row.next_due_on),
            "review_status": _value(row.review_status)}


def emit_assessment(type_: str, row: Assessment, **extra) -> None:
    events.emit(type_, row.province_id, assessment(row) | extra,
                enterprise_id=row.enterprise_id, area_id=row.area_id)


def emit_grade_changed(row: Assessment, before, after) -> None:
    """Only when the grade really moved (a first submission has no grade before)."""
    if _value(before) != _value(after):
        emit_assessment("grade.changed", row, grade_before=_value(before),
                        grade_after=_value(after))


def emit_report_ready(report: Report) -> None:
    row = db.session.get(Assessment, report.assessment_id)
    events.emit("report.ready", report.province_id,
                {"report_id": report.id, "assessment_id": report.assessment_id,
                 "enterprise_id": row.enterprise_id, "lang": report.lang,
                 "sha256": report.sha256}, enterprise_id=row.enterprise_id, area_id=row.area_id)
