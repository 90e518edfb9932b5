"""Fault runs under load: officers submit to a real gunicorn while processes are SIGKILLed.

    python bench/faults.py [--scenario pool|rq|all] [--clients 4] [--seconds 60]
                           [--database-url postgresql+psycopg://...] [--kills 3]

The longer versions of tests/reliability/test_background_faults.py. Each scenario seeds a fresh
province (a fresh SQLite file by default) with one officer per client, starts gunicorn (2 gthread
workers) on a free loopback port and lets --clients officers start, fill and submit assessments for
--seconds (CSRF on, tokens read from the forms; a submit whose answer is lost is sent again with the
same submit token, as a browser does). Meanwhile the script injects faults:
  pool: no Redis, the embedded pool; SIGKILL a gunicorn worker while a submit is in flight.
  rq:   a private redis-server and `flask jobs worker`; SIGKILL the work-horse mid-render, the RQ
        worker mid-render, and redis-server (started again, empty).
After the load it waits --budget seconds plus one dispatcher period for every report to leave
pending, stops gunicorn (and the worker) and looks for processes of theirs left behind. One table
per scenario, each figure beside what it must be; exits 1 when one is not met. Loopback only;
every process started is ended, whatever happens.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

from bench.load.run import ANSWERS, ITEM_INPUT, _free_port, _hidden  # noqa: E402
from tests import factories  # noqa: E402

DISPATCH_SECONDS = 1
RESULT_PAGE = re.compile(r"/assessments/\d+$")
STARTED: list[subprocess.Popen] = []  # every process this script started (each its own session)


# --------------------------------------------------------------------------- processes


def spawn(command: list[str], env: dict, log) -> subprocess.Popen:
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
                               start_new_session=True)  # its session names what it leaves behind
    STARTED.append(process)
    return process


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    except OSError:
        return False
    return state[0] not in ("Z", "X")


def _stat(pid: int) -> list[str] | None:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    except OSError:
        return None


def in_session(sid: int) -> list[int]:
    """Live processes of the session ``sid`` (one started process and all it started)."""
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit() and (fields := _stat(int(entry))) and int(fields[4]) == sid:
            if fields[0] not in ("Z", "X"):
                found.append(int(entry))
    return found


def children(pid: int) -> list[int]:
    return [int(e) for e in os.listdir("/proc")
            if e.isdigit() and (f := _stat(int(e))) and int(f[1]) == pid and f[0] not in "ZX"]


def stop(process: subprocess.Popen, timeout: float = 30) -> int:
    """SIGTERM, wait; then count the session's processes still alive (orphans) and kill them."""
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    time.sleep(2)  # pool workers look for their parent every 0.5 s
    left = in_session(process.pid)
    kill_session(process)
    return len(left)


def kill_session(process: subprocess.Popen) -> None:
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    for pid in in_session(process.pid):
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    if process.poll() is None:
        process.wait(timeout=10)


def kill_everything(*_args) -> None:
    for process in STARTED:
        kill_session(process)
    if _args:
        sys.exit(130)


# --------------------------------------------------------------------------- database


def seed(url: str, storage: str, officers: int) -> tuple[int, list[str]]:
    """A new province with one enterprise and officer per client: (province id, e-mails)."""
    from riskapp import create_app, migrate
    from riskapp.db import db
    from riskapp.models import Role

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "JOBS_INLINE": True,
                      "STORAGE_DIR": storage})
    migrate.upgrade(app)
    code = secrets.token_hex(2).upper()
    with app.app_context():
        province = factories.make_province(f"F{code}", f"Tỉnh thử lỗi {code}")
        area = factories.make_area(province, f"Huyện {code}")
        emails = []
        for number in range(officers):
            enterprise = factories.make_enterprise(area, f"9{code}{number:05d}",
                                                   f"Công ty {code} số {number}")
            email = f"officer{number}-{code.lower()}@faults.bench"
            factories.make_user(email, Role.OFFICER, enterprise=enterprise)
            emails.append(email)
        db.session.commit()
        province_id = province.id
        db.engine.dispose()
    return province_id, emails


