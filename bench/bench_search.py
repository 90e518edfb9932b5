"""Server time of a search by name or tax code (diacritic-insensitive) in a province's lists and
in the invitation form's enterprise suggestions.

    python bench/generate_province.py --url URL --enterprises 10000     # once
    python bench/bench_search.py --url URL [--runs 20]

Each request goes through Flask's test client as the province admin; prints median and p95 per
request as JSON (target: 200 ms on SQLite for a province of 10,000 enterprises).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

TARGET_MS = 200
PAGES = {
    "list: name, one match": "/province/enterprises?q=so+1234+thanh",
    "list: name without diacritics, every row": "/province/enterprises?q=thanh+hoa",
    "list: name, page 100": "/province/enterprises?q=cong+ty&page=100",
    "list: tax code prefix": "/province/enterprises?q=2800001",
    "list: no match": "/province/enterprises?q=khong+co",
    "export CSV: name": "/province/export/enterprises.csv?q=so+12",
    "suggestions: name": "/admin/users/enterprises.json?q=S%E1%BB%91+12",
    "suggestions: tax code": "/admin/users/enterprises.json?q=28000012",
    "suggestions: empty (first in reading order)": "/admin/users/enterprises.json",
    "invitation form": "/admin/users/invite",
}


def _p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(0.95 * (len(ordered) - 1))))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default="sqlite:///bench/out/province.sqlite3")
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()

    from riskapp import blueprints, create_app

    blueprints.AREAS = ("main", "auth", "province", "admin")
    app = create_app({"SQLALCHEMY_DATABASE_URI": args.url, "WTF_CSRF_ENABLED": False,
                      "RATELIMIT_ENABLED": False, "JOBS_INLINE": True})
    client = app.test_client()
    response = client.post("/auth/login", data={"email": "admin@bench.vn",
                                                "password": "Bench-Password-42"})
    assert response.status_code == 302, "log in failed: run generate_province.py first"
    results = {}
    for name, url in PAGES.items():
        assert client.get(url).status_code == 200, url  # warm
        times = []
        for _ in range(args.runs):
            start = time.perf_counter()
            client.get(url)
            times.append((time.perf_counter() - start) * 1000)
        results[name] = {"median_ms": round(statistics.median(times), 1),
                         "p95_ms": round(_p95(times), 1)}
    worst = max(r["p95_ms"] for r in results.values())
    print(json.dumps({"url": args.url.split("@")[-1], "target_ms": TARGET_MS,
                      "worst_p95_ms": worst, "pages": results}, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
