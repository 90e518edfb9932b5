"""The grading part of a definition: grade bands, decisions, due days, the next assessment."""

from __future__ import annotations

from collections.abc import Mapping
from fractions import Fraction
from typing import Any

from riskapp.scoring.definition.fields import FieldReader
from riskapp.scoring.definition.rules import read_rules
from riskapp.scoring.model import GradeBand, Rule, RuleKind
from riskapp.scoring.values import Grade, Priority, Text

_GRADING_FIELDS = {
    "fail_threshold", "bands", "rules", "decisions", "remediation_due_days",
    "critical_priority", "next_assessment",
}
_NEXT_ASSESSMENT_FIELDS = {"days_by_area_level", "at_most_days", "when_grade_at_least"}
_AREA_LEVELS = (1, 2, 3, 4)


def read_grading(reader: FieldReader, data: Any) -> dict[str, Any] | None:
    """The Checklist fields of `grading`, or None when it cannot be used."""
    if reader.mapping(data, None, "grading") is None:
        return None
    reader.unknown_fields(data, _GRADING_FIELDS, "grading")
    fail_threshold = reader.integer(data.get("fail_threshold"), "grading", "fail_threshold", 1)
    grade_bands = _read_grade_bands(reader, data.get("bands"))
    rules = read_rules(reader, data.get("rules"))
    decisions = _read_decisions(reader, data.get("decisions"))
    due_days = _read_due_days(reader, data.get("remediation_due_days"))
    critical_priority = reader.enum(
        Priority, data.get("critical_priority"), "grading", "critical_priority"
    )
    next_days, cap_days, cap_grade = _read_next_assessment(reader, data.get("next_assessment"))
    if fail_threshold is None or critical_priority is None:
        return None
    _check_rule_thresholds(reader, rules, fail_threshold)
    return {
        "fail_threshold": fail_threshold,
        "grade_bands": tuple(grade_bands),
        "rules": tuple(rules),
        "decisions": decisions,
        "remediation_due_days": due_days,
        "critical_priority": critical_priority,
        "next_assessment_days": next_days,
        "next_assessment_cap_days": cap_days,
        "next_assessment_cap_grade": cap_grade,
    }


def _check_rule_thresholds(reader: FieldReader, rules: list[Rule], fail_threshold: int) -> None:
    # Otherwise an item could escalate the grade without being on the remediation list.
    for rule in rules:
        if rule.kind is RuleKind.ITEM_POINTS and rule.min_points and (
            rule.min_points < fail_threshold
        ):
            reader.error(f"rule {rule.id}", "min_points",
                         f"must be at least the fail threshold {fail_threshold}")


def _read_grade_bands(reader: FieldReader, data: Any) -> list[GradeBand]:
    """One band per grade, lowest first, each with a higher upper limit (the last has none)."""
    bands: list[GradeBand] = []
    if reader.sequence(data, "grading", "bands") is None:
        return bands
    grades = list(Grade)
    previous: Fraction | None = None
    for position, entry in enumerate(data, 1):
        field = f"bands[{position}]"
        if not isinstance(entry, Mapping):
            reader.error("grading", field, "must be a mapping with grade and at_most")
            continue
        reader.unknown_fields(entry, {"grade", "at_most"}, f"grading, field {field}")
        grade = reader.enum(Grade, entry.get("grade"), "grading", f"{field}.grade")
        expected = grades[position - 1] if position <= len(grades) else None
        if grade is not None and grade is not expected:
            wanted = expected.value if expected else "nothing more"
            reader.error("grading", field, f"grades go lowest to highest: expected {wanted}")
        upper = _read_upper_limit(reader, entry, field, position == len(grades), previous)
        previous = upper if upper is not None else previous
        if grade is not None:
            bands.append(GradeBand(grade, upper))
    if len(data) != len(grades):
        reader.error("grading", "bands", f"needs exactly {len(grades)} bands, one per grade")
    return bands


def _read_upper_limit(
    reader: FieldReader, entry: Mapping, field: str, last: bool, previous: Fraction | None
) -> Fraction | None:
    """A band's upper limit in %, above the previous band's; the highest grade has none."""
    if "at_most" not in entry:
        if not last:
            reader.error("grading", field, "missing at_most (the band's upper limit, in %)")
        return None
    upper = reader.number(entry["at_most"], "grading", f"{field}.at_most")
    if last:
        reader.error("grading", field, "the highest grade has no upper limit")
    elif upper is not None and not 0 < upper < 100:
        reader.error("grading", field, "the limit must be between 0 and 100")
    elif upper is not None and previous is not None and upper <= previous:
        reader.error("grading", field, f"the limit must be above {previous}")
    return upper


def _read_decisions(reader: FieldReader, data: Any) -> dict[Grade, Text]:
    decisions: dict[Grade, Text] = {}
    if reader.mapping(data, "grading", "decisions") is None:
        return decisions
    for key in data:
        grade = reader.enum(Grade, key, "grading", "decisions")
        if grade is not None:
            text = reader.text(data, key, "grading", required=True)
            if text is not None:
                decisions[grade] = text
    for grade in Grade:
        if grade.value not in data:
            reader.error("grading", "decisions", f"missing the decision for {grade.value}")
    return decisions


def _read_due_days(reader: FieldReader, data: Any) -> dict[Priority, int]:
    due_days: dict[Priority, int] = {}
    if not reader.mapping(data, "grading", "remediation_due_days"):
        return due_days
    for key in data:
        if reader.enum(Priority, key, "grading", "remediation_due_days") is None:
            continue
        days = reader.integer(data[key], "grading", f"remediation_due_days.{key}")
        if days is not None:
            due_days[Priority(key)] = days
    for priority in Priority:
        if priority.value not in data:
            reader.error("grading", "remediation_due_days", f"missing {priority.value}")
    return due_days


def _read_next_assessment(
    reader: FieldReader, data: Any
) -> tuple[dict[int, int], int | None, Grade | None]:
    """(days by area level, at most days, from which grade that cap applies)."""
    if reader.mapping(data, "grading", "next_assessment") is None:
        return {}, None, None
    where = "grading"
    reader.unknown_fields(data, _NEXT_ASSESSMENT_FIELDS, "grading, field next_assessment")
    days = _read_days_by_area_level(reader, data.get("days_by_area_level"))
    cap_days = cap_grade = None
    if ("at_most_days" in data) != ("when_grade_at_least" in data):
        reader.error(where, "next_assessment", "give both at_most_days and when_grade_at_least")
    elif "at_most_days" in data:
        cap_days = reader.integer(data["at_most_days"], where, "next_assessment.at_most_days", 1)
        cap_grade = reader.enum(Grade, data["when_grade_at_least"], where,
                                "next_assessment.when_grade_at_least")
    return days, cap_days, cap_grade


def _read_days_by_area_level(reader: FieldReader, by_level: Any) -> dict[int, int]:
    where, field = "grading", "next_assessment.days_by_area_level"
    days: dict[int, int] = {}
    if isinstance(by_level, Mapping):
        # JSON keys are texts: "1" is level 1.
        by_level = {int(k) if isinstance(k, str) and k.isdigit() else k: v
                    for k, v in by_level.items()}
    if reader.mapping(by_level, where, field) is None:
        return days
    for level in _AREA_LEVELS:
        if level not in by_level:
            reader.error(where, field, f"missing level {level}")
        else:
            value = reader.integer(by_level[level], where, f"{field}.{level}", 1)
            if value is not None:
                days[level] = value
    for level in by_level:
        if level not in _AREA_LEVELS:
            reader.error(where, field, f"unknown area level {level!r} (levels are 1 to 4)")
    return days
