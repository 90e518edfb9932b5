"""Values every part of the engine shares: bilingual text, grades, answer kinds, the context."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, fields
from dataclasses import replace as dataclass_replace
from enum import StrEnum
from fractions import Fraction
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
        if not 0 <= rank < len(GRADES):
            raise ValueError(f"grade rank must be 0..{len(GRADES) - 1}, not {rank}")
        return GRADES[rank]

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


# Lowest first: a grade's rank is its position.
GRADES: tuple[Grade, ...] = tuple(Grade)
_GRADE_RANK = {grade: rank for rank, grade in enumerate(GRADES)}
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


def json_number(value: Fraction | int) -> int | float:
    """A JSON number for an exact value (int when whole)."""
    value = Fraction(value)
    return value.numerator if value.denominator == 1 else float(value)


def format_number(value: Fraction | int | float) -> str:
    number = json_number(Fraction(value)) if not isinstance(value, float) else value
    return str(number)


def first_whole(lower: Fraction | None, inclusive: bool) -> int | None:
    """The smallest whole number above `lower` (or equal to it when `inclusive`)."""
    if lower is None:
        return None
    return math.ceil(lower) if inclusive else math.floor(lower) + 1


def last_whole(upper: Fraction | None, inclusive: bool) -> int | None:
    """The largest whole number below `upper` (or equal to it when `inclusive`)."""
    if upper is None:
        return None
    return math.floor(upper) if inclusive else math.ceil(upper) - 1
