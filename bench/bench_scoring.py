"""Scoring engine speed on one core: assessments scored per second, and re-grading stored results.

    python bench/bench_scoring.py            # ~1 minute
    python bench/bench_scoring.py --quick    # a few seconds, smaller samples
    python bench/bench_scoring.py --full     # re-grade 1,000,000 stored results for real

Figures are CPU time of this process (time.process_time), best of several rounds, so other
load on the machine inflates them less. Inputs are generated with a fixed seed.
"""

from __future__ import annotations

import argparse
import json
import platform
import random
import sys
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from riskapp.scoring import (  # noqa: E402
    Context,
    Result,
    get_checklist,
    regrade,
    score,
    validate,
)

CHECKLIST = get_checklist()
ON = date(2021, 11, 1)


def typical_assessment(rng: random.Random) -> tuple[Context, dict]:
    """A plausible site: most measures in place, a few items failing."""
    context = Context(
        area_level=rng.choice([1, 1, 2, 2, 3, 4]),
        has_canteen=rng.random() < 0.6,
        has_shuttle=rng.random() < 0.3,
        has_dormitory=rng.random() < 0.2,
        confirmed_case_14d=rng.random() < 0.05,
    )
    answers: dict = {}
    workers = int(rng.lognormvariate(5.5, 1.2)) + 1
    for item in CHECKLIST.items:
        if item.id == "CTX-1":
            answers[item.id] = workers
        elif item.id == "CTX-2":
            answers[item.id] = round(workers * rng.uniform(2, 20), 1)
        elif item.id in ("HYG-2", "VAC-1"):
            answers[item.id] = rng.choice([100, 95, 90, 85, 80, 70, 60, 40])
        elif item.id == "TRN-1":
            answers[item.id] = rng.choice([0, 10, 20, 40, 60])
        elif item.id == "TRN-2":
            answers[item.id] = rng.choice([1, 1, 2, 3, 5])
        elif item.id == "DRM-1":
            answers[item.id] = rng.choice([2, 4, 4, 6, 10])
        else:
            counted = [o for o in item.options if o.points is not None]
            best = min(counted, key=lambda o: o.points)
            answers[item.id] = best.id if rng.random() < 0.8 else rng.choice(counted).id
    return context, answers


def uniform_assessment(rng: random.Random) -> tuple[Context, dict]:
    """Every answer uniformly at random: about half the items fail (a worst case)."""
    context = Context(
        area_level=rng.randint(1, 4),
        has_canteen=rng.random() < 0.5,
        has_shuttle=rng.random() < 0.5,
        has_dormitory=rng.random() < 0.5,
        confirmed_case_14d=rng.random() < 0.1,
    )
    answers: dict = {}
    for item in CHECKLIST.items:
        if item.id == "CTX-1":
            answers[item.id] = rng.randint(1, 8000)
        elif item.id == "CTX-2":
            answers[item.id] = rng.randint(100, 100000)
        elif item.kind.value == "percent":
            answers[item.id] = rng.randint(0, 100)
        elif item.kind.is_numeric:
            answers[item.id] = rng.randint(1, 12)
        else:
            answers[item.id] = rng.choice([o.id for o in item.options if o.points is not None])
    return context, answers


def best_rate(work, count: int, rounds: int) -> float:
    """Items per CPU second, best of `rounds`."""
    best = float("inf")
    for _ in range(rounds):
        started = time.process_time()
        work()
        best = min(best, time.process_time() - started)
    return count / best


def bench_scoring(samples: int, rounds: int) -> dict[str, float]:
    rng = random.Random(2021)
    figures = {}
    for name, make in (("typical", typical_assessment), ("uniform", uniform_assessment)):
        inputs = [make(rng) for _ in range(samples)]

        def run(inputs=inputs):
            for context, answers in inputs:
                score(CHECKLIST, context, answers, ON)

        figures[f"score_{name}"] = best_rate(run, len(inputs), rounds)
        if name == "typical":

            def check(inputs=inputs):
                for context, answers in inputs:
                    validate(CHECKLIST, context, answers)

            figures["validate_typical"] = best_rate(check, len(inputs), rounds)
        plans = [score(CHECKLIST, c, a, ON).improvement_plan.method for c, a in inputs]
        for method in ("exhaustive", "greedy", "none"):
            figures[f"plan_{name}_{method}"] = plans.count(method) / len(plans)
    return figures


def bench_regrade(stored: int, total: int, rounds: int) -> dict[str, float]:
    """Re-grade stored results (JSON text, as in the database) at a new area level."""
    rng = random.Random(128)
    texts = []
    for _ in range(stored):
        context, answers = typical_assessment(rng)
        result = score(CHECKLIST, context, answers, ON)
        texts.append(json.dumps(result.to_dict(), ensure_ascii=False))
    objects = [Result.from_dict(json.loads(t)) for t in texts]

    def from_json():
        done = 0
        while done < total:
            for text in texts:
                old = Result.from_dict(json.loads(text))
                new = regrade(CHECKLIST, old, area_level=(old.context.area_level % 4) + 1)
                json.dumps(new.to_dict(), ensure_ascii=False)
                done += 1
                if done == total:
                    break

    def in_memory():
        done = 0
        while done < total:
            for old in objects:
                regrade(CHECKLIST, old, area_level=(old.context.area_level % 4) + 1)
                done += 1
                if done == total:
                    break

    return {
        "regrade_json_per_s": best_rate(from_json, total, rounds),
        "regrade_objects_per_s": best_rate(in_memory, total, rounds),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small samples, one round")
    parser.add_argument("--full", action="store_true", help="re-grade 1,000,000 for real")
    args = parser.parse_args()
    samples, rounds = (2_000, 1) if args.quick else (20_000, 3)
    regrade_total = 1_000_000 if args.full else (10_000 if args.quick else 100_000)

    name = f"{CHECKLIST.id} v{CHECKLIST.version} ({len(CHECKLIST.items)} items)"
    print(f"python {platform.python_version()} on {platform.machine()}, checklist {name}")
    figures = bench_scoring(samples, rounds)
    print(f"score(), typical sites:   {figures['score_typical']:>9,.0f} assessments/s "
          f"({1e6 / figures['score_typical']:.1f} µs each; target 20,000/s)")
    print(f"score(), uniform answers: {figures['score_uniform']:>9,.0f} assessments/s "
          f"({1e6 / figures['score_uniform']:.1f} µs each; worst case, ~half the items fail)")
    print(f"validate(), typical:      {figures['validate_typical']:>9,.0f} assessments/s")
    for name in ("typical", "uniform"):
        shares = ", ".join(f"{m} {figures[f'plan_{name}_{m}']:.0%}"
                           for m in ("exhaustive", "greedy", "none"))
        print(f"  improvement plans ({name}): {shares}")

    regrade_figures = bench_regrade(5_000, regrade_total, 1 if args.quick else 2)
    per_s = regrade_figures["regrade_json_per_s"]
    measured = f"measured on {regrade_total:,}" + ("" if args.full else ", extrapolated")
    print(f"re-grade stored results (JSON → Result → regrade → JSON): {per_s:,.0f}/s; "
          f"1,000,000 take {1_000_000 / per_s:,.0f} s ({measured})")
    in_memory = regrade_figures["regrade_objects_per_s"]
    print(f"re-grade Result objects already in memory: {in_memory:,.0f}/s; "
          f"1,000,000 take {1_000_000 / in_memory:,.0f} s ({measured})")


if __name__ == "__main__":
    main()
