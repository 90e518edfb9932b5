"""Load test: gunicorn on 127.0.0.1, officers assessing and submitting, a province on its dashboard.

    python bench/load/run.py --db sqlite|postgres --users 16,64 [--seconds 60] [--think 1-3]

The first run builds a 100,000-enterprise province with bench/generate_province.py (about 1.5 min)
in its own database (bench/out/load.sqlite3, or PostgreSQL database `bench_load`); later runs reuse
it (--regenerate builds it again). Then, per user count: gunicorn starts on a free loopback port,
client processes log every user in (not timed), the users run for --warmup seconds (10, not
counted: every worker process loads its templates and caches, as on a server that has been up) and
then for --seconds, counted. Each virtual user loops, pausing between two requests for a think time
drawn uniformly from --think (seconds; "1-3" by default, as locust's `between(1, 3)`: a person reads
a page before the next click; a real officer spends minutes on the form, so this is a harsh model).
`--think 0` removes the pauses: a saturation run that measures capacity (requests per second)
rather than what a user waits. Officers (7 of 8 users): start a draft, open the form, save a partial
draft, submit the whole form. Province users (1 of 8, at least 1): the dashboard, then a page of the
enterprise list. Prints, per page: count, p50 and p95 latency; requests per second; errors; the
client's submit count against the assessments the database gained; CPU seconds of the server, the
database and the client in the window; the load average before and after. Loopback only.

CSRF protection stays on (the client reads the token like a browser). The login rate limit is off:
every virtual user comes from 127.0.0.1. Report renders are queued to a Redis queue no worker reads
(renders run on worker machines in production; bench/bench_reports.py measures them) and the queue
is emptied afterwards.
"""

from __future__ import annotations

import argparse
import json
import math
import multiprocessing
import os
import random
import re
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections import Counter
from urllib.parse import urlsplit

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, ROOT)

from tests import factories  # noqa: E402  (after the path insert; the same complete answers)

SQLITE_URL = "sqlite:///" + os.path.join(ROOT, "bench", "out", "load.sqlite3")
POSTGRES_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/bench_load"
REDIS_URL = "redis://127.0.0.1:6379/14"
RQ_QUEUE = "riskapp-load-bench"
OFFICER_PASSWORD = "Load-Bench-Officer-42"
# The province admin that bench/generate_province.py creates.
PROVINCE_EMAIL = "admin@bench.vn"
PROVINCE_PASSWORD = "Bench-Password-42"
TARGETS_P95_MS = {"form": 50, "submit": 150, "dashboard": 300}

# Complete answers to the default checklist (tests/factories.ANSWERS, but SCR-5 "yes": "na" is
# refused in level-3 areas of the generated province).
ANSWERS = {**factories.ANSWERS, "SCR-5": "yes"}
HIDDEN = re.compile(r'<input[^>]*name="(csrf_token|lock_version|submit_token)"[^>]*>')
VALUE = re.compile(r'value="([^"]*)"')
ITEM_INPUT = re.compile(r'name="item-([A-Z]+-[0-9]+)"')


# --------------------------------------------------------------------------- database


def _ensure_postgres_database() -> None:
    import psycopg

    with psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True) as c:
        if c.execute("SELECT 1 FROM pg_database WHERE datname = 'bench_load'").fetchone() is None:
            c.execute("CREATE DATABASE bench_load")


def _province_ready(url: str) -> bool:
    from sqlalchemy import create_engine, text

    if url.startswith("sqlite:///") and not os.path.exists(url[len("sqlite:///"):]):
        return False
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            return bool(connection.execute(text("SELECT count(*) FROM enterprise")).scalar())
    except Exception:  # noqa: BLE001 - no schema yet
        return False
    finally:
        engine.dispose()


def prepare_database(url: str, enterprises: int, regenerate: bool) -> None:
    if url.startswith("postgresql"):
        _ensure_postgres_database()
    if regenerate or not _province_ready(url):
        from bench.generate_province import generate

        print(f"generating a {enterprises:,}-enterprise province (once) ...", flush=True)
        summary = generate(url, enterprises)
        print(f"  done in {sum(summary['timings'].values()):.0f} s", flush=True)


