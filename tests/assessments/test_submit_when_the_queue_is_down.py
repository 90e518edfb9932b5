"""Redis down at submit: the assessment is stored, the officer sees the result page, and the
report's work item waits in the database until the dispatcher can hand it over."""

from __future__ import annotations

from sqlalchemy import select

from riskapp import jobs
from riskapp.db import db
from riskapp.models import Assessment, AssessmentStatus, JobStatus, Report, ReportStatus, WorkItem
from tests.assessments.conftest import COMPLETE_ANSWERS, form_data

NOBODY_LISTENS = "redis://127.0.0.1:9/0"  # the discard port: refused at once


def test_submit_succeeds_and_the_report_follows_once_the_queue_is_back(app, officer,
                                                                       start_draft):
    assessment_id, lock, token = start_draft()
    app.config.update(JOBS_INLINE=False, REDIS_URL=NOBODY_LISTENS)
    try:
        submitted = officer.post(
            f"/enterprise/assessments/{assessment_id}/edit",
            data=form_data(COMPLETE_ANSWERS, lock_version=lock, submit_token=token,
                           action="submit"))
        assert submitted.status_code == 302, submitted.get_data(as_text=True)[:300]
        result = officer.get(submitted.headers["Location"])
        assert result.status_code == 200
    finally:
        app.config.update(JOBS_INLINE=True, REDIS_URL=None)
    with app.app_context():
        assert db.session.get(Assessment, assessment_id).status == AssessmentStatus.SUBMITTED
        report = db.session.scalar(select(Report).where(Report.assessment_id == assessment_id))
        assert report.status == ReportStatus.PENDING
        item = db.session.scalar(select(WorkItem).where(WorkItem.key == f"report:{report.id}"))
        assert (item.status, item.attempts) == (JobStatus.QUEUED, 0)
        report_id, item_id = report.id, item.id

    # The queue is back (here: inline); the next pass after the grace period hands it over.
    app.config["JOB_HANDOVER_GRACE"] = 0
    try:
        done = jobs.dispatch_once(app)
    finally:
        app.config["JOB_HANDOVER_GRACE"] = 60
    assert done.handed == 2  # the report and the forensic signals' scan
    with app.app_context():
        assert db.session.get(Report, report_id).status == ReportStatus.READY
        assert db.session.get(WorkItem, item_id).status == JobStatus.DONE
