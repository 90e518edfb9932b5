"""Server time of the province dashboard, its drill-downs, the map data and a 100,000-row export.

    python bench/generate_province.py --url URL     # once
    python bench/bench_province.py --url URL [--runs 30]

Each page is requested through Flask's test client (no network) as the province admin; the time is
the whole request: routing, SQL, pandas/templating. Prints median and p95 per page as JSON.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

TARGETS = {"dashboard": 150, "drill-down": 50, "map": 300}


def _p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(0.95 * (len(ordered) - 1))))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default="sqlite:///bench/out/province.sqlite3")
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--no-export", action="store_true")
    args = parser.parse_args()

    from riskapp import blueprints, create_app

    # Only the areas these pages need, so work in progress elsewhere cannot stop the bench.
    blueprints.AREAS = ("main", "auth", "province", "admin")  # the dashboard links to admin
    app = create_app({"SQLALCHEMY_DATABASE_URI": args.url, "WTF_CSRF_ENABLED": False,
                      "RATELIMIT_ENABLED": False, "JOBS_INLINE": True})
    client = app.test_client()
    response = client.post("/auth/login", data={"email": "admin@bench.vn",
                                                "password": "Bench-Password-42"})
    assert response.status_code == 302, "log in failed: run generate_province.py first"
    client.get("/lang/vi")
    pages = {
        ("dashboard", "dashboard"): "/province/",
        ("dashboard", "dashboard, area filter"): "/province/?area_id=1",
        ("dashboard", "dashboard, industry + size"): "/province/?industry=C&size_band=100-499",
        ("dashboard", "who has not reported"): "/province/reporting",
        ("dashboard", "where to inspect first"): "/province/inspect",
        ("dashboard", "what is missing most"): "/province/gaps",
        ("drill-down", "list: all"): "/province/enterprises",
        ("drill-down", "list: overdue"): "/province/enterprises?state=overdue",
        ("drill-down", "list: grade very high"): "/province/enterprises?grade=very_high",
        ("drill-down", "list: district, never assessed"):
            "/province/enterprises?area_id=1&state=never",
        ("drill-down", "list: industry C, high"): "/province/enterprises?industry=C&grade=high",
        ("drill-down", "list: failing SCR-4"): "/province/enterprises?item=SCR-4",
        ("drill-down", "list: page 500"): "/province/enterprises?page=500",
        ("drill-down", "enterprise page"): "/province/enterprises/1234",
        ("map", "map data (all markers), cached document"): "/province/map.json",
        ("map", "map data, cold (document rebuilt every time)"): "/province/map.json",
        ("map", "map data, gzip"): "/province/map.json",
        ("map", "map data, revalidation (304)"): "/province/map.json",
    }
    from riskapp.province import cache

    etag = client.get("/province/map.json").headers["ETag"]
    headers = {"map data, gzip": {"Accept-Encoding": "gzip"},
               "map data, revalidation (304)": {"If-None-Match": etag}}
    results = {}
    for (kind, name), url in pages.items():
        expected = 304 if "304" in name else 200
        assert client.get(url, headers=headers.get(name)).status_code == expected, url  # warm
        times = []
        for _ in range(args.runs):
            if "cold" in name:
                with app.app_context():
                    cache.clear()
            started = time.perf_counter()
            response = client.get(url, headers=headers.get(name))
            times.append((time.perf_counter() - started) * 1000)
            assert response.status_code == expected
        results[name] = {"kind": kind, "median_ms": round(statistics.median(times), 1),
                         "p95_ms": round(_p95(times), 1), "target_p95_ms": TARGETS[kind],
                         "bytes": len(response.data)}
    if not args.no_export:
        started = time.perf_counter()
        response = client.get("/province/export/enterprises.xlsx")
        seconds = time.perf_counter() - started
        results["export: enterprise list XLSX"] = {
            "kind": "export", "seconds": round(seconds, 2), "target_seconds": 10,
            "bytes": len(response.data)}
        started = time.perf_counter()
        response = client.get("/province/export/enterprises.csv")
        results["export: enterprise list CSV"] = {
            "kind": "export", "seconds": round(time.perf_counter() - started, 2),
            "bytes": len(response.data)}
    print(json.dumps({"url": args.url.split("@")[-1], "runs": args.runs,
                      "load_average": [round(x, 1) for x in os.getloadavg()], "results": results},
                     indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
