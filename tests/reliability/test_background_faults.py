"""Nothing pending forever: a lost hand-over, a dead worker, an attempt over its budget and a
parent killed with its pool each end with the work done, or failed with the reason shown."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from datetime import timedelta
from pathlib import Path
from types import SimpleNamespace

from sqlalchemy import select, update

from riskapp import jobs, migrate
from riskapp.db import db
from riskapp.models import JobStatus, Report, ReportStatus, WorkItem
from riskapp.models.types import utcnow
from tests import factories
from tests.audit.support import report_row, submitted
from tests.reliability.conftest import wait_for as _wait

ROOT = Path(__file__).resolve().parents[2]


def _item_of(app, report_id: int) -> SimpleNamespace:
    """A snapshot of the report's (latest) work item."""
    with app.app_context():
        item = db.session.scalars(select(WorkItem).where(WorkItem.key == f"report:{report_id}")
                                  .order_by(WorkItem.id.desc())).first()
        return SimpleNamespace(**{c.key: getattr(item, c.key) for c in WorkItem.__table__.c})


def _held_report(app, world, held_work) -> int:
    """A submitted assessment whose report's item was handed over and lost (never run)."""
    assessment_id = submitted(app, world.a.enterprise, world.a.officer)
    return report_row(app, assessment_id).id


def _as_if_a_worker_took_it(app, item_id: int, worker: str, lease: timedelta) -> None:
    with app.app_context():
        db.session.execute(update(WorkItem).where(WorkItem.id == item_id).values(
            status=JobStatus.RUNNING, attempts=WorkItem.attempts + 1, worker=worker,
            started_at=utcnow(), lease_until=utcnow() + lease))
        db.session.commit()


def _report_status(app, report_id: int) -> ReportStatus:
    with app.app_context():
        return db.session.get(Report, report_id).status


def test_an_item_whose_lease_ran_out_runs_again(app, world, held_work, monkeypatch):
    report_id = _held_report(app, world, held_work)
    item = _item_of(app, report_id)
    _as_if_a_worker_took_it(app, item.id, "another-machine:4242", timedelta(seconds=-1))
    monkeypatch.undo()  # the queue works again: the next hand-over runs the item (inline)
    done = jobs.dispatch_once(app)
    assert (done.expired, done.handed) == (1, 1)
    item = _item_of(app, report_id)
    assert (item.status, item.attempts) == (JobStatus.DONE, 2)
    assert _report_status(app, report_id) == ReportStatus.READY


def test_a_dead_workers_item_is_taken_back_before_its_lease_ends(app, world, held_work,
                                                                 monkeypatch):
    report_id = _held_report(app, world, held_work)
    item = _item_of(app, report_id)
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True).stdout.strip()
    _as_if_a_worker_took_it(app, item.id, f"{os.uname().nodename}:{dead}",
                            timedelta(minutes=10))
    assert jobs.dispatch_once(app).expired == 1  # at once, not in ten minutes
    item = _item_of(app, report_id)
    assert (item.status, item.attempts) == (JobStatus.QUEUED, 1)
    assert "stopped before it finished" in item.last_error

    monkeypatch.undo()
    app.config["JOB_HANDOVER_GRACE"] = 0
    try:
        jobs.dispatch_once(app)
    finally:
        app.config["JOB_HANDOVER_GRACE"] = 60
    assert _item_of(app, report_id).status == JobStatus.DONE
    assert _report_status(app, report_id) == ReportStatus.READY


def test_after_the_last_attempt_the_report_fails_with_the_reason_and_a_retry(
        app, world, held_work, login_as):
    report_id = _held_report(app, world, held_work)
    item = _item_of(app, report_id)
    for _attempt in range(item.max_attempts):
        _as_if_a_worker_took_it(app, item.id, "another-machine:4242", timedelta(seconds=-1))
        jobs.dispatch_once(app)  # held: re-queued, handed over, never run
    item = _item_of(app, report_id)
    assert (item.status, item.attempts) == (JobStatus.FAILED, item.max_attempts)
    assert "no result within" in item.last_error
    with app.app_context():
        report = db.session.get(Report, report_id)
        assert report.status == ReportStatus.FAILED
        assert "no result within" in report.error
        assessment_id = report.assessment_id
    page = login_as(world.a.officer).get(f"/reports/assessment/{assessment_id}.pdf")
    assert f"/reports/assessment/{assessment_id}/retry" in page.get_data(as_text=True)


def _running_worker_pid(app, report_id: int) -> int | None:
    item = _item_of(app, report_id)
    if item.status == JobStatus.RUNNING and item.worker:
        return int(item.worker.rpartition(":")[2])
    return None


def _report_id_of(app, assessment_id: int) -> int | None:
    report = report_row(app, assessment_id)
    return report.id if report is not None else None


