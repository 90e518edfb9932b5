"""Items of a definition: their fields, answer options, maximum points and divisors."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from riskapp.scoring.definition.fields import ID_PATTERN, FieldReader
from riskapp.scoring.definition.numeric import read_numeric
from riskapp.scoring.model import Band, Item, Option
from riskapp.scoring.values import NA, AnswerKind, Priority, Text

AnswerKinds = Mapping[AnswerKind, tuple[Option, ...]]

_ITEM_FIELDS = {
    "id", "section", "kind", "question", "help", "options", "points", "bands", "range",
    "integer_only", "unit", "divided_by", "max_points", "critical", "priority", "remediation",
    "applies_if", "na_allowed_if",
}
_NUMERIC_ONLY_FIELDS = ("bands", "range", "integer_only", "unit", "divided_by")


def read_items(
    reader: FieldReader, data: Any, answer_kinds: AnswerKinds, sections: set[str]
) -> list[Item]:
    items: list[Item] = []
    if reader.sequence(data, None, "items") is None:
        return items
    seen: set[str] = set()
    for position, entry in enumerate(data, 1):
        if not isinstance(entry, Mapping):
            reader.error(f"item {position}", None, "must be a mapping")
            continue
        item_id = entry.get("id")
        if not isinstance(item_id, str) or not ID_PATTERN.match(item_id):
            reader.error(f"item {position}", "id", f"must be an id like ORG-1, not {item_id!r}")
            continue
        where = f"item {item_id}"
        if item_id in seen:
            reader.error(where, "id", f"duplicate id {item_id} (item {position})")
            continue
        seen.add(item_id)
        item = _read_item(reader, entry, where, answer_kinds, sections)
        if item is not None:
            items.append(item)
    _check_divisors(reader, items, seen)
    used_sections = {item.section for item in items}
    for section_id in sorted(sections - used_sections):
        if items:
            reader.error(f"section {section_id}", None, "has no items")
    return items


def _read_item(
    reader: FieldReader, data: Mapping, where: str, answer_kinds: AnswerKinds, sections: set[str]
) -> Item | None:
    reader.unknown_fields(data, _ITEM_FIELDS, where)
    errors_before = len(reader.problems)
    section = reader.string(data, "section", where)
    if section and section not in sections:
        reader.error(where, "section", f"unknown section {section!r}")
    question = reader.text(data, "question", where)
    help_text = reader.text(data, "help", where, required=False) or Text("", "")
    remediation = reader.text(data, "remediation", where)
    kind = reader.enum(AnswerKind, data.get("kind"), where, "kind")
    max_points = reader.integer(data.get("max_points"), where, "max_points", minimum=1)
    critical = reader.boolean(data, "critical", where)
    priority = reader.enum(Priority, data.get("priority"), where, "priority")
    applies_if = reader.condition(data, "applies_if", where)
    na_allowed_if = reader.condition(data, "na_allowed_if", where)
    if kind is None:
        return None
    if "na_allowed_if" in data and kind is not AnswerKind.YES_NO_NA:
        reader.error(where, "na_allowed_if", "only a yes_no_na item can allow na")
    options, numeric = _read_scoring(reader, data, kind, where, answer_kinds)
    bands: tuple[Band, ...] = numeric.pop("bands", ())
    if max_points is not None:
        _check_max_points(reader, where, kind, options, bands, max_points)
    if len(reader.problems) > errors_before:
        return None
    assert section and question and remediation and max_points and priority  # nosec B101 # type narrowing; problems returned above
    return Item(
        id=data["id"],
        section=section,
        question=question,
        help=help_text,
        kind=kind,
        options=options,
        bands=bands,
        max_points=max_points,
        critical=critical,
        priority=priority,
        remediation=remediation,
        applies_if=applies_if,
        na_allowed_if=na_allowed_if,
        **numeric,
    )


def _read_scoring(
    reader: FieldReader, data: Mapping, kind: AnswerKind, where: str, answer_kinds: AnswerKinds
) -> tuple[tuple[Option, ...], dict[str, Any]]:
    """(options, numeric fields): an option item has no bands, a numeric item no options."""
    if kind.is_numeric:
        for field in ("options", "points"):
            if field in data:
                reader.error(where, field, f"a {kind.value} item is scored by bands")
        return (), read_numeric(reader, data, kind, where)
    for field in _NUMERIC_ONLY_FIELDS:
        if field in data:
            reader.error(where, field, f"only numeric items have {field}")
    return _read_item_options(reader, data, kind, where, answer_kinds) or (), {}


def _check_max_points(
    reader: FieldReader,
    where: str,
    kind: AnswerKind,
    options: tuple[Option, ...],
    bands: tuple[Band, ...],
    max_points: int,
) -> None:
    """No answer scores above the maximum, and some answer reaches it."""
    scored = [(f"option {o.id}", o.points) for o in options if o.points is not None]
    scored += [(f"band {b.describe()}", b.points) for b in bands]
    field = "bands" if kind.is_numeric else "options"
    for name, points in scored:
        if points > max_points:
            reader.error(where, field, f"{name}: {points} points is above the maximum {max_points}")
    if scored and max(p for _, p in scored) < max_points:
        most = max(p for _, p in scored)
        reader.error(where, "max_points",
                     f"no answer reaches the maximum {max_points} (the most is {most})")


def _read_item_options(
    reader: FieldReader, data: Mapping, kind: AnswerKind, where: str, answer_kinds: AnswerKinds
) -> tuple[Option, ...] | None:
    """A choice lists its options; a standard kind takes the shared ones, maybe re-pointed."""
    if kind is AnswerKind.CHOICE:
        if "points" in data:
            reader.error(where, "points", "a choice item lists its options with points")
        if "options" not in data:
            reader.error(where, "options", "missing")
            return None
        return read_options(reader, data["options"], kind, where, "options")
    if "options" in data:
        if "points" in data:
            reader.error(where, "points", "give either options or points, not both")
        return read_options(reader, data["options"], kind, where, "options")
    defaults = answer_kinds.get(kind)
    if defaults is None:
        return None
    overrides = data.get("points")
    if overrides is None:
        return defaults
    if reader.mapping(overrides, where, "points") is None:
        return None
    return _repointed(reader, defaults, overrides, kind, where)


def _repointed(
    reader: FieldReader,
    defaults: tuple[Option, ...],
    overrides: Mapping,
    kind: AnswerKind,
    where: str,
) -> tuple[Option, ...]:
    """The standard options with the item's own points (`points: {yes: 0, no: 5}`)."""
    by_id = {o.id: o for o in defaults}
    for key in overrides:
        if key not in by_id:
            reader.error(where, "points", f"{kind.value} has no option {key!r}")
        elif by_id[key].points is None:
            reader.error(where, "points", f"option {key} is not counted and has no points")
    options = []
    for option in defaults:
        if option.points is None:
            options.append(option)
        elif option.id not in overrides:
            reader.error(where, "points", f"option {option.id} has no points")
        else:
            points = reader.integer(overrides[option.id], where, f"points.{option.id}")
            if points is not None:
                options.append(Option(option.id, option.label, points))
    return tuple(options)


