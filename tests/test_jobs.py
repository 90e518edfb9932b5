"""Background jobs: the in-process pool and the RQ path, each running a real report render."""

from __future__ import annotations

import os
import time
import uuid

import pytest
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from riskapp import jobs, migrate
from riskapp.db import db
from riskapp.models import JobStatus, Report, ReportStatus, WorkItem
from riskapp.reports.services import RENDER_TASK as RENDER
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
    """With REDIS_URL the work item is enqueued; an RQ worker (here in-process) runs it."""
    from rq import SimpleWorker

    # The forensic scan a submit also queues is left out: this is about the report.
    queued = dedicated_app(JOBS_INLINE=False, REDIS_URL=RQ_REDIS_URL, RQ_QUEUE=rq_queue_name,
                           FORENSICS_ON_SUBMIT=False)
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
    with app.app_context():
        item = db.session.scalar(select(WorkItem).where(WorkItem.key == f"report:{report.id}"))
        assert (item.status, item.attempts) == (JobStatus.DONE, 1)


def test_rollback_drops_the_items_queued_in_that_transaction(app, world, held_work):
    with app.test_request_context():
        db.session.execute(select(Report.id))  # a transaction is open, as after a flush
        jobs.enqueue(RENDER, 1)
        db.session.rollback()
        kept = jobs.enqueue(RENDER, 2).id
        assert list(held_work) == []  # nothing before the commit
        db.session.commit()
        assert list(held_work) == [kept]
        db.session.commit()
        assert list(held_work) == [kept]  # handed over once
    with app.app_context():
        assert [tuple(i.args) for i in db.session.scalars(select(WorkItem))] == [(2,)]


def test_a_released_savepoint_is_not_the_commit_items_wait_for(app, world, held_work):
    """SQLAlchemy 2.1 reports a released savepoint (one-draft insert, checklist registration)
    as a commit; a task handed over then found its rows not yet stored."""
    with app.test_request_context():
        db.session.execute(select(Report.id))
        item_id = jobs.enqueue(RENDER, 1).id
        with db.session.begin_nested():
            db.session.execute(select(Report.id))
        assert list(held_work) == []
        db.session.commit()
        assert list(held_work) == [item_id]


def test_one_live_item_per_key(app, world, held_work):
    """Two clicks queue the same work once; once it is done, new work of that key may start."""
    with app.test_request_context():
        first = jobs.enqueue(RENDER, 7, key="report:7").id
        assert jobs.enqueue(RENDER, 7, key="report:7").id == first
        db.session.commit()
        db.session.execute(update(WorkItem).where(WorkItem.id == first)
                           .values(status=JobStatus.DONE))
        assert jobs.enqueue(RENDER, 7, key="report:7").id != first
        db.session.commit()
    with app.app_context():
        db.session.add(WorkItem(task=RENDER, args=[7], key="report:7", status=JobStatus.QUEUED,
                                attempts=0, max_attempts=3, budget_seconds=60))
        with pytest.raises(IntegrityError):
            db.session.commit()  # the database itself refuses a second live item


def test_inline_mode_runs_the_task_in_its_own_session(app, world):
    assessment_id = submitted(app, world.a.enterprise, world.a.officer)
    with app.app_context():
        report = db.session.scalar(select(Report).where(Report.assessment_id == assessment_id))
        assert report.status == ReportStatus.READY
        assert report.attempts == 1
        item = db.session.scalar(select(WorkItem).where(WorkItem.key == f"report:{report.id}"))
        assert (item.status, item.attempts, item.last_error) == (JobStatus.DONE, 1, None)