class Figures:
    """Read-only queries on the run's province, with an engine of its own."""

    def __init__(self, url: str, province_id: int):
        from sqlalchemy import create_engine

        self.engine, self.province = create_engine(url), province_id

    def scalar(self, sql: str, **params):
        from sqlalchemy import text

        with self.engine.connect() as connection:
            return connection.execute(text(sql), {"p": self.province, **params}).scalar()

    def rows(self, sql: str):
        from sqlalchemy import text

        with self.engine.connect() as connection:
            return connection.execute(text(sql), {"p": self.province}).all()

    def stored(self) -> int:
        return int(self.scalar("SELECT count(*) FROM assessment WHERE province_id = :p "
                               "AND status <> 'draft'"))

    def duplicates(self) -> int:
        rows = self.rows("SELECT count(*) FROM assessment WHERE province_id = :p AND status <> "
                         "'draft' AND submit_token IS NOT NULL GROUP BY submit_token")
        return sum(count - 1 for (count,) in rows)

    def reports(self, status: str) -> set[int]:
        return {row[0] for row in self.rows(
            f"SELECT id FROM report WHERE province_id = :p AND status = '{status}'")}  # nosec

    def untokened(self) -> int:
        return int(self.scalar("SELECT count(*) FROM assessment WHERE province_id = :p AND "
                               "status <> 'draft' AND submit_token IS NULL"))

    def running_worker(self) -> int | None:
        """The pid of a process running a render now (the item's worker is host:pid)."""
        workers = self.rows("SELECT worker FROM work_item WHERE status = 'running' "
                            "AND worker IS NOT NULL AND province_id = :p")
        pids = [int(w.rpartition(":")[2]) for (w,) in workers if w.rpartition(":")[2].isdigit()]
        return pids[0] if pids else None


# --------------------------------------------------------------------------- clients


class Officer(threading.Thread):
    """Starts, fills and submits assessments until stopped; resends a lost submit's token."""

    def __init__(self, base: str, email: str, run: Run):
        super().__init__(daemon=True)
        import requests

        self.http, self.base, self.email, self.run_ = requests.Session(), base, email, run
        self.acknowledged: list[tuple[str, float]] = []

    def post(self, path: str, data: dict):
        return self.http.post(self.base + path, data=data, allow_redirects=False, timeout=30)

    def login(self) -> None:
        page = self.http.get(self.base + "/auth/login", timeout=30)
        response = self.post("/auth/login", {"csrf_token": _hidden(page.text)["csrf_token"],
                                             "email": self.email,
                                             "password": factories.TEST_PASSWORD})
        if response.status_code != 302:
            raise RuntimeError(f"log in of {self.email} failed: {response.status_code}")

    def run(self) -> None:
        while not self.run_.stopping.is_set():
            try:
                self.one_assessment()
                # An officer reads the result before the next assessment: renders keep pace.
                self.run_.stopping.wait(random.uniform(0.5, 1.5) * self.run_.args.think)
            except Exception:  # noqa: BLE001 - a killed worker drops the request: start again
                self.run_.stopping.wait(0.2)

    def one_assessment(self) -> None:
        home = self.http.get(self.base + "/enterprise/", timeout=30)
        created = self.post("/enterprise/assessments/new", {"csrf_token": _hidden(
            home.text).get("csrf_token", "")})
        edit = urlsplit(created.headers["Location"]).path
        page = self.http.get(self.base + edit, timeout=30)
        asked = set(ITEM_INPUT.findall(page.text))
        form = {**_hidden(page.text), "action": "submit",
                **{f"item-{k}": v for k, v in ANSWERS.items() if k in asked}}
        self.submit(edit, form)

    def submit(self, edit: str, form: dict) -> None:
        """Send the submit until it is answered (the same token each time), ten tries at most."""
        for _try in range(10):
            self.run_.in_flight += 1
            try:
                response = self.post(edit, form)
            except Exception:  # noqa: BLE001 - the answer was lost: send the same form again
                time.sleep(0.5)
                continue
            finally:
                self.run_.in_flight -= 1
            location = response.headers.get("Location", "")
            if response.status_code == 302 and RESULT_PAGE.search(urlsplit(location).path):
                self.acknowledged.append((form["submit_token"], time.monotonic()))
            return


