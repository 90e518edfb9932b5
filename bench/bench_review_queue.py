"""Server time of the review queue, its count and its filters at a million assessments.

    python bench/bench_review_queue.py [--url URL] [--assessments 1000000] [--runs 30]

Builds its own database (SQLite file by default): one province, 20 areas, 10,000 enterprises and
N graded assessments, 0.2 % of them awaiting review (the rest accepted, automatically or not,
returned, or superseded). Then times, as the province admin and as a commune/ward admin bound to
one area: the queue's first page, a filtered page and the dashboard's count. Prints median and
p95 (ms) per query as JSON; the target is p95 ≤ 150 ms.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

TARGET_MS = 150
BATCH = 20_000


def _p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(0.95 * (len(ordered) - 1))))]


def _build(count: int) -> tuple[int, list[int]]:
    """The province and its areas, enterprises and `count` assessments; (province id, area ids)."""
    from sqlalchemy import insert

    from riskapp import checklists
    from riskapp.db import db
    from riskapp.models import Area, AreaKind, Assessment, Enterprise, Province

    province = Province(code="BENCH", name="Bench")
    db.session.add(province)
    db.session.flush()
    areas = [Area(province_id=province.id, name=f"Xã {n}", kind=AreaKind.COMMUNE)
             for n in range(20)]
    db.session.add_all(areas)
    db.session.flush()
    db.session.execute(insert(Enterprise), [
        {"province_id": province.id, "area_id": areas[n % 20].id, "tax_code": f"9{n:09d}",
         "name": f"Công ty {n}", "industry": "C", "headcount": 100} for n in range(10_000)])
    version = checklists.default_version().id
    enterprise_ids = list(db.session.scalars(
        Enterprise.__table__.select().with_only_columns(Enterprise.id)))
    area_of = dict(db.session.execute(
        Enterprise.__table__.select().with_only_columns(Enterprise.id, Enterprise.area_id)).all())
    rng, start = random.Random(15), datetime(2024, 1, 1, tzinfo=UTC)
    statuses = ["accepted"] * 40 + ["auto_accepted"] * 55 + ["returned"] * 5
    for first in range(0, count, BATCH):
        rows = []
        for n in range(first, min(count, first + BATCH)):
            enterprise = enterprise_ids[n % len(enterprise_ids)]
            pending = rng.random() < 0.002
            rows.append({
                "enterprise_id": enterprise, "province_id": province.id,
                "area_id": area_of[enterprise], "checklist_version_id": version,
                "status": "submitted" if pending or rng.random() < 0.01 else "superseded",
                "answers": {}, "grade": rng.choice(["low", "medium", "high", "very_high"]),
                "review_status": "pending" if pending else rng.choice(statuses),
                "failed_critical": 0, "lock_version": 1,
                "submitted_at": start + timedelta(minutes=n), "created_at": start,
                "updated_at": start,
            })
        db.session.execute(insert(Assessment), rows)
        db.session.commit()
    return province.id, [area.id for area in areas]


def _time(app, scope, call, runs: int) -> dict:
    from flask import g

    times = []
    for _ in range(runs + 1):
        with app.test_request_context():
            g.tenant_scope = scope
            began = time.perf_counter()
            call()
            times.append((time.perf_counter() - began) * 1000)
    times = times[1:]  # the first warms the caches
    return {"median_ms": round(statistics.median(times), 1), "p95_ms": round(_p95(times), 1)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default="sqlite:///bench/out/reviews.sqlite3")
    parser.add_argument("--assessments", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()

    from sqlalchemy import text

    from riskapp import create_app, migrate
    from riskapp.db import db
    from riskapp.models import Grade, Role
    from riskapp.reviews import queue
    from riskapp.tenancy import Scope

    app = create_app({"SQLALCHEMY_DATABASE_URI": args.url, "JOBS_INLINE": True})
    migrate.upgrade(app)
    began = time.perf_counter()
    with app.app_context():
        province_id, area_ids = _build(args.assessments)
        db.session.execute(text("ANALYZE"))
        db.session.commit()
    built = round(time.perf_counter() - began, 1)
    province = Scope(user_id=1, role=Role.PROVINCE_ADMIN, province_id=province_id)
    commune = Scope(user_id=2, role=Role.AREA_ADMIN, province_id=province_id,
                    area_ids=frozenset(area_ids[:1]))
    calls = {
        "queue, first page (province)": (province, lambda: queue.queue(1)),
        "queue, page 3, grade very high": (province, lambda: queue.queue(3, grade=Grade.VERY_HIGH)),
        "queue, area filter": (province, lambda: queue.queue(1, area_id=area_ids[3])),
        "queue, commune/ward admin": (commune, lambda: queue.queue(1)),
        "pending count (dashboard)": (province, queue.pending_count),
    }
    results = {name: _time(app, scope, call, args.runs) for name, (scope, call) in calls.items()}
    print(json.dumps({"assessments": args.assessments, "built_seconds": built,
                      "target_p95_ms": TARGET_MS, "results": results}, indent=2,
                     ensure_ascii=False))


if __name__ == "__main__":
    main()
