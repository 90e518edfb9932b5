"""Value types of the scoring engine: checklist definitions, context, problems (all frozen)."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, fields
from dataclasses import replace as dataclass_replace
from datetime import date
from enum import StrEnum
from fractions import Fraction
from functools import cached_property
from types import MappingProxyType
from typing import Any


@dataclass(frozen=True, slots=True)
class Text:
    """A human text in Vietnamese and English."""

    vi: str
    en: str

    def get(self, lang: str | None = "vi") -> str:
        """The text in `lang` ("vi" or "en"); Vietnamese when the language is unknown."""
        if lang and lang[:2].lower() == "en" and self.en:
            return self.en
        return self.vi or self.en

    def format(self, **values: Any) -> Text:
        """Fill `{name}` placeholders; a Text value is filled in the matching language."""
        vi = {k: v.vi if isinstance(v, Text) else v for k, v in values.items()}
        en = {k: v.en if isinstance(v, Text) else v for k, v in values.items()}
        return Text(self.vi.format(**vi), self.en.format(**en))

    def to_dict(self) -> dict[str, str]:
        return {"vi": self.vi, "en": self.en}

    @classmethod
    def from_dict(cls, data: Mapping[str, str]) -> Text:
        return cls(vi=data["vi"], en=data["en"])


class Grade(StrEnum):
    """Risk grade, lowest to highest; compares by rank."""

    VERY_LOW = "very_low"
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    VERY_HIGH = "very_high"

    @property
    def rank(self) -> int:
        return _GRADE_RANK[self]

    @classmethod
    def from_rank(cls, rank: int) -> Grade:
        if not 0 <= rank < len(_GRADES):
            raise ValueError(f"grade rank must be 0..{len(_GRADES) - 1}, not {rank}")
        return _GRADES[rank]

    @property
    def colour(self) -> str:
        return _GRADE_COLOUR[self]

    @property
    def label(self) -> Text:
        return _GRADE_LABEL[self]

    def __lt__(self, other: object) -> bool:
        if not isinstance(other, Grade):
            return NotImplemented
        return _GRADE_RANK[self] < _GRADE_RANK[other]

    def __le__(self, other: object) -> bool:
        if not isinstance(other, Grade):
            return NotImplemented
        return _GRADE_RANK[self] <= _GRADE_RANK[other]

    def __gt__(self, other: object) -> bool:
        if not isinstance(other, Grade):
            return NotImplemented
        return _GRADE_RANK[self] > _GRADE_RANK[other]

    def __ge__(self, other: object) -> bool:
        if not isinstance(other, Grade):
            return NotImplemented
        return _GRADE_RANK[self] >= _GRADE_RANK[other]

    def __str__(self) -> str:
        return self.value


_GRADES: tuple[Grade, ...] = tuple(Grade)
_GRADE_RANK = {grade: rank for rank, grade in enumerate(_GRADES)}
_GRADE_COLOUR = {
    Grade.VERY_LOW: "green",
    Grade.LOW: "green",
    Grade.MEDIUM: "yellow",
    Grade.HIGH: "orange",
    Grade.VERY_HIGH: "red",
}
_GRADE_LABEL = {
    Grade.VERY_LOW: Text("rất thấp", "very low"),
    Grade.LOW: Text("thấp", "low"),
    Grade.MEDIUM: Text("trung bình", "medium"),
    Grade.HIGH: Text("cao", "high"),
    Grade.VERY_HIGH: Text("rất cao", "very high"),
}


class Priority(StrEnum):
    """Remediation priority: P1 before the next shift, P2 within a week, P3 within a month."""

    P1 = "P1"
    P2 = "P2"
    P3 = "P3"

    @property
    def rank(self) -> int:
        return int(self.value[1:])

    def __str__(self) -> str:
        return self.value


class AnswerKind(StrEnum):
    YES_NO = "yes_no"
    YES_NO_NA = "yes_no_na"
    ALL_PARTIAL_NONE = "all_partial_none"
    CHOICE = "choice"
    INTEGER = "integer"
    NUMBER = "number"
    PERCENT = "percent"

    @property
    def is_numeric(self) -> bool:
        return self in (AnswerKind.INTEGER, AnswerKind.NUMBER, AnswerKind.PERCENT)

    @property
    def standard_option_ids(self) -> tuple[str, ...] | None:
        """The fixed option ids of a standard kind; None for choice and numeric kinds."""
        return STANDARD_OPTION_IDS.get(self)

    def __str__(self) -> str:
        return self.value


STANDARD_OPTION_IDS: dict[AnswerKind, tuple[str, ...]] = {
    AnswerKind.YES_NO: ("yes", "no"),
    AnswerKind.YES_NO_NA: ("yes", "no", "na"),
    AnswerKind.ALL_PARTIAL_NONE: ("all", "partial", "none"),
}
NA = "na"


@dataclass(frozen=True, slots=True)
class Context:
    """Facts about the enterprise at the time of the assessment."""

    area_level: int
    has_canteen: bool = False
    has_shuttle: bool = False
    has_dormitory: bool = False
    confirmed_case_14d: bool = False

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Context:
        """Build from a dict with the spec's keys; raises ValueError on anything else."""
        unknown = set(data) - set(CONTEXT_KEYS)
        if unknown:
            raise ValueError(f"unknown context key(s): {', '.join(sorted(unknown))}")
        level = data.get("area_level")
        if isinstance(level, bool) or not isinstance(level, int) or not 1 <= level <= 4:
            raise ValueError(f"area_level must be 1, 2, 3 or 4, not {level!r}")
        for key in BOOL_CONTEXT_KEYS:
            if key in data and not isinstance(data[key], bool):
                raise ValueError(f"{key} must be true or false, not {data[key]!r}")
        return cls(**dict(data))

    def to_dict(self) -> dict[str, Any]:
        return {f.name: getattr(self, f.name) for f in fields(self)}

    def replace(self, **changes: Any) -> Context:
        return dataclass_replace(self, **changes)


