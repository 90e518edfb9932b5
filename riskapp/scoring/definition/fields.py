"""Typed reads of a definition's fields; a bad value is a problem naming file, place and field."""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from enum import Enum
from fractions import Fraction
from typing import Any, TypeVar

from riskapp.scoring.conditions import ConditionError, compile_condition
from riskapp.scoring.values import Text

ID_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
EnumT = TypeVar("EnumT", bound=Enum)


class FieldReader:
    """Reads fields of one definition file and collects every problem in `problems`.

    `where` names the place ("item ORG-1", "grading"); each reader returns None for a bad value.
    """

    def __init__(self, source: str):
        self.source = source
        self.problems: list[str] = []

    def error(self, where: str | None, field: str | None, message: str) -> None:
        parts = [p for p in (where, f"field {field}" if field else None) if p]
        prefix = f"{self.source}: " + (", ".join(parts) + ": " if parts else "")
        self.problems.append(prefix + message)

    def unknown_fields(self, data: Mapping, allowed: set[str], where: str | None) -> None:
        for key in data:
            if key not in allowed:
                self.error(where, str(key), "unknown field")

    def string(self, data: Mapping, field: str, where: str | None, required=True) -> str | None:
        value = data.get(field)
        if value is None:
            if required:
                self.error(where, field, "missing")
            return None
        if not isinstance(value, str) or not value.strip():
            self.error(where, field, f"must be a non-empty text, not {value!r}")
            return None
        return value.strip()

    def integer(
        self, value: Any, where: str | None, field: str, minimum: int | None = 0
    ) -> int | None:
        if isinstance(value, bool) or not isinstance(value, int):
            self.error(where, field, f"must be a whole number, not {value!r}")
            return None
        if minimum is not None and value < minimum:
            self.error(where, field, f"must be {minimum} or more, not {value}")
            return None
        return value

    def number(self, value: Any, where: str | None, field: str) -> Fraction | None:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            self.error(where, field, f"must be a number, not {value!r}")
            return None
        if isinstance(value, float) and not math.isfinite(value):
            self.error(where, field, f"must be a finite number, not {value!r}")
            return None
        # Via the decimal text so 2.5 or 15.3 are exact, not the binary float.
        return Fraction(repr(value)) if isinstance(value, float) else Fraction(value)

    def boolean(self, data: Mapping, field: str, where: str | None, default=False) -> bool:
        value = data.get(field, default)
        if not isinstance(value, bool):
            self.error(where, field, f"must be true or false, not {value!r}")
            return default
        return value

    def text(self, data: Mapping, field: str, where: str | None, required=True) -> Text | None:
        """A {vi, en} text, its whitespace collapsed; both languages are required."""
        value = data.get(field)
        if value is None:
            if required:
                self.error(where, field, "missing (needs vi and en)")
            return None
        if not isinstance(value, Mapping):
            self.error(where, field, "must have a Vietnamese (vi) and an English (en) text")
            return None
        texts = self._translations(value, where, field)
        if len(texts) != 2:
            return None
        if texts["vi"] == texts["en"] and len(texts["vi"].split()) >= 3 and texts["vi"].isascii():
            self.error(where, field, "missing translation: vi (the Vietnamese text is the English)")
        return Text(vi=texts["vi"], en=texts["en"])

    def _translations(self, value: Mapping, where: str | None, field: str) -> dict[str, str]:
        """The usable texts by language, whitespace collapsed."""
        texts: dict[str, str] = {}
        for lang in ("vi", "en"):
            part = value.get(lang)
            if part is None or (isinstance(part, str) and not part.strip()):
                self.error(where, field, f"missing translation: {lang}")
            elif not isinstance(part, str):
                self.error(where, field, f"the {lang} text must be a text, not {part!r}")
            else:
                texts[lang] = " ".join(part.split())
        for lang in value:
            if lang not in ("vi", "en"):
                self.error(where, field, f"unknown language {lang!r} (use vi and en)")
        return texts

    def enum(
        self, enum_cls: type[EnumT], value: Any, where: str | None, field: str
    ) -> EnumT | None:
        try:
            return enum_cls(value)
        except ValueError:
            known = ", ".join(member.value for member in enum_cls)
            self.error(where, field, f"unknown value {value!r} (use one of: {known})")
            return None

    def condition(self, data: Mapping, field: str, where: str) -> str | None:
        value = data.get(field)
        if value is None:
            return None
        if not isinstance(value, str):
            self.error(where, field, f"must be a condition text, not {value!r}")
            return None
        try:
            compile_condition(value)
        except ConditionError as exc:
            self.error(where, field, str(exc))
            return None
        return " ".join(value.split())

    def mapping(self, value: Any, where: str | None, field: str) -> Mapping | None:
        if not isinstance(value, Mapping):
            self.error(where, field, "must be a mapping (key: value)")
            return None
        return value

    def sequence(self, value: Any, where: str | None, field: str) -> list | None:
        if not isinstance(value, list) or not value:
            self.error(where, field, "must be a non-empty list")
            return None
        return value
