"""The control loop at 100,000 enterprises and 1,000,000 assessments: a reporting round's
progress, who has not reported, the review queue, the dashboard, and reminding 10,000 enterprises.

    python bench/generate_province.py --url URL     # once
    python bench/bench_control_loop.py --url URL [--runs 20] [--redis redis://127.0.0.1:6379/15]

Opens a round targeting every enterprise (open date 20 days back: the frozen INSERT … SELECT and
the receipts read back from the assessments since), then requests each page through Flask's test
client — the whole request: session, routing, SQL, templating — as the province admin
(admin@bench.vn) and as a commune/ward admin bound to the first former district, the city
(ward@bench.vn; created here when the generator did not). Deep pages of the not-reported list are
asked as the pager's links ask them (the key of the row to continue after) and by number. The
round's progress XLSX is timed too (no target: a download, not a page). With --vacuum (PostgreSQL)
the new targets are vacuumed before the pages are timed, as autovacuum does soon after an opening.

Then POSTs /province/reporting/remind for "all matching" unreported enterprises of the city: the
request only stores a work item and hands it to RQ (its own queue on --redis, emptied again);
the task is then run here, its mail going to an in-memory outbox. Today's reminder log, the work
items, and the round are deleted at the end. Prints median / p95 (ms) beside each target as JSON.
"""

from __future__ import annotations

import argparse
import html
import json
import logging
import os
import re
import statistics
import sys
import time
from datetime import timedelta

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

TARGET_PAGE_P95_MS = 150
TARGET_REMIND_SECONDS = 5
MIN_REMINDED = 10_000
PASSWORD = "Bench-Password-42"
ADMIN, WARD = "admin@bench.vn", "ward@bench.vn"
CITY = 1  # the generator's first former district: the city, the most enterprises
RQ_QUEUE = "riskapp-control-loop-bench"


def _p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(0.95 * (len(ordered) - 1))))]


def _summary(times: list[float], target: float) -> dict:
    p95 = _p95(times)
    return {"median_ms": round(statistics.median(times), 1), "p95_ms": round(p95, 1),
            "target_p95_ms": target, "met": p95 <= target}


def _ensure_ward_admin(app) -> None:
    """The commune/ward admin of the city (older generated databases have none)."""
    from riskapp.auth.services import hash_password
    from riskapp.db import db
    from riskapp.models import AuditorArea, Role, User

    with app.app_context():
        if db.session.query(User).filter_by(email=WARD).one_or_none() is None:
            user = User(email=WARD, name="Quản trị phường", role=Role.AREA_ADMIN, province_id=1,
                        password_hash=hash_password(PASSWORD))
            db.session.add(user)
            db.session.flush()
            db.session.add(AuditorArea(user_id=user.id, area_id=CITY))
            db.session.commit()


def _open_round(app) -> tuple[int, dict]:
    from riskapp import territory
    from riskapp.db import db
    from riskapp.models import User
    from riskapp.rounds import services
    from riskapp.rounds.targets import Criteria

    with app.test_request_context():
        admin = db.session.query(User).filter_by(email=ADMIN).one()
        today = territory.province_today(admin.province_id)
        started = time.perf_counter()
        round_ = services.open_round(admin.province_id, services.RoundPlan(
            "Bench", today - timedelta(days=20), today + timedelta(days=10), None, Criteria()),
            admin)
        db.session.commit()
        return round_.id, {"open_seconds": round(time.perf_counter() - started, 2),
                           "expected": round_.expected}


def _vacuum_targets(app) -> float | None:
    """On PostgreSQL, VACUUM the targets as autovacuum does within a minute or two of the opening
    (a round stays open for weeks): until then the progress GROUP BY and the list's pages check
    every freshly inserted row in the table (no page is all-visible yet). Returns the seconds."""
    from sqlalchemy import text

    from riskapp.db import db

    with app.app_context():
        if db.engine.dialect.name != "postgresql":
            return None
        started = time.perf_counter()
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(text("VACUUM (ANALYZE) round_target"))
        return round(time.perf_counter() - started, 1)


def _drop_round(app, round_id: int) -> None:
    from sqlalchemy import delete

    from riskapp.db import db
    from riskapp.models import ReportingRound, RoundTarget

    with app.app_context():
        db.session.execute(delete(RoundTarget).where(RoundTarget.round_id == round_id))
        db.session.execute(delete(ReportingRound).where(ReportingRound.id == round_id))
        db.session.commit()


def _client(app, email: str):
    client = app.test_client()
    response = client.post("/auth/login", data={"email": email, "password": PASSWORD})
    assert response.status_code == 302, "log in failed: run generate_province.py first"
    client.get("/lang/vi")
    return client


def _time(client, path: str, runs: int) -> list[float]:
    assert client.get(path).status_code == 200, path  # warm the caches (area tree, statements)
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        response = client.get(path)
        times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, (path, response.status_code)
    return times


def _link(body: str, key: str) -> str:
    found = re.search(r'<a href="([^"]*[?&;]' + key + '=[^"]*)"', body)
    assert found, f"no pager link with {key}="
    return html.unescape(found.group(1))


