"""Notifications at volume: N messages queued through notify() and delivered by real RQ workers
(`flask jobs worker`, each an RQ worker and a dispatcher) to local receivers — aiosmtpd for
e-mail, HTTP servers speaking eSMS.vn's and Zalo ZNS's formats — while one worker is SIGKILLed
mid-batch (with its work-horse) and started again.

    python bench/bench_notifications.py [--messages 10000] [--workers 2] [--kill-at 0.3]
        [--database-url postgresql+psycopg://postgres@127.0.0.1:5432/notify_test]
        [--redis-url redis://127.0.0.1:6379/12]

The database is emptied and migrated; Redis db 12 is flushed. Each message has one delivery
(60 % e-mail, 20 % SMS, 20 % ZNS; the in-app message is the row itself). Prints throughput
(queued/s, delivered/s), delivered, lost (a delivery never received), sent twice (an idempotency
key — Message-ID, RequestId, tracking_id — received more than once) and the machine's load.
Loopback only; every process started is ended.
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

from bench.faults import kill_everything, kill_session, spawn  # noqa: E402
from tests.notifications.receivers import (  # noqa: E402
    EsmsReceiver,
    SmtpReceiver,
    ZnsReceiver,
)

KINDS = ("reminder", "review_decision", "round_reminder", "round_escalation",
         "action_assigned", "province_nudge", "level_change")
USERS = 1000


def _environment(args, smtp: SmtpReceiver, esms: EsmsReceiver, zns: ZnsReceiver) -> dict:
    env = {
        "DATABASE_URL": args.database_url, "REDIS_URL": args.redis_url,
        "RQ_QUEUE": "riskapp-bench-notifications",
        # Short tasks: one process per worker instead of a forked horse per job (--fork).
        **({} if args.fork else {"RQ_WORKER_CLASS": "rq.worker.SimpleWorker"}),
        "MAIL_SERVER": "127.0.0.1", "MAIL_PORT": str(smtp.port), "MAIL_USE_TLS": "0",
        "SMS_GATEWAY_URL": esms.url, "SMS_API_KEY": esms.api_key,
        "SMS_SECRET_KEY": esms.secret_key, "SMS_BRANDNAME": esms.brandname,
        "ZNS_API_URL": zns.url, "ZNS_ACCESS_TOKEN": zns.token,
        "JOB_DISPATCH_SECONDS": "1", "JOB_HANDOVER_GRACE": "5",
        "RATELIMIT_ENABLED": "0", "STORAGE_DIR": str(Path(args.workdir) / "storage"),
        "SECRET_KEY": "bench-secret-key-that-is-long-enough-0123456789",
    }
    env.update({f"ZNS_TEMPLATE_{kind.upper()}": f"20000{n}"
                for n, kind in enumerate(KINDS, start=1)})
    return env


def _empty_database(url: str) -> None:
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(text("DROP SCHEMA public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
    engine.dispose()


def _seed(app) -> list[int]:
    """A province, an enterprise and USERS officers with a phone and one channel each."""
    from riskapp.db import db
    from riskapp.models import Role
    from riskapp.notifications import services
    from tests import factories

    with app.app_context():
        province = factories.make_province("BN", "Tỉnh đo thông báo")
        area = factories.make_area(province, "Huyện đo")
        enterprise = factories.make_enterprise(area, "9000000001", "Công ty Đo Lường")
        users = []
        for number in range(USERS):
            user = factories.make_user(f"officer{number}@notify.bench", Role.OFFICER,
                                       enterprise=enterprise, name=f"Cán bộ {number}")
            user.phone = f"8491{number:07d}"
            channel = ("email", "email", "email", "sms", "zns")[number % 5]
            services.save_settings(user, {kind: [channel] for kind in KINDS}, user.phone,
                                   None, None)
            users.append(user.id)
        db.session.commit()
        return users


def _queue(app, users: list[int], messages: int, batch: int = 500) -> float:
    """notify() `messages` times, committing every `batch` (each commit hands its items to RQ)."""
    from riskapp.db import db
    from riskapp.models import User
    from riskapp.notifications import services

    started = time.perf_counter()
    with app.app_context():
        people = {user.id: user for user in db.session.query(User).filter(User.id.in_(users))}
        for number in range(messages):
            user = people[users[number % len(users)]]
            services.notify(user, "reminder", lambda lang, n=number: (
                f"Nhắc việc số {n}", f"Bản tự đánh giá rủi ro số {n} đã đến hạn."),
                dedup_key=f"bench:{number}", context={"number": str(number)})
            if (number + 1) % batch == 0:
                db.session.commit()
        db.session.commit()
    return time.perf_counter() - started


def _counts(app) -> dict[str, int]:
    from sqlalchemy import func, select

    from riskapp.db import db
    from riskapp.models import NotificationDelivery

    with app.app_context():
        rows = db.session.execute(select(NotificationDelivery.status, func.count())
                                  .group_by(NotificationDelivery.status)).all()
        db.session.rollback()
    return dict(rows)


def _worker(env: dict, log) -> subprocess.Popen:
    flask = os.path.join(os.path.dirname(sys.executable), "flask")
    return spawn([flask, "--app", "wsgi", "jobs", "worker"], env, log)


def _received(smtp, esms, zns) -> tuple[int, int]:
    """(distinct idempotency keys received, receptions beyond the first of a key)."""
    ids = smtp.ids + esms.ids + zns.ids
    return len(ids), sum(count - 1 for count in ids.values() if count > 1)


def run(args) -> int:
    smtp, esms, zns = SmtpReceiver().start(), EsmsReceiver().start(), ZnsReceiver().start()
    env = {**os.environ, **_environment(args, smtp, esms, zns)}
    os.environ.update(_environment(args, smtp, esms, zns))
    from redis import Redis

    from riskapp import create_app, migrate

    Redis.from_url(args.redis_url).flushdb()
    _empty_database(args.database_url)
    app = create_app({"JOB_DISPATCHER": False})
    migrate.upgrade(app)
    users = _seed(app)
    log = open(Path(args.workdir) / "workers.log", "ab")  # noqa: SIM115 - closed at the end
    workers = [_worker(env, log) for _ in range(args.workers)]
    load_before = os.getloadavg()
    started = time.perf_counter()
    queue_seconds = _queue(app, users, args.messages)
    print(f"queued {args.messages} in {queue_seconds:.1f} s "
          f"({args.messages / queue_seconds:.0f}/s)", flush=True)
    killed = restarted = None
    deadline = started + args.timeout
    while time.perf_counter() < deadline:
        counts = _counts(app)
        finished = counts.get("delivered", 0) + counts.get("dead", 0)
        if killed is None and finished >= args.kill_at * args.messages:
            kill_session(workers[0])  # SIGKILL the worker's whole session: worker and horse
            killed = finished
            print(f"SIGKILL worker 1 (and its work-horse) at {finished} finished", flush=True)
            time.sleep(2)
            workers[0] = _worker(env, log)
            restarted = time.perf_counter() - started
        if finished >= args.messages:
            break
        time.sleep(0.5)
    elapsed = time.perf_counter() - started
    load_after = os.getloadavg()
    counts = _counts(app)
    for worker in workers:
        worker.send_signal(signal.SIGTERM)
    time.sleep(1)
    kill_everything()
    distinct, repeats = _received(smtp, esms, zns)
    delivered = counts.get("delivered", 0)
    print(f"deliveries: {counts}")
    print(f"elapsed (queue + delivery): {elapsed:.1f} s; delivered/s: {delivered / elapsed:.1f}")
    print(f"delivered {delivered} of {args.messages}; received distinct {distinct} "
          f"(e-mail {len(smtp.ids)}, SMS {len(esms.ids)}, ZNS {len(zns.ids)})")
    print(f"lost: {args.messages - distinct}; sent twice: {repeats}")
    print(f"killed at {killed} finished; worker restarted at {restarted or 0:.1f} s")
    print(f"load average before {load_before}, after {load_after}; cpus {os.cpu_count()}")
    for server in (smtp, esms, zns):
        server.stop()
    return 0 if distinct == args.messages and delivered == args.messages else 1


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=10_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--kill-at", type=float, default=0.3)
    parser.add_argument("--fork", action="store_true", help="RQ's forking worker (default: "
                        "SimpleWorker, one process per worker)")
    parser.add_argument("--timeout", type=float, default=1500)
    parser.add_argument("--database-url",
                        default="postgresql+psycopg://postgres@127.0.0.1:5432/notify_test")
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/12")
    parser.add_argument("--workdir", default="/tmp/bench-notifications")
    args = parser.parse_args()
    Path(args.workdir).mkdir(parents=True, exist_ok=True)
    signal.signal(signal.SIGTERM, kill_everything)
    signal.signal(signal.SIGINT, kill_everything)
    sys.exit(run(args))


if __name__ == "__main__":
    main()
