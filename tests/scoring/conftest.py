"""Scoring tests need no app and no database: the engine is pure Python."""

from __future__ import annotations

from datetime import date
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest

from riskapp.scoring import Checklist, Context, Item, get_checklist, load_checklist, score

DATA = Path(__file__).with_name("data")
ASSESSED_ON = date(2021, 11, 1)
EVERYTHING = Context(area_level=1, has_canteen=True, has_shuttle=True, has_dormitory=True)
PLAIN = Context(area_level=1)  # no canteen, shuttle or dormitory: 230 points at most


def run(checklist: Checklist, context: Context, answers: dict[str, Any], on: date = ASSESSED_ON):
    return score(checklist, context, answers, on)


def codes(problems) -> list[tuple[str | None, str]]:
    """(item id, code) of each problem, in a stable order."""
    return sorted(((p.item_id, p.code) for p in problems), key=lambda c: (c[0] or "", c[1]))


@pytest.fixture(autouse=True)
def _clean_database():
    """Override the project-wide database cleaner: nothing here touches a database."""
    yield


@pytest.fixture(scope="session")
def default() -> Checklist:
    return get_checklist("vn-workplace-2021")


@pytest.fixture(scope="session")
def mini() -> Checklist:
    return load_checklist(DATA / "test-mini.v1.yaml")


def band_value(item: Item, band) -> Fraction | None:
    """A value inside a band and inside the item's range, or None."""
    if band.upper is not None and band.upper_inclusive:
        value = band.upper
    elif band.lower is not None and band.lower_inclusive:
        value = band.lower
    elif band.lower is not None:
        value = band.lower + 1
    else:
        value = band.upper - 1
    if item.max_value is not None and value > item.max_value:
        value = item.max_value
    if item.min_value is not None and value < item.min_value:
        value = item.min_value if item.min_inclusive else item.min_value + 1
    ok_low = item.min_value is None or value > item.min_value or (
        value == item.min_value and item.min_inclusive
    )
    return value if band.contains(value) and ok_low else None


def as_answer(value: Fraction | int) -> int | float:
    value = Fraction(value)
    return value.numerator if value.denominator == 1 else float(value)


def choices(checklist: Checklist, item: Item) -> list[tuple[int, Any]]:
    """(points, answer) pairs an item offers; a ratio item's answer is the ratio."""
    if not item.kind.is_numeric:
        return [(o.points, o.id) for o in item.options if o.points is not None]
    found = []
    for band in item.bands:
        value = band_value(item, band) if item.divided_by is None else _ratio_value(band)
        if value is not None:
            found.append((band.points, value))
    return found


def _ratio_value(band) -> Fraction:
    if band.lower is not None and band.lower_inclusive:
        return band.lower
    if band.upper is not None:
        return band.upper / 2 if band.lower is None else (band.lower + band.upper) / 2
    return band.lower + 1