def prepare_officers(url: str, count: int) -> list[str]:
    """One officer per enterprise 1..count (created once); returns their e-mails."""
    from sqlalchemy import select

    from riskapp import create_app
    from riskapp.auth.services import hash_password
    from riskapp.db import db
    from riskapp.models import Enterprise, Role, User

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "JOBS_INLINE": True})
    emails = [f"officer{i}@load.bench" for i in range(1, count + 1)]
    with app.app_context():
        existing = set(db.session.scalars(select(User.email).where(User.email.in_(emails))))
        password_hash = hash_password(OFFICER_PASSWORD)
        enterprises = db.session.scalars(
            select(Enterprise).order_by(Enterprise.id).limit(count)).all()
        for email, enterprise in zip(emails, enterprises, strict=True):
            if email not in existing:
                db.session.add(User(email=email, name=f"Cán bộ {email.split('@')[0]}",
                                    password_hash=password_hash, role=Role.OFFICER,
                                    province_id=enterprise.province_id,
                                    enterprise_id=enterprise.id))
        db.session.commit()
        db.engine.dispose()
    return emails


def count_assessments(url: str, emails: list[str]) -> int:
    """Submitted (or since superseded) assessments of the officers' enterprises."""
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    with engine.connect() as connection:
        count = connection.execute(text(
            "SELECT count(*) FROM assessment a JOIN user_account u "
            "ON u.enterprise_id = a.enterprise_id WHERE u.email LIKE '%@load.bench' "
            "AND a.status <> 'draft'")).scalar()
    engine.dispose()
    return int(count)


# --------------------------------------------------------------------------- server


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_server(url: str, workers: int, threads: int) -> tuple[subprocess.Popen, str]:
    port = _free_port()
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "SECRET_KEY": secrets.token_hex(32),
        "RATELIMIT_ENABLED": "0",
        "REDIS_URL": REDIS_URL,
        "RQ_QUEUE": RQ_QUEUE,
        "RISKAPP_INSTANCE": os.path.join(ROOT, "bench", "out", "load-instance"),
    }
    gunicorn = shutil.which("gunicorn", path=os.path.dirname(sys.executable)) or "gunicorn"
    server = subprocess.Popen(
        [gunicorn, "--bind", f"127.0.0.1:{port}", "--workers", str(workers),
         "--worker-class", "gthread", "--threads", str(threads), "--log-level", "warning",
         # Keep-alive longer than a virtual user's pause, as behind a reverse proxy.
         "--timeout", "60", "--keep-alive", "75", "wsgi:app"],
        cwd=ROOT, env=env,
    )
    base = f"http://127.0.0.1:{port}"
    import requests

    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if requests.get(base + "/auth/login", timeout=2).status_code == 200:
                return server, base
        except requests.RequestException:
            pass
        if server.poll() is not None:
            raise RuntimeError("gunicorn exited at start")
        time.sleep(0.3)
    server.terminate()
    raise RuntimeError("gunicorn did not answer within 60 s")


def stop_server(server: subprocess.Popen) -> None:
    server.send_signal(signal.SIGTERM)
    try:
        server.wait(timeout=20)
    except subprocess.TimeoutExpired:
        server.kill()


def empty_render_queue() -> None:
    try:
        from redis import Redis
        from rq import Queue

        Queue(RQ_QUEUE, connection=Redis.from_url(REDIS_URL)).empty()
    except Exception as error:  # noqa: BLE001 - only housekeeping
        print(f"(could not empty the render queue: {error})")


# --------------------------------------------------------------------------- client


def _hidden(html: str) -> dict[str, str]:
    found = {}
    for match in HIDDEN.finditer(html):
        value = VALUE.search(match.group(0))
        found[match.group(1)] = value.group(1) if value else ""
    return found


