"""A report that fails to render leaves the assessment intact and can be rendered again."""

from __future__ import annotations

from sqlalchemy import select

from riskapp.db import db
from riskapp.models import Assessment, AssessmentStatus, Report, ReportStatus
from riskapp.reports import services as report_services
from tests import factories


def test_render_failure_keeps_the_assessment_and_a_retry_renders(app, world, login_as,
                                                                 monkeypatch):
    def broken(_report, _base_url=None):
        raise OSError("fonts directory vanished")

    monkeypatch.setattr(report_services, "render_signed", broken)
    with app.app_context():
        submitted = factories.submit_assessment(db.session.merge(world.a.enterprise),
                                                db.session.merge(world.a.officer))
        db.session.commit()
        assessment_id, grade, result = submitted.id, submitted.grade, submitted.result
        report = db.session.scalar(select(Report).where(Report.assessment_id == assessment_id))
        assert report.status == ReportStatus.FAILED
        assert "fonts directory vanished" in report.error

    client = login_as(world.a.officer)
    pending = client.get(f"/reports/assessment/{assessment_id}.pdf")
    assert pending.status_code != 500 and "Traceback" not in pending.get_data(as_text=True)
    assert client.get(f"/enterprise/assessments/{assessment_id}").status_code == 200

    monkeypatch.undo()
    retried = client.post(f"/reports/assessment/{assessment_id}/retry")
    assert retried.status_code == 302
    download = client.get(f"/reports/assessment/{assessment_id}.pdf")
    assert download.status_code == 200 and download.data.startswith(b"%PDF")
    with app.app_context():
        assessment = db.session.get(Assessment, assessment_id)
        assert assessment.status == AssessmentStatus.SUBMITTED
        assert (assessment.grade, assessment.result) == (grade, result)
        assert db.session.scalar(
            select(Report.status).where(Report.assessment_id == assessment_id)
        ) == ReportStatus.READY