def answers_for(
    checklist: Checklist,
    context: Context,
    target: int,
    *,
    cap: int = 10,
    critical_may_fail: bool = False,
    fixed: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Answers to every applicable item whose points add up to exactly `target`.

    No item scores more than `cap`; critical items pass unless `critical_may_fail`;
    `fixed` answers are kept as given (and counted by their points).
    """
    fixed = dict(fixed or {})
    items = [i for i in checklist.items if checklist.applies(i, context)]
    layers: list[dict[int, tuple[int, Any]]] = []
    reachable = {0}
    for item in items:
        options = choices(checklist, item)
        if item.id in fixed:
            wanted = fixed[item.id]
            options = [(p, a) for p, a in options if a == wanted]
            options = options or [(_points_of(item, wanted), wanted)]
        else:
            options = [(p, a) for p, a in options if p <= cap]
            if item.critical and not critical_may_fail:
                options = [(p, a) for p, a in options if p < checklist.fail_threshold]
        layer: dict[int, tuple[int, Any]] = {}
        for total in sorted(reachable):
            for points, answer in options:
                layer.setdefault(total + points, (total, answer))
        layers.append(layer)
        reachable = set(layer)
    if target not in reachable:
        raise ValueError(f"{target} points cannot be reached")
    answers: dict[str, Any] = {}
    total = target
    for item, layer in zip(reversed(items), reversed(layers), strict=True):
        total, answers[item.id] = layer[total]
    divisors = {i.id: i.divided_by for i in items if i.divided_by}
    for item_id, divisor in divisors.items():
        if item_id not in fixed:
            answers[item_id] = as_answer(Fraction(answers[item_id]) * Fraction(answers[divisor]))
    return {k: (as_answer(v) if isinstance(v, Fraction) else v) for k, v in answers.items()}


def _points_of(item: Item, answer: Any) -> int:
    if not item.kind.is_numeric:
        option = item.option(answer)
        assert option is not None and option.points is not None, (item.id, answer)
        return option.points
    return next(b.points for b in item.bands if b.contains(Fraction(str(answer))))


def best_answers(checklist: Checklist, context: Context) -> dict[str, Any]:
    """Every applicable item at its fewest points."""
    items = [i for i in checklist.items if checklist.applies(i, context)]
    return answers_for(checklist, context, sum(i.best_points for i in items))


def worst_answers(checklist: Checklist, context: Context) -> dict[str, Any]:
    items = [i for i in checklist.items if checklist.applies(i, context)]
    return answers_for(checklist, context, sum(i.max_points for i in items),
                       critical_may_fail=True)


TINY_HEAD = """
id: tiny
version: 1
effective_from: 2024-01-01
title: {vi: "Bộ tiêu chí nhỏ", en: "Tiny checklist"}
answer_kinds:
  yes_no:
    - {id: "yes", label: {vi: "Có", en: "Yes"}, points: 0}
    - {id: "no", label: {vi: "Không", en: "No"}, points: 10}
  yes_no_na:
    - {id: "yes", label: {vi: "Có", en: "Yes"}, points: 0}
    - {id: "no", label: {vi: "Không", en: "No"}, points: 10}
    - {id: "na", label: {vi: "Không áp dụng", en: "Not applicable"}, counted: false}
  all_partial_none:
    - {id: "all", label: {vi: "Đầy đủ", en: "Fully"}, points: 0}
    - {id: "partial", label: {vi: "Một phần", en: "Partly"}, points: 5}
    - {id: "none", label: {vi: "Không thực hiện", en: "Not at all"}, points: 10}
sections:
  - {id: s, title: {vi: "Phần", en: "Part"}}
"""
TINY_GRADING = """
grading:
  fail_threshold: 5
  bands:
    - {grade: very_low, at_most: BAND1}
    - {grade: low, at_most: 50}
    - {grade: medium, at_most: 60}
    - {grade: high, at_most: 80}
    - {grade: very_high}
  rules:
    - id: R5-area
      kind: area_level
      levels: [{level: 4, from_grade: low, steps: 1}]
      reason:
        vi: "Cấp độ {area_level}: từ {from} lên {to}."
        en: "Level {area_level}: {from} to {to}."
      cause: {vi: "cấp độ dịch {area_level}", en: "the area's epidemic level {area_level}"}
  decisions:
    very_low: {vi: "A", en: "A"}
    low: {vi: "B", en: "B"}
    medium: {vi: "C", en: "C"}
    high: {vi: "D", en: "D"}
    very_high: {vi: "E", en: "E"}
  remediation_due_days: {P1: 1, P2: 7, P3: 30}
  critical_priority: P1
  next_assessment:
    days_by_area_level: {1: 30, 2: 14, 3: 7, 4: 7}
"""


def tiny_text(items_yaml: str, band1: str = "15") -> str:
    """A small definition with the given items (YAML list entries under `items:`)."""
    return TINY_HEAD + TINY_GRADING.replace("BAND1", band1) + "items:\n" + items_yaml


def yes_no_item(item_id: str, max_points: int = 10, extra: str = "") -> str:
    return f"""  - id: {item_id}
    section: s
    kind: yes_no
    max_points: {max_points}
    priority: P2
    question: {{vi: "Câu hỏi {item_id}", en: "Question {item_id}"}}
    remediation: {{vi: "Khắc phục {item_id}", en: "Fix {item_id}"}}
{extra}"""
