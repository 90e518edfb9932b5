"""Generate a province of 100,000 enterprises and 1,000,000 assessments for the province bench.

    python bench/generate_province.py --url sqlite:///bench/out/province.sqlite3
    python bench/generate_province.py --url postgresql+psycopg://postgres@127.0.0.1:5432/bench_province

The database is migrated, then filled with bulk inserts (DBAPI executemany on SQLite, COPY on
PostgreSQL) — never ORM objects one by one — and the roll-ups are rebuilt with
`riskapp.province.rollups.recount_all`. Prints the time each step took.

Besides the province admin (admin@bench.vn) it writes a commune/ward admin bound to the first
former district, the city (ward@bench.vn), and one officer for nine enterprises in ten
(officer<N>@bench.vn), all with the password Bench-Password-42. Every graded assessment has its
review like real data: most accepted on submit (grades the province does not review), the reviewed
grades accepted by a reviewer or now and then returned, ~0.2 % of all pending.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import time
from datetime import UTC, date, datetime, timedelta

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

DISTRICTS = [
    "Thanh Hóa", "Sầm Sơn", "Bỉm Sơn", "Nghi Sơn", "Bá Thước", "Cẩm Thủy", "Đông Sơn", "Hà Trung",
    "Hậu Lộc", "Hoằng Hóa", "Lang Chánh", "Mường Lát", "Nga Sơn", "Ngọc Lặc", "Như Thanh",
    "Như Xuân", "Nông Cống", "Quan Hóa", "Quan Sơn", "Quảng Xương", "Thạch Thành", "Thiệu Hóa",
    "Thọ Xuân", "Thường Xuân", "Triệu Sơn", "Vĩnh Lộc", "Yên Định",
]
# The mountainous west has few enterprises, the city and Nghi Sơn many.
WEIGHTS = {"Thanh Hóa": 12, "Nghi Sơn": 10, "Sầm Sơn": 5, "Bỉm Sơn": 5, "Mường Lát": 0.3,
           "Quan Hóa": 0.3, "Quan Sơn": 0.3}
INDUSTRIES = "CCCCCCGGGFFAHIIMNQPSEBDJKLORTU"
GRADES = ["very_low", "low", "medium", "high", "very_high"]
GRADE_WEIGHTS = [25, 30, 25, 14, 6]
ITEMS = ["ORG-1", "ORG-2", "ORG-3", "SCR-1", "SCR-2", "SCR-4", "HYG-1", "HYG-2", "MSK-1",
         "MSK-3", "VEN-1", "VAC-1", "COM-1", "CTX-4", "CAN-2"]
CRITICAL = {"ORG-1", "SCR-1", "SCR-4", "HYG-1", "MSK-1"}
COMMUNES_PER_DISTRICT = 20
ASSESSMENTS_PER_ENTERPRISE = 10
REVIEWED_GRADES = {"high", "very_high"}  # the province's default (Province.review_grades)
OFFICER_SHARE = 0.9


class Writer:
    """Bulk rows into one table: COPY on PostgreSQL, executemany on SQLite."""

    def __init__(self, connection, dialect: str):
        self.raw = connection.connection.dbapi_connection
        self.dialect = dialect

    def write(self, table: str, columns: list[str], rows: list[tuple]) -> None:
        if not rows:
            return
        cursor = self.raw.cursor()
        if self.dialect == "postgresql":
            with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            marks = ", ".join("?" for _ in columns)
            cursor.executemany(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})",
                               rows)
        cursor.close()


# The decision row of every decided assessment, made in SQL from the statuses just written.
REVIEWS_SQL = """
INSERT INTO assessment_review (assessment_id, enterprise_id, province_id, area_id, decision,
                               automatic, reviewer_id, decided_at)
SELECT id, enterprise_id, province_id, area_id,
       CASE review_status WHEN 'returned' THEN 'returned' ELSE 'accepted' END,
       review_status = 'auto_accepted',
       CASE WHEN review_status = 'auto_accepted' THEN NULL ELSE 1 END, submitted_at