def _deep_pages(client, round_id: int) -> dict[str, str]:
    """The not-reported list's page 40 (or its middle) and last page as the pager's Next links
    ask for them (the key of the row to continue after), and the last page by its number."""
    base = f"/province/rounds/{round_id}"
    body = client.get(f"{base}?page=1000000").get_data(as_text=True)  # brought to the last
    last = int(re.search(r"Trang (\d+)/\1", body).group(1))
    middle, deep = min(40, last // 2), {}
    for number in (middle, last):
        before = client.get(f"{base}?page={number - 1}").get_data(as_text=True)
        deep[number] = _link(before, "after")
    return {f"not reported, page {middle} (Next link)": deep[middle],
            f"not reported, last page {last} (Next link)": deep[last],
            f"not reported, last page {last} (by number)": f"{base}?page={last}"}


def _pages(client, round_id: int) -> dict[str, str]:
    return {
        "dashboard": "/province/",
        "who has not reported (where reminders are sent from)": "/province/reporting",
        "round progress page (with the first page of the not reported)":
            f"/province/rounds/{round_id}",
        **_deep_pages(client, round_id),
        "review queue, first page": "/province/reviews/",
        "review queue, grade very high, page 2": "/province/reviews/?grade=very_high&page=2",
        "review queue, one commune": f"/province/reviews/?area={CITY + 1}",
    }


def _export(client, round_id: int, runs: int = 2) -> dict:
    """The progress XLSX (every area, every target not reported with its contacts)."""
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        assert client.get(f"/province/rounds/{round_id}/progress.xlsx").status_code == 200
        times.append(time.perf_counter() - started)
    return {"progress_xlsx_seconds": round(min(times), 1)}


def _remind(app, client, runs: int, at_least: int) -> dict:
    """Request time of reminding every unreported enterprise of the city ("all matching"), then
    the task's time sending them (mail to the in-memory outbox)."""
    from sqlalchemy import delete, func, select

    from riskapp import territory
    from riskapp.db import db
    from riskapp.jobs.runner import execute
    from riskapp.mail import OUTBOX
    from riskapp.models import AuditLog, ReminderLog, WorkItem
    from riskapp.province import followup

    with app.app_context():
        first_item = (db.session.scalar(select(func.max(WorkItem.id))) or 0) + 1
        today = territory.province_today(1)
        db.session.execute(delete(ReminderLog).where(ReminderLog.kind == followup.NUDGE_KIND,
                                                     ReminderLog.sent_on == today))
        db.session.commit()
    times, message = [], ""
    for _ in range(runs):
        started = time.perf_counter()
        response = client.post("/province/reporting/remind",
                               data={"target": "all", "area_id": str(CITY)})
        times.append(time.perf_counter() - started)
        assert response.status_code == 302
    with app.app_context():
        items = list(db.session.scalars(select(WorkItem).where(
            WorkItem.id >= first_item, WorkItem.task == followup.NUDGE_TASK)))
        queued = db.session.scalar(select(AuditLog.details).where(
            AuditLog.action == "province_nudge_queued").order_by(AuditLog.id.desc()).limit(1)
        )["enterprises"]
        started = time.perf_counter()
        message = execute(items[0].id, any_time=True)
        sending = time.perf_counter() - started
        logged = db.session.scalar(select(func.count()).select_from(ReminderLog).where(
            ReminderLog.kind == followup.NUDGE_KIND, ReminderLog.sent_on == today))
        outbox = len(app.extensions.get(OUTBOX, []))
        db.session.execute(delete(ReminderLog).where(ReminderLog.kind == followup.NUDGE_KIND,
                                                     ReminderLog.sent_on == today))
        db.session.execute(delete(WorkItem).where(WorkItem.id.in_([i.id for i in items])))
        db.session.commit()
    assert queued >= at_least, f"only {queued} enterprises to remind"
    return {"enterprises": queued, "requests": runs,
            "request_median_s": round(statistics.median(times), 2),
            "request_max_s": round(max(times), 2), "target_request_s": TARGET_REMIND_SECONDS,
            "met": max(times) <= TARGET_REMIND_SECONDS,
            "task_seconds": round(sending, 1), "task_result": message,
            "officers_logged": logged, "mails_in_outbox": outbox}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default="sqlite:///bench/out/province.sqlite3")
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/15")
    parser.add_argument("--min-reminded", type=int, default=MIN_REMINDED)
    parser.add_argument("--vacuum", action="store_true",
                        help="PostgreSQL: VACUUM the new targets first, as autovacuum soon does")
    args = parser.parse_args()

    from riskapp import create_app

    app = create_app({"SQLALCHEMY_DATABASE_URI": args.url, "WTF_CSRF_ENABLED": False,
                      "RATELIMIT_ENABLED": False, "JOBS_INLINE": False,
                      "JOB_DISPATCHER": False, "REDIS_URL": args.redis, "RQ_QUEUE": RQ_QUEUE,
                      "MAIL_SERVER": None, "MAIL_OUTBOX": True})
    app.logger.setLevel(logging.WARNING)  # not one log line per reminder mail
    load = {"start": [round(x, 1) for x in os.getloadavg()]}
    _ensure_ward_admin(app)
    round_id, opening = _open_round(app)
    if args.vacuum:
        opening["vacuum_seconds"] = _vacuum_targets(app)
    results = {}
    try:
        for who, email in (("province admin", ADMIN), ("commune/ward admin (city)", WARD)):
            client = _client(app, email)
            for name, path in _pages(client, round_id).items():
                results[f"{who}: {name}"] = _summary(_time(client, path, args.runs),
                                                     TARGET_PAGE_P95_MS)
        exports = _export(_client(app, ADMIN), round_id)
        reminders = _remind(app, _client(app, ADMIN), max(3, args.runs // 4),
                            args.min_reminded)
    finally:
        _drop_round(app, round_id)
        with app.app_context():
            app.extensions["riskapp.jobs"].queue().empty()
    load["end"] = [round(x, 1) for x in os.getloadavg()]
    print(json.dumps({"database": args.url.split(":")[0], "runs": args.runs,
                      "load_average": load, "round": {**opening, **exports}, "pages": results,
                      "reminders_to_the_city": reminders}, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
