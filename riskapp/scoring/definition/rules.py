"""Escalation rules of a definition, checked to keep the grade monotone in the answers."""

from __future__ import annotations

import string
from collections.abc import Mapping
from typing import Any

from riskapp.scoring.definition.fields import FieldReader
from riskapp.scoring.model import AreaStep, Rule, RuleKind
from riskapp.scoring.values import BOOL_CONTEXT_KEYS, Grade, Text

# The fields each kind of rule needs besides id, kind, reason and cause.
_RULE_FIELDS = {
    RuleKind.ITEM_POINTS: {"when_grades", "min_points", "raise_to"},
    RuleKind.CRITICAL_FAILED: {"min_count", "raise_to"},
    RuleKind.CONTEXT_FLAG: {"context_key", "raise_to"},
    RuleKind.AREA_LEVEL: {"levels"},
}
RULE_PLACEHOLDERS = frozenset(
    {"items", "count", "from", "to", "area_level", "min_points", "min_count"}
)
_AREA_LEVELS = (1, 2, 3, 4)


def read_rules(reader: FieldReader, data: Any) -> list[Rule]:
    rules: list[Rule] = []
    if data is None:
        return rules
    if not isinstance(data, list):
        reader.error("grading", "rules", "must be a list")
        return rules
    seen: set[str] = set()
    for position, entry in enumerate(data, 1):
        if not isinstance(entry, Mapping):
            reader.error("grading", f"rules[{position}]", "must be a mapping")
            continue
        rule_id = reader.string(entry, "id", f"rule {position}")
        where = f"rule {rule_id or position}"
        if rule_id in seen:
            reader.error(where, "id", f"duplicate rule id {rule_id}")
            continue
        if rule_id:
            seen.add(rule_id)
        rule = _read_rule(reader, entry, rule_id, where)
        if rule is not None:
            rules.append(rule)
    return rules


def _read_rule(reader: FieldReader, entry: Mapping, rule_id: str | None, where: str) -> Rule | None:
    kind = _read_kind(reader, entry, where)
    allowed = {"id", "kind", "reason", "cause"} | (_RULE_FIELDS[kind] if kind else set())
    if kind is not None:
        reader.unknown_fields(entry, allowed, where)
    reason = _read_rule_text(reader, entry, "reason", where)
    cause = _read_rule_text(reader, entry, "cause", where)
    if kind is None or rule_id is None:
        return None
    errors_before = len(reader.problems)
    for field in sorted(_RULE_FIELDS[kind]):
        if field not in entry:
            reader.error(where, field, "missing")
    fields = _read_rule_fields(reader, entry, where)
    _check_no_grade_skipped(reader, where, fields.get("when_grades"), fields.get("raise_to"))
    if len(reader.problems) > errors_before or reason is None or cause is None:
        return None
    return Rule(id=rule_id, kind=kind, reason=reason, cause=cause, **fields)


def _read_kind(reader: FieldReader, entry: Mapping, where: str) -> RuleKind | None:
    if "kind" not in entry:
        reader.error(where, "kind", "missing")
        return None
    try:
        return RuleKind(entry["kind"])
    except ValueError:
        known = ", ".join(k.value for k in RuleKind)
        reader.error(where, "kind", f"unknown rule {entry['kind']!r} (known: {known})")
        return None


def _read_rule_fields(reader: FieldReader, entry: Mapping, where: str) -> dict[str, Any]:
    """The Rule fields given in `entry` (which of them its kind needs is checked by the caller)."""
    fields: dict[str, Any] = {}
    if "raise_to" in entry:
        fields["raise_to"] = reader.enum(Grade, entry["raise_to"], where, "raise_to")
    if "min_points" in entry:
        fields["min_points"] = reader.integer(entry["min_points"], where, "min_points", 1)
    if "min_count" in entry:
        fields["min_count"] = reader.integer(entry["min_count"], where, "min_count", 1)
    if "when_grades" in entry:
        grades = entry["when_grades"]
        if reader.sequence(grades, where, "when_grades") is not None:
            fields["when_grades"] = tuple(
                reader.enum(Grade, g, where, "when_grades") for g in grades
            )
    if "context_key" in entry:
        key = entry["context_key"]
        if key not in BOOL_CONTEXT_KEYS:
            reader.error(where, "context_key", f"unknown context key {key!r} "
                         f"(yes/no keys: {', '.join(BOOL_CONTEXT_KEYS)})")
        fields["context_key"] = key
    if "levels" in entry:
        fields["levels"] = _read_area_steps(reader, entry["levels"], where)
    return fields


