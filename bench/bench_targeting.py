"""Inspection targeting against today's declared-grade ranking and random visits, on a simulated
province of 100,000 enterprises whose true answers are known.

    python bench/bench_targeting.py                 # 10 seeds, ~1 minute of one core
    python bench/bench_targeting.py --seeds 1 --enterprises 20000

Each enterprise has a hidden honesty propensity (logit = base + industry effect + area effect +
noise); its true answers to ten checklist items are drawn, and an under-declarer flips most of
its failing items to passing. Grades of the declared and the true answers come from the real
engine (riskapp.scoring; memoised per answer pattern). A past round (same propensities, answers
drawn again) gives 2,000 audits: 90 % from today's ranking, 10 % stratified at random. Then, on
the current round, at budgets of 100 and 1,000 visits: under-declarers caught per 100 visits and
grade steps caught, for the new targeting, today's ranking and random visits, averaged over seeds.
Areas and industries are those of bench/generate_province.py.
"""

from __future__ import annotations

import argparse
import math
import os
import random
import sys
import time
from dataclasses import dataclass
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.generate_province import (  # noqa: E402
    COMMUNES_PER_DISTRICT,
    DISTRICTS,
    INDUSTRIES,
    WEIGHTS,
)
from riskapp.scoring import Context, get_checklist, score  # noqa: E402
from riskapp.targeting import model  # noqa: E402

CHECKLIST = get_checklist()
ON = date(2026, 12, 1)
CONTEXT = Context(area_level=2, has_canteen=True, has_shuttle=False, has_dormitory=False,
                  confirmed_case_14d=False)
# The items whose answers vary (pass: the best option, fail: the worst); the others are answered
# well by everyone.
VARYING = ("ORG-1", "ORG-2", "SCR-1", "SCR-3", "SCR-4", "HYG-1", "MSK-1", "MSK-3", "VEN-1",
           "CAN-2")
NUMBERS = {"CTX-1": 200, "CTX-2": 2000, "HYG-2": 100, "VAC-1": 95, "TRN-1": 0, "TRN-2": 1,
           "DRM-1": 2}
PAST_AUDITS = 2000
HISTORY_RANDOM_SHARE = 0.1
FLIP = 0.7  # an under-declarer declares a failing item passing with this chance


def _options(item):
    counted = [o for o in item.options if o.points is not None]
    return min(counted, key=lambda o: o.points).id, max(counted, key=lambda o: o.points).id


BASE = {item.id: NUMBERS.get(item.id) if not item.options else _options(item)[0]
        for item in CHECKLIST.items}
FAIL = {item_id: _options(CHECKLIST.item(item_id))[1] for item_id in VARYING}
_GRADES: dict[int, int] = {}


def grade_rank(failing: int) -> int:
    """The engine's grade (rank) of the base answers with the items of the bitmask failing."""
    if failing not in _GRADES:
        answers = dict(BASE)
        for bit, item_id in enumerate(VARYING):
            if failing >> bit & 1:
                answers[item_id] = FAIL[item_id]
        _GRADES[failing] = score(CHECKLIST, CONTEXT, answers, ON).grade.rank
    return _GRADES[failing]


@dataclass(frozen=True)
class Firm:
    enterprise_id: int
    industry: str
    area_id: int
    headcount: int
    propensity: float  # hidden: the chance it under-declares in a round
    fail_rate: float  # hidden: each varying item fails with this chance


@dataclass(frozen=True)
class Round:
    firm: Firm
    declared: int  # bitmask of failing items as declared
    true: int  # bitmask of failing items in truth

    @property
    def gap(self) -> int:
        return grade_rank(self.true) - grade_rank(self.declared)


