"""Validation, scoring, grading and the improvement plan.

A checklist is compiled once into lookup tables (cached on the checklist object), so scoring does
no parsing and little allocation: answers to option items map straight to shared ItemResults.
"""

from __future__ import annotations

import math
import re
from bisect import bisect_left
from collections.abc import Iterable, Mapping
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from itertools import combinations
from operator import add, sub
from typing import Any

from riskapp.scoring import messages
from riskapp.scoring.conditions import compile_condition, describe
from riskapp.scoring.model import (
    BOOL_CONTEXT_KEYS,
    CONTEXT_KEYS,
    NA,
    Band,
    Checklist,
    Context,
    Grade,
    InvalidAnswers,
    Item,
    Priority,
    Problem,
    RuleKind,
    Text,
)
from riskapp.scoring.result import (
    Escalation,
    ImprovementPlan,
    ItemResult,
    RemediationEntry,
    Result,
    SectionResult,
)

ENGINE_VERSION = "1.0.0"
# Up to this many failing items the improvement plan tries every combination (2^12 = 4096).
EXHAUSTIVE_LIMIT = 12

_MISSING = object()
_GRADES = tuple(Grade)
_NUMERIC_CACHE_SIZE = 2048
_RULE_POINTS, _RULE_CRITICAL, _RULE_FLAG, _RULE_AREA = range(4)
_NOT_APPLICABLE = "not_applicable"


# ── compiled checklist ─────────────────────────────────────────────────────────────────────────


class _CItem:
    """One item's lookup tables."""

    __slots__ = (
        "index", "item", "id", "numeric", "applies", "na_always", "na_condition", "results",
        "not_applicable", "bands", "low", "low_inc", "high", "high_inc", "integer_only",
        "divisor", "critical", "max_points", "section_index", "priority", "priority_rank",
        "best_points", "best_answer", "cache", "contributions", "fraction_bands", "float_safe",
    )

    def __init__(self, index: int, item: Item, checklist: Checklist, section_index: int):
        self.index = index
        self.item = item
        self.id = item.id
        self.numeric = item.kind.is_numeric
        self.applies = compile_condition(item.applies_if) if item.applies_if else None
        self.na_always = item.allows_na and item.na_allowed_if is None
        self.na_condition = (
            compile_condition(item.na_allowed_if) if item.allows_na and item.na_allowed_if else None
        )
        self.critical = item.critical
        self.max_points = item.max_points
        self.section_index = section_index
        self.priority = checklist.critical_priority if item.critical else item.priority
        self.priority_rank = self.priority.rank
        self.best_points = item.best_points
        self.not_applicable = ItemResult(
            item.id, item.section, None, None, item.max_points, False, False, item.critical,
            _NOT_APPLICABLE,
        )
        fail = checklist.fail_threshold
        self.results: dict[str, ItemResult] = {}
        self.best_answer: str | None = None
        for option in item.options:
            if option.points is None:
                result = ItemResult(item.id, item.section, option.id, None, item.max_points,
                                    False, False, item.critical, NA)
            else:
                result = ItemResult(item.id, item.section, option.id, option.points,
                                    item.max_points, True, option.points >= fail,
                                    item.critical, None)
                if option.points == self.best_points and self.best_answer is None:
                    self.best_answer = option.id
            self.results[option.id] = result
        self.bands = tuple(
            (_fast(b.lower), b.lower_inclusive, _fast(b.upper), b.upper_inclusive, b.points)
            for b in item.bands
        )
        self.low, self.low_inc = _fast(item.min_value), item.min_inclusive
        self.high, self.high_inc = _fast(item.max_value), item.max_inclusive
        self.integer_only = item.integer_only
        # Limits as (numerator, denominator) so a ratio is compared without building a Fraction.
        self.fraction_bands = tuple(
            (_pair(b.lower), b.lower_inclusive, _pair(b.upper), b.upper_inclusive, b.points)
            for b in item.bands
        )
        limits = [item.min_value, item.max_value]
        limits += [limit for b in item.bands for limit in (b.lower, b.upper)]
        self.float_safe = all(x is None or Fraction(float(x)) == x for x in limits)
        self.divisor: int | None = None
        self.cache: dict[tuple[Any, int], ItemResult] = {}
        self.contributions: dict[int, tuple[int, ...]] = {}

    def band_points(self, value: int | Fraction) -> int:
        for low, low_inc, high, high_inc, points in self.bands:
            if low is not None and (value < low if low_inc else value <= low):
                continue
            if high is not None and (value > high if high_inc else value >= high):
                continue
            return points
        raise AssertionError(f"{self.id}: no band for {value}")  # the loader forbids gaps

    def ratio_points(
        self, numerator: int | float | Fraction, denominator: int | float | Fraction
    ) -> int:
        """Band points of numerator ÷ denominator (denominator > 0), exactly."""
        if type(numerator) is not int:
            n, d = numerator.as_integer_ratio()  # exact, also for a float
            numerator, denominator = n, d * denominator
        if type(denominator) is not int:
            n, d = denominator.as_integer_ratio()
            numerator, denominator = numerator * d, n
        for low, low_inc, high, high_inc, points in self.fraction_bands:
            # value < low/d  ⇔  numerator·d < low·denominator
            if low is not None:
                left, right = numerator * low[1], low[0] * denominator
                if left < right if low_inc else left <= right:
                    continue
            if high is not None:
                left, right = numerator * high[1], high[0] * denominator
                if left > right if high_inc else left >= right:
                    continue
            return points
        raise AssertionError(f"{self.id}: no band for {numerator}/{denominator}")

    def numeric_result(self, value: int | float, points: int, fail: int) -> ItemResult:
        key = (value, points)
        result = self.cache.get(key)
        if result is None:
            if len(self.cache) >= _NUMERIC_CACHE_SIZE:
                self.cache.clear()
            result = ItemResult(self.id, self.item.section, value, points, self.max_points, True,
                                points >= fail, self.critical, None)
            self.cache[key] = result
        return result


