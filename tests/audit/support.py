"""Submitted assessments for the report, verification, audit and job tests."""

from __future__ import annotations

from datetime import date

from tests import factories


def submitted(app, enterprise, officer, on: date = date(2026, 1, 15), **changes) -> int:
    """Submit and commit an assessment of factories.ANSWERS with `changes` (ORG_2="yes" sets
    ORG-2); its report renders after the commit (inline in tests). Returns its id."""
    from riskapp.db import db
    from riskapp.models import Enterprise, User

    answers = {**factories.ANSWERS, **{key.replace("_", "-"): v for key, v in changes.items()}}
    with app.test_request_context():
        assessment = factories.submit_assessment(
            db.session.get(Enterprise, enterprise.id), db.session.get(User, officer.id), on, answers
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
