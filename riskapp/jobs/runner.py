"""Handing work items to whoever runs them: inline (tests), RQ workers, or an in-process pool.

A hand-over never raises: the item is already stored, and the dispatcher hands it again if this
hand-over is lost (queue unreachable, pool broken, Redis restarted empty).
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import signal
import threading
import time
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager

from flask import Flask
from redis import Redis
from rq import Queue

from riskapp import create_app
from riskapp.jobs import outbox

log = logging.getLogger("riskapp.jobs")

# Pool workers share the web server's CPUs: a lower priority lets requests go first while a
# report renders (about half a second of CPU each). `nice` does the same for RQ workers.
POOL_WORKER_NICENESS = 10
# How often a pool worker looks whether the process that started it is still there.
PARENT_CHECK_SECONDS = 0.5

# One app per distinct settings: a worker process (or a test running RQ jobs in-process) may serve
# apps with different settings, and must not run a task against another app's database.
_worker_apps: dict[tuple, Flask] = {}


def app_for_worker(overrides: dict | None = None) -> Flask:
    """The app a worker process runs tasks in, created once per process and settings."""
    key = tuple(sorted((overrides or {}).items()))
    app = _worker_apps.get(key)
    if app is None:
        app = _worker_apps[key] = create_app({**(overrides or {}), "JOBS_INLINE": True})
    return app


class OverBudget(Exception):
    """The attempt ran longer than its lease."""


@contextmanager
def _alarm(seconds: int | None):
    """Interrupt the attempt when its lease runs out (main thread of a pool worker only)."""
    if not seconds or threading.current_thread() is not threading.main_thread():
        yield
        return

    def over(_signum, _frame):
        raise OverBudget(f"still running after {seconds} s")

    previous = signal.signal(signal.SIGALRM, over)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def execute(item_id: int, *, any_time: bool = False, alarm: bool = False) -> str:
    """Claim one item, run its task, record the outcome; "skipped" if it was not ours to run."""
    me = outbox.worker_name()
    item = outbox.claim(item_id, me, any_time=any_time)
    if item is None:
        return "skipped"
    name, args, budget = item.task, tuple(item.args), item.budget_seconds
    try:
        with _alarm(budget if alarm else None):
            result = outbox.resolve(name)(*args)
    except Exception as error:  # noqa: BLE001 - every failure is recorded on the item
        log.exception("background task %s (item %s) failed", name, item_id)
        outbox.fail(item_id, me, f"{type(error).__name__}: {error}",
                    wait_at_least=getattr(error, "seconds", 0)
                    if isinstance(error, outbox.RetryAfter) else 0)
        return "failed"
    outbox.finish(item_id, me)
    return str(result)


def run_work_item(item_id: int, overrides: dict | None = None, alarm: bool = False) -> str:
    """Entry point of RQ and pool workers: run one item in this process's app."""
    with app_for_worker(overrides).app_context():
        return execute(item_id, alarm=alarm)


def _watch_parent(parent: int) -> None:
    # A killed web worker cannot stop its pool: each pool worker leaves when its parent is gone
    # (re-parented to init or a subreaper), with its database connection and memory.
    while os.getppid() == parent:
        time.sleep(PARENT_CHECK_SECONDS)
    os._exit(0)


def _init_pool_worker(overrides: dict, niceness: int, parent: int) -> None:
    threading.Thread(target=_watch_parent, args=(parent,), daemon=True,
                     name="riskapp-parent-watch").start()
    try:
        os.nice(niceness)
    except (AttributeError, OSError):  # not available on this platform: run at normal priority
        pass
    app_for_worker(overrides)


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
        self._lock = threading.Lock()
        self._lost: set[int] = set()
        self.dispatcher = None  # set by riskapp.jobs.init_app

    @property
    def mode(self) -> str:
        if self.app.config.get("JOBS_INLINE"):
            return "inline"
        return "rq" if self.app.config.get("REDIS_URL") else "pool"

    def queue(self) -> Queue:
        connection = Redis.from_url(self.app.config["REDIS_URL"], socket_connect_timeout=2,
                                    socket_timeout=5)
        return Queue(self.app.config["RQ_QUEUE"], connection=connection)

    def hand_over(self, item_id: int) -> bool:
        """Give one stored item to its runner; False (logged) if that failed for now."""
        try:
            self._hand_over(item_id)
        except Exception as error:  # noqa: BLE001 - the item is stored; the dispatcher retries
            log.warning("work item %s not handed over (%s: %s); the dispatcher will retry",
                        item_id, type(error).__name__, error)
            return False
        return True

    def _hand_over(self, item_id: int) -> None:
        mode = self.mode
        if mode == "inline":
            self.run_inline(item_id)
        elif mode == "rq":
            self.queue().enqueue("riskapp.jobs.run_work_item", item_id, self.overrides,
                                 job_timeout=self._rq_timeout(), result_ttl=3600,
                                 failure_ttl=7 * 86400)
        else:
            self._submit_to_pool(item_id)
            if self.dispatcher is not None:
                self.dispatcher.start()

    def _rq_timeout(self) -> int:
        # RQ's own limit stops a stuck work-horse; the lease (the item's budget) is the rule.
        return int(self.app.config.get("JOB_BUDGET_SECONDS") or 0) or 1800

    def run_inline(self, item_id: int) -> None:
        """Every attempt at once, in a context of its own (tests; the CLI). An item held back
        until later (`enqueue(not_before=…)`, quiet hours) is left queued for the dispatcher."""
        for attempt in range(10):
            with self.app.app_context():
                if execute(item_id, any_time=attempt > 0) != "failed":
                    return

    def _submit_to_pool(self, item_id: int) -> None:
        try:
            future = self.pool().submit(run_work_item, item_id, self.overrides, True)
        except BrokenProcessPool:
            # A worker died (killed, out of memory): start a fresh pool rather than fail forever.
            with self._lock:
                self._pool = None
            future = self.pool().submit(run_work_item, item_id, self.overrides, True)
        future.add_done_callback(self._pool_result(item_id))

    def _pool_result(self, item_id: int):
        def callback(future: Future) -> None:
            error = None if future.cancelled() else future.exception()
            if isinstance(error, BrokenProcessPool):
                # Runs in the pool's own thread: no database here. The dispatcher hands the
                # item again at its next wake-up, to a fresh pool.
                with self._lock:
                    self._pool = None
                    self._lost.add(item_id)
                if self.dispatcher is not None:
                    self.dispatcher.wake()
            elif error is not None:
                log.error("work item %s: pool call failed: %r", item_id, error)

        return callback

    def take_lost(self) -> set[int]:
        with self._lock:
            lost, self._lost = self._lost, set()
        return lost

    def pool(self) -> ProcessPoolExecutor:
        with self._lock:
            if self._pool is None:
                # spawn, not fork: a forked child would share the parent's open DB connections.
                self._pool = ProcessPoolExecutor(
                    max_workers=int(self.app.config.get("JOB_POOL_WORKERS", 1)),
                    mp_context=multiprocessing.get_context("spawn"),
                    initializer=_init_pool_worker,
                    initargs=(
                        self.overrides,
                        int(self.app.config.get("JOB_POOL_NICENESS", POOL_WORKER_NICENESS)),
                        os.getpid(),
                    ),
                )
            return self._pool

    def shutdown(self) -> None:
        if self.dispatcher is not None:
            self.dispatcher.stop()
        with self._lock:
            pool, self._pool = self._pool, None
        if pool is not None:
            pool.shutdown(wait=True)