FROM assessment WHERE review_status <> 'pending'
"""


def _review_status(grade: str, current: bool, rng: random.Random) -> str:
    """Where an assessment stands with the review: grades not reviewed are accepted on submit;
    of the current reviewed ones ~11 % are pending (~0.2 % of all) and a few returned."""
    if grade not in REVIEWED_GRADES:
        return "auto_accepted"
    draw = rng.random()
    if current:
        return "pending" if draw < .11 else "returned" if draw < .125 else "accepted"
    return "returned" if draw < .03 else "accepted"


def _officers(enterprises: int, password: str, now: datetime, rng: random.Random) -> list:
    """One officer account for nine enterprises in ten (whom the reminders reach)."""
    return [(2 + index, f"officer{index}@bench.vn", f"Cán bộ {index}", password, "officer", 1,
             index, True, 1, now)
            for index in range(1, enterprises + 1) if rng.random() < OFFICER_SHARE]


def generate(url: str, enterprises: int, seed: int = 2021, today: date | None = None) -> dict:
    from sqlalchemy import select, text

    from riskapp import create_app, migrate
    from riskapp.auth.services import hash_password
    from riskapp.db import db
    from riskapp.models import ChecklistVersion
    from riskapp.province.rollups import recount_all

    today = today or date.today()
    rng = random.Random(seed)
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "JOBS_INLINE": True})
    timings = {}
    started = time.perf_counter()
    with app.app_context():
        if db.engine.dialect.name == "postgresql":
            with db.engine.begin() as connection:
                connection.execute(text("DROP SCHEMA public CASCADE"))
                connection.execute(text("CREATE SCHEMA public"))
        elif url.startswith("sqlite:///"):
            path = url[len("sqlite:///"):]
            for suffix in ("", "-wal", "-shm"):
                if os.path.exists(path + suffix):
                    os.remove(path + suffix)
            os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    migrate.upgrade(app)
    timings["migrate"] = time.perf_counter() - started
    now = datetime.now(UTC)
    with app.app_context():
        from riskapp import checklists

        version = checklists.default_version()
        db.session.commit()
        version_id = db.session.scalar(select(ChecklistVersion.id).where(
            ChecklistVersion.id == version.id))
        dialect = db.engine.dialect.name
        with db.engine.begin() as connection:
            writer = Writer(connection, dialect)
            step = time.perf_counter()
            writer.write("province", ["id", "code", "name", "created_at"],
                         [(1, "TH", "Thanh Hóa", now)])
            areas, communes, area_id = [], [], 1
            levels = []
            for d_index, district in enumerate(DISTRICTS):
                lat = 19.3 + rng.random() * 1.4
                lon = 104.6 + (d_index / len(DISTRICTS)) * 1.4
                district_id = area_id
                areas.append((district_id, 1, None, f"Huyện {district}", "district", lat, lon))
                levels.append((district_id, district_id, rng.choice([1, 1, 1, 2, 2, 3]),
                               date(2021, 10, 11), now))
                area_id += 1
                for c_index in range(COMMUNES_PER_DISTRICT):
                    areas.append((area_id, 1, district_id, f"Xã {district} {c_index + 1}",
                                  "commune", lat + rng.uniform(-.08, .08),
                                  lon + rng.uniform(-.08, .08)))
                    communes.append((area_id, district, lat, lon))
                    area_id += 1
            writer.write("area", ["id", "province_id", "parent_id", "name", "kind", "latitude",
                                  "longitude"], areas)
            writer.write("area_level", ["id", "area_id", "level", "effective_from",
                                        "created_at"], levels)
            weights = [WEIGHTS.get(c[1], 1) for c in communes]
            password = hash_password("Bench-Password-42")
            users = [(1, "admin@bench.vn", "Quản trị tỉnh", password, "province_admin", 1, None,
                      True, 1, now),
                     (2, "ward@bench.vn", "Quản trị phường", password, "area_admin", 1, None,
                      True, 1, now)]
            enterprise_rows = []
            for index in range(1, enterprises + 1):
                commune = rng.choices(communes, weights)[0]
                enterprise_rows.append((
                    index, 1, commune[0], f"28{index:08d}", f"Công ty TNHH Số {index} Thanh Hóa",
                    rng.choice(INDUSTRIES), None, f"Số {index % 300 + 1}, đường Lê Lợi",
                    round(commune[2] + rng.uniform(-.05, .05), 5),
                    round(commune[3] + rng.uniform(-.05, .05), 5),
                    rng.choice([12, 40, 80, 150, 300, 450, 700, 1500, 3000, 6000]),
                    rng.random() < .5, rng.random() < .2, rng.random() < .1, now, now,
                ))
            writer.write("enterprise", [
                "id", "province_id", "area_id", "tax_code", "name", "industry",
                "industry_division", "address", "latitude", "longitude", "headcount",
                "has_canteen", "has_shuttle", "has_dormitory", "created_at", "updated_at",
            ], enterprise_rows)
            writer.write("user_account", ["id", "email", "name", "password_hash", "role",
                                          "province_id", "enterprise_id", "is_active_account",
                                          "session_version", "created_at"],
                         users + _officers(enterprises, password, now,
                                                  random.Random(seed + 1)))
            writer.write("auditor_area", ["user_id", "area_id"], [(2, 1)])
            timings["territory+enterprises"] = time.perf_counter() - step

            step = time.perf_counter()
            columns = ["id", "enterprise_id", "province_id", "checklist_version_id", "status",
                       "answers", "context", "assessed_on", "score", "band", "grade",
                       "failed_critical", "next_due_on", "lock_version", "created_at",
                       "updated_at", "submitted_at", "area_id", "review_status"]
            # The area each assessment was made in: the enterprise's (nothing moved since).
            area_of = {row[0]: row[2] for row in enterprise_rows}
            action_columns = ["assessment_id", "enterprise_id", "province_id", "item_id",
                              "priority", "critical", "points", "position", "action_vi",
                              "action_en", "due_on", "status", "created_at", "updated_at"]
            finding_columns = ["assessment_id", "enterprise_id", "province_id", "visited_on",
                               "confirmed", "answers", "grade", "score", "created_at"]
            context = json.dumps({"area_level": 1, "has_canteen": False, "has_shuttle": False,
                                  "has_dormitory": False, "confirmed_case_14d": False})
            batch, actions, findings, assessment_id = [], [], [], 1
            # A generator of its own: the rest of the province stays as it was without reviews.
            review_rng = random.Random(seed + 15)
            never = set(rng.sample(range(1, enterprises + 1), enterprises // 12))
            # 1/12 never assessed; the others share exactly 10 assessments per enterprise.
            target = enterprises * ASSESSMENTS_PER_ENTERPRISE
            assessed = enterprises - len(never)
            base, extra = divmod(target, assessed)
            total, seen = 0, 0
            for enterprise_id in range(1, enterprises + 1):
                count = 0
                if enterprise_id not in never:
                    count = base + (1 if seen < extra else 0)
                    seen += 1
                last_day = today - timedelta(days=rng.randint(0, 60))
                for k in range(count):
                    day = last_day - timedelta(days=(count - 1 - k) * 70 + rng.randint(0, 5))
                    grade = rng.choices(GRADES, GRADE_WEIGHTS)[0]
                    due_days = 7 if grade in ("high", "very_high") else rng.choice([30, 14])
                    current = k == count - 1
                    failed_critical = (rng.randint(1, 3) if grade in ("high", "very_high")
                                       and rng.random() < .6 else 0)
                    batch.append((
                        assessment_id, enterprise_id, 1, version_id,
                        "submitted" if current else "superseded", "{}", context, day,
                        round(rng.uniform(5, 90), 1), grade, grade, failed_critical,
                        day + timedelta(days=due_days), 1, now, now, now, area_of[enterprise_id],
                        _review_status(grade, current, review_rng),
                    ))
                    if current:
                        failing = rng.sample(ITEMS, rng.randint(0, 6))
                        critical = [i for i in failing if i in CRITICAL][:failed_critical]
                        for position, item in enumerate(failing):
                            is_critical = item in critical
                            priority = "P1" if is_critical else rng.choice(["P2", "P2", "P3"])
                            actions.append((
                                assessment_id, enterprise_id, 1, item, priority, is_critical,
                                10.0, position, f"Khắc phục {item}", f"Fix {item}",
                                day + timedelta(days=1 if priority == "P1" else 7),
                                rng.choice(["open", "open", "in_progress", "done"]), now, now,
                            ))
                        if rng.random() < .03:
                            findings.append((assessment_id, enterprise_id, 1, today, True, "{}",
                                             rng.choices(GRADES, GRADE_WEIGHTS)[0], 30.0, now))
                    assessment_id += 1
                    total += 1
                if len(batch) >= 50_000:
                    writer.write("assessment", columns, batch)
                    batch = []
            writer.write("assessment", columns, batch)
            # Each enterprise's assessments have consecutive ids: the next one supersedes.
            connection.execute(text(
                "UPDATE assessment SET superseded_by_id = id + 1 WHERE status = 'superseded'"))
            writer.write("remediation_action", action_columns, actions)
            writer.write("finding", finding_columns, findings)
            timings["assessments"] = time.perf_counter() - step
            step = time.perf_counter()
            connection.execute(text(REVIEWS_SQL))
            timings["reviews"] = time.perf_counter() - step
            if dialect == "postgresql":
                for table in ("area", "enterprise", "assessment", "user_account", "area_level",
                              "auditor_area", "assessment_review"):
                    connection.execute(text(
                        f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                        f"(SELECT max(id) FROM {table}))"))
        step = time.perf_counter()
        summary = recount_all(1)
        db.session.commit()
        timings["recount_all"] = time.perf_counter() - step
        with db.engine.begin() as connection:
            connection.execute(text("ANALYZE"))
    return {"enterprises": enterprises, "assessments": total, "actions": len(actions),
            "findings": len(findings), **summary,
            "timings": {k: round(v, 1) for k, v in timings.items()}}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default="sqlite:///bench/out/province.sqlite3")
    parser.add_argument("--enterprises", type=int, default=100_000)
    args = parser.parse_args()
    started = time.perf_counter()
    result = generate(args.url, args.enterprises)
    result["total_seconds"] = round(time.perf_counter() - started, 1)
    print(json.dumps(result, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