def province(size: int, rng: random.Random) -> list[Firm]:
    """Enterprises over the generator's districts and industries, with hidden propensities."""
    areas = [(d, c) for d in range(len(DISTRICTS)) for c in range(COMMUNES_PER_DISTRICT)]
    weights = [WEIGHTS.get(DISTRICTS[d], 1.0) for d, _c in areas]
    # Sorted: a set of strings iterates in a different order in every run (hash seed).
    industry_effect = {i: rng.gauss(0, 0.8) for i in sorted(set(INDUSTRIES))}
    district_effect = [rng.gauss(0, 0.7) for _ in DISTRICTS]
    firms = []
    for index in range(size):
        district, commune = rng.choices(areas, weights)[0]
        industry = rng.choice(INDUSTRIES)
        logit = -2.0 + industry_effect[industry] + district_effect[district] + rng.gauss(0, 0.5)
        firms.append(Firm(index + 1, industry, district * 100 + commune,
                          int(rng.lognormvariate(4, 1.2)) + 1, 1 / (1 + math.exp(-logit)),
                          rng.uniform(0.05, 0.3)))
    return firms


def declare(firm: Firm, rng: random.Random) -> Round:
    true = sum(1 << b for b in range(len(VARYING)) if rng.random() < firm.fail_rate)
    declared = true
    if rng.random() < firm.propensity:
        declared = sum(1 << b for b in range(len(VARYING))
                       if true >> b & 1 and rng.random() >= FLIP)
    return Round(firm, declared, true)


def declared_order(rounds: list[Round]) -> list[Round]:
    """Today's ranking: the declared grade, then failed items, then head-count."""
    return sorted(rounds, key=lambda r: (-grade_rank(r.declared), -bin(r.declared).count("1"),
                                         -r.firm.headcount, r.firm.enterprise_id))


def _passing(mask: int) -> tuple[str, ...]:
    return tuple(item for b, item in enumerate(VARYING) if not mask >> b & 1)


def candidate(r: Round, order: int) -> model.Candidate:
    return model.Candidate(r.firm.enterprise_id, r.firm.industry, r.firm.area_id,
                           grade_rank(r.declared), r.firm.headcount, _passing(r.declared), (),
                           order)


def past_audits(rounds: list[Round], rng: random.Random) -> tuple[model.Audit, ...]:
    """2,000 audits of a past round: the random share stratified by area, the rest from the top
    of today's ranking."""
    ordered = declared_order(rounds)
    fake = model.score(model.fit(()), tuple(candidate(r, i) for i, r in enumerate(ordered)))
    picks = model.choose_visits(fake, PAST_AUDITS, HISTORY_RANDOM_SHARE, rng.randrange(1 << 30))
    by_id = {r.firm.enterprise_id: r for r in rounds}
    audits = []
    for visit in picks:
        r = by_id[visit.scored.candidate.enterprise_id]
        passing = _passing(r.declared)
        audits.append(model.Audit(r.firm.industry, r.firm.area_id, grade_rank(r.declared),
                                  grade_rank(r.true), passing,
                                  tuple(i for i in passing if i not in _passing(r.true)),
                                  visit.at_random))
    return tuple(audits)


def caught(chosen: list[Round]) -> tuple[float, float]:
    """(under-declarers caught, grade steps caught) per 100 visits."""
    n = len(chosen) or 1
    return (100 * sum(r.gap > 0 for r in chosen) / n,
            100 * sum(max(r.gap, 0) for r in chosen) / n)


def one_seed(size: int, seed: int, budgets: tuple[int, ...]) -> dict:
    rng = random.Random(seed)
    firms = province(size, rng)
    audits = past_audits([declare(f, rng) for f in firms], rng)
    current = [declare(f, rng) for f in firms]
    ordered = declared_order(current)
    by_id = {r.firm.enterprise_id: r for r in current}
    started = time.perf_counter()
    fitted = model.fit(audits)
    fit_s = time.perf_counter() - started
    candidates = tuple(candidate(r, i) for i, r in enumerate(ordered))
    started = time.perf_counter()
    scored = model.score(fitted, candidates)
    score_s = time.perf_counter() - started
    out = {"fit_s": fit_s, "score_s": score_s, "true_rate": sum(r.gap > 0 for r in current)
           / len(current), "history_worse": sum(a.worse for a in audits) / len(audits)}
    for budget in budgets:
        started = time.perf_counter()
        visits = model.choose_visits(scored, budget, model.DEFAULT_RANDOM_SHARE, seed)
        out[("choose_s", budget)] = time.perf_counter() - started
        pure = [by_id[s.candidate.enterprise_id] for s in scored[:budget]]
        out[("targeting", budget)] = caught([by_id[v.scored.candidate.enterprise_id]
                                             for v in visits])
        out[("targeting, no random share", budget)] = caught(pure)
        out[("declared grade (today)", budget)] = caught(ordered[:budget])
        out[("random", budget)] = caught(rng.sample(current, budget))
    return out