def _fast(value: Fraction | None) -> int | Fraction | None:
    """Whole limits as int: int comparisons are much faster than Fraction ones."""
    if value is not None and value.denominator == 1:
        return value.numerator
    return value


def _pair(value: Fraction | None) -> tuple[int, int] | None:
    return None if value is None else (value.numerator, value.denominator)


class _Compiled:
    __slots__ = (
        "checklist", "items", "by_id", "ids", "fail", "band_limits", "rules", "thresholds",
        "sections", "due_days", "next_days", "cap_days", "cap_rank", "ratio_items",
        "decisions", "due_deltas", "top", "section_cache", "remediation_cache",
        "escalation_cache", "message_cache", "section_members", "rows",
    )

    def __init__(self, checklist: Checklist):
        self.checklist = checklist
        section_pos = {s.id: n for n, s in enumerate(checklist.sections)}
        self.items = [
            _CItem(n, item, checklist, section_pos[item.section])
            for n, item in enumerate(checklist.items)
        ]
        self.by_id = {ci.id: ci for ci in self.items}
        self.ids = frozenset(self.by_id)
        for ci in self.items:
            if ci.item.divided_by is not None:
                ci.divisor = self.by_id[ci.item.divided_by].index
        self.ratio_items = [ci for ci in self.items if ci.divisor is not None]
        # The hot loop's fields, unpacked from a tuple instead of read as attributes.
        self.rows = [
            (ci, ci.index, ci.id, ci.applies, None if ci.numeric else ci.results, ci.max_points)
            for ci in self.items
        ]
        self.fail = checklist.fail_threshold
        # score ≤ limit  ⇔  100·points·den ≤ num·max  (exact, no float)
        self.band_limits = [
            (b.upper.numerator, b.upper.denominator, b.grade.rank)
            for b in checklist.grade_bands
            if b.upper is not None
        ]
        self.thresholds = tuple(
            sorted({r.min_points for r in checklist.rules if r.kind is RuleKind.ITEM_POINTS})
        )
        self.rules: list[tuple] = []
        for pos, rule in enumerate(checklist.rules):
            raise_rank = rule.raise_to.rank if rule.raise_to is not None else 0
            if rule.kind is RuleKind.ITEM_POINTS:
                when = frozenset(g.rank for g in rule.when_grades)
                count_at = 2 + self.thresholds.index(rule.min_points)  # its place in the state
                self.rules.append((_RULE_POINTS, pos, when, count_at, raise_rank))
            elif rule.kind is RuleKind.CRITICAL_FAILED:
                self.rules.append((_RULE_CRITICAL, pos, rule.min_count, raise_rank))
            elif rule.kind is RuleKind.CONTEXT_FLAG:
                self.rules.append((_RULE_FLAG, pos, rule.context_key, raise_rank))
            else:
                steps = {s.level: (s.from_grade.rank, s.steps) for s in rule.levels}
                self.rules.append((_RULE_AREA, pos, steps))
        self.sections = checklist.sections
        self.section_members = [
            [ci.index for ci in self.items if ci.section_index == n]
            for n in range(len(self.sections))
        ]
        self.decisions = {grade.rank: text for grade, text in checklist.decisions.items()}
        self.due_days = {p: checklist.remediation_due_days[p] for p in Priority}
        self.due_deltas = {p: timedelta(days=d) for p, d in self.due_days.items()}
        self.next_days = dict(checklist.next_assessment_days)
        self.cap_days = checklist.next_assessment_cap_days
        cap = checklist.next_assessment_cap_grade
        self.cap_rank = cap.rank if cap is not None else None
        self.top = len(_GRADES) - 1
        # Results are frozen, so equal parts are shared between results (bounded caches).
        self.section_cache: dict[tuple[int, int, int, int], SectionResult] = {}
        self.remediation_cache: dict[tuple[int, int, date], RemediationEntry] = {}
        self.escalation_cache: dict[tuple, Escalation] = {}
        self.message_cache: dict[tuple, Text] = {}

    def contribution(self, ci: _CItem, points: int) -> tuple[int, ...]:
        """What an item at `points` adds to the grading state (see apply_rules)."""
        found = ci.contributions.get(points)
        if found is None:
            high = tuple(int(points >= t) for t in self.thresholds)
            found = (points, int(ci.critical and points >= self.fail), *high)
            ci.contributions[points] = found
        return found

    def cutoffs(self, maximum: int) -> list[int]:
        """Most points still in each band: score ≤ limit ⇔ points ≤ ⌊limit·max / 100⌋ (exact)."""
        return [num * maximum // (100 * den) for num, den, _ in self.band_limits]

    def band(self, points: int, maximum: int) -> int:
        return bisect_left(self.cutoffs(maximum), points)

    def apply_rules(
        self, grade: int, state: tuple[int, ...], context: Context, fired: list | None = None
    ) -> int:
        """The grade after the escalation rules; appends (rule pos, before, after) to `fired`.

        `state` is (points, failing critical items, counted items ≥ each R1-style threshold…).
        """
        for rule in self.rules:
            code = rule[0]
            if code == _RULE_POINTS:
                new = rule[4] if grade in rule[2] and state[rule[3]] > 0 else grade
            elif code == _RULE_CRITICAL:
                new = rule[3] if state[1] >= rule[2] and rule[3] > grade else grade
            elif code == _RULE_FLAG:
                new = rule[3] if getattr(context, rule[2]) and rule[3] > grade else grade
            else:
                step = rule[2].get(context.area_level)
                new = min(grade + step[1], self.top) if step and grade >= step[0] else grade
            if new != grade:
                if fired is not None:
                    fired.append((rule[1], grade, new))
                grade = new
        return grade


def _compiled(checklist: Checklist) -> _Compiled:
    compiled = checklist.__dict__.get("_compiled")
    if compiled is None:
        compiled = _Compiled(checklist)
        object.__setattr__(checklist, "_compiled", compiled)
    return compiled


# ── context and answers ────────────────────────────────────────────────────────────────────────


def _context_problems(context: Context | Mapping[str, Any] | Any) -> tuple[Context, list[Problem]]:
    """A usable context (best effort when invalid) and the problems with it."""
    problems: list[Problem] = []
    if isinstance(context, Context):
        data = context.to_dict()
    elif isinstance(context, Mapping):
        data = dict(context)
    else:
        problems.append(Problem(None, "context", messages.context_not_mapping(context)))
        data = {}
    for key in data:
        if key not in CONTEXT_KEYS:
            problems.append(Problem(None, "unknown_context", messages.unknown_context_key(key)))
    level = data.get("area_level", _MISSING)
    if level is _MISSING or level is None:
        problems.append(Problem(None, "area_level", messages.area_level_missing()))
        level = None
    elif isinstance(level, bool) or not isinstance(level, int) or not 1 <= level <= 4:
        problems.append(Problem(None, "area_level", messages.area_level_invalid(level)))
        level = None
    flags = {}
    for key in BOOL_CONTEXT_KEYS:
        value = data.get(key, False)
        if not isinstance(value, bool):
            message = messages.context_not_boolean(key, value)
            problems.append(Problem(None, "context_value", message))
            value = False
        flags[key] = value
    # area_level None only while reporting problems: conditions on it then cannot be judged.
    return Context(area_level=level, **flags), problems  # type: ignore[arg-type]


def _na_allowed(ci: _CItem, context: Context) -> bool:
    if ci.na_always:
        return True
    if ci.na_condition is None:
        return False
    try:
        return ci.na_condition(context)
    except TypeError:  # area level unknown: already reported, do not add a second problem
        return True


def _exact(
    value: Any, float_safe: bool = False
) -> tuple[int | float | None, int | float | Fraction | None, str | None]:
    """(normalised answer, exact value, problem code) for a numeric answer.

    With `float_safe` (every limit of the item is a binary float exactly, like 2.5 or 16) a
    float is compared as it is: rounding to the nearest float never crosses such a limit.
    Otherwise the decimal the user wrote (15.3) is used, not the binary float just above it.
    """
    kind = type(value)
    if kind is int:
        return value, value, None
    if kind is float:
        if value != value:
            return None, None, "wrong_kind"
        if value in (math.inf, -math.inf):
            return None, None, "out_of_range"
        if value.is_integer():
            whole = int(value)
            return whole, whole, None
        return value, value if float_safe else Fraction(repr(value)), None
    if kind is bool or not isinstance(value, (int, float, Decimal, Fraction)):
        return None, None, "wrong_kind"
    try:
        exact = Fraction(value)
    except (ValueError, OverflowError, InvalidOperation):
        return None, None, "wrong_kind" if value != value else "out_of_range"
    if exact.denominator == 1:
        return exact.numerator, exact.numerator, None
    return float(exact), exact, None


def _in_range(ci: _CItem, exact: int | Fraction) -> bool:
    if ci.low is not None and (exact < ci.low if ci.low_inc else exact <= ci.low):
        return False
    if ci.high is not None and (exact > ci.high if ci.high_inc else exact >= ci.high):
        return False
    return True


class _Evaluation:
    """Per-item outcome plus the sums scoring needs (collected in the same pass)."""

    __slots__ = (
        "results", "points", "exact", "normal", "answers", "problems", "total", "maximum",
        "failing",
    )

    def __init__(self, size: int):
        self.total = self.maximum = 0
        self.failing: list[_CItem] = []  # checklist order
        self.results: list[ItemResult] = [None] * size  # type: ignore[list-item]
        self.points: list[int | None] = [None] * size
        self.exact: list[int | Fraction | None] = [None] * size
        self.normal: list[int | float | None] = [None] * size
        self.answers: list[tuple[str, Any]] = []
        self.problems: list[Problem] = []


def _evaluate(
    comp: _Compiled, context: Context, answers: Mapping[str, Any], partial: bool,
    keep_na: bool = False,
) -> _Evaluation:
    """Check and score every item; problems are collected, not raised."""
    ev = _Evaluation(len(comp.items))
    problems = ev.problems
    results, points, exact_values = ev.results, ev.points, ev.exact
    if type(answers) is not dict and not isinstance(answers, Mapping):
        problems.append(Problem(None, "answers", messages.answers_not_mapping(answers)))
        answers = {}
    if not comp.ids.issuperset(answers):
        for key in answers:
            if key not in comp.ids:
                problems.append(Problem(key if isinstance(key, str) else None, "unknown_item",
                                        messages.unknown_item(key)))
    fail = comp.fail
    get = answers.get
    total = maximum = 0
    failing = ev.failing
    answer_pairs = ev.answers
    for ci, index, item_id, applies, option_results, max_points in comp.rows:
        if applies is not None and not applies(context):
            results[index] = ci.not_applicable
            continue
        value = get(item_id, _MISSING)
        if value is _MISSING or value is None:
            if not partial:
                problems.append(Problem(item_id, "missing", messages.missing(ci.item)))
            continue
        if option_results is not None:
            result = option_results.get(value) if type(value) is str else None
            if result is None:
                if value == NA:  # an item without na
                    message = messages.na_not_allowed(ci.item, None)
                    problems.append(Problem(item_id, "na_not_allowed", message))
                elif isinstance(value, str):
                    problems.append(Problem(item_id, "unknown_option",
                                            messages.unknown_option(ci.item, value)))
                else:
                    message = messages.wrong_kind_option(ci.item, value)
                    problems.append(Problem(item_id, "wrong_kind", message))
                continue
            p = result.points
            if p is None and not keep_na and not _na_allowed(ci, context):
                condition = describe(ci.item.na_allowed_if) if ci.item.na_allowed_if else None
                problems.append(Problem(item_id, "na_not_allowed",
                                        messages.na_not_allowed(ci.item, condition)))
                continue
            results[index] = result
            answer_pairs.append((item_id, value))
            if p is not None:
                points[index] = p
                total += p
                maximum += max_points
                if p >= fail:
                    failing.append(ci)
            continue
        normal, exact, code = _exact(value, ci.float_safe)
        if code is None and ci.integer_only and type(exact) is not int:
            code = "wrong_kind"
        if code is None and not _in_range(ci, exact):  # type: ignore[arg-type]
            code = "out_of_range"
        if code is not None:
            if value == NA:
                code, message = "na_not_allowed", messages.na_not_allowed(ci.item, None)
            elif code == "wrong_kind":
                message = messages.wrong_kind_number(ci.item, value, ci.integer_only)
            else:
                message = messages.out_of_range(ci.item, value)
            problems.append(Problem(ci.id, code, message))
            continue
        exact_values[ci.index] = exact
        ev.normal[ci.index] = normal
        ev.answers.append((ci.id, normal))
        if ci.divisor is None:
            p = ci.band_points(exact)  # type: ignore[arg-type]
            points[ci.index] = p
            results[ci.index] = ci.numeric_result(normal, p, fail)  # type: ignore[arg-type]
            total += p
            maximum += ci.max_points
            if p >= fail:
                failing.append(ci)
    reorder = False
    for ci in comp.ratio_items:
        exact = exact_values[ci.index]
        divisor = exact_values[ci.divisor]  # type: ignore[index]
        if exact is None or divisor is None:
            continue  # its own or its divisor's problem is reported already
        p = ci.ratio_points(exact, divisor)
        points[ci.index] = p
        results[ci.index] = ci.numeric_result(ev.normal[ci.index], p, fail)  # type: ignore[arg-type]
        total += p
        maximum += ci.max_points
        if p >= fail:
            failing.append(ci)
            reorder = True
    if reorder:
        failing.sort(key=lambda ci: ci.index)
    ev.total, ev.maximum = total, maximum
    return ev


def validate(
    checklist: Checklist,
    context: Context | Mapping[str, Any],
    answers: Mapping[str, Any],
    *,
    partial: bool = False,
) -> tuple[Problem, ...]:
    """Every problem with the context and answers; `partial` skips missing answers (drafts)."""
    ctx, problems = _context_problems(context)
    ev = _evaluate(_compiled(checklist), ctx, answers, partial)
    return tuple(problems + ev.problems)


# ── form input ─────────────────────────────────────────────────────────────────────────────────

_SPACES = re.compile(r"[\s\u00a0\u202f\u2009']+")
_GROUPED = re.compile(r"^[+-]?\d{1,3}([.,])\d{3}(?:\1\d{3})*$")


def parse_number(text: str, integer_only: bool = False) -> int | float | None:
    """A number typed in a form: "12", "12.5", "12,5", "1 200", "1.234,5"; None if unreadable."""
    cleaned = _SPACES.sub("", text.strip()).replace("\u2212", "-")
    if not cleaned:
        return None
    if integer_only and _GROUPED.match(cleaned):
        # "1.200" or "1,200" in a head-count is a thousands separator.
        cleaned = cleaned.replace(".", "").replace(",", "")
    elif "," in cleaned and "." in cleaned:
        decimal_mark = "," if cleaned.rfind(",") > cleaned.rfind(".") else "."
        group_mark = "." if decimal_mark == "," else ","
        cleaned = cleaned.replace(group_mark, "").replace(decimal_mark, ".")
    elif cleaned.count(",") == 1:
        cleaned = cleaned.replace(",", ".")
    elif cleaned.count(",") > 1 or cleaned.count(".") > 1:
        mark = "," if "," in cleaned else "."
        if not re.fullmatch(rf"[+-]?\d{{1,3}}(?:\{mark}\d{{3}})+", cleaned):
            return None
        cleaned = cleaned.replace(mark, "")
    if not re.fullmatch(r"[+-]?(?:\d+\.?\d*|\.\d+)", cleaned):
        return None
    try:
        number = Decimal(cleaned)
    except InvalidOperation:
        return None
    if number == number.to_integral_value():
        return int(number)
    return float(number)


def coerce_answers(checklist: Checklist, raw: Mapping[str, Any]) -> dict[str, Any]:
    """HTML form strings to typed answers: blanks dropped, numbers parsed, the rest stripped.

    An unreadable number is kept as typed, so validate() reports it as wrong_kind.
    """
    comp = _compiled(checklist)
    typed: dict[str, Any] = {}
    for key, value in raw.items():
        if not isinstance(value, str):
            typed[key] = value
            continue
        stripped = value.strip()
        if not stripped:
            continue
        ci = comp.by_id.get(key)
        if ci is not None and ci.numeric:
            number = parse_number(stripped, ci.integer_only)
            typed[key] = value if number is None else number
        else:
            typed[key] = stripped
    return typed


# ── scoring ────────────────────────────────────────────────────────────────────────────────────


def round_half_up_tenths(points: int, maximum: int) -> tuple[int, float]:
    """(tenths, score): 100·points/maximum to one decimal, half up, in exact integers."""
    if maximum == 0:
        return 0, 0.0
    tenths = (2000 * points + maximum) // (2 * maximum)
    return tenths, tenths / 10


def score(
    checklist: Checklist,
    context: Context | Mapping[str, Any],
    answers: Mapping[str, Any],
    assessed_on: date,
) -> Result:
    """Score an assessment; raises InvalidAnswers listing every problem."""
    return _score(checklist, context, answers, assessed_on, keep_na=False)


def regrade(
    checklist: Checklist,
    result: Result,
    *,
    area_level: int | None = None,
    assessed_on: date | None = None,
) -> Result:
    """Re-grade a stored result (e.g. after its area's epidemic level changed).

    Keeps what was submitted: an `na` that the new level would no longer allow stays not counted.
    """
    if (result.checklist_id, result.checklist_version) != (checklist.id, checklist.version):
        raise ValueError(
            f"result was made on {result.checklist_id} v{result.checklist_version}, "
            f"not {checklist.id} v{checklist.version}"
        )
    context = result.context
    if area_level is not None:
        context = context.replace(area_level=area_level)
    return _score(checklist, context, result.answers_dict(),
                  assessed_on or result.assessed_on, keep_na=True)


def _score(
    checklist: Checklist,
    context: Context | Mapping[str, Any],
    answers: Mapping[str, Any],
    assessed_on: date,
    keep_na: bool,
) -> Result:
    comp = _compiled(checklist)
    level = getattr(context, "area_level", None)
    if type(context) is Context and type(level) is int and 1 <= level <= 4:
        ctx, context_problems = context, []
    else:
        ctx, context_problems = _context_problems(context)
    ev = _evaluate(comp, ctx, answers, partial=False, keep_na=keep_na)
    if context_problems or ev.problems:
        raise InvalidAnswers(tuple(context_problems + ev.problems))
    if not isinstance(assessed_on, date):
        raise TypeError("assessed_on must be a date")

    points = ev.points
    thresholds = comp.thresholds
    total, maximum, failing = ev.total, ev.maximum, ev.failing
    critical_failed = 0
    high = [0] * len(thresholds)
    for ci in failing:
        if ci.critical:
            critical_failed += 1
        # R1-style thresholds are never below the fail threshold (the loader checks).
        p = points[ci.index]
        for n, t in enumerate(thresholds):
            if p >= t:  # type: ignore[operator]
                high[n] += 1

    fired: list[tuple[int, int, int]] = []
    band_rank = comp.band(total, maximum)
    base_state = (total, critical_failed, *high)
    grade_rank = comp.apply_rules(band_rank, base_state, ctx, fired)
    score_value = round_half_up_tenths(total, maximum)[1]
    escalations = tuple(_escalation(comp, failing, points, ctx, *f) for f in fired) if fired else ()

    failing.sort(key=lambda ci: (ci.priority_rank, -points[ci.index], ci.index))  # type: ignore[operator]
    remediation = tuple(_remediation(comp, ci, points[ci.index], assessed_on) for ci in failing)  # type: ignore[arg-type]

    next_days = comp.next_days[ctx.area_level]
    if comp.cap_rank is not None and grade_rank >= comp.cap_rank:
        next_days = min(next_days, comp.cap_days)  # type: ignore[type-var]

    sections = _sections(comp, ev.results)
    plan = _improvement_plan(comp, ev, ctx, failing, maximum, base_state, grade_rank)
    return Result(
        checklist_id=checklist.id,
        checklist_version=checklist.version,
        engine_version=ENGINE_VERSION,
        assessed_on=assessed_on,
        context=ctx,
        answers=tuple(sorted(ev.answers)),
        score=score_value,
        score_points=total,
        score_max=maximum,
        band=_GRADES[band_rank],
        grade=_GRADES[grade_rank],
        decision=comp.decisions[grade_rank],
        escalations=escalations,
        items=tuple(ev.results),
        sections=sections,
        remediation=remediation,
        next_assessment_due_in_days=next_days,
        next_assessment_due_on=assessed_on + timedelta(days=next_days),
        improvement_plan=plan,
        checklist_fingerprint=checklist.fingerprint,
    )


def _bounded_put(cache: dict, key: Any, value: Any) -> Any:
    if len(cache) >= _NUMERIC_CACHE_SIZE:
        cache.clear()
    cache[key] = value
    return value


def _sections(comp: _Compiled, results: list[ItemResult]) -> tuple[SectionResult, ...]:
    """Per-section sums; a section is the same object whenever its sums are."""
    sections = []
    cache = comp.section_cache
    for n, members in enumerate(comp.section_members):
        points = maximum = failed = 0
        for index in members:
            result = results[index]
            if result.points is not None:
                points += result.points
                maximum += result.max_points
                failed += result.failed
        key = (n, points, maximum, failed)
        found = cache.get(key)
        if found is None:
            section = comp.sections[n]
            result = SectionResult(section.id, section.title, points, maximum, failed)
            found = _bounded_put(cache, key, result)
        sections.append(found)
    return tuple(sections)


def _remediation(comp: _Compiled, ci: _CItem, points: int, assessed_on: date) -> RemediationEntry:
    key = (ci.index, points, assessed_on)
    found = comp.remediation_cache.get(key)
    if found is None:
        entry = RemediationEntry(ci.id, ci.priority, ci.item.remediation, points, ci.critical,
                                 comp.due_days[ci.priority],
                                 assessed_on + comp.due_deltas[ci.priority])
        found = _bounded_put(comp.remediation_cache, key, entry)
    return found


def _rule_items(
    comp: _Compiled, failing: list[_CItem], points: list[int | None], rule_pos: int
) -> tuple[str, ...]:
    """The items a rule looked at: those scoring ≥ min_points, or the failing critical ones.

    Both are failing items (R1-style thresholds are at least the fail threshold).
    """
    rule = comp.checklist.rules[rule_pos]
    if rule.kind is RuleKind.ITEM_POINTS:
        return tuple(ci.id for ci in failing if points[ci.index] >= rule.min_points)  # type: ignore[operator]
    if rule.kind is RuleKind.CRITICAL_FAILED:
        return tuple(ci.id for ci in failing if ci.critical)
    return ()


def _rule_values(
    comp: _Compiled, rule_pos: int, items: tuple[str, ...], context: Context,
    before: int | None = None, after: int | None = None,
) -> dict[str, Any]:
    """The placeholders a rule's reason and cause may use."""
    rule = comp.checklist.rules[rule_pos]
    return {
        "items": messages.join_text(items),
        "count": len(items),
        "from": _GRADES[before].label if before is not None else "",
        "to": _GRADES[after].label if after is not None else "",
        "area_level": context.area_level,
        "min_points": rule.min_points if rule.min_points is not None else "",
        "min_count": rule.min_count if rule.min_count is not None else "",
    }


def _escalation(
    comp: _Compiled, failing: list[_CItem], points: list[int | None], context: Context,
    rule_pos: int, before: int, after: int,
) -> Escalation:
    items = _rule_items(comp, failing, points, rule_pos)
    key = (rule_pos, before, after, items, context.area_level)
    found = comp.escalation_cache.get(key)
    if found is None:
        rule = comp.checklist.rules[rule_pos]
        values = _rule_values(comp, rule_pos, items, context, before, after)
        escalation = Escalation(rule.id, _GRADES[before], _GRADES[after],
                                rule.reason.format(**values))
        found = _bounded_put(comp.escalation_cache, key, escalation)
    return found


# ── improvement plan ───────────────────────────────────────────────────────────────────────────

_State = tuple[int, ...]  # (points, failing critical items, counts ≥ thresholds…)


def _add(state: _State, change: _State) -> _State:
    return tuple(map(add, state, change))


def _difference(after: _State, before: _State) -> _State:
    return tuple(map(sub, after, before))


class _Search:
    """Grades of "what if these failing items were fixed", memoised."""

    def __init__(self, comp: _Compiled, context: Context, maximum: int, base: _State,
                 deltas: list[_State], links: list[tuple[int, int, _State]]):
        self.comp = comp
        self.context = context
        self.cutoffs = comp.cutoffs(maximum)
        self.base = base
        self.deltas = deltas
        self.links = links
        self.links_from: dict[int, list[tuple[int, _State]]] = {}
        self.links_to: dict[int, list[tuple[int, _State]]] = {}
        self.memo: dict[_State, int] = {}
        for divisor_pos, item_pos, change in links:
            self.links_from.setdefault(divisor_pos, []).append((item_pos, change))
            if item_pos >= 0:
                self.links_to.setdefault(item_pos, []).append((divisor_pos, change))

    def rank(self, state: _State, fired: list | None = None) -> int:
        found = self.memo.get(state) if fired is None else None
        if found is None:
            band = bisect_left(self.cutoffs, state[0])
            found = self.comp.apply_rules(band, state, self.context, fired)
            self.memo[state] = found
        return found

    def gain(self, n: int, chosen: set[int] | frozenset[int]) -> _State:
        """The change of state when item n is fixed on top of `chosen`."""
        change = self.deltas[n]
        if self.links:
            for item_pos, link in self.links_from.get(n, ()):
                if item_pos not in chosen:
                    change = _add(change, link)
            for divisor_pos, link in self.links_to.get(n, ()):
                if divisor_pos in chosen:
                    change = _difference(change, link)  # fixing the item overrides the link
        return change

    def state(self, chosen: tuple[int, ...] | list[int]) -> _State:
        if not self.links:
            deltas = self.deltas
            return tuple(map(sum, zip(self.base, *(deltas[n] for n in chosen), strict=True)))
        state = self.base
        done: set[int] = set()
        for n in chosen:
            state = _add(state, self.gain(n, done))
            done.add(n)
        return state


_ALREADY_LOWEST = ImprovementPlan(
    "none", (), None, None, (), messages.plan_already_lowest(_GRADES[0])
)


def _improvement_plan(
    comp: _Compiled, ev: _Evaluation, context: Context, failing: list[_CItem], maximum: int,
    base: _State, grade_rank: int,
) -> ImprovementPlan:
    if grade_rank == 0:
        return _ALREADY_LOWEST
    points = ev.points
    deltas = [
        _difference(comp.contribution(ci, ci.best_points), comp.contribution(ci, points[ci.index]))  # type: ignore[arg-type]
        for ci in failing
    ]
    # A ratio item (CTX-2 = area ÷ CTX-1) also moves when its divisor is fixed and it is not.
    position = {ci.index: n for n, ci in enumerate(failing)}
    links: list[tuple[int, int, _State]] = []
    for ci in comp.ratio_items:
        divisor = ci.divisor
        if divisor not in position or ev.points[ci.index] is None:
            continue
        new_divisor = _best_value(comp.items[divisor], ev.exact[divisor])  # type: ignore[index,arg-type]
        new_points = ci.ratio_points(ev.exact[ci.index], new_divisor)  # type: ignore[arg-type]
        change = _difference(comp.contribution(ci, new_points),
                             comp.contribution(ci, ev.points[ci.index]))  # type: ignore[arg-type]
        if any(change):
            links.append((position[divisor], position.get(ci.index, -1), change))
    search = _Search(comp, context, maximum, base, deltas, links)
    exhaustive = len(failing) <= EXHAUSTIVE_LIMIT
    # One fix is enough more often than not: try that before anything else.
    chosen = _single_fix(search, grade_rank) if exhaustive else None
    if chosen is None:
        fired_all: list[tuple[int, int, int]] = []
        all_fixed = search.state(tuple(range(len(failing))))
        if search.rank(all_fixed, fired_all) >= grade_rank:
            return _blocked(comp, context, maximum, grade_rank, fired_all, all_fixed, bool(failing))
        if exhaustive:
            chosen = _exhaustive(search, len(failing), grade_rank, start=2)
        else:
            chosen = _greedy(search, len(failing), grade_rank)
    method = "exhaustive" if exhaustive else "greedy"
    after = search.state(chosen)
    ids = tuple(failing[n].id for n in chosen)
    grade_after = _GRADES[search.rank(after)]
    message = comp.message_cache.get((ids, grade_after))
    if message is None:
        message = _bounded_put(comp.message_cache, (ids, grade_after),
                               messages.plan_found(ids, grade_after))
    return ImprovementPlan(
        method,  # type: ignore[arg-type]
        ids,
        grade_after,
        round_half_up_tenths(after[0], maximum)[1],
        (),
        message,
    )


def _blocked(comp: _Compiled, context: Context, maximum: int, grade_rank: int,
             fired_all: list[tuple[int, int, int]], all_fixed: _State,
             anything_to_fix: bool) -> ImprovementPlan:
    """The plan when even fixing every failing item keeps the grade: say what holds it up."""
    rule_positions = tuple(dict.fromkeys(pos for pos, _, _ in fired_all))
    rule_ids = tuple(comp.checklist.rules[pos].id for pos in rule_positions)
    grade = _GRADES[grade_rank]
    score_after = round_half_up_tenths(all_fixed[0], maximum)[1]
    key = ("blocked", rule_positions, grade_rank, context.area_level, score_after, anything_to_fix)
    message = comp.message_cache.get(key)
    if message is None:
        if rule_ids:
            causes = [comp.checklist.rules[pos].cause.format(**_rule_values(comp, pos, (), context))
                      for pos in rule_positions]
            message = messages.plan_blocked_by_rules(causes, grade)
        else:
            message = messages.plan_blocked_by_score(score_after, grade, anything_to_fix)
        _bounded_put(comp.message_cache, key, message)
    return ImprovementPlan("none", (), None, None, rule_ids, message)


def _single_fix(search: _Search, grade_rank: int) -> tuple[int, ...] | None:
    """The best single fix that lowers the grade, if any."""
    best: tuple[int, int, int] | None = None
    base = search.base
    nothing: frozenset[int] = frozenset()
    for n in range(len(search.deltas)):
        state = tuple(map(add, base, search.gain(n, nothing)))
        rank = search.rank(state)
        if rank < grade_rank and (best is None or (rank, state[0], n) < best):
            best = (rank, state[0], n)
    return None if best is None else (best[2],)


def _exhaustive(search: _Search, size: int, grade_rank: int, start: int = 1) -> tuple[int, ...]:
    """The smallest set that lowers the grade; among those the lowest grade, then score."""
    # Fixes only ever lower the state and the grade never falls as the state rises (the loader
    # checks every rule is monotone), so the k largest single changes of each part bound what
    # any k fixes can do: skip a size when even that bound does not lower the grade.
    width = len(search.base)
    link_total = [sum(min(0, change[n]) for _, _, change in search.links) for n in range(width)]
    by_part = [sorted(d[n] for d in search.deltas) for n in range(width)]
    for k in range(start, size + 1):
        bound = tuple(max(0, search.base[n] + sum(by_part[n][:k]) + link_total[n])
                      for n in range(width))
        if search.rank(bound) >= grade_rank:
            continue
        best: tuple[int, int] | None = None
        best_set: tuple[int, ...] = ()
        for subset in combinations(range(size), k):
            state = search.state(subset)
            rank = search.rank(state)
            if rank < grade_rank and (best is None or (rank, state[0]) < best):
                best, best_set = (rank, state[0]), subset
        if best is not None:
            return best_set
    return tuple(range(size))


def _greedy(search: _Search, size: int, grade_rank: int) -> tuple[int, ...]:
    """Add the most helpful fix until the grade drops, then drop fixes that turned out unneeded."""
    chosen: list[int] = []
    done: set[int] = set()
    state = search.base
    while search.rank(state) >= grade_rank:
        best_key, best_n, best_state = None, -1, state
        for n in range(size):
            if n in done:
                continue
            candidate = _add(state, search.gain(n, done))
            key = (search.rank(candidate), candidate[0], n)
            if best_key is None or key < best_key:
                best_key, best_n, best_state = key, n, candidate
        chosen.append(best_n)
        done.add(best_n)
        state = best_state
    for n in reversed(list(chosen)):
        rest = [m for m in chosen if m != n]
        if search.rank(search.state(rest)) < grade_rank:
            chosen = rest
    return tuple(sorted(chosen))


# ── best answers ───────────────────────────────────────────────────────────────────────────────


def _best_value(ci: _CItem, current: int | Fraction | None) -> int | Fraction:
    """The value in the item's best band nearest the current one (a ratio for a ratio item)."""
    candidates = []
    for band in ci.item.bands:
        if band.points != ci.best_points:
            continue
        low, low_inc = band.lower, band.lower_inclusive
        high, high_inc = band.upper, band.upper_inclusive
        if ci.divisor is not None:
            d_low, d_low_inc, d_high, d_high_inc = Fraction(0), False, None, True
        else:
            item = ci.item
            d_low, d_low_inc = item.min_value, item.min_inclusive
            d_high, d_high_inc = item.max_value, item.max_inclusive
        if d_low is not None and (low is None or low < d_low or (low == d_low and not d_low_inc)):
            low, low_inc = d_low, d_low_inc
        if d_high is not None and (
            high is None or high > d_high or (high == d_high and not d_high_inc)
        ):
            high, high_inc = d_high, d_high_inc
        value = _nearest(low, low_inc, high, high_inc, current, ci.integer_only)
        if value is not None:
            distance = abs(value - current) if current is not None else 0
            candidates.append((distance, value))
    return min(candidates, key=lambda c: c[0])[1]


def _nearest(low, low_inc, high, high_inc, current, whole: bool) -> int | Fraction | None:
    if whole:
        lo = None if low is None else (math.ceil(low) if low_inc else math.floor(low) + 1)
        hi = None if high is None else (math.floor(high) if high_inc else math.ceil(high) - 1)
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


def _as_answer(value: int | Fraction) -> int | float:
    value = Fraction(value)
    return value.numerator if value.denominator == 1 else float(value)


def fixed_answers(
    checklist: Checklist,
    context: Context,
    answers: Mapping[str, Any],
    item_ids: Iterable[str],
) -> dict[str, Any]:
    """The answers with the given items changed to their best answer (as the plan assumes)."""
    comp = _compiled(checklist)
    ev = _evaluate(comp, context, answers, partial=True)
    fixed = dict(answers)
    chosen = list(item_ids)
    new_exact: dict[int, int | Fraction] = {}
    for item_id in chosen:
        ci = comp.by_id[item_id]
        if not ci.numeric:
            fixed[item_id] = ci.best_answer
        elif ci.divisor is None:
            new_exact[ci.index] = _best_value(ci, ev.exact[ci.index])
            fixed[item_id] = _as_answer(new_exact[ci.index])
    for item_id in chosen:
        ci = comp.by_id[item_id]
        if ci.numeric and ci.divisor is not None:
            divisor_now = ev.exact[ci.divisor]
            ratio_now = Fraction(ev.exact[ci.index]) / divisor_now  # type: ignore[arg-type,operator]
            ratio = _best_value(ci, ratio_now)
            divisor = new_exact.get(ci.divisor, divisor_now)
            fixed[item_id] = _as_answer(ratio * divisor)  # type: ignore[operator]
    return fixed


__all__ = [
    "ENGINE_VERSION",
    "EXHAUSTIVE_LIMIT",
    "coerce_answers",
    "fixed_answers",
    "parse_number",
    "regrade",
    "score",
    "validate",
]

