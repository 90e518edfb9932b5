"""Background jobs: the in-process pool and the RQ path, each running a real report render."""

from __future__ import annotations

import os
import time
import uuid

import pytest
from sqlalchemy import select

from riskapp import jobs, migrate
from riskapp.db import db
from riskapp.models import Report, ReportStatus
from tests import factories
from tests.audit.support import report_row, submitted

RQ_REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


def _wait_for_report(app, assessment_id: int, timeout: float = 180.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        report = report_row(app, assessment_id)
        if report is not None and report.status != ReportStatus.PENDING:
            return report
        time.sleep(0.25)
    raise AssertionError(f"the report was not rendered within {timeout:.0f} s")


def test_pool_path_renders_the_report_in_a_worker_process(dedicated_app, tmp_path):
    """No REDIS_URL, not inline: the embedded default, a spawned process pool."""
    pooled = dedicated_app(
        JOBS_INLINE=False,
        SQLALCHEMY_DATABASE_URI="sqlite:///" + str(tmp_path / "jobs.sqlite3"),
        STORAGE_DIR=str(tmp_path / "storage"),
    )
    migrate.upgrade(pooled)
    runner = pooled.extensions["riskapp.jobs"]
    assert runner.mode == "pool"
    try:
        with pooled.app_context():
            world = factories.build_world()
            db.session.commit()
        assessment_id = submitted(pooled, world.a.enterprise, world.a.officer)
        report = _wait_for_report(pooled, assessment_id)
        assert report.status == ReportStatus.READY, report.error
        assert report.pdf.startswith(b"%PDF-")
    finally:
        runner.shutdown()
        with pooled.app_context():
            db.engine.dispose()


@pytest.fixture
def rq_queue_name():
    from redis import Redis
    from rq import Queue

    name = f"riskapp-test-{uuid.uuid4().hex[:12]}"
    yield name
    Queue(name, connection=Redis.from_url(RQ_REDIS_URL)).delete(delete_jobs=True)


def test_rq_path_renders_the_report_on_a_worker(app, dedicated_app, world, rq_queue_name):
    """With REDIS_URL the task is enqueued; an RQ worker (here in-process) runs it."""
    from rq import SimpleWorker

    queued = dedicated_app(JOBS_INLINE=False, REDIS_URL=RQ_REDIS_URL, RQ_QUEUE=rq_queue_name)
    runner = queued.extensions["riskapp.jobs"]
    assert runner.mode == "rq"

    assessment_id = submitted(queued, world.a.enterprise, world.a.officer)
    queue = runner.queue()
    assert queue.count == 1
    assert report_row(app, assessment_id).status == ReportStatus.PENDING

    [job] = queue.get_jobs()
    worked = SimpleWorker([queue], connection=queue.connection).work(burst=True)
    assert worked
    assert job.get_status(refresh=True) == "finished"
    assert job.return_value() == "ready"
    report = report_row(app, assessment_id)
    assert report.status == ReportStatus.READY
    assert report.pdf.startswith(b"%PDF-")


def test_rollback_drops_the_tasks_queued_in_that_transaction(app, world, monkeypatch):
    handed_over = []
    monkeypatch.setattr(jobs.JobRunner, "submit", lambda self, task, *a: handed_over.append(a))
    with app.test_request_context():
        db.session.execute(select(Report.id))  # a transaction is open, as after a flush
        jobs.submit_after_commit("riskapp.reports.services:render_report_task", 1)
        db.session.rollback()
        jobs.submit_after_commit("riskapp.reports.services:render_report_task", 2)
        assert handed_over == []  # nothing before the commit
        db.session.commit()
        assert handed_over == [(2,)]
        db.session.commit()
        assert handed_over == [(2,)]  # handed over once


def test_a_released_savepoint_is_not_the_commit_tasks_wait_for(app, world, monkeypatch):
    """SQLAlchemy 2.1 reports a released savepoint (one-draft insert, checklist registration)
    as a commit; a task handed over then found its rows not yet stored."""
    handed_over = []
    monkeypatch.setattr(jobs.JobRunner, "submit", lambda self, task, *a: handed_over.append(a))
    with app.test_request_context():
        db.session.execute(select(Report.id))
        jobs.submit_after_commit("riskapp.reports.services:render_report_task", 1)
        with db.session.begin_nested():
            db.session.execute(select(Report.id))
        assert handed_over == []
        db.session.commit()
        assert handed_over == [(1,)]


def test_inline_mode_runs_the_task_in_its_own_session(app, world):
    assessment_id = submitted(app, world.a.enterprise, world.a.officer)
    with app.app_context():
        report = db.session.scalar(select(Report).where(Report.assessment_id == assessment_id))
        assert report.status == ReportStatus.READY
        assert report.attempts == 1
