"""Checklist definitions and problems (all frozen); each serialises to the definition format."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from fractions import Fraction
from functools import cached_property
from types import MappingProxyType
from typing import Any

from riskapp.scoring.conditions import evaluate
from riskapp.scoring.values import (
    AnswerKind,
    Context,
    Grade,
    Priority,
    Text,
    format_number,
    json_number,
)

# (lower, lower inclusive, upper, upper inclusive); a limit of None is no limit.
Limits = tuple[Fraction | None, bool, Fraction | None, bool]
# A positive value divided by a positive divisor can be anything above 0.
RATIO_DOMAIN: Limits = (Fraction(0), False, None, True)


@dataclass(frozen=True, slots=True)
class Option:
    """One answer an item offers; `points` is None when the answer removes the item (na)."""

    id: str
    label: Text
    points: int | None

    @property
    def counted(self) -> bool:
        return self.points is not None

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"id": self.id, "label": self.label.to_dict()}
        if self.points is None:
            data["counted"] = False
        else:
            data["points"] = self.points
        return data


@dataclass(frozen=True, slots=True)
class Band:
    """A numeric band: values between `lower` and `upper` (None = unbounded) score `points`."""

    points: int
    lower: Fraction | None = None
    lower_inclusive: bool = True
    upper: Fraction | None = None
    upper_inclusive: bool = True

    def contains(self, value: int | Fraction) -> bool:
        if self.lower is not None and (
            value < self.lower if self.lower_inclusive else value <= self.lower
        ):
            return False
        if self.upper is not None and (
            value > self.upper if self.upper_inclusive else value >= self.upper
        ):
            return False
        return True

    def clipped(self, domain: Limits) -> Limits:
        """The band's limits narrowed to the values `domain` allows."""
        low, low_inc = self.lower, self.lower_inclusive
        high, high_inc = self.upper, self.upper_inclusive
        d_low, d_low_inc, d_high, d_high_inc = domain
        if d_low is not None and (low is None or low < d_low or (low == d_low and not d_low_inc)):
            low, low_inc = d_low, d_low_inc
        if d_high is not None and (
            high is None or high > d_high or (high == d_high and not d_high_inc)
        ):
            high, high_inc = d_high, d_high_inc
        return low, low_inc, high, high_inc

    def describe(self) -> str:
        """The band in mathematical notation, e.g. "≥ 100 and ≤ 499", "< 2.5", "= 0"."""
        if self.lower is not None and self.lower == self.upper:
            return f"= {format_number(self.lower)}"
        parts = []
        if self.lower is not None:
            parts.append(f"{'≥' if self.lower_inclusive else '>'} {format_number(self.lower)}")
        if self.upper is not None:
            parts.append(f"{'≤' if self.upper_inclusive else '<'} {format_number(self.upper)}")
        return " and ".join(parts) or "any value"

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {}
        if self.lower is not None and self.lower == self.upper:
            data["equals"] = json_number(self.lower)
        else:
            if self.lower is not None:
                data["at_least" if self.lower_inclusive else "above"] = json_number(self.lower)
            if self.upper is not None:
                data["at_most" if self.upper_inclusive else "below"] = json_number(self.upper)
        data["points"] = self.points
        return data


@dataclass(frozen=True, slots=True)
class Section:
    id: str
    title: Text

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "title": self.title.to_dict()}


