"""Report delivery: server time of a stored report's download, and of an ordinary page while
reports render in the background pool. Prints the figures (copy them into docs/BENCHMARKS.md).

    python bench/bench_report_delivery.py [--runs 300] [--renders 8] [--workers 1] [--niceness 10]

Requests go through Flask's test client (no network): the time is the whole request in the web
process (routing, session, SQL, template or stored bytes). The database is a fresh SQLite file.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

TARGET_DOWNLOAD_P95_MS = 20
TARGET_PAGE_P95_MS = 50


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def _summary(values: list[float]) -> dict:
    return {
        "n": len(values),
        "p50_ms": round(statistics.median(values), 2),
        "p95_ms": round(_percentile(values, 0.95), 2),
        "max_ms": round(max(values), 2),
    }


def _timed_get(client, url: str, expected: int = 200, **kwargs) -> float:
    start = time.perf_counter()
    response = client.get(url, **kwargs)
    elapsed = (time.perf_counter() - start) * 1000
    if response.status_code != expected:
        raise SystemExit(f"GET {url} answered {response.status_code}, expected {expected}")
    return elapsed


def _app(workdir: Path, inline: bool, workers: int, niceness: int | None = None):
    from riskapp import create_app

    return create_app(
        {
            "SECRET_KEY": "bench-secret-key-that-is-long-enough-0123456789",
            "SQLALCHEMY_DATABASE_URI": "sqlite:///" + str(workdir / "bench.sqlite3"),
            "WTF_CSRF_ENABLED": False,
            "RATELIMIT_ENABLED": False,
            "JOBS_INLINE": inline,
            "REDIS_URL": None,
            "JOB_POOL_WORKERS": workers,
            "REPORT_SIGNING_KEY": str(workdir / "signing-key.pem"),
            "STORAGE_DIR": str(workdir / "storage"),
            **({} if niceness is None else {"JOB_POOL_NICENESS": niceness}),
        }
    )


def _login(client, email: str) -> None:
    from tests.factories import TEST_PASSWORD

    response = client.post("/auth/login", data={"email": email, "password": TEST_PASSWORD})
    if response.status_code != 302:
        raise SystemExit(f"login as {email} failed ({response.status_code})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=300, help="requests per measurement")
    parser.add_argument("--renders", type=int, default=8, help="reports rendered in the background")
    parser.add_argument("--workers", type=int, default=1, help="background pool processes")
    parser.add_argument("--niceness", type=int, default=None,
                        help="pool workers' nice increment (default: the app's, 10)")
    args = parser.parse_args()

    from riskapp import migrate
    from riskapp.db import db
    from riskapp.models import Report, ReportStatus
    from tests import factories
    from tests.audit.support import submitted

    workdir = Path(tempfile.mkdtemp(prefix="bench-delivery-"))
    setup = _app(workdir, inline=True, workers=args.workers)
    migrate.upgrade(setup)
    with setup.app_context():
        world = factories.build_world()
        enterprises = [
            factories.make_enterprise(world.a.commune, f"28{index:08d}", f"Công ty Bench {index}")
            for index in range(10, 10 + args.renders + 1)
        ]
        db.session.commit()
    # One assessment rendered inline now: the stored report the download measures.
    stored_id = submitted(setup, world.a.enterprise, world.a.officer)

    figures: dict = {
        "cpus": os.cpu_count(),
        "pool_workers": args.workers,
        "niceness": args.niceness if args.niceness is not None else "default",
    }

    # 1. Download of a stored report (the officer; every download is access-checked and logged).
    client = setup.test_client()
    _login(client, world.a.officer.email)
    url = f"/reports/assessment/{stored_id}.pdf"
    for _ in range(10):
        client.get(url)
    downloads = [_timed_get(client, url) for _ in range(args.runs)]
    etag = client.get(url).headers["ETag"]
    revalidations = [
        _timed_get(client, url, expected=304, headers={"If-None-Match": etag})
        for _ in range(args.runs)
    ]
    figures["download_200"] = _summary(downloads)
    figures["download_304"] = _summary(revalidations)

    # 2. An ordinary page (the auditor's enterprise list), idle and while reports render.
    pooled = _app(workdir, inline=False, workers=args.workers, niceness=args.niceness)
    runner = pooled.extensions["riskapp.jobs"]
    page_client = pooled.test_client()
    _login(page_client, world.a.auditor.email)
    page = "/audit/"
    for _ in range(10):
        page_client.get(page)
    figures["page_idle"] = _summary([_timed_get(page_client, page) for _ in range(args.runs)])

    def pending() -> int:
        with pooled.app_context():
            return db.session.query(Report).filter(Report.status == ReportStatus.PENDING).count()

    # Warm the pool (process start, imports, fonts) with a first render, outside the measurement.
    submitted(pooled, enterprises[0], world.a.officer)
    while pending():
        time.sleep(0.2)

    submit_times = []
    for enterprise in enterprises[1:]:
        start = time.perf_counter()
        submitted(pooled, enterprise, world.a.officer)  # the submit request's work + hand-over
        submit_times.append((time.perf_counter() - start) * 1000)
    busy: list[float] = []
    render_start = time.perf_counter()
    while pending():
        busy.extend(_timed_get(page_client, page) for _ in range(10))
    render_seconds = time.perf_counter() - render_start
    runner.shutdown()
    figures["page_while_rendering"] = _summary(busy)
    figures["submit_with_handover"] = _summary(submit_times)
    figures["background_renders"] = {
        "reports": args.renders,
        "seconds": round(render_seconds, 2),
        "per_report_s": round(render_seconds / args.renders * args.workers, 2),
    }

    ok_download = figures["download_200"]["p95_ms"] <= TARGET_DOWNLOAD_P95_MS
    ok_page = figures["page_while_rendering"]["p95_ms"] <= TARGET_PAGE_P95_MS
    figures["targets"] = {
        f"download p95 <= {TARGET_DOWNLOAD_P95_MS} ms": ok_download,
        f"page p95 while rendering <= {TARGET_PAGE_P95_MS} ms": ok_page,
    }
    print(json.dumps(figures, indent=2, ensure_ascii=False))
    if not (ok_download and ok_page):
        sys.exit(1)


if __name__ == "__main__":
    main()
