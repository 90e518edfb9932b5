"""Escalation rules compiled per checklist: the state they read, their effect, their reasons."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from riskapp.scoring import messages
from riskapp.scoring.caches import bounded_put
from riskapp.scoring.model import Checklist, Rule, RuleKind
from riskapp.scoring.result import Escalation
from riskapp.scoring.values import GRADES, Context

if TYPE_CHECKING:  # compiled imports this module; the name only annotates
    from riskapp.scoring.compiled import CompiledItem

# What the rules read: (points, failing critical items, counted items ≥ each R1-style threshold…).
State = tuple[int, ...]
# (rule position, grade rank before, grade rank after) of a rule that changed the grade.
Fired = tuple[int, int, int]

_ITEM_POINTS, _CRITICAL_FAILED, _CONTEXT_FLAG, _AREA_LEVEL = range(4)
_TOP = len(GRADES) - 1


class CompiledRules:
    """A checklist's rules as plain tuples, applied in order to a grade rank."""

    __slots__ = ("rules", "fail", "thresholds", "steps", "escalation_cache")

    def __init__(self, checklist: Checklist):
        self.rules = checklist.rules
        self.fail = checklist.fail_threshold
        self.thresholds = tuple(
            sorted({r.min_points for r in checklist.rules if r.kind is RuleKind.ITEM_POINTS})
        )
        self.steps = [self._compile(position, rule) for position, rule in enumerate(self.rules)]
        self.escalation_cache: dict[tuple, Escalation] = {}

    def _compile(self, position: int, rule: Rule) -> tuple:
        raise_rank = rule.raise_to.rank if rule.raise_to is not None else 0
        if rule.kind is RuleKind.ITEM_POINTS:
            when = frozenset(g.rank for g in rule.when_grades)
            count_at = 2 + self.thresholds.index(rule.min_points)  # its place in the state
            return (_ITEM_POINTS, position, when, count_at, raise_rank)
        if rule.kind is RuleKind.CRITICAL_FAILED:
            return (_CRITICAL_FAILED, position, rule.min_count, raise_rank)
        if rule.kind is RuleKind.CONTEXT_FLAG:
            return (_CONTEXT_FLAG, position, rule.context_key, raise_rank)
        steps = {s.level: (s.from_grade.rank, s.steps) for s in rule.levels}
        return (_AREA_LEVEL, position, steps)

    def state(self, total: int, failing: list[CompiledItem], points: list[int | None]) -> State:
        """The grading state of an assessment with `total` points and these failing items."""
        critical_failed = 0
        high = [0] * len(self.thresholds)
        for ci in failing:
            if ci.critical:
                critical_failed += 1
            # R1-style thresholds are never below the fail threshold (the loader checks).
            p = points[ci.index]
            for n, threshold in enumerate(self.thresholds):
                if p >= threshold:  # type: ignore[operator]
                    high[n] += 1
        return (total, critical_failed, *high)

    def contribution(self, ci: CompiledItem, points: int) -> State:
        """What an item at `points` adds to the grading state."""
        found = ci.contributions.get(points)
        if found is None:
            high = tuple(int(points >= t) for t in self.thresholds)
            found = (points, int(ci.critical and points >= self.fail), *high)
            ci.contributions[points] = found
        return found

    def apply(self, grade: int, state: State, context: Context, fired: list | None = None) -> int:
        """The grade rank after the rules; appends a Fired tuple to `fired` for each that acts."""
        for step in self.steps:
            code = step[0]
            if code == _ITEM_POINTS:
                new = step[4] if grade in step[2] and state[step[3]] > 0 else grade
            elif code == _CRITICAL_FAILED:
                new = step[3] if state[1] >= step[2] and step[3] > grade else grade
            elif code == _CONTEXT_FLAG:
                new = step[3] if getattr(context, step[2]) and step[3] > grade else grade
            else:
                level_step = step[2].get(context.area_level)
                new = (
                    min(grade + level_step[1], _TOP)
                    if level_step and grade >= level_step[0]
                    else grade
                )
            if new != grade:
                if fired is not None:
                    fired.append((step[1], grade, new))
                grade = new
        return grade

    def escalation(
        self, failing: list[CompiledItem], points: list[int | None], context: Context, fired: Fired
    ) -> Escalation:
        position, before, after = fired
        items = self._items_read(failing, points, position)
        key = (position, before, after, items, context.area_level)
        found = self.escalation_cache.get(key)
        if found is None:
            rule = self.rules[position]
            values = self.placeholders(position, items, context, before, after)
            reason = rule.reason.format(**values)
            escalation = Escalation(rule.id, GRADES[before], GRADES[after], reason)
            found = bounded_put(self.escalation_cache, key, escalation)
        return found

    def _items_read(
        self, failing: list[CompiledItem], points: list[int | None], position: int
    ) -> tuple[str, ...]:
        """The items a rule looked at: those scoring ≥ min_points, or the failing critical ones."""
        # Both are failing items: R1-style thresholds are at least the fail threshold.
        rule = self.rules[position]
        if rule.kind is RuleKind.ITEM_POINTS:
            return tuple(ci.id for ci in failing if points[ci.index] >= rule.min_points)  # type: ignore[operator]
        if rule.kind is RuleKind.CRITICAL_FAILED:
            return tuple(ci.id for ci in failing if ci.critical)
        return ()

    def placeholders(
        self,
        position: int,
        items: tuple[str, ...],
        context: Context,
        before: int | None = None,
        after: int | None = None,
    ) -> dict[str, Any]:
        """The values a rule's reason and cause may use (definition.rules.RULE_PLACEHOLDERS)."""
        rule = self.rules[position]
        return {
            "items": messages.join_text(items),
            "count": len(items),
            "from": GRADES[before].label if before is not None else "",
            "to": GRADES[after].label if after is not None else "",
            "area_level": context.area_level,
            "min_points": rule.min_points if rule.min_points is not None else "",
            "min_count": rule.min_count if rule.min_count is not None else "",
        }
