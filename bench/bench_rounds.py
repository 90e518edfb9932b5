"""Server time of a reporting round's progress page over a whole 100,000-enterprise province.

    python bench/generate_province.py --url URL     # once
    python bench/bench_rounds.py --url URL [--runs 30]

Opens a round targeting every enterprise (timing the frozen INSERT … SELECT and the receipts
read back from the 1,000,000 assessments since the open date), then requests its progress page
and its XLSX export as the province admin through Flask's test client. Prints median and p95 (ms)
as JSON. The round is deleted again at the end.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from datetime import timedelta

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

TARGET_P95_MS = 150


def _p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(0.95 * (len(ordered) - 1))))]


def _open_round(app) -> tuple[int, dict]:
    from riskapp import territory
    from riskapp.db import db
    from riskapp.models import User
    from riskapp.rounds import services
    from riskapp.rounds.targets import Criteria

    with app.test_request_context():
        admin = db.session.query(User).filter_by(email="admin@bench.vn").one()
        today = territory.province_today(admin.province_id)
        started = time.perf_counter()
        round_ = services.open_round(admin.province_id, services.RoundPlan(
            "Bench", today - timedelta(days=20), today + timedelta(days=10), None, Criteria()),
            admin)
        db.session.commit()
        return round_.id, {"open_seconds": round(time.perf_counter() - started, 2),
                           "expected": round_.expected}


def _drop_round(app, round_id: int) -> None:
    from sqlalchemy import delete

    from riskapp.db import db
    from riskapp.models import ReportingRound, RoundTarget

    with app.app_context():
        db.session.execute(delete(RoundTarget).where(RoundTarget.round_id == round_id))
        db.session.execute(delete(ReportingRound).where(ReportingRound.id == round_id))
        db.session.commit()


def _time(client, path: str, runs: int) -> dict:
    client.get(path)  # warm the caches (area tree, statements)
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        response = client.get(path)
        times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, (path, response.status_code)
    return {"median_ms": round(statistics.median(times), 1), "p95_ms": round(_p95(times), 1)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default="sqlite:///bench/out/province.sqlite3")
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()

    from riskapp import create_app

    app = create_app({"SQLALCHEMY_DATABASE_URI": args.url, "WTF_CSRF_ENABLED": False,
                      "RATELIMIT_ENABLED": False, "JOBS_INLINE": True})
    round_id, opening = _open_round(app)
    try:
        client = app.test_client()
        response = client.post("/auth/login", data={"email": "admin@bench.vn",
                                                    "password": "Bench-Password-42"})
        assert response.status_code == 302, "log in failed: run generate_province.py first"
        client.get("/lang/vi")
        results = {
            "progress page": _time(client, f"/province/rounds/{round_id}", args.runs),
            "progress page, page 40 of the missing": _time(
                client, f"/province/rounds/{round_id}?page=40", args.runs),
            "progress XLSX": _time(client, f"/province/rounds/{round_id}/progress.xlsx",
                                   max(3, args.runs // 10)),
        }
    finally:
        _drop_round(app, round_id)
    print(json.dumps({"database": app.config["SQLALCHEMY_DATABASE_URI"].split(":")[0],
                      "load_average": [round(x, 1) for x in os.getloadavg()],
                      "target_p95_ms": TARGET_P95_MS, **opening, "pages": results}, indent=2))


if __name__ == "__main__":
    main()
