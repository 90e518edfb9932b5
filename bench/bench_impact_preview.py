"""Impact preview over 100,000 current assessments: the background job end to end, vs 30 s.

    python bench/bench_impact_preview.py                       # SQLite, bench/out/impact.sqlite3
    python bench/bench_impact_preview.py --database-url postgresql+psycopg://postgres@127.0.0.1:5432/bench_impact

The province is built by bench/generate_province.py with one assessment per enterprise (so
100,000 of its 109,091 enterprises have a current one; `--reuse` keeps an existing database),
then the current assessments get real typed answers to the default checklist (eight variants,
from good practice to a suspension) so the engine grades what an officer submits. The bench asks
for a whole-province level-3 preview and a checklist-activation preview and runs each job as the
worker does (run_preview_task: batches by key, progress committed per batch), timing each from
the task's start to the stored figures. Prints each time beside the 30 s target, with the load.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from datetime import date

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

TARGET_SECONDS = 30.0
CURRENT = 100_000
# generate_province leaves one enterprise in twelve never assessed.
ENTERPRISES = CURRENT * 12 // 11 + 1
FLIPS = [{}, {"MSK-1": "no"}, {"SCR-1": "none"}, {"ORG-2": "yes", "ORG-3": "yes"},
         {"VEN-1": "none", "HYG-1": "no"}, {"SCR-3": "yes"}, {"COM-1": "no", "MSK-4": "yes"},
         {"MSK-1": "no", "SCR-1": "none", "ORG-1": "no"}]


def build(url: str, reuse: bool) -> None:
    """The province (once), then real answers on the current assessments."""
    import generate_province

    if not reuse:
        generate_province.ASSESSMENTS_PER_ENTERPRISE = 1
        summary = generate_province.generate(url, ENTERPRISES)
        print("generated:", json.dumps(summary["timings"]))
    _real_answers(url)


def _real_answers(url: str) -> None:
    from sqlalchemy import text

    from riskapp import create_app
    from riskapp.db import db
    from riskapp.scoring import coerce_answers, get_checklist
    from tests.factories import ANSWERS

    checklist = get_checklist()
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "JOBS_INLINE": True})
    with app.app_context(), db.engine.begin() as connection:
        for k, flip in enumerate(FLIPS):
            answers = coerce_answers(checklist, {**ANSWERS, **flip})
            connection.execute(text(
                "UPDATE assessment SET answers = :answers WHERE status = 'submitted' "
                "AND id % :n = :k"), {"answers": json.dumps(answers), "n": len(FLIPS), "k": k})


def time_preview(url: str, kind: str) -> dict:
    """Ask for one preview (held, not run), then run its job as the worker does."""
    from sqlalchemy import select

    from riskapp import checklists, create_app
    from riskapp.db import db
    from riskapp.impact import services
    from riskapp.jobs import JobRunner
    from riskapp.models import ImpactPreview, User
    from riskapp.province import versions
    from tests.factories import checklist_source

    # The work item is stored but handed to no worker: this process runs it, timed, alone.
    JobRunner.hand_over = lambda self, item_id: True
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "JOBS_INLINE": True})
    with app.test_request_context():
        admin = db.session.scalar(select(User).where(User.email == "admin@bench.vn"))
        if kind == "province_level":
            preview = services.start_level_preview(1, None, 3, date.today(), admin)
        else:
            version = checklists.register(versions.parse_upload(
                checklist_source(9).encode(), "v9.yaml"), province_id=1)
            preview = services.start_checklist_preview(1, version, date.today(), admin)
        db.session.commit()
        preview_id = preview.id
    load = os.getloadavg()
    with app.app_context():
        started = time.perf_counter()
        services.run_preview_task(preview_id)
        seconds = time.perf_counter() - started
        row = db.session.get(ImpactPreview, preview_id)
        return {"kind": kind, "status": row.status.value, "replayed": row.result["replayed"],
                "seconds": round(seconds, 1), "target_s": TARGET_SECONDS,
                "per_second": round(row.result["replayed"] / seconds),
                "load_1_5_15": [round(x, 2) for x in load]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default="sqlite:///bench/out/impact.sqlite3")
    parser.add_argument("--reuse", action="store_true", help="keep the generated province")
    args = parser.parse_args()
    started = time.perf_counter()
    build(args.database_url, args.reuse)
    print(f"built in {time.perf_counter() - started:.1f} s, load {os.getloadavg()}")
    backend = args.database_url.split(":", 1)[0]
    print(f"{'backend':<22}{'preview':<22}{'replayed':>9}{'seconds':>9}{'target':>8}"
          f"{'per s':>8}  load 1/5/15")
    for kind in ("province_level", "checklist_activation"):
        r = time_preview(args.database_url, kind)
        verdict = "ok" if r["seconds"] <= TARGET_SECONDS else "SLOW"
        print(f"{backend:<22}{kind:<22}{r['replayed']:>9,}{r['seconds']:>9}{TARGET_SECONDS:>8}"
              f"{r['per_second']:>8,}  {r['load_1_5_15']} {verdict}")


if __name__ == "__main__":
    main()