def _check_no_grade_skipped(
    reader: FieldReader, where: str, when: tuple[Grade | None, ...] | None, raise_to: Grade | None
) -> None:
    # A rule raising a grade must not skip one between: else a better answer could drop the
    # grade below the rule and so end higher (the grade must be monotone in the answers).
    if not when or not raise_to or None in when:
        return
    between = [g for g in Grade if min(when) < g < raise_to and g not in when]
    if between:
        reader.error(where, "when_grades", f"must also list {', '.join(g.value for g in between)}: "
                     "a grade between must not end lower than one below it")


def _read_rule_text(reader: FieldReader, entry: Mapping, field: str, where: str) -> Text | None:
    """A reason or cause, whose {placeholders} must be ones the engine fills in."""
    text = reader.text(entry, field, where)
    if text is None:
        return None
    for lang in ("vi", "en"):
        try:
            names = {name for _, name, _, _ in string.Formatter().parse(getattr(text, lang))
                     if name is not None}
        except ValueError as exc:
            reader.error(where, field, f"{lang}: {exc}")
            return None
        for name in sorted(names - RULE_PLACEHOLDERS):
            reader.error(where, field, f"{lang}: unknown placeholder {{{name}}} "
                         f"(known: {', '.join(sorted(RULE_PLACEHOLDERS))})")
    return text


def _read_area_steps(reader: FieldReader, data: Any, where: str) -> tuple[AreaStep, ...]:
    """R5-style steps, at most one per level; a higher level never raises a grade less."""
    steps: list[AreaStep] = []
    if reader.sequence(data, where, "levels") is None:
        return ()
    seen: set[int] = set()
    for position, entry in enumerate(data, 1):
        field = f"levels[{position}]"
        if not isinstance(entry, Mapping):
            reader.error(where, field, "must be a mapping with level, from_grade and steps")
            continue
        reader.unknown_fields(entry, {"level", "from_grade", "steps"}, f"{where}, field {field}")
        level = reader.integer(entry.get("level"), where, f"{field}.level", 1)
        if level is not None and level > 4:
            reader.error(where, f"{field}.level", "epidemic levels are 1 to 4")
            level = None
        if level in seen:
            reader.error(where, f"{field}.level", f"level {level} given twice")
        from_grade = reader.enum(Grade, entry.get("from_grade"), where, f"{field}.from_grade")
        count = reader.integer(entry.get("steps"), where, f"{field}.steps", 1)
        if level is not None and from_grade is not None and count is not None:
            seen.add(level)
            steps.append(AreaStep(level, from_grade, count))
    _check_levels_monotone(reader, where, steps)
    return tuple(steps)


def _check_levels_monotone(reader: FieldReader, where: str, steps: list[AreaStep]) -> None:
    # A higher epidemic level must never raise a grade less than a lower one does.
    by_level = {s.level: (s.from_grade.rank, s.steps) for s in steps}
    effects = [by_level.get(level, (len(Grade), 0)) for level in _AREA_LEVELS]
    for level in _AREA_LEVELS[1:]:
        (low_from, low_steps), (high_from, high_steps) = effects[level - 2], effects[level - 1]
        if high_from > low_from or high_steps < low_steps:
            reader.error(where, "levels", f"level {level} would raise a grade less than level "
                         f"{level - 1}: the area level must never lower a grade")
            break