def test_a_pool_worker_killed_mid_render_loses_nothing(dedicated_app, tmp_path):
    pooled = dedicated_app(
        JOBS_INLINE=False, JOB_DISPATCH_SECONDS=0.5,
        SQLALCHEMY_DATABASE_URI="sqlite:///" + str(tmp_path / "pool.sqlite3"),
        STORAGE_DIR=str(tmp_path / "storage"),
    )
    migrate.upgrade(pooled)
    runner = pooled.extensions["riskapp.jobs"]
    try:
        with pooled.app_context():
            world = factories.build_world()
            db.session.commit()
        assessment_id = submitted(pooled, world.a.enterprise, world.a.officer)
        report_id = _wait(lambda: _report_id_of(pooled, assessment_id), 10, "report row")
        pid = _wait(lambda: _running_worker_pid(pooled, report_id), 60, "render started")
        os.kill(pid, signal.SIGKILL)
        killed_at = time.monotonic()
        _wait(lambda: _report_status(pooled, report_id) != ReportStatus.PENDING, 120,
              "report out of pending after the kill")
        recovery = time.monotonic() - killed_at
        item = _item_of(pooled, report_id)
        assert _report_status(pooled, report_id) == ReportStatus.READY
        assert (item.status, item.attempts) == (JobStatus.DONE, 2)
        assert recovery < item.budget_seconds  # the dead worker was noticed, not waited out
        with pooled.app_context():  # nothing duplicated
            assert len(db.session.scalars(select(Report).where(
                Report.assessment_id == assessment_id)).all()) == 1
    finally:
        runner.shutdown()
        with pooled.app_context():
            db.engine.dispose()


PARENT = textwrap.dedent("""
    import sys, time
    from riskapp import create_app, migrate
    from riskapp.db import db
    from riskapp import jobs
    app = create_app({"SQLALCHEMY_DATABASE_URI": sys.argv[1], "JOBS_INLINE": False,
                      "REDIS_URL": None, "STORAGE_DIR": sys.argv[2], "TESTING": True,
                      "SECRET_KEY": "x"})
    migrate.upgrade(app)
    with app.test_request_context():
        jobs.enqueue("tests.jobs_support:sleep_task", sys.argv[3], 300)
        db.session.commit()
    time.sleep(600)
""")


def _children_of(pid: int) -> set[int]:
    found = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rpartition(")")[2].split()[1]) == pid:
                found.add(int(entry.name))
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()[0]
    except OSError:
        return False
    return state not in ("Z", "X")


def test_the_pool_dies_with_its_killed_parent(tmp_path):
    """SIGKILL of a web worker leaves no pool process, resource tracker or connection behind."""
    pid_file = tmp_path / "worker.pid"
    parent = subprocess.Popen(
        [sys.executable, "-c", PARENT, "sqlite:///" + str(tmp_path / "parent.sqlite3"),
         str(tmp_path / "storage"), str(pid_file)], cwd=ROOT)
    try:
        _wait(pid_file.exists, 60, "the pool worker started its task")
        children = _children_of(parent.pid)
        worker = int(pid_file.read_text())
        assert worker in children
        os.kill(parent.pid, signal.SIGKILL)
        parent.wait()
        _wait(lambda: not any(_alive(child) for child in children), 10,
              "every child of the killed parent gone")
    finally:
        if parent.poll() is None:
            parent.kill()


def test_postgresql_stopped_while_a_render_runs(dedicated_app, outage_database, proxy,
                                                monkeypatch):
    """The database goes away mid-render: the item keeps its lease, and once the database is
    back the next pass after the lease runs it again; one report, ready, nothing lost."""
    from riskapp.reports import services as report_services

    app = dedicated_app(
        SQLALCHEMY_DATABASE_URI=f"postgresql+psycopg://postgres@127.0.0.1:{proxy.port}/"
                                f"{outage_database}",
        JOB_BUDGET_SECONDS=2,
    )
    migrate.upgrade(app)
    with app.app_context():
        world = factories.build_world()
        db.session.commit()
    real_render = report_services.render_signed

    def database_stops_meanwhile(report, base_url=None):
        proxy.stop()
        return real_render(report, base_url)

    monkeypatch.setattr(report_services, "render_signed", database_stops_meanwhile)
    assessment_id = submitted(app, world.a.enterprise, world.a.officer)  # stored, acknowledged
    monkeypatch.undo()
    proxy.start()
    back_at = time.monotonic()
    report_id = report_row(app, assessment_id).id
    item = _item_of(app, report_id)
    assert (item.status, item.attempts) == (JobStatus.RUNNING, 1)  # its worker could not write

    def pass_until_ready():
        jobs.dispatch_once(app)
        return _report_status(app, report_id) == ReportStatus.READY

    _wait(pass_until_ready, 30, "report ready after the database returned")
    assert time.monotonic() - back_at < item.budget_seconds + 5
    item = _item_of(app, report_id)
    assert (item.status, item.attempts) == (JobStatus.DONE, 2)
    with app.app_context():
        assert len(db.session.scalars(select(Report).where(
            Report.assessment_id == assessment_id)).all()) == 1
        db.engine.dispose()
