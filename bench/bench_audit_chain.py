"""How fast the audit log's chain is written and checked (`flask audit-verify`).

    python bench/bench_audit_chain.py [--url URL] [--rows 1000000] [--writes 2000]

Migrates a fresh database at URL (default: a new SQLite file under bench/out), loads ROWS chained
entries in batches (the chain computed here, as the session event would, inserted in bulk), times
`riskapp.auditverify.verify` over them, then times WRITES single-entry commits through record()
(each takes the chain head's lock). Prints rows/s as JSON. On PostgreSQL give an empty database.

Measured 2026-12-08 on the 2-core development machine while other test suites ran on it (load
average 8–10, so these are upper bounds of the time):
- SQLite, 1,000,000 rows: load 141 s (7,083 rows/s), verify 79.6 s (12,566 rows/s), single
  record()+commit 151/s.
- PostgreSQL 15, 200,000 rows: load 38.7 s (5,168 rows/s), verify 16.3 s (12,284 rows/s, so
  about 81 s for 1,000,000), single record()+commit 57/s.
Verifying is CPU-bound in Python (JSON decoding of `details` and the canonical re-encoding take
two thirds of it); memory stays flat (one batch of 10,000 rows at a time).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from datetime import UTC, datetime, timedelta

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

LOAD_BATCH = 10_000


def _load(connection, rows: int) -> float:
    from sqlalchemy import insert

    from riskapp.auditchain import GENESIS, HEAD, row_hash
    from riskapp.models import AuditLog

    started, last_hash = time.perf_counter(), GENESIS
    base = datetime(2026, 1, 1, tzinfo=UTC)
    batch = []
    for entry_id in range(1, rows + 1):
        values = {"id": entry_id, "at": base + timedelta(seconds=entry_id), "user_id": 7,
                  "province_id": 1, "enterprise_id": entry_id % 5000, "action": "report_download",
                  "object_type": "report", "object_id": str(entry_id),
                  "details": {"report": f"RA-2026-{entry_id:06d}", "lang": "vi"},
                  "personal_digest": None, "prev_hash": last_hash}
        values["row_hash"] = last_hash = row_hash(*values.values())
        batch.append(values)
        if len(batch) == LOAD_BATCH:
            connection.execute(insert(AuditLog.__table__), batch)
            batch = []
    if batch:
        connection.execute(insert(AuditLog.__table__), batch)
    connection.execute(insert(HEAD).values(id=1, last_id=rows, last_hash=last_hash))
    return time.perf_counter() - started


def _writes(app, count: int) -> float:
    from riskapp.auditlog import record
    from riskapp.db import db

    started = time.perf_counter()
    with app.test_request_context():
        for number in range(count):
            record("bench_write", object_type="export", details={"n": number})
            db.session.commit()
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url")
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--writes", type=int, default=2000)
    args = parser.parse_args()

    from riskapp import create_app, migrate
    from riskapp.auditverify import verify
    from riskapp.db import db

    url = args.url
    if not url:
        os.makedirs("bench/out", exist_ok=True)
        path = "bench/out/audit_chain.sqlite3"
        if os.path.exists(path):
            os.remove(path)
        url = "sqlite:///" + path
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "TESTING": True})
    migrate.upgrade(app)
    with app.app_context():
        with db.engine.begin() as connection:
            load_s = _load(connection, args.rows)
        with db.engine.connect() as connection:
            started = time.perf_counter()
            verdict = verify(connection)
            verify_s = time.perf_counter() - started
        write_s = _writes(app, args.writes)
    print(json.dumps({
        "dialect": url.split(":", 1)[0], "rows": args.rows, "intact": verdict.intact,
        "load_s": round(load_s, 1), "load_rows_per_s": round(args.rows / load_s),
        "verify_s": round(verify_s, 1), "verify_rows_per_s": round(args.rows / verify_s),
        "single_writes": args.writes, "write_commits_per_s": round(args.writes / write_s),
    }, indent=2))


if __name__ == "__main__":
    main()