class VirtualUser:
    def __init__(self, base: str, email: str, password: str, samples: list, stop: threading.Event,
                 think: tuple[float, float] = (0.0, 0.0)):
        import requests

        self.http = requests.Session()
        self.base, self.email, self.password = base, email, password
        self.samples, self.stop, self.think = samples, stop, think
        self.random = random.Random(email)  # the same pauses for the same user on every run
        self.submitted = 0
        self.record_from = 0.0  # requests started earlier are the warm-up: not counted

    def pause(self) -> None:
        """The user reads the page before the next click (returns at once when the run stops)."""
        if self.think[1] > 0:
            self.stop.wait(self.random.uniform(*self.think))

    def start(self) -> None:
        """Spread the first requests over one think time, as users do not all click at once."""
        if self.think[1] > 0:
            self.stop.wait(self.random.uniform(0, self.think[1]))

    def call(self, label: str, method: str, path: str, expect: tuple[int, ...], **kwargs):
        if self.stop.is_set():
            return None
        counted = time.time() >= self.record_from
        started = time.perf_counter()
        try:
            response = self.http.request(method, self.base + path, allow_redirects=False,
                                         timeout=30, **kwargs)
            ok, status = response.status_code in expect, str(response.status_code)
        except Exception as error:  # noqa: BLE001 - a refused or timed-out request is an error
            response, ok, status = None, False, type(error).__name__
        if counted and not self.stop.is_set():
            self.samples.append((label, (time.perf_counter() - started) * 1000, ok, status))
        self.pause()
        return response if ok else None

    def login(self) -> bool:
        page = self.http.get(self.base + "/auth/login", timeout=30)
        self.csrf = _hidden(page.text).get("csrf_token", "")
        response = self.http.post(self.base + "/auth/login", timeout=60, allow_redirects=False,
                                  data={"csrf_token": self.csrf, "email": self.email,
                                        "password": self.password})
        if response.status_code != 302:
            return False
        # Logging in starts a new session, and with it a new CSRF token.
        home = self.http.get(self.base + "/", timeout=30)
        self.csrf = _hidden(home.text).get("csrf_token", "")
        return bool(self.csrf)


class Officer(VirtualUser):
    def loop(self) -> None:
        self.start()
        while not self.stop.is_set():
            created = self.call("new draft", "POST", "/enterprise/assessments/new", (302,),
                                data={"csrf_token": self.csrf})
            if created is None:
                continue
            edit = urlsplit(created.headers["Location"]).path
            page = self.call("form", "GET", edit, (200,))
            if page is None:
                continue
            hidden = _hidden(page.text)
            # Answer only what this enterprise's form asks (canteen, shuttle... depend on it).
            asked = set(ITEM_INPUT.findall(page.text))
            everything = {f"item-{k}": v for k, v in ANSWERS.items() if k in asked}
            partial = dict(list(everything.items())[:12])
            # A partial draft is saved and shown again with what still needs an answer (200).
            saved = self.call("save draft", "POST", edit, (200, 302),
                              data={**hidden, **partial, "action": "save"})
            if saved is None:
                continue
            lock = str(int(hidden.get("lock_version") or 0) + 1)
            done = self.call("submit", "POST", edit, (302,),
                             data={**hidden, "lock_version": lock, **everything,
                                   "action": "submit"})
            if done is not None:
                self.submitted += 1


class ProvinceUser(VirtualUser):
    def loop(self) -> None:
        self.start()
        page = 1
        while not self.stop.is_set():
            self.call("dashboard", "GET", "/province/", (200,))
            self.call("enterprise list", "GET", f"/province/enterprises?page={page}", (200,))
            page = page % 200 + 1


def client_process(base: str, roles: list[tuple[str, str, str]], seconds: float, start_at: float,
                   warmup: float, think: tuple[float, float], out) -> None:
    """Log in every user of this process, wait for the common start, warm up, run, report."""
    samples: list = []
    stop = threading.Event()
    users = []
    for kind, email, password in roles:
        cls = Officer if kind == "officer" else ProvinceUser
        user = cls(base, email, password, samples, stop, think)
        if not user.login():
            out.put({"login_failed": email})
            return
        user.record_from = start_at + warmup
        users.append(user)
    threads = [threading.Thread(target=u.loop, daemon=True) for u in users]
    time.sleep(max(0.0, start_at - time.time()))
    for thread in threads:
        thread.start()
    time.sleep(max(0.0, start_at + warmup + seconds - time.time()))
    stop.set()
    # Wait for the requests in flight: a submit that lands after the window still counts on both
    # sides (client and database).
    for thread in threads:
        thread.join(timeout=300)
    out.put({"samples": samples, "submitted": sum(getattr(u, "submitted", 0) for u in users)})


