"""The dispatcher: hands stored work to its runner and takes back what a dead worker held.

It runs in the RQ supervisor (`flask jobs worker`) and, for the embedded pool, as a thread of each
web process; several at once are safe (every step is a conditional update). Each pass:
1. re-queues (or fails, after its last attempt) every running item whose lease ran out or whose
   worker process on this machine is gone;
2. hands over each queued item that is due and was not handed over within the grace period
   (the queue lost it: Redis restarted empty, the pool broke, the queue was unreachable);
3. once an hour, forgets items done more than a week ago and removes ".part" files a crash
   left under STORAGE_DIR (riskapp.storage.sweep_parts).
"""

from __future__ import annotations

import logging
import os
import threading
import time
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from flask import Flask

from riskapp import storage
from riskapp.jobs import outbox
from riskapp.models.types import utcnow

log = logging.getLogger("riskapp.jobs")
PRUNE_EVERY = 3600.0


@dataclass(frozen=True)
class Pass:
    """What one dispatcher pass did."""

    expired: int
    handed: int


def dispatch_once(app: Flask) -> Pass:
    """One pass (see the module's docstring), in a context of its own."""
    runner = app.extensions["riskapp.jobs"]
    grace = timedelta(seconds=float(app.config.get("JOB_HANDOVER_GRACE", 60)))
    with app.app_context():
        outbox.forget_hand_overs(runner.take_lost())
        expired = outbox.expire_leases(utcnow())
        due = outbox.take_hand_overs(utcnow(), grace)  # after the expiry: what it re-queued
    handed = sum(runner.hand_over(item_id) for item_id in due)
    return Pass(expired, handed)


def prune(app: Flask) -> int:
    """Forget old finished items; remove staged files a crash left behind."""
    with app.app_context():
        storage.sweep_parts(Path(app.config["STORAGE_DIR"]))
        return outbox.prune(utcnow())


class Dispatcher:
    """A daemon thread running `dispatch_once` every period, or sooner when woken."""

    def __init__(self, app: Flask):
        self.app = app
        self.period = float(app.config.get("JOB_DISPATCH_SECONDS", 10))
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._pid: int | None = None
        self._lock = threading.Lock()

    def start(self) -> None:
        """Start once per process (a forked web worker starts its own)."""
        with self._lock:
            if self._pid == os.getpid() and self._thread is not None and self._thread.is_alive():
                return
            self._stop.clear()
            self._pid = os.getpid()
            self._thread = threading.Thread(target=self.run, daemon=True,
                                            name="riskapp-dispatcher")
            self._thread.start()

    def wake(self) -> None:
        self._wake.set()

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        thread = self._thread
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout=10)
        self._thread = None

    def run(self) -> None:
        last_prune = 0.0
        while not self._stop.is_set():
            self.pass_safely()
            if time.monotonic() - last_prune > PRUNE_EVERY:
                last_prune = time.monotonic()
                self._quietly(prune)
            self._wake.wait(self.period)
            self._wake.clear()

    def pass_safely(self) -> Pass | None:
        return self._quietly(dispatch_once)

    def _quietly(self, step):
        try:
            return step(self.app)
        except Exception as error:  # noqa: BLE001 - the database may be down: try next period
            log.warning("dispatcher: %s failed (%s: %s); next try in %.0f s", step.__name__,
                        type(error).__name__, error, self.period)
            return None