class Run:
    def __init__(self, args, scenario: str):
        self.args, self.scenario = args, scenario
        self.stopping = threading.Event()
        self.in_flight = 0
        self.faults: list[dict] = []
        self.tmp = tempfile.mkdtemp(prefix=f"faults-{scenario}-")
        self.url = args.database_url or "sqlite:///" + os.path.join(self.tmp, "faults.sqlite3")
        self.storage = os.path.join(self.tmp, "storage")
        self.log = open(os.path.join(self.tmp, "processes.log"), "wb")  # noqa: SIM115
        self.redis_port = _free_port() if scenario == "rq" else None
        self.redis: subprocess.Popen | None = None
        self.worker: subprocess.Popen | None = None

    def env(self) -> dict:
        env = {**os.environ, "DATABASE_URL": self.url, "SECRET_KEY": secrets.token_hex(32),
               "STORAGE_DIR": self.storage, "RISKAPP_INSTANCE": os.path.join(self.tmp, "instance"),
               "JOB_DISPATCH_SECONDS": str(DISPATCH_SECONDS), "JOB_HANDOVER_GRACE": "5",
               "JOB_BUDGET_SECONDS": str(self.args.lease), "RATELIMIT_ENABLED": "0",
               "RQ_QUEUE": f"faults-{secrets.token_hex(3)}", "PYTHONPATH": ROOT}
        env.pop("REDIS_URL", None)
        if self.redis_port:
            env["REDIS_URL"] = f"redis://127.0.0.1:{self.redis_port}/0"
        return env

    def start_redis(self) -> None:
        self.redis = spawn(["redis-server", "--port", str(self.redis_port), "--bind",
                            "127.0.0.1", "--save", "", "--appendonly", "no"], self.env(), self.log)
        from redis import Redis

        wait_for(lambda: _answers(Redis(port=self.redis_port)), 10, "redis-server")

    def start_gunicorn(self, env: dict) -> str:
        port = _free_port()
        binary = os.path.dirname(sys.executable)
        self.server = spawn([os.path.join(binary, "gunicorn"), "--bind", f"127.0.0.1:{port}",
                             "--workers", "2", "--worker-class", "gthread", "--threads", "4",
                             "--timeout", "60", "--log-level", "warning", "wsgi:app"],
                            env, self.log)
        import requests

        base = f"http://127.0.0.1:{port}"
        wait_for(lambda: _status(requests, base + "/auth/login") == 200, 60, "gunicorn")
        return base


def _answers(redis) -> bool:
    try:
        return bool(redis.ping())
    except Exception:  # noqa: BLE001 - not up yet
        return False


def _status(requests, url: str) -> int | None:
    try:
        return requests.get(url, timeout=2).status_code
    except requests.RequestException:
        return None


def wait_for(condition, timeout: float, what: str, stop: threading.Event | None = None):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if value := condition():
            return value
        if stop is not None and stop.is_set():
            return None
        time.sleep(0.1)
    raise RuntimeError(f"{what}: not within {timeout:.0f} s")


# --------------------------------------------------------------------------- faults


def _parent_of(pid: int) -> int | None:
    fields = _stat(pid)
    return int(fields[1]) if fields else None


