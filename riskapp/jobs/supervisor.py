"""`flask jobs worker`: an RQ worker kept running, with the dispatcher beside it.

RQ 3's worker exits when Redis goes away, and a killed one stays dead. This process starts
`rq worker` as a child, starts it again whenever it exits (after a back-off, and only once Redis
answers again), and runs the dispatcher every period, so work lost with a worker or with Redis is
handed over again. Run this command itself under systemd (or any supervisor) with Restart=always;
SIGTERM stops the child gracefully and then this process.
"""

from __future__ import annotations

import logging
import os
import signal
import subprocess  # nosec B404
import sys
import threading
import time
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import with_appcontext
from redis import Redis
from redis.exceptions import RedisError

from riskapp.jobs.dispatcher import Dispatcher

log = logging.getLogger("riskapp.jobs")
MAX_BACKOFF = 30.0
STABLE_SECONDS = 60.0
PROJECT_ROOT = str(Path(__file__).resolve().parents[2])


def redis_answers(url: str) -> bool:
    try:
        return bool(Redis.from_url(url, socket_connect_timeout=2, socket_timeout=2).ping())
    except (RedisError, OSError):
        return False


def worker_command(app: Flask, burst: bool = False) -> list[str]:
    command = [sys.executable, "-m", "riskapp.jobs.rq_worker", "worker",
               "--url", app.config["REDIS_URL"],
               "--name", f"riskapp-{os.uname().nodename}-{os.getpid()}-{{n}}"]
    if app.config.get("RQ_WORKER_CLASS"):  # e.g. rq.worker.SimpleWorker: no fork per job
        command += ["--worker-class", app.config["RQ_WORKER_CLASS"]]
    return command + (["--burst"] if burst else []) + [app.config["RQ_QUEUE"]]


class Supervisor:
    """Keeps one RQ worker child alive and the dispatcher passing; `stop()` ends both."""

    def __init__(self, app: Flask):
        self.app = app
        self.dispatcher = Dispatcher(app)
        self.child: subprocess.Popen | None = None
        self.starts = 0
        self.started_at = 0.0
        self._stop = threading.Event()

    def _start_child(self) -> None:
        self.starts += 1
        command = [part.replace("{n}", str(self.starts)) for part in worker_command(self.app)]
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(
            filter(None, [PROJECT_ROOT, os.environ.get("PYTHONPATH")]))}
        self.child = subprocess.Popen(command, env=env)  # nosec B603
        self.started_at = time.monotonic()
        log.info("RQ worker started (pid %s, start %s)", self.child.pid, self.starts)

    def run(self) -> None:
        backoff = 1.0
        url = self.app.config["REDIS_URL"]
        while not self._stop.is_set():
            if self.child is None or self.child.poll() is not None:
                if self.child is not None:
                    # A worker that ran a while died of something passing: start again soon.
                    ran = time.monotonic() - self.started_at
                    backoff = 1.0 if ran > STABLE_SECONDS else min(backoff * 2, MAX_BACKOFF)
                    log.warning("RQ worker exited with %s; starting another in %.0f s",
                                self.child.returncode, backoff)
                    self.child = None
                    if self._stop.wait(backoff):
                        break
                if redis_answers(url):
                    self._start_child()
                else:
                    log.warning("Redis does not answer at %s; waiting", url)
            self.dispatcher.pass_safely()
            self._stop.wait(self.dispatcher.period)
        self._stop_child()

    def stop(self, *_args) -> None:
        self._stop.set()

    def _stop_child(self) -> None:
        child, self.child = self.child, None
        if child is None or child.poll() is not None:
            return
        child.terminate()  # RQ's warm shutdown: the job in hand finishes first
        try:
            child.wait(timeout=float(self.app.config.get("JOB_STOP_SECONDS", 60)))
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait()


@click.group("jobs")
def jobs_command() -> None:
    """Background work: the RQ worker under supervision, the dispatcher."""


@jobs_command.command("worker")
@with_appcontext
def worker_cli() -> None:
    """Run an RQ worker, restarted whenever it exits, with the dispatcher beside it."""
    app = current_app._get_current_object()
    if not app.config.get("REDIS_URL"):
        raise click.UsageError("REDIS_URL is not set: without it, web processes run the work "
                               "in their own pool and need no worker.")
    supervisor = Supervisor(app)
    signal.signal(signal.SIGTERM, supervisor.stop)
    signal.signal(signal.SIGINT, supervisor.stop)
    supervisor.run()


@jobs_command.command("dispatch")
@with_appcontext
def dispatch_cli() -> None:
    """One dispatcher pass now: re-queue lost work, hand over what is due."""
    app = current_app._get_current_object()
    done = Dispatcher(app).pass_safely()
    if done is None:
        raise click.ClickException("the dispatcher pass failed (see the log)")
    click.echo(f"re-queued {done.expired}, handed over {done.handed}")
