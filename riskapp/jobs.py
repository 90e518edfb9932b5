"""Work that must not block a request: RQ workers with REDIS_URL, else an in-process pool.

A task is named "module:function"; it runs inside an app context of its own, opens its own session
through `db.session` and commits its own work. Tasks are handed over only after the request's
transaction commits, so they always see what the request wrote.
"""

from __future__ import annotations

import importlib
import logging
import multiprocessing
import os
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool

from flask import Flask, current_app, g, has_request_context
from redis import Redis
from rq import Queue
from sqlalchemy import event

from riskapp import create_app
from riskapp.db import db

log = logging.getLogger(__name__)

# One app per distinct settings: a worker process (or a test running RQ jobs in-process) may serve
# apps with different settings, and must not run a task against another app's database.
_worker_apps: dict[tuple, Flask] = {}


def init_app(app: Flask, overrides: dict | None = None) -> None:
    app.extensions["riskapp.jobs"] = JobRunner(app, overrides or {})


def _resolve(task: str):
    module_name, _, function_name = task.partition(":")
    return getattr(importlib.import_module(module_name), function_name)


def _app_for_worker(overrides: dict | None = None) -> Flask:
    """The app a worker process runs tasks in, created once per process and settings."""
    key = tuple(sorted((overrides or {}).items()))
    app = _worker_apps.get(key)
    if app is None:
        app = _worker_apps[key] = create_app({**(overrides or {}), "JOBS_INLINE": True})
    return app


def run_task(task: str, args: tuple = (), overrides: dict | None = None):
    """Entry point of RQ and pool workers: run one task in an app context."""
    app = _app_for_worker(overrides)
    with app.app_context():
        return _resolve(task)(*args)


# Pool workers share the web server's CPUs: a lower priority lets requests go first while a
# report renders (about half a second of CPU each). `nice rq worker …` does the same for RQ.
POOL_WORKER_NICENESS = 10


def _init_pool_worker(overrides: dict, niceness: int = POOL_WORKER_NICENESS) -> None:
    try:
        os.nice(niceness)
    except (AttributeError, OSError):  # not available on this platform: run at normal priority
        pass
    _app_for_worker(overrides)


class JobRunner:
    def __init__(self, app: Flask, overrides: dict):
        self.app = app
        # Only plain settings travel to worker processes; the environment is inherited.
        self.overrides = {
            key: value
            for key, value in overrides.items()
            if isinstance(value, str | int | float | bool | type(None))
        }
        self._pool: ProcessPoolExecutor | None = None

    @property
    def mode(self) -> str:
        if self.app.config.get("JOBS_INLINE"):
            return "inline"
        return "rq" if self.app.config.get("REDIS_URL") else "pool"

    def queue(self):
        connection = Redis.from_url(self.app.config["REDIS_URL"])
        return Queue(self.app.config["RQ_QUEUE"], connection=connection)

    def submit(self, task: str, *args) -> Future | object | None:
        """Run a task now in the background (or inline in tests); returns a handle, if any."""
        mode = self.mode
        if mode == "inline":
            # A fresh app context gives the task its own session, as a worker would have.
            with self.app.app_context():
                return _resolve(task)(*args)
        if mode == "rq":
            return self.queue().enqueue(
                "riskapp.jobs.run_task", task, args, self.overrides, job_timeout=1800
            )
        try:
            future = self.pool().submit(run_task, task, args, self.overrides)
        except BrokenProcessPool:
            # A worker died (killed, out of memory): start a fresh pool rather than fail forever.
            self._pool = None
            future = self.pool().submit(run_task, task, args, self.overrides)
        future.add_done_callback(_log_failure(task))
        return future

    def pool(self) -> ProcessPoolExecutor:
        if self._pool is None:
            # spawn, not fork: a forked child would share the parent's open DB connections.
            self._pool = ProcessPoolExecutor(
                max_workers=int(self.app.config.get("JOB_POOL_WORKERS", 1)),
                mp_context=multiprocessing.get_context("spawn"),
                initializer=_init_pool_worker,
                initargs=(
                    self.overrides,
                    int(self.app.config.get("JOB_POOL_NICENESS", POOL_WORKER_NICENESS)),
                ),
            )
        return self._pool

    def shutdown(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True)
            self._pool = None


def _log_failure(task: str):
    def callback(future: Future) -> None:
        if not future.cancelled() and future.exception() is not None:
            log.error("background task %s failed: %r", task, future.exception())

    return callback


def runner() -> JobRunner:
    return current_app.extensions["riskapp.jobs"]


_PENDING_KEY = "riskapp.jobs.pending"


def submit_after_commit(task: str, *args) -> None:
    """Hand a task over once the current request's transaction has committed.

    A rollback drops the tasks queued in that transaction: they would act on rows that were
    never stored."""
    session = db.session
    if _PENDING_KEY not in session.info:
        session.info[_PENDING_KEY] = []
        app_runner = runner()

        @event.listens_for(session, "after_commit")
        def _hand_over(committed_session):
            if committed_session.in_nested_transaction():
                # SQLAlchemy 2.1 reports a released savepoint as a commit: nothing is stored
                # for other sessions yet, so the tasks wait for the real commit.
                return
            pending = committed_session.info.get(_PENDING_KEY) or []
            committed_session.info[_PENDING_KEY] = []
            for queued_task, queued_args in pending:
                app_runner.submit(queued_task, *queued_args)

        @event.listens_for(session, "after_soft_rollback")
        def _drop(rolled_back_session, previous_transaction):
            if not previous_transaction.nested:
                rolled_back_session.info[_PENDING_KEY] = []

    session.info[_PENDING_KEY].append((task, args))
    if has_request_context():
        g.queued_background_work = True  # the costly-work rate limit counts this request