def kill_web_worker(run: Run, figures: Figures) -> str:
    wait_for(lambda: run.in_flight > 0, 15, "a submit in flight", run.stopping)
    workers = children(run.server.pid)
    if not workers:
        return "no gunicorn worker"
    victim = random.choice(workers)
    os.kill(victim, signal.SIGKILL)
    return f"gunicorn worker {victim}"


def kill_horse(run: Run, figures: Figures, whole_worker: bool = False) -> str:
    horse = wait_for(figures.running_worker, 30, "a render running", run.stopping)
    if horse is None:
        return "no render"
    victim = _parent_of(horse) if whole_worker else horse
    os.kill(victim, signal.SIGKILL)
    return f"{'RQ worker' if whole_worker else 'work-horse'} {victim}"


def kill_redis(run: Run, figures: Figures) -> str:
    old = run.redis.pid
    kill_session(run.redis)
    run.start_redis()
    return f"redis-server {old} (started again, empty)"


FAULTS = {
    "pool": [kill_web_worker],
    "rq": [kill_horse, lambda run, figures: kill_horse(run, figures, True), kill_redis],
}


def inject(run: Run, figures: Figures, officers: list[Officer]) -> None:
    """Space the faults over the window; time each one's recoveries."""
    kinds = FAULTS[run.scenario]
    count = run.args.kills if run.scenario == "pool" else len(kinds)
    step = run.args.seconds / (count + 1)
    started = time.monotonic()
    for number in range(count):
        if run.stopping.wait(max(0.0, started + step * (number + 1) - time.monotonic())):
            return
        pending = figures.reports("pending")
        killed_at = time.monotonic()
        what = kinds[number % len(kinds)](run, figures)
        fault = {"what": what, "at": killed_at, "reports_out": None}
        run.faults.append(fault)
        threading.Thread(target=_watch_pending, args=(figures, fault, pending), daemon=True,
                         name="pending-watch").start()


def _watch_pending(figures: Figures, fault: dict, pending: set[int]) -> None:
    """When every report pending at the kill has left pending (the run's budget at most)."""
    deadline = fault["at"] + 600
    while time.monotonic() < deadline:
        try:
            if not pending & figures.reports("pending"):
                fault["reports_out"] = time.monotonic() - fault["at"]
                return
        except Exception:  # noqa: BLE001 - the database is busy: look again
            pass
        time.sleep(0.25)


def submit_recovery(fault: dict, officers: list[Officer]) -> float | None:
    after = [at for o in officers for _token, at in o.acknowledged if at > fault["at"]]
    return min(after) - fault["at"] if after else None


# --------------------------------------------------------------------------- one scenario


def run_scenario(args, scenario: str) -> bool:
    run = Run(args, scenario)
    province_id, emails = seed(run.url, run.storage, args.clients)
    figures = Figures(run.url, province_id)
    try:
        env = run.env()
        if scenario == "rq":
            run.start_redis()
            run.worker = spawn([os.path.join(os.path.dirname(sys.executable), "flask"), "--app",
                                "wsgi", "jobs", "worker"], env, run.log)
        base = run.start_gunicorn(env)
        officers = [Officer(base, email, run) for email in emails]
        for officer in officers:
            officer.login()
            officer.start()
        injector = threading.Thread(target=inject, args=(run, figures, officers), daemon=True)
        injector.start()
        run.stopping.wait(args.seconds)
        run.stopping.set()
        for thread in [*officers, injector]:
            thread.join(timeout=120)
        budget = args.budget + DISPATCH_SECONDS
        drained = time.monotonic()
        try:
            wait_for(lambda: not figures.reports("pending"), budget, "reports out of pending")
        except RuntimeError:
            pass
        drain_seconds = time.monotonic() - drained
        stuck, failed = figures.reports("pending"), figures.reports("failed")
        orphans = stop(run.server)
        if run.worker is not None:
            orphans += stop(run.worker, timeout=60)
        result = tally(run, figures, officers, stuck, failed, orphans, drain_seconds)
    finally:
        kill_everything()
        STARTED.clear()
        figures.engine.dispose()
        run.log.close()
    met = print_table(run, result)
    if met:
        shutil.rmtree(run.tmp, ignore_errors=True)
    else:
        print(f"   database and process log kept in {run.tmp}")
    return met