@dataclass(frozen=True, slots=True)
class Item:
    """One checklist question with its scoring."""

    id: str
    section: str
    question: Text
    help: Text
    kind: AnswerKind
    options: tuple[Option, ...]
    bands: tuple[Band, ...]
    max_points: int
    critical: bool
    priority: Priority
    remediation: Text
    applies_if: str | None = None
    # Condition on the context under which `na` may be answered (yes/no/na items only);
    # None on a yes/no/na item means always.
    na_allowed_if: str | None = None
    min_value: Fraction | None = None
    min_inclusive: bool = True
    max_value: Fraction | None = None
    max_inclusive: bool = True
    integer_only: bool = False
    unit: Text | None = None
    # Numeric item scored on its value divided by another item's value (CTX-2 ÷ CTX-1).
    divided_by: str | None = None

    def option(self, option_id: str) -> Option | None:
        for option in self.options:
            if option.id == option_id:
                return option
        return None

    @property
    def allows_na(self) -> bool:
        return self.kind is AnswerKind.YES_NO_NA

    @property
    def best_points(self) -> int:
        """The fewest points the item can score while still counted."""
        if self.kind.is_numeric:
            return min(band.points for band in self.bands)
        return min(o.points for o in self.options if o.points is not None)

    @property
    def domain(self) -> Limits:
        """The values its bands must cover: its range, or anything above 0 for a ratio item."""
        if self.divided_by is not None:
            return RATIO_DOMAIN
        return self.min_value, self.min_inclusive, self.max_value, self.max_inclusive

    def range_text(self) -> str:
        """The allowed values in words-free notation, e.g. "≥ 1", "≥ 0 and ≤ 100"."""
        return self._range().describe()

    def _range(self) -> Band:
        return Band(0, self.min_value, self.min_inclusive, self.max_value, self.max_inclusive)

    def to_dict(self) -> dict[str, Any]:
        """The item in the definition format, every option listed."""
        data: dict[str, Any] = {
            "id": self.id,
            "section": self.section,
            "kind": self.kind.value,
            "question": self.question.to_dict(),
            "help": self.help.to_dict(),
            "max_points": self.max_points,
            "critical": self.critical,
            "priority": self.priority.value,
            "remediation": self.remediation.to_dict(),
        }
        if self.applies_if is not None:
            data["applies_if"] = self.applies_if
        if self.na_allowed_if is not None:
            data["na_allowed_if"] = self.na_allowed_if
        if not self.kind.is_numeric:
            data["options"] = [option.to_dict() for option in self.options]
            return data
        data["range"] = self._range().to_dict()
        del data["range"]["points"]
        data["integer_only"] = self.integer_only
        if self.unit is not None:
            data["unit"] = self.unit.to_dict()
        if self.divided_by is not None:
            data["divided_by"] = self.divided_by
        data["bands"] = [band.to_dict() for band in self.bands]
        return data


@dataclass(frozen=True, slots=True)
class GradeBand:
    """Base band: a score at or below `upper` % (None = no limit) gets `grade`."""

    grade: Grade
    upper: Fraction | None

    def to_dict(self) -> dict[str, Any]:
        if self.upper is None:
            return {"grade": self.grade.value}
        return {"grade": self.grade.value, "at_most": json_number(self.upper)}


@dataclass(frozen=True, slots=True)
class AreaStep:
    """R5-style step: at `level`, a grade of `from_grade` or worse rises by `steps`."""

    level: int
    from_grade: Grade
    steps: int

    def to_dict(self) -> dict[str, Any]:
        return {"level": self.level, "from_grade": self.from_grade.value, "steps": self.steps}


class RuleKind(StrEnum):
    ITEM_POINTS = "item_points"  # grade in `when_grades` and a counted item scores ≥ min_points
    CRITICAL_FAILED = "critical_failed"  # at least `min_count` critical items fail
    CONTEXT_FLAG = "context_flag"  # a boolean context key is true
    AREA_LEVEL = "area_level"  # the area's epidemic level raises the grade by steps

    def __str__(self) -> str:
        return self.value


