"""The best answer to an item: what the improvement plan assumes a fixed item is answered."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from fractions import Fraction
from typing import Any

from riskapp.scoring.answers import evaluate
from riskapp.scoring.compiled import CompiledItem, compile_checklist
from riskapp.scoring.model import Band, Checklist
from riskapp.scoring.values import Context, first_whole, json_number, last_whole


def best_value(ci: CompiledItem, current: int | Fraction | None) -> int | Fraction:
    """The value in the item's best band nearest the current one (a ratio for a ratio item)."""
    candidates = []
    for band in ci.item.bands:
        if band.points != ci.best_points:
            continue
        value = _nearest(*band.clipped(ci.item.domain), current, ci.integer_only)
        if value is not None:
            distance = abs(value - current) if current is not None else 0
            candidates.append((distance, value))
    return min(candidates, key=lambda c: c[0])[1]


def _nearest(low, low_inc, high, high_inc, current, whole: bool) -> int | Fraction | None:
    """The value between the limits nearest `current` (a whole number if `whole`), if any."""
    if whole:
        lo, hi = first_whole(low, low_inc), last_whole(high, high_inc)
        if lo is not None and hi is not None and lo > hi:
            return None
        value = current if current is not None else (lo if lo is not None else hi or 0)
        value = math.floor(value) if lo is None or value >= lo else lo
        return min(value, hi) if hi is not None else value
    band = Band(0, low, low_inc, high, high_inc)
    if current is not None and band.contains(current):
        return current
    width = (high - low) / 2 if low is not None and high is not None else Fraction(1)
    step = min(Fraction(1), width)
    if low is not None and (current is None or current <= low):
        return low if low_inc else low + step
    if high is not None:
        return high if high_inc else high - step
    return current


def fixed_answers(
    checklist: Checklist,
    context: Context,
    answers: Mapping[str, Any],
    item_ids: Iterable[str],
) -> dict[str, Any]:
    """The answers with the given items changed to their best answer (as the plan assumes)."""
    compiled = compile_checklist(checklist)
    evaluation = evaluate(compiled, context, answers, partial=True)
    fixed = dict(answers)
    chosen = list(item_ids)
    new_exact: dict[int, int | Fraction] = {}
    for item_id in chosen:
        ci = compiled.by_id[item_id]
        if not ci.numeric:
            fixed[item_id] = ci.best_answer
        elif ci.divisor is None:
            new_exact[ci.index] = best_value(ci, evaluation.exact[ci.index])
            fixed[item_id] = json_number(new_exact[ci.index])
    # A ratio item's answer is its best ratio times its divisor's answer (fixed or not).
    for item_id in chosen:
        ci = compiled.by_id[item_id]
        if ci.numeric and ci.divisor is not None:
            divisor_now = evaluation.exact[ci.divisor]
            ratio_now = Fraction(evaluation.exact[ci.index]) / divisor_now  # type: ignore[arg-type,operator]
            ratio = best_value(ci, ratio_now)
            divisor = new_exact.get(ci.divisor, divisor_now)
            fixed[item_id] = json_number(ratio * divisor)  # type: ignore[operator]
    return fixed