def tally(run, figures, officers, stuck, failed, orphans, drain_seconds) -> dict:
    acknowledged = [token for o in officers for token, _at in o.acknowledged]
    return {
        "acknowledged": len(set(acknowledged)), "stored": figures.stored(),
        "duplicates": figures.duplicates() + len(acknowledged) - len(set(acknowledged)),
        "untokened": figures.untokened(),
        "reports": len(figures.reports("ready") | stuck | failed),
        "stuck": len(stuck), "failed": len(failed), "orphans": orphans,
        "drain": drain_seconds,
        "faults": [(f["what"], submit_recovery(f, officers), f["reports_out"])
                   for f in run.faults],
    }


def _seconds(value: float | None) -> str:
    return "never" if value is None else f"{value:.1f} s"


def print_table(run: Run, r: dict) -> bool:
    database = "PostgreSQL" if run.url.startswith("postgresql") else "SQLite (fresh file)"
    print(f"\n== faults: {run.scenario}, {run.args.clients} clients, {run.args.seconds:.0f} s, "
          f"think {run.args.think:g} s, {database}, "
          f"gunicorn 2 x 4 gthread, dispatcher {DISPATCH_SECONDS} s, "
          f"lease {run.args.lease} s, budget {run.args.budget:.0f} s")
    rows = [
        ("submits acknowledged / stored", f"{r['acknowledged']} / {r['stored']}", "equal",
         r["acknowledged"] == r["stored"] and r["untokened"] == 0),
        ("duplicate submits (per token)", r["duplicates"], "0", r["duplicates"] == 0),
        ("reports", r["reports"], "= stored", r["reports"] == r["stored"]),
        ("reports stuck pending after budget", r["stuck"], "0", r["stuck"] == 0),
        ("reports failed", r["failed"], "(shown)", True),
        ("orphan processes after stop", r["orphans"], "0", r["orphans"] == 0),
        ("drain after the load", _seconds(r["drain"]), f"≤ {run.args.budget + 1:.0f} s", True),
    ]
    for what, submit, reports in r["faults"]:
        rows.append((f"kill {what}", f"submit {_seconds(submit)}, reports {_seconds(reports)}",
                     "recovers", submit is not None and reports is not None))
    print(f"   {'figure':<50}{'measured':<36}{'must be':<12}")
    for label, value, reference, ok in rows:
        print(f"   {label:<50}{str(value):<36}{reference:<12}{'ok' if ok else 'MISSED'}")
    return all(row[3] for row in rows)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenario", choices=("pool", "rq", "all"), default="all")
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--think", type=float, default=4,
                        help="mean pause of an officer between two assessments, seconds")
    parser.add_argument("--kills", type=int, default=3, help="gunicorn workers killed (pool)")
    parser.add_argument("--budget", type=float, default=60,
                        help="seconds after the load for every report to leave pending")
    parser.add_argument("--lease", type=int, default=30, help="JOB_BUDGET_SECONDS of the app")
    parser.add_argument("--database-url", help="PostgreSQL URL (default: a fresh SQLite file)")
    args = parser.parse_args()
    if shutil.which("redis-server") is None and args.scenario != "pool":
        parser.error("redis-server is not installed")
    signal.signal(signal.SIGTERM, kill_everything)
    signal.signal(signal.SIGINT, kill_everything)
    print(f"load before: {os.getloadavg()}")
    scenarios = ("pool", "rq") if args.scenario == "all" else (args.scenario,)
    met = [run_scenario(args, scenario) for scenario in scenarios]
    print(f"load after: {os.getloadavg()}")
    return 0 if all(met) else 1


if __name__ == "__main__":
    sys.exit(main())
