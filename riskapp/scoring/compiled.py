"""A checklist compiled once into lookup tables, so scoring does no parsing and little allocation.

Answers to option items map straight to shared ItemResults; numeric results, sections and
remediation entries are shared too, from bounded caches (results are frozen).
"""

from __future__ import annotations

from bisect import bisect_left
from datetime import date, timedelta
from fractions import Fraction
from typing import Any

from riskapp.scoring.caches import CACHE_SIZE
from riskapp.scoring.conditions import compile_condition
from riskapp.scoring.escalations import CompiledRules
from riskapp.scoring.model import Checklist, Item
from riskapp.scoring.result import ItemResult, RemediationEntry, SectionResult
from riskapp.scoring.values import NA, Priority, Text

NOT_APPLICABLE = "not_applicable"


class CompiledItem:
    """One item's lookup tables."""

    __slots__ = (
        "index", "item", "id", "numeric", "applies", "na_always", "na_condition", "results",
        "not_applicable", "bands", "low", "low_inc", "high", "high_inc", "integer_only",
        "divisor", "critical", "max_points", "section_index", "priority", "priority_rank",
        "best_points", "best_answer", "cache", "contributions", "fix_changes", "fraction_bands",
        "float_safe",
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
            NOT_APPLICABLE,
        )
        self.results, self.best_answer = self._option_results(checklist.fail_threshold)
        self._compile_limits()
        self.divisor: int | None = None  # the divisor's index, for a ratio item
        self.cache: dict[tuple[Any, int], ItemResult] = {}
        # Grading-state parts by points, memoised (see CompiledRules and the improvement plan).
        self.contributions: dict[int, tuple[int, ...]] = {}
        self.fix_changes: dict[int, tuple[int, ...]] = {}

    def _option_results(self, fail: int) -> tuple[dict[str, ItemResult], str | None]:
        """The result of each option, and the first option with the fewest points."""
        item = self.item
        results: dict[str, ItemResult] = {}
        best_answer = None
        for option in item.options:
            if option.points is None:
                result = ItemResult(item.id, item.section, option.id, None, item.max_points,
                                    False, False, item.critical, NA)
            else:
                result = ItemResult(item.id, item.section, option.id, option.points,
                                    item.max_points, True, option.points >= fail,
                                    item.critical, None)
                if option.points == self.best_points and best_answer is None:
                    best_answer = option.id
            results[option.id] = result
        return results, best_answer

    def _compile_limits(self) -> None:
        item = self.item
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

    def in_range(self, exact: int | Fraction) -> bool:
        if self.low is not None and (exact < self.low if self.low_inc else exact <= self.low):
            return False
        if self.high is not None and (exact > self.high if self.high_inc else exact >= self.high):
            return False
        return True

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
            if len(self.cache) >= CACHE_SIZE:
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


class CompiledChecklist:
    """A checklist's lookup tables and the caches of result parts."""

    __slots__ = (
        "checklist", "items", "by_id", "ids", "fail", "band_limits", "rules", "sections",
        "due_days", "next_days", "cap_days", "cap_rank", "ratio_items", "decisions",
        "due_deltas", "section_cache", "remediation_cache", "message_cache", "section_members",
        "rows",
    )

    def __init__(self, checklist: Checklist):
        self.checklist = checklist
        section_pos = {s.id: n for n, s in enumerate(checklist.sections)}
        self.items = [
            CompiledItem(n, item, checklist, section_pos[item.section])
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
        self.rules = CompiledRules(checklist)
        self.sections = checklist.sections
        self.section_members = [
            [(ci.index, ci.max_points) for ci in self.items if ci.section_index == n]
            for n in range(len(self.sections))
        ]
        self.decisions = {grade.rank: text for grade, text in checklist.decisions.items()}
        self.due_days = {p: checklist.remediation_due_days[p] for p in Priority}
        self.due_deltas = {p: timedelta(days=d) for p, d in self.due_days.items()}
        self.next_days = dict(checklist.next_assessment_days)
        self.cap_days = checklist.next_assessment_cap_days
        cap = checklist.next_assessment_cap_grade
        self.cap_rank = cap.rank if cap is not None else None
        self.section_cache: dict[tuple[int, int, int, int], SectionResult] = {}
        self.remediation_cache: dict[tuple[int, int, date], RemediationEntry] = {}
        self.message_cache: dict[tuple, Text] = {}

    def cutoffs(self, maximum: int) -> list[int]:
        """Most points still in each band: score ≤ limit ⇔ points ≤ ⌊limit·max / 100⌋ (exact)."""
        return [num * maximum // (100 * den) for num, den, _ in self.band_limits]

    def band(self, points: int, maximum: int) -> int:
        return bisect_left(self.cutoffs(maximum), points)


def compile_checklist(checklist: Checklist) -> CompiledChecklist:
    """The checklist's tables, built on first use and kept on the (frozen) checklist."""
    compiled = checklist.__dict__.get("_compiled")
    if compiled is None:
        compiled = CompiledChecklist(checklist)
        object.__setattr__(checklist, "_compiled", compiled)
    return compiled


def round_half_up_tenths(points: int, maximum: int) -> tuple[int, float]:
    """(tenths, score): 100·points/maximum to one decimal, half up, in exact integers."""
    if maximum == 0:
        return 0, 0.0
    tenths = (2000 * points + maximum) // (2 * maximum)
    return tenths, tenths / 10
