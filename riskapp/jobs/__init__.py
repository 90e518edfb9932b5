"""Work that must not block a request, recorded with the data it serves (an outbox).

`enqueue` writes a work item in the request's transaction; once that transaction commits, the
item is handed to its runner: RQ workers with REDIS_URL, else an in-process pool (inline in
tests). If that hand-over is lost — queue unreachable, worker killed, Redis restarted empty —
the dispatcher (riskapp.jobs.dispatcher) hands it again, and takes back an item whose worker's
lease ran out; after its last attempt the item fails with the reason, and a person may retry it.
A task is "module:function", registered with `@task(budget=…, attempts=…)`; it runs in an app
context of its own, commits its own work, and must be safe to run again after a crash.
"""

from __future__ import annotations

import logging

from flask import Flask, current_app, g, has_request_context
from sqlalchemy import event, update

from riskapp.db import db
from riskapp.jobs import outbox
from riskapp.jobs.dispatcher import Dispatcher, dispatch_once
from riskapp.jobs.outbox import RetryAfter, TaskSpec, task
from riskapp.jobs.runner import JobRunner, run_work_item
from riskapp.models import JobStatus, WorkItem
from riskapp.models.types import utcnow

__all__ = ["Dispatcher", "JobRunner", "RetryAfter", "TaskSpec", "dispatch_once", "enqueue",
           "init_app", "retry", "run_work_item", "runner", "task"]


def init_app(app: Flask, overrides: dict | None = None) -> None:
    job_runner = JobRunner(app, overrides or {})
    job_runner.dispatcher = Dispatcher(app)
    app.extensions["riskapp.jobs"] = job_runner

    @app.before_request
    def _start_dispatcher():
        # The embedded pool's dispatcher lives in each web process (started after any fork).
        if job_runner.mode == "pool" and app.config.get("JOB_DISPATCHER", True):
            job_runner.dispatcher.start()


def runner() -> JobRunner:
    return current_app.extensions["riskapp.jobs"]


log = logging.getLogger(__name__)

_PENDING_KEY = "riskapp.jobs.pending"


def enqueue(name: str, *args, key: str | None = None, province_id: int | None = None,
            not_before=None) -> WorkItem:
    """Store a work item in the current transaction; it is handed over once that commits.

    A rollback drops the item with the rest. ``key`` names the work ("report:42"): while an
    item of that key is queued or running, the same item is returned instead of a second one."""
    item = outbox.add(name, args, key=key, province_id=province_id, not_before=not_before)
    _hand_over_after_commit(item.id)
    return item


def run_progress_row(model, row_id, work, what: str) -> str:
    """A task's body for a progress row (a Job, an impact preview): nothing to do when the row is
    gone ("missing") or done; else `work(row)`, and an error fails the row with its message (the
    page shows the failure instead of waiting)."""
    row = db.session.get(model, row_id)
    if row is None:
        return "missing"
    if row.status == JobStatus.DONE:
        return "done"
    try:
        return work(row)
    except Exception as error:  # noqa: BLE001 - the page shows the failure instead of waiting
        log.exception("%s %s failed", what, row_id)
        db.session.rollback()
        row = db.session.get(model, row_id)
        row.status = JobStatus.FAILED
        row.error = f"{type(error).__name__}: {error}"[:2000]
        row.finished_at = utcnow()
        db.session.commit()
        return "failed"


def mark_failed(model, row_id, reason: str) -> None:
    """A progress row (a Job, an impact preview) whose worker died on every attempt: failed,
    unless it finished meanwhile — the page shows the failure, not a spinner."""
    db.session.execute(
        update(model).where(model.id == row_id, model.status != JobStatus.DONE)
        .values(status=JobStatus.FAILED, error=reason[:2000], finished_at=utcnow()))


def retry(item: WorkItem) -> WorkItem:
    """Run a failed item again (fresh attempts), handed over after the commit."""
    item = outbox.retry(item)
    _hand_over_after_commit(item.id)
    return item


def _hand_over_after_commit(item_id: int) -> None:
    session = db.session
    if _PENDING_KEY not in session.info:
        session.info[_PENDING_KEY] = []
        app_runner = runner()

        @event.listens_for(session, "after_commit")
        def _hand_over(committed_session):
            if committed_session.in_nested_transaction():
                # SQLAlchemy 2.1 reports a released savepoint as a commit: nothing is stored
                # for other sessions yet, so the items wait for the real commit.
                return
            pending = committed_session.info.get(_PENDING_KEY) or []
            committed_session.info[_PENDING_KEY] = []
            for pending_id in dict.fromkeys(pending):
                app_runner.hand_over(pending_id)  # never raises: the data is stored

        @event.listens_for(session, "after_soft_rollback")
        def _drop(rolled_back_session, previous_transaction):
            if not previous_transaction.nested:
                rolled_back_session.info[_PENDING_KEY] = []

    session.info[_PENDING_KEY].append(item_id)
    if has_request_context():
        g.queued_background_work = True  # the costly-work rate limit counts this request