CONTEXT_KEYS: tuple[str, ...] = tuple(f.name for f in fields(Context))
BOOL_CONTEXT_KEYS: tuple[str, ...] = tuple(k for k in CONTEXT_KEYS if k != "area_level")
CONTEXT_KEY_LABELS: dict[str, Text] = {
    "area_level": Text("cấp độ dịch của địa bàn", "the area's epidemic level"),
    "has_canteen": Text("doanh nghiệp có nhà ăn tập trung", "the enterprise has a shared canteen"),
    "has_shuttle": Text(
        "doanh nghiệp có xe đưa đón công nhân", "the enterprise runs shuttle buses"
    ),
    "has_dormitory": Text("doanh nghiệp có ký túc xá", "the enterprise has a dormitory"),
    "confirmed_case_14d": Text(
        "có ca bệnh xác nhận tại cơ sở trong 14 ngày qua", "a confirmed case in the last 14 days"
    ),
}


@dataclass(frozen=True, slots=True)
class Option:
    """One answer an item offers; `points` is None when the answer removes the item (na)."""

    id: str
    label: Text
    points: int | None

    @property
    def counted(self) -> bool:
        return self.points is not None


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


def json_number(value: Fraction | int) -> int | float:
    """A JSON number for an exact value (int when whole)."""
    value = Fraction(value)
    return value.numerator if value.denominator == 1 else float(value)


def format_number(value: Fraction | int | float) -> str:
    number = json_number(Fraction(value)) if not isinstance(value, float) else value
    return str(number)


@dataclass(frozen=True, slots=True)
class Section:
    id: str
    title: Text


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

    def range_text(self) -> str:
        """The allowed values in words-free notation, e.g. "≥ 1", "≥ 0 and ≤ 100"."""
        band = Band(0, self.min_value, self.min_inclusive, self.max_value, self.max_inclusive)
        return band.describe()


@dataclass(frozen=True, slots=True)
class GradeBand:
    """Base band: a score at or below `upper` % (None = no limit) gets `grade`."""

    grade: Grade
    upper: Fraction | None


@dataclass(frozen=True, slots=True)
class AreaStep:
    """R5-style step: at `level`, a grade of `from_grade` or worse rises by `steps`."""

    level: int
    from_grade: Grade
    steps: int


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
        from riskapp.scoring.conditions import evaluate

        return item.applies_if is None or evaluate(item.applies_if, context)

    def na_allowed(self, item: Item, context: Context) -> bool:
        """Whether `na` is an allowed answer to the item in this context."""
        from riskapp.scoring.conditions import evaluate

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
        from riskapp.scoring.loader import checklist_to_dict

        return checklist_to_dict(self)

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
