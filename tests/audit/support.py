"""Submitted assessments for the report, verification, audit and job tests."""

from __future__ import annotations

from datetime import date

from riskapp.assessments import services
from riskapp.models import Assessment

# A complete set of answers for the default checklist: mostly good practice, with a few failing
# items so the grade is above the lowest and remediation actions exist.
ANSWERS = {
    "ORG-1": "yes", "ORG-2": "no", "ORG-3": "no", "ORG-4": "yes",
    "CTX-1": "250", "CTX-2": "3000", "CTX-3": "coworkers", "CTX-4": "no",
    "SCR-1": "all", "SCR-2": "partial", "SCR-3": "no", "SCR-4": "yes", "SCR-5": "na",
    "HYG-1": "yes", "HYG-2": "95", "HYG-3": "all", "HYG-4": "every_sitting",
    "MSK-1": "yes", "MSK-2": "yes", "MSK-3": "all", "MSK-4": "no", "MSK-5": "yes",
    "VEN-1": "all", "CAN-1": "distanced", "CAN-2": "yes",
    "TRN-1": "0", "TRN-2": "0", "TRN-3": "all", "DRM-1": "2", "DRM-2": "all",
    "VAC-1": "90", "COM-1": "yes",
}  # fmt: skip


def submit_assessment(enterprise, officer, on: date = date(2026, 1, 15), **changes) -> Assessment:
    """Fill and submit an assessment for the enterprise (the caller commits)."""
    draft = services.start_draft(enterprise, officer, on)
    answers = {**ANSWERS, **{key.replace("_", "-"): value for key, value in changes.items()}}
    services.save_draft(draft, answers, {}, draft.lock_version, officer)
    return services.submit(draft, officer, on=on)


def submitted(app, enterprise, officer, on: date = date(2026, 1, 15), **changes) -> int:
    """Submit and commit an assessment (its report renders inline in tests); returns its id."""
    from riskapp.db import db
    from riskapp.models import Enterprise, User

    with app.test_request_context():
        assessment = submit_assessment(
            db.session.get(Enterprise, enterprise.id), db.session.get(User, officer.id), on,
            **changes,
        )
        db.session.commit()
        return assessment.id


def report_row(app, assessment_id: int, lang: str = "vi"):
    """A snapshot of the stored report row (bytes included), or None."""
    from types import SimpleNamespace

    from sqlalchemy import select
    from sqlalchemy.orm import undefer

    from riskapp.db import db
    from riskapp.models import Report

    with app.app_context():
        report = db.session.scalar(
            select(Report)
            .options(undefer(Report.pdf))
            .where(Report.assessment_id == assessment_id, Report.lang == lang)
        )
        if report is None:
            return None
        return SimpleNamespace(**{c.key: getattr(report, c.key) for c in Report.__mapper__.columns})


def pdf_text(pdf: bytes) -> str:
    """The PDF's text with whitespace runs (line breaks of wrapped cells) made single spaces."""
    import io

    from pypdf import PdfReader

    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    return " ".join(text.split())