@dataclass(frozen=True, slots=True)
class Rule:
    """An escalation rule; which fields are used depends on `kind`."""

    id: str
    kind: RuleKind
    reason: Text
    cause: Text
    raise_to: Grade | None = None
    when_grades: tuple[Grade, ...] = ()
    min_points: int | None = None
    min_count: int | None = None
    context_key: str | None = None
    levels: tuple[AreaStep, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """The rule in the definition format: only the fields its kind uses."""
        data: dict[str, Any] = {"id": self.id, "kind": self.kind.value}
        if self.when_grades:
            data["when_grades"] = [grade.value for grade in self.when_grades]
        if self.min_points is not None:
            data["min_points"] = self.min_points
        if self.min_count is not None:
            data["min_count"] = self.min_count
        if self.context_key is not None:
            data["context_key"] = self.context_key
        if self.levels:
            data["levels"] = [step.to_dict() for step in self.levels]
        if self.raise_to is not None:
            data["raise_to"] = self.raise_to.value
        data["reason"] = self.reason.to_dict()
        data["cause"] = self.cause.to_dict()
        return data


@dataclass(frozen=True, eq=False)
class Checklist:
    """An immutable, versioned checklist definition with its grading parameters."""

    id: str
    version: int
    effective_from: date
    title: Text
    description: Text
    sections: tuple[Section, ...]
    items: tuple[Item, ...]
    answer_kinds: Mapping[AnswerKind, tuple[Option, ...]]
    fail_threshold: int
    grade_bands: tuple[GradeBand, ...]
    rules: tuple[Rule, ...]
    decisions: Mapping[Grade, Text]
    remediation_due_days: Mapping[Priority, int]
    critical_priority: Priority
    next_assessment_days: Mapping[int, int]
    next_assessment_cap_days: int | None
    next_assessment_cap_grade: Grade | None
    source_text: str = ""
    source_name: str = ""

    def __post_init__(self) -> None:
        # Lookups by id; frozen, so written once here.
        object.__setattr__(self, "_item_index", {item.id: item for item in self.items})
        for name in ("answer_kinds", "decisions", "remediation_due_days", "next_assessment_days"):
            value = getattr(self, name)
            if not isinstance(value, MappingProxyType):
                object.__setattr__(self, name, MappingProxyType(dict(value)))

    def item(self, item_id: str) -> Item:
        try:
            return self._item_index[item_id]  # type: ignore[attr-defined]
        except KeyError:
            raise KeyError(f"{self.id} v{self.version} has no item {item_id!r}") from None

    def has_item(self, item_id: str) -> bool:
        return item_id in self._item_index  # type: ignore[attr-defined]

    def items_in(self, section_id: str) -> tuple[Item, ...]:
        return tuple(item for item in self.items if item.section == section_id)

    def section(self, section_id: str) -> Section:
        for section in self.sections:
            if section.id == section_id:
                return section
        raise KeyError(section_id)

    def applies(self, item: Item, context: Context) -> bool:
        """Whether the item counts for this context (its `applies_if` holds)."""
        return item.applies_if is None or evaluate(item.applies_if, context)

    def na_allowed(self, item: Item, context: Context) -> bool:
        """Whether `na` is an allowed answer to the item in this context."""
        if not item.allows_na:
            return False
        return item.na_allowed_if is None or evaluate(item.na_allowed_if, context)

    def decision(self, grade: Grade) -> Text:
        return self.decisions[grade]

    @property
    def max_points_total(self) -> int:
        """Σ maximum points when every item counts."""
        return sum(item.max_points for item in self.items)

    @cached_property
    def fingerprint(self) -> str:
        """sha256 hex of the canonical JSON of `to_dict()` (formatting and comments ignored)."""
        canonical = json.dumps(
            self.to_dict(), sort_keys=True, ensure_ascii=False, separators=(",", ":")
        )
        return hashlib.sha256(canonical.encode("utf-8")).hexdigest()

    def to_dict(self) -> dict[str, Any]:
        """The full definition in the file format (loadable by `checklist_from_text`)."""
        return {
            "id": self.id,
            "version": self.version,
            "effective_from": self.effective_from.isoformat(),
            "title": self.title.to_dict(),
            "description": self.description.to_dict(),
            "answer_kinds": {
                kind.value: [option.to_dict() for option in options]
                for kind, options in self.answer_kinds.items()
            },
            "grading": self._grading_dict(),
            "sections": [section.to_dict() for section in self.sections],
            "items": [item.to_dict() for item in self.items],
        }

    def _grading_dict(self) -> dict[str, Any]:
        next_assessment: dict[str, Any] = {"days_by_area_level": dict(self.next_assessment_days)}
        if self.next_assessment_cap_days is not None:
            assert self.next_assessment_cap_grade is not None  # nosec B101 # set together
            next_assessment["at_most_days"] = self.next_assessment_cap_days
            next_assessment["when_grade_at_least"] = self.next_assessment_cap_grade.value
        return {
            "fail_threshold": self.fail_threshold,
            "bands": [band.to_dict() for band in self.grade_bands],
            "rules": [rule.to_dict() for rule in self.rules],
            "decisions": {grade.value: text.to_dict() for grade, text in self.decisions.items()},
            "remediation_due_days": {p.value: d for p, d in self.remediation_due_days.items()},
            "critical_priority": self.critical_priority.value,
            "next_assessment": next_assessment,
        }

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Checklist):
            return NotImplemented
        return self.fingerprint == other.fingerprint

    def __hash__(self) -> int:
        return hash(self.fingerprint)

    def __repr__(self) -> str:
        return f"Checklist({self.id!r}, version={self.version}, items={len(self.items)})"


@dataclass(frozen=True, slots=True)
class Problem:
    """Something wrong with the answers or the context, in words a user understands."""

    item_id: str | None
    code: str
    message: Text

    def to_dict(self) -> dict[str, Any]:
        return {"item_id": self.item_id, "code": self.code, "message": self.message.to_dict()}


class ChecklistError(Exception):
    """A checklist definition that cannot be used; `.problems` names file, item and field."""

    def __init__(self, problems: list[str]):
        self.problems = list(problems)
        super().__init__("\n".join(self.problems))


class InvalidAnswers(ValueError):
    """Answers or context that cannot be scored; `.problems` lists every problem."""

    def __init__(self, problems: tuple[Problem, ...]):
        self.problems = tuple(problems)
        super().__init__("; ".join(p.message.en for p in self.problems))
