"""Time and peak memory of importing N enterprises from one CSV (read, dry run, apply, commit).

    python bench/bench_import.py [--rows 100000] [--url sqlite:///bench/out/import.sqlite3]

A fresh database (migrated) gets Thanh Hóa's 166 official communes/wards; the file names them in
every way the import accepts (official name, name without diacritics, official code, a pre-2025
commune with its former district), one row in 50 is bad. Targets: ≤ 60 s and ≤ 500 MB.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import sys
import time
import tracemalloc

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

TARGETS = {"seconds": 60, "peak_mb": 500}


def _fresh(url: str) -> None:
    """Drop what a previous run left, so the import starts from an empty province."""
    from sqlalchemy import text

    from riskapp import create_app, migrate
    from riskapp.db import db

    if url.startswith("sqlite:///"):
        path = url[len("sqlite:///"):]
        for suffix in ("", "-wal", "-shm"):
            if os.path.exists(path + suffix):
                os.remove(path + suffix)
        os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "JOBS_INLINE": True})
    if url.startswith("postgresql"):
        with app.app_context(), db.engine.begin() as connection:
            connection.execute(text("DROP SCHEMA public CASCADE"))
            connection.execute(text("CREATE SCHEMA public"))
    migrate.upgrade(app)


def _province(db):
    """Thanh Hóa with its official units (parent None, as since 1 July 2025) and an admin."""
    from riskapp import gazetteer
    from riskapp.models import Area, AreaKind, Province, Role, User

    province = Province(code="38", name="Thanh Hóa")
    db.session.add(province)
    db.session.flush()
    db.session.add_all(Area(province_id=province.id, code=unit.code, name=unit.name,
                            kind=AreaKind(unit.kind)) for unit in gazetteer.units("38"))
    admin = User(email="admin@bench.vn", name="Admin", role=Role.PROVINCE_ADMIN,
                 province_id=province.id, password_hash=None)
    db.session.add(admin)
    db.session.commit()
    return province.id, admin


def _csv(rows: int, seed: int = 14) -> bytes:
    from riskapp import gazetteer
    from riskapp.territory import reading_order

    rng = random.Random(seed)
    units = gazetteer.units("38")
    legacy = [u for u in gazetteer.legacy_units("38") if gazetteer.successor(u.code)]
    lines = ["Mã số thuế,Tên doanh nghiệp,Ngành,Xã/phường,Huyện cũ,Địa chỉ,Số lao động"]
    for index in range(rows):
        unit, old = rng.choice(units), rng.choice(legacy)
        area, district = rng.choice([(unit.name, ""), (reading_order(unit.short_name), ""),
                                     (unit.code, ""), (old.name, old.district_name)])
        if index % 50 == 49:
            area = "Xã Không Có"
        tax_code = f"{2800000000 + index:010d}"
        lines.append(f"{tax_code},Công ty Số {index},{rng.choice('ACFGN')},{area},{district},"
                     f"Thôn {index % 20},{rng.randint(5, 2000)}")
    return ("\n".join(lines) + "\n").encode("utf-8")


def run(url: str, rows: int) -> dict:
    from riskapp import blueprints, create_app
    from riskapp.db import db
    from riskapp.province.imports import apply_import, plan_import, read_table

    _fresh(url)
    blueprints.AREAS = ("main", "auth", "province")
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "JOBS_INLINE": True})
    data = _csv(rows)
    with app.test_request_context():
        province_id, admin = _province(db)
        tracemalloc.start()
        started = time.perf_counter()
        plan = plan_import(read_table(data, "bench.csv"), province_id, "bench.csv")
        planned = time.perf_counter()
        summary = apply_import(plan, province_id, admin)
        db.session.commit()
        done = time.perf_counter()
        _current, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    return {
        "database": url.split(":", 1)[0], "rows": rows, "summary": summary,
        "seconds": round(done - started, 1), "dry_run_seconds": round(planned - started, 1),
        "apply_seconds": round(done - planned, 1), "peak_mb": round(peak / 2**20, 1),
        "max_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "targets": TARGETS,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default="sqlite:///bench/out/import.sqlite3")
    parser.add_argument("--rows", type=int, default=100_000)
    args = parser.parse_args()
    print(json.dumps(run(args.url, args.rows), indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
