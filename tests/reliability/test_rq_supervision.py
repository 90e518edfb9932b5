"""`flask jobs worker` under faults: a work-horse killed mid-render, Redis killed and started
again empty, a submit while Redis is down. Nothing is lost, nothing stays pending, and the RQ
worker comes back by itself. Redis here is a private server this test kills and restarts."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from sqlalchemy import select

from riskapp.db import db
from riskapp.models import JobStatus, ReportStatus, WorkItem
from tests.audit.support import report_row, submitted
from tests.reliability.conftest import wait_for as _wait

ROOT = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class PrivateRedis:
    def __init__(self):
        self.port = _free_port()
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no"], stdout=subprocess.DEVNULL)
        _wait(self._answers, 10, "redis-server started")

    def _answers(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as connection:
                connection.sendall(b"PING\r\n")
                return connection.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    def kill(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait()


@pytest.fixture
def private_redis():
    server = PrivateRedis()
    server.start()
    yield server
    server.kill()


def _start_supervisor(app, redis_url: str, queue: str) -> subprocess.Popen:
    env = {**os.environ, "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
           "REDIS_URL": redis_url, "RQ_QUEUE": queue, "SECRET_KEY": app.config["SECRET_KEY"],
           "STORAGE_DIR": app.config["STORAGE_DIR"],
           "REPORT_SIGNING_KEY": app.config["REPORT_SIGNING_KEY"],
           "JOB_DISPATCH_SECONDS": "0.5", "JOB_HANDOVER_GRACE": "2", "RISKAPP_ENV": "development"}
    return subprocess.Popen([sys.executable, "-m", "flask", "--app", "wsgi", "jobs", "worker"],
                            cwd=ROOT, env=env)


def _report(app, assessment_id: int):
    return report_row(app, assessment_id)


def _item(app, report_id: int):
    with app.app_context():
        item = db.session.scalars(select(WorkItem).where(WorkItem.key == f"report:{report_id}")
                                  .order_by(WorkItem.id.desc())).first()
        return (item.status, item.attempts, item.worker) if item else None


def _ready(app, assessment_id: int) -> bool:
    report = _report(app, assessment_id)
    return report is not None and report.status == ReportStatus.READY


def test_the_supervised_worker_survives_killed_horses_and_a_restarted_redis(
        app, dedicated_app, world, private_redis):
    queue = f"riskapp-test-{uuid.uuid4().hex[:8]}"
    web = dedicated_app(JOBS_INLINE=False, REDIS_URL=private_redis.url, RQ_QUEUE=queue)
    supervisor = _start_supervisor(app, private_redis.url, queue)
    try:
        first = submitted(web, world.a.enterprise, world.a.officer)
        _wait(lambda: _ready(app, first), 90, "first report rendered")

        # A work-horse killed while it renders: the dispatcher sees its process gone.
        second = submitted(web, world.b.enterprise, world.b.officer)
        report_id = _wait(lambda: _report(app, second), 10, "second report row").id

        def running_pid():
            state = _item(app, report_id)
            return int(state[2].rpartition(":")[2]) if state and state[0] == JobStatus.RUNNING \
                else None

        os.kill(_wait(running_pid, 60, "second render started"), signal.SIGKILL)
        _wait(lambda: _ready(app, second), 90, "second report rendered after the kill")
        assert _item(app, report_id)[:2] == (JobStatus.DONE, 2)

        # Redis killed: a submit still succeeds; Redis back, empty: the worker returns and the
        # dispatcher hands the stored item over again.
        private_redis.kill()
        third = submitted(web, world.a.enterprise, world.a.officer)
        assert _report(app, third).status == ReportStatus.PENDING
        private_redis.start()
        _wait(lambda: _ready(app, third), 120, "third report rendered after Redis returned")
        assert supervisor.poll() is None
    finally:
        supervisor.send_signal(signal.SIGTERM)
        try:
            supervisor.wait(timeout=60)
        except subprocess.TimeoutExpired:
            supervisor.kill()
            raise
    assert supervisor.returncode == 0
