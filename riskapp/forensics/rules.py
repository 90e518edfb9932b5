"""Implausible answer combinations: a pure table of rules over one assessment (no Flask).

Each rule reads the typed answers (items of the default checklist `vn-workplace-2021`), the
context and the enterprise's registered head-count, and returns the values it found wrong.
Only rules that follow from the checklist's own items are here (docs/METHODS.md).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

MIN_M2_PER_WORKER = 0.5
MAX_M2_PER_WORKER = 1000.0
MAX_HEADCOUNT_RATIO = 1.5
MIN_HEADCOUNT_RATIO = 0.1


@dataclass(frozen=True)
class Facts:
    answers: Mapping[str, object]
    context: Mapping[str, object]
    headcount: int | None


@dataclass(frozen=True)
class Breach:
    rule: str
    values: dict


def _number(facts: Facts, item: str) -> float | None:
    value = facts.answers.get(item)
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)


def _area_per_worker(facts: Facts) -> float | None:
    workers, area = _number(facts, "CTX-1"), _number(facts, "CTX-2")
    if not workers or area is None:
        return None
    return area / workers


def crowded_floor(facts: Facts) -> dict | None:
    """Less than 0.5 m² per worker: people could not stand, let alone work."""
    per_worker = _area_per_worker(facts)
    if per_worker is None or per_worker >= MIN_M2_PER_WORKER:
        return None
    return {"m2_per_worker": round(per_worker, 2), "limit": MIN_M2_PER_WORKER,
            "workers": facts.answers.get("CTX-1"), "floor_m2": facts.answers.get("CTX-2")}


def empty_floor(facts: Facts) -> dict | None:
    """More than 1,000 m² per worker: more likely a typo (a unit or a zero) than a workshop."""
    per_worker = _area_per_worker(facts)
    if per_worker is None or per_worker <= MAX_M2_PER_WORKER:
        return None
    return {"m2_per_worker": round(per_worker, 2), "limit": MAX_M2_PER_WORKER,
            "workers": facts.answers.get("CTX-1"), "floor_m2": facts.answers.get("CTX-2")}


def _workers_and_headcount(facts: Facts) -> tuple[float, int] | None:
    workers = _number(facts, "CTX-1")
    if workers is None or not facts.headcount:
        return None
    return workers, facts.headcount


def above_headcount(facts: Facts) -> dict | None:
    """More workers on site at once than 1.5 × the registered head-count."""
    pair = _workers_and_headcount(facts)
    if pair is None or pair[0] <= MAX_HEADCOUNT_RATIO * pair[1]:
        return None
    return {"workers": int(pair[0]), "headcount": pair[1], "limit_ratio": MAX_HEADCOUNT_RATIO}


def below_headcount(facts: Facts) -> dict | None:
    """Fewer than 10 % of the registered head-count on site: a risk band chosen too low."""
    pair = _workers_and_headcount(facts)
    if pair is None or pair[0] >= MIN_HEADCOUNT_RATIO * pair[1]:
        return None
    return {"workers": int(pair[0]), "headcount": pair[1], "limit_ratio": MIN_HEADCOUNT_RATIO}


def shuttle_without_riders(facts: Facts) -> dict | None:
    """Runs worker shuttles (context) yet 0 % of workers ride them (TRN-1) with pick-up areas
    still counted (TRN-2 ≥ 2): both cannot be true."""
    share, pickups = _number(facts, "TRN-1"), _number(facts, "TRN-2")
    if not facts.context.get("has_shuttle") or share != 0 or pickups is None or pickups < 2:
        return None
    return {"shuttle_share_pct": 0, "pickup_areas": int(pickups)}


RULES: dict[str, Callable[[Facts], dict | None]] = {
    "floor_per_worker_low": crowded_floor,
    "floor_per_worker_high": empty_floor,
    "workers_above_headcount": above_headcount,
    "workers_below_headcount": below_headcount,
    "shuttle_without_riders": shuttle_without_riders,
}


def breaches(facts: Facts) -> list[Breach]:
    """Every rule of the table the facts break, in table order."""
    found = []
    for name, rule in RULES.items():
        values = rule(facts)
        if values is not None:
            found.append(Breach(name, values))
    return found