def cpu_by_side(server_pid: int, client_pids: set[int]) -> dict[str, float]:
    """CPU seconds used so far by gunicorn (master and workers), the database server's processes
    and the load client's processes: where the two cores went during the window."""
    tick = os.sysconf("SC_CLK_TCK")
    used = {"server": 0.0, "database": 0.0, "client": 0.0}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", encoding="ascii", errors="replace") as handle:
                stat = handle.read()
        except OSError:
            continue  # ended meanwhile
        name = stat[stat.index("(") + 1:stat.rindex(")")]
        fields = stat[stat.rindex(")") + 2:].split()
        pid, parent = int(entry), int(fields[1])
        seconds = (int(fields[11]) + int(fields[12])) / tick  # utime + stime
        if pid == server_pid or parent == server_pid:
            used["server"] += seconds
        elif pid in client_pids:
            used["client"] += seconds
        elif name.startswith("postgres"):
            used["database"] += seconds
    return used


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def run_configuration(url: str, users: int, seconds: float, officers: list[str],
                      workers: int, threads: int, processes: int,
                      think: tuple[float, float] = (0.0, 0.0), warmup: float = 10.0) -> dict:
    province_users = max(1, users // 8)
    roles = [("province", PROVINCE_EMAIL, PROVINCE_PASSWORD)] * province_users
    roles += [("officer", email, OFFICER_PASSWORD) for email in officers[:users - province_users]]
    before = count_assessments(url, officers)
    load_before = os.getloadavg()
    server, base = start_server(url, workers, threads)
    try:
        processes = max(1, min(processes, users))
        share = math.ceil(len(roles) / processes)
        queue = multiprocessing.get_context("spawn").Queue()
        # Logins (argon2) take a while for 64 users: start the clock only once all are in.
        start_at = time.time() + 5 + users * 0.15
        children = [multiprocessing.get_context("spawn").Process(
            target=client_process,
            args=(base, roles[i * share:(i + 1) * share], seconds, start_at, warmup, think,
                  queue))
            for i in range(processes) if roles[i * share:(i + 1) * share]]
        for child in children:
            child.start()
        time.sleep(max(0.0, start_at + warmup - time.time()))
        cpu_before = cpu_by_side(server.pid, {child.pid for child in children})
        time.sleep(max(0.0, start_at + warmup + seconds - time.time()))
        cpu_after = cpu_by_side(server.pid, {child.pid for child in children})
        reports = [queue.get(timeout=start_at + warmup - time.time() + seconds + 400)
                   for _ in children]
        for child in children:
            child.join(timeout=30)
    finally:
        stop_server(server)
        empty_render_queue()
    load_after = os.getloadavg()
    failed = [r["login_failed"] for r in reports if "login_failed" in r]
    if failed:
        raise RuntimeError(f"log in failed for {failed}")
    samples = [s for r in reports for s in r["samples"]]
    submitted = sum(r["submitted"] for r in reports)
    after = count_assessments(url, officers)
    pages = {}
    for label in dict.fromkeys(s[0] for s in samples):
        times = [s[1] for s in samples if s[0] == label]
        pages[label] = {"count": len(times), "errors": sum(1 for s in samples
                                                          if s[0] == label and not s[2]),
                        "p50_ms": round(statistics.median(times), 1),
                        "p95_ms": round(percentile(times, 0.95), 1)}
    return {
        "users": users, "officers": users - province_users, "province_users": province_users,
        "seconds": seconds, "requests": len(samples),
        "requests_per_second": round(len(samples) / seconds, 1),
        "errors": sum(1 for s in samples if not s[2]), "pages": pages,
        "error_kinds": dict(Counter(f"{s[0]}: {s[3]}" for s in samples if not s[2])),
        "submitted_by_client": submitted, "assessments_added_in_db": after - before,
        "load_average_before": [round(x, 2) for x in load_before],
        "load_average_after": [round(x, 2) for x in load_after],
        "cpu_seconds": {side: round(cpu_after[side] - cpu_before[side], 1) for side in cpu_after},
        "gunicorn": f"{workers} workers x {threads} threads (gthread)",
        "think_seconds": list(think),
        "warmup_seconds": warmup,
    }


def print_result(db_name: str, result: dict) -> None:
    print(f"\n== {db_name}, {result['users']} users ({result['officers']} officers, "
          f"{result['province_users']} province), {result['seconds']:.0f} s, {result['gunicorn']}, "
          f"think time {describe_think(result['think_seconds'])}")
    print(f"   {result['requests']} requests, {result['requests_per_second']} req/s, "
          f"{result['errors']} errors")
    print(f"   {'page':<16}{'count':>7}{'errors':>8}{'p50 ms':>9}{'p95 ms':>9}  target p95")
    for label, page in result["pages"].items():
        target = TARGETS_P95_MS.get(label)
        verdict = ""
        if target is not None:
            verdict = f"≤ {target} ms " + ("ok" if page["p95_ms"] <= target else "MISSED")
        print(f"   {label:<16}{page['count']:>7}{page['errors']:>8}{page['p50_ms']:>9}"
              f"{page['p95_ms']:>9}  {verdict}")
    if result["error_kinds"]:
        print(f"   errors by page and status: {result['error_kinds']}")
    same = result["submitted_by_client"] == result["assessments_added_in_db"]
    print(f"   submits: client {result['submitted_by_client']}, database gained "
          f"{result['assessments_added_in_db']} -> {'equal' if same else 'DIFFERENT'}")
    cpu, cores = result["cpu_seconds"], os.cpu_count() or 1
    print(f"   CPU seconds in the window: server {cpu['server']}, database {cpu['database']}, "
          f"load client {cpu['client']} (of {cores * result['seconds']:.0f} on {cores} cores)")
    print(f"   load average before {result['load_average_before']}, "
          f"after {result['load_average_after']}")


def think_range(text: str) -> tuple[float, float]:
    """ "1-3" → (1.0, 3.0); "0" → no pause."""
    low, _dash, high = text.partition("-")
    try:
        pair = (float(low), float(high or low))
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a think time: {text!r} (say 1-3 or 0)") from None
    if pair[0] < 0 or pair[1] < pair[0]:
        raise argparse.ArgumentTypeError(f"not a think time: {text!r} (say 1-3 or 0)")
    return pair


def describe_think(think) -> str:
    low, high = think
    return "none (saturation)" if high == 0 else f"{low:g}–{high:g} s"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--users", default="16,64", help="comma-separated user counts")
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--warmup", type=float, default=10,
                        help="seconds of load before the measured window (not counted)")
    parser.add_argument("--think", default="1-3", type=think_range,
                        help='pause between two requests of a user, seconds: "1-3" or "0"')
    parser.add_argument("--enterprises", type=int, default=100_000)
    # Few workers: on 2 cores more processes only add contention (and SQLite lock waits).
    parser.add_argument("--workers", type=int, default=(os.cpu_count() or 1) + 1)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--client-processes", type=int, default=2)
    parser.add_argument("--regenerate", action="store_true")
    parser.add_argument("--url", help="database URL (default: the --db bench database)")
    args = parser.parse_args()
    url = args.url or (SQLITE_URL if args.db == "sqlite" else POSTGRES_URL)
    counts = [int(x) for x in args.users.split(",") if x.strip()]
    prepare_database(url, args.enterprises, args.regenerate)
    officers = prepare_officers(url, max(counts))
    results = []
    for users in counts:
        result = run_configuration(url, users, args.seconds, officers, args.workers,
                                   args.threads, args.client_processes, args.think,
                                   args.warmup)
        print_result(args.db, result)
        results.append(result)
    mode = "saturation" if args.think[1] == 0 else "think"
    out = os.path.join(ROOT, "bench", "out", f"load_{args.db}_{mode}.json")
    with open(out, "w", encoding="utf-8") as handle:
        json.dump({"db": args.db, "cpus": os.cpu_count(), "results": results}, handle, indent=2)
    print(f"\nfigures written to {os.path.relpath(out, ROOT)}")


if __name__ == "__main__":
    main()