def read_options(
    reader: FieldReader, data: Any, kind: AnswerKind, where: str, field: str
) -> tuple[Option, ...] | None:
    if reader.sequence(data, where, field) is None:
        return None
    options: list[Option] = []
    seen: set[str] = set()
    for position, entry in enumerate(data, 1):
        if not isinstance(entry, Mapping):
            reader.error(where, field, f"option {position} must be a mapping")
            continue
        reader.unknown_fields(entry, {"id", "label", "points", "counted"}, where)
        option_id = entry.get("id")
        if not isinstance(option_id, str) or not option_id.strip():
            reader.error(where, field, f"option {position}: id must be a text, not {option_id!r}")
            continue
        if option_id in seen:
            reader.error(where, field, f"duplicate option id {option_id!r}")
            continue
        seen.add(option_id)
        option = _read_option(reader, entry, option_id, kind, where, field)
        if option is not None:
            options.append(option)
    expected = kind.standard_option_ids
    if expected is not None and seen and tuple(sorted(seen)) != tuple(sorted(expected)):
        reader.error(where, field, f"{kind.value} needs exactly the options "
                     f"{', '.join(expected)}, not {', '.join(sorted(seen))}")
    if kind is AnswerKind.CHOICE and len(seen) < 2:
        reader.error(where, field, "a choice needs at least two options")
    return tuple(options)


def _read_option(
    reader: FieldReader, entry: Mapping, option_id: str, kind: AnswerKind, where: str, field: str
) -> Option | None:
    """One option; only the na answer of yes_no_na is not counted (and has no points)."""
    label = reader.text(entry, "label", where, required=True)
    counted = entry.get("counted", True)
    if counted is False:
        if kind is not AnswerKind.YES_NO_NA or option_id != NA:
            reader.error(where, field,
                         f"option {option_id}: only the na answer of yes_no_na may be not counted")
        if "points" in entry:
            reader.error(where, field, f"option {option_id}: not counted, so no points")
        points = None
    else:
        if counted is not True:
            reader.error(where, field, f"option {option_id}: counted must be true or false")
        if option_id == NA and kind is AnswerKind.YES_NO_NA:
            reader.error(where, field, "option na must have counted: false")
        if "points" not in entry:
            reader.error(where, field, f"option {option_id} has no points")
            return None
        points = reader.integer(entry["points"], where, f"{field}.{option_id}.points")
    if label is None:
        return None
    return Option(id=option_id, label=label, points=points)


def _check_divisors(reader: FieldReader, items: list[Item], declared: set[str]) -> None:
    """A ratio item divides by a plain numeric item that always applies and is above 0."""
    by_id = {item.id: item for item in items}
    for item in items:
        if item.divided_by is None:
            continue
        where = f"item {item.id}"
        divisor = by_id.get(item.divided_by)
        if divisor is None and item.divided_by in declared:
            pass  # the divisor has problems of its own, reported already
        elif divisor is None:
            reader.error(where, "divided_by", f"unknown item {item.divided_by!r}")
        elif divisor.id == item.id or divisor.divided_by is not None:
            reader.error(where, "divided_by", "must name a plain numeric item")
        elif not divisor.kind.is_numeric:
            reader.error(where, "divided_by", f"{divisor.id} is not numeric")
        elif divisor.applies_if is not None:
            reader.error(where, "divided_by", f"{divisor.id} must apply to every enterprise")
        elif divisor.min_value is None or divisor.min_value < 0 or (
            divisor.min_value == 0 and divisor.min_inclusive
        ):
            reader.error(where, "divided_by", f"{divisor.id} must only allow values above 0")
        if item.min_value is None or item.min_value < 0:
            reader.error(where, "range", "a divided value must not be negative")