def time_service(url: str, runs: int = 5) -> None:
    """The service on a database built by bench/generate_province.py: cold (fit and rank) and
    through the cache (keyed by the latest finding and the roll-up's last change)."""
    from riskapp import create_app
    from riskapp.filters import Filters
    from riskapp.province import cache
    from riskapp.targeting import services
    from riskapp.tenancy import province_reader_scope

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "JOBS_INLINE": True})
    with app.test_request_context():
        scope = province_reader_scope(1)
        cold, warm, cpu = [], [], []
        for _ in range(runs):
            started, used = time.perf_counter(), time.process_time()
            found = services.targeting(Filters(), 1000, 0.1, scope)
            cold.append(time.perf_counter() - started)
            cpu.append(time.process_time() - used)
            started = time.perf_counter()
            services.cached_targeting(Filters(), 1000, 0.1, scope)
            warm.append(time.perf_counter() - started)
        cache.clear()
    cold.sort()
    warm.sort()
    cpu.sort()
    print(f"service on {url.split(':')[0]}: {found.candidates:,} candidates, "
          f"{found.model.audits:,} audits; 1,000 visits cold median {cold[runs // 2] * 1000:.0f}"
          f" ms (best {cold[0] * 1000:.0f}; CPU {cpu[runs // 2] * 1000:.0f}), cached median "
          f"{warm[runs // 2] * 1000:.1f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--enterprises", type=int, default=100_000)
    parser.add_argument("--seeds", type=int, default=10)
    parser.add_argument("--db", help="also time the service on this database (made by "
                        "bench/generate_province.py)")
    args = parser.parse_args()
    if args.db:
        time_service(args.db)
        print(f"load average {os.getloadavg()[0]:.2f} ({os.cpu_count()} CPUs)")
    if args.seeds < 1:
        return
    budgets = (100, 1000)
    load_before = os.getloadavg()
    runs = [one_seed(args.enterprises, seed, budgets) for seed in range(1, args.seeds + 1)]
    mean = lambda key, i=None: sum(r[key] if i is None else r[key][i]  # noqa: E731
                                   for r in runs) / len(runs)
    print(f"{args.enterprises:,} enterprises, {PAST_AUDITS:,} past audits, {args.seeds} seeds; "
          f"true under-declarers now {mean('true_rate'):.1%}, in the audit history "
          f"{mean('history_worse'):.1%}; engine grades memoised: {len(_GRADES)} patterns")
    print(f"{'method':32} {'budget':>6} {'caught/100 visits':>18} {'grade steps/100':>16}")
    for budget in budgets:
        for method in ("targeting", "targeting, no random share", "declared grade (today)",
                       "random"):
            print(f"{method:32} {budget:>6} {mean((method, budget), 0):>18.1f} "
                  f"{mean((method, budget), 1):>16.1f}")
    print(f"model: fit {mean('fit_s') * 1000:.0f} ms, score {args.enterprises:,} candidates "
          f"{mean('score_s') * 1000:.0f} ms, choose 1,000 visits "
          f"{mean(('choose_s', 1000)) * 1000:.0f} ms")
    print(f"load average before {load_before[0]:.2f}, after {os.getloadavg()[0]:.2f} "
          f"({os.cpu_count()} CPUs)")


if __name__ == "__main__":
    main()
