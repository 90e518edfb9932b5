"""Read checklist definitions (YAML or JSON) and validate them completely.

Every problem is collected, not just the first, and named as "FILE: item ID, field NAME: what".
"""

from __future__ import annotations

import math
import re
import string
from collections.abc import Mapping
from datetime import date
from fractions import Fraction
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from riskapp.scoring.conditions import ConditionError, compile_condition
from riskapp.scoring.model import (
    BOOL_CONTEXT_KEYS,
    NA,
    STANDARD_OPTION_IDS,
    AnswerKind,
    AreaStep,
    Band,
    Checklist,
    ChecklistError,
    Grade,
    GradeBand,
    Item,
    Option,
    Priority,
    Rule,
    RuleKind,
    Section,
    Text,
    format_number,
    json_number,
)

CHECKLIST_DIR = Path(__file__).with_name("checklists")
DEFAULT_CHECKLIST_ID = "vn-workplace-2021"
_FILE_NAME = re.compile(r"^(?P<id>.+)\.v(?P<version>\d+)\.(?:ya?ml|json)$")
_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
_TOP_FIELDS = {
    "id", "version", "effective_from", "title", "description",
    "answer_kinds", "grading", "sections", "items",
}
_ITEM_FIELDS = {
    "id", "section", "kind", "question", "help", "options", "points", "bands", "range",
    "integer_only", "unit", "divided_by", "max_points", "critical", "priority", "remediation",
    "applies_if", "na_allowed_if",
}
_RULE_FIELDS = {
    RuleKind.ITEM_POINTS: {"when_grades", "min_points", "raise_to"},
    RuleKind.CRITICAL_FAILED: {"min_count", "raise_to"},
    RuleKind.CONTEXT_FLAG: {"context_key", "raise_to"},
    RuleKind.AREA_LEVEL: {"levels"},
}
RULE_PLACEHOLDERS = frozenset(
    {"items", "count", "from", "to", "area_level", "min_points", "min_count"}
)
_BOUND_KEYS = ("equals", "at_least", "above", "at_most", "below")


# libyaml's parser when PyYAML has it: the shipped checklist parses ~5x faster.
_SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _YamlLoader(_SAFE_LOADER):
    """Safe YAML loader: only true/false are booleans (so `yes`/`no` stay answer ids),
    and a key repeated in one mapping is an error instead of silently winning."""

    def construct_mapping(self, node, deep=False):  # type: ignore[override]
        seen: set[Any] = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)
            if isinstance(key, (str, int)) and key in seen:
                raise yaml.constructor.ConstructorError(
                    None, None, f"duplicate key {key!r}", key_node.start_mark
                )
            seen.add(key)
        return super().construct_mapping(node, deep=deep)


_YamlLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:bool"]
    for first, resolvers in _SAFE_LOADER.yaml_implicit_resolvers.items()
}
_YamlLoader.add_implicit_resolver(
    "tag:yaml.org,2002:bool",
    re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"),
    list("tTfF"),
)


def checklist_from_text(text: str, source: str = "upload") -> Checklist:
    """Parse and validate a definition; raises ChecklistError listing every problem."""
    try:
        data = yaml.load(text, Loader=_YamlLoader)  # noqa: S506  # nosec B506 # a SafeLoader subclass
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise ChecklistError([f"{source}: {where}not valid YAML/JSON: {problem}"]) from None
    parser = _Parser(source)
    checklist = parser.parse(data, text)
    if parser.problems or checklist is None:
        raise ChecklistError(parser.problems)
    return checklist


def load_checklist(path: str | Path) -> Checklist:
    """Load a definition file; its name, if shaped ID.vN.yaml, must match its id and version."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        raise ChecklistError([f"{path.name}: cannot read the file: {reason}"]) from None
    checklist = checklist_from_text(text, source=path.name)
    match = _FILE_NAME.match(path.name)
    if match and (match["id"], int(match["version"])) != (checklist.id, checklist.version):
        raise ChecklistError(
            [
                f"{path.name}: field id/version: the file name says {match['id']} "
                f"v{int(match['version'])} but the file defines {checklist.id} v{checklist.version}"
            ]
        )
    return checklist


@lru_cache(maxsize=1)
def shipped_checklists() -> tuple[Checklist, ...]:
    """Every checklist shipped with the engine, by id then version."""
    found = [load_checklist(path) for path in sorted(CHECKLIST_DIR.glob("*.yaml"))]
    return tuple(sorted(found, key=lambda c: (c.id, c.version)))


def get_checklist(
    checklist_id: str = DEFAULT_CHECKLIST_ID, version: int | None = None
) -> Checklist:
    """A shipped checklist; the latest version when `version` is None."""
    matches = [c for c in shipped_checklists() if c.id == checklist_id]
    if version is not None:
        matches = [c for c in matches if c.version == version]
    if not matches:
        known = ", ".join(sorted({f"{c.id} v{c.version}" for c in shipped_checklists()}))
        wanted = checklist_id if version is None else f"{checklist_id} v{version}"
        raise ChecklistError([f"no shipped checklist {wanted} (shipped: {known})"])
    return matches[-1]


class _Parser:
    """Turns loaded YAML data into a Checklist, collecting every problem."""

    def __init__(self, source: str):
        self.source = source
        self.problems: list[str] = []

    def error(self, where: str | None, field: str | None, message: str) -> None:
        parts = [p for p in (where, f"field {field}" if field else None) if p]
        prefix = f"{self.source}: " + (", ".join(parts) + ": " if parts else "")
        self.problems.append(prefix + message)

    # ── scalar helpers ─────────────────────────────────────────────────────────────────────

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
        value = data.get(field)
        if value is None:
            if required:
                self.error(where, field, "missing (needs vi and en)")
            return None
        if not isinstance(value, Mapping):
            self.error(where, field, "must have a Vietnamese (vi) and an English (en) text")
            return None
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
        if len(texts) != 2:
            return None
        if texts["vi"] == texts["en"] and len(texts["vi"].split()) >= 3 and texts["vi"].isascii():
            self.error(where, field, "missing translation: vi (the Vietnamese text is the English)")
        return Text(vi=texts["vi"], en=texts["en"])

    def enum(self, enum_cls, value: Any, where: str | None, field: str):
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

    # ── the definition ─────────────────────────────────────────────────────────────────────

    def parse(self, data: Any, text: str) -> Checklist | None:
        if not isinstance(data, Mapping):
            self.error(None, None, "the definition must be a mapping with id, version, items…")
            return None
        self.unknown_fields(data, _TOP_FIELDS, None)
        checklist_id = self.string(data, "id", None)
        if checklist_id and not _ID.match(checklist_id):
            self.error(None, "id", f"{checklist_id!r} may use only letters, digits, - _ and .")
        version = self.integer(data.get("version"), None, "version", minimum=1)
        effective_from = data.get("effective_from")
        if isinstance(effective_from, str):
            try:
                effective_from = date.fromisoformat(effective_from)
            except ValueError:
                pass
        if not isinstance(effective_from, date):
            self.error(None, "effective_from", f"must be a date YYYY-MM-DD, not {effective_from!r}")
            effective_from = None
        title = self.text(data, "title", None)
        description = self.text(data, "description", None, required=False) or Text("", "")
        answer_kinds = self.answer_kinds(data.get("answer_kinds"))
        sections = self.sections(data.get("sections"))
        items = self.items(data.get("items"), answer_kinds, {s.id for s in sections})
        grading = self.grading(data.get("grading"))
        if self.problems:
            return None
        assert checklist_id and version and effective_from and title and grading is not None  # nosec B101 # type narrowing; problems returned above
        return Checklist(
            id=checklist_id,
            version=version,
            effective_from=effective_from,
            title=title,
            description=description,
            sections=tuple(sections),
            items=tuple(items),
            answer_kinds=answer_kinds,
            source_text=text,
            source_name=self.source,
            **grading,
        )

    def answer_kinds(self, data: Any) -> dict[AnswerKind, tuple[Option, ...]]:
        result: dict[AnswerKind, tuple[Option, ...]] = {}
        if self.mapping(data, None, "answer_kinds") is None:
            return result
        attempted: set[Any] = set()
        for key, options in data.items():
            attempted.add(key)
            kind = self.enum(AnswerKind, key, None, "answer_kinds")
            if kind is None:
                continue
            if kind.standard_option_ids is None:
                self.error(None, f"answer_kinds.{key}", "only yes_no, yes_no_na and "
                           "all_partial_none have standard options")
                continue
            parsed = self.options(options, kind, f"answer kind {key}", "options")
            if parsed is not None:
                result[kind] = parsed
        for kind in STANDARD_OPTION_IDS:
            if kind.value not in attempted:
                self.error(None, "answer_kinds", f"missing the options of {kind.value}")
        return result

    def options(
        self, data: Any, kind: AnswerKind, where: str, field: str
    ) -> tuple[Option, ...] | None:
        if self.sequence(data, where, field) is None:
            return None
        options: list[Option] = []
        seen: set[str] = set()
        for position, entry in enumerate(data, 1):
            if not isinstance(entry, Mapping):
                self.error(where, field, f"option {position} must be a mapping")
                continue
            self.unknown_fields(entry, {"id", "label", "points", "counted"}, where)
            option_id = entry.get("id")
            if not isinstance(option_id, str) or not option_id.strip():
                self.error(where, field, f"option {position}: id must be a text, not {option_id!r}")
                continue
            if option_id in seen:
                self.error(where, field, f"duplicate option id {option_id!r}")
                continue
            seen.add(option_id)
            label = self.text(entry, "label", where, required=True)
            counted = entry.get("counted", True)
            if counted is False:
                if kind is not AnswerKind.YES_NO_NA or option_id != NA:
                    self.error(where, field, f"option {option_id}: only the na answer of "
                               "yes_no_na may be not counted")
                if "points" in entry:
                    self.error(where, field, f"option {option_id}: not counted, so no points")
                points = None
            else:
                if counted is not True:
                    self.error(where, field, f"option {option_id}: counted must be true or false")
                if option_id == NA and kind is AnswerKind.YES_NO_NA:
                    self.error(where, field, "option na must have counted: false")
                if "points" not in entry:
                    self.error(where, field, f"option {option_id} has no points")
                    continue
                points = self.integer(entry["points"], where, f"{field}.{option_id}.points")
            if label is not None:
                options.append(Option(id=option_id, label=label, points=points))
        expected = kind.standard_option_ids
        if expected is not None and seen and tuple(sorted(seen)) != tuple(sorted(expected)):
            self.error(where, field, f"{kind.value} needs exactly the options "
                       f"{', '.join(expected)}, not {', '.join(sorted(seen))}")
        if kind is AnswerKind.CHOICE and len(seen) < 2:
            self.error(where, field, "a choice needs at least two options")
        return tuple(options)

    def sections(self, data: Any) -> list[Section]:
        sections: list[Section] = []
        if self.sequence(data, None, "sections") is None:
            return sections
        seen: set[str] = set()
        for position, entry in enumerate(data, 1):
            where = f"section {position}"
            if not isinstance(entry, Mapping):
                self.error(where, None, "must be a mapping with id and title")
                continue
            section_id = self.string(entry, "id", where)
            if section_id:
                where = f"section {section_id}"
            self.unknown_fields(entry, {"id", "title"}, where)
            title = self.text(entry, "title", where)
            if section_id in seen:
                self.error(where, "id", f"duplicate id {section_id}")
                continue
            if section_id and title:
                seen.add(section_id)
                sections.append(Section(section_id, title))
        return sections

    def items(
        self, data: Any, answer_kinds: Mapping[AnswerKind, tuple[Option, ...]], sections: set[str]
    ) -> list[Item]:
        items: list[Item] = []
        if self.sequence(data, None, "items") is None:
            return items
        seen: set[str] = set()
        for position, entry in enumerate(data, 1):
            if not isinstance(entry, Mapping):
                self.error(f"item {position}", None, "must be a mapping")
                continue
            item_id = entry.get("id")
            if not isinstance(item_id, str) or not _ID.match(item_id):
                self.error(f"item {position}", "id", f"must be an id like ORG-1, not {item_id!r}")
                continue
            where = f"item {item_id}"
            if item_id in seen:
                self.error(where, "id", f"duplicate id {item_id} (item {position})")
                continue
            seen.add(item_id)
            item = self.item(entry, where, answer_kinds, sections)
            if item is not None:
                items.append(item)
        self.check_divisors(items, seen)
        used_sections = {item.section for item in items}
        for section_id in sorted(sections - used_sections):
            if items:
                self.error(f"section {section_id}", None, "has no items")
        return items

    def item(
        self,
        data: Mapping,
        where: str,
        answer_kinds: Mapping[AnswerKind, tuple[Option, ...]],
        sections: set[str],
    ) -> Item | None:
        self.unknown_fields(data, _ITEM_FIELDS, where)
        errors_before = len(self.problems)
        section = self.string(data, "section", where)
        if section and section not in sections:
            self.error(where, "section", f"unknown section {section!r}")
        question = self.text(data, "question", where)
        help_text = self.text(data, "help", where, required=False) or Text("", "")
        remediation = self.text(data, "remediation", where)
        kind = self.enum(AnswerKind, data.get("kind"), where, "kind")
        max_points = self.integer(data.get("max_points"), where, "max_points", minimum=1)
        critical = self.boolean(data, "critical", where)
        priority = self.enum(Priority, data.get("priority"), where, "priority")
        applies_if = self.condition(data, "applies_if", where)
        na_allowed_if = self.condition(data, "na_allowed_if", where)
        if kind is None:
            return None
        if "na_allowed_if" in data and kind is not AnswerKind.YES_NO_NA:
            self.error(where, "na_allowed_if", "only a yes_no_na item can allow na")

        options: tuple[Option, ...] = ()
        bands: tuple[Band, ...] = ()
        numeric: dict[str, Any] = {}
        if kind.is_numeric:
            for field in ("options", "points"):
                if field in data:
                    self.error(where, field, f"a {kind.value} item is scored by bands")
            numeric = self.numeric(data, kind, where)
        else:
            for field in ("bands", "range", "integer_only", "unit", "divided_by"):
                if field in data:
                    self.error(where, field, f"only numeric items have {field}")
            options = self.item_options(data, kind, where, answer_kinds) or ()
        bands = numeric.pop("bands", ())
        if max_points is not None:
            scored = [(f"option {o.id}", o.points) for o in options if o.points is not None]
            scored += [(f"band {b.describe()}", b.points) for b in bands]
            field = "bands" if kind.is_numeric else "options"
            for name, points in scored:
                if points > max_points:
                    self.error(where, field, f"{name}: {points} points is above the maximum "
                               f"{max_points}")
            if scored and max(p for _, p in scored) < max_points:
                self.error(where, "max_points", f"no answer reaches the maximum {max_points} "
                           f"(the most is {max(p for _, p in scored)})")
        if len(self.problems) > errors_before:
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

    def item_options(
        self,
        data: Mapping,
        kind: AnswerKind,
        where: str,
        answer_kinds: Mapping[AnswerKind, tuple[Option, ...]],
    ) -> tuple[Option, ...] | None:
        if kind is AnswerKind.CHOICE:
            if "points" in data:
                self.error(where, "points", "a choice item lists its options with points")
            if "options" not in data:
                self.error(where, "options", "missing")
                return None
            return self.options(data["options"], kind, where, "options")
        if "options" in data:
            if "points" in data:
                self.error(where, "points", "give either options or points, not both")
            return self.options(data["options"], kind, where, "options")
        defaults = answer_kinds.get(kind)
        if defaults is None:
            return None
        overrides = data.get("points")
        if overrides is None:
            return defaults
        if self.mapping(overrides, where, "points") is None:
            return None
        by_id = {o.id: o for o in defaults}
        for key in overrides:
            if key not in by_id:
                self.error(where, "points", f"{kind.value} has no option {key!r}")
            elif by_id[key].points is None:
                self.error(where, "points", f"option {key} is not counted and has no points")
        options = []
        for option in defaults:
            if option.points is None:
                options.append(option)
            elif option.id not in overrides:
                self.error(where, "points", f"option {option.id} has no points")
            else:
                points = self.integer(overrides[option.id], where, f"points.{option.id}")
                if points is not None:
                    options.append(Option(option.id, option.label, points))
        return tuple(options)

    def numeric(self, data: Mapping, kind: AnswerKind, where: str) -> dict[str, Any]:
        low, low_inc, high, high_inc = None, True, None, True
        if kind is AnswerKind.PERCENT:
            low, high = Fraction(0), Fraction(100)
        if "range" in data and self.mapping(data["range"], where, "range") is not None:
            bounds = self.bounds(data["range"], where, "range", allow_points=False)
            if bounds is not None:
                r_low, r_low_inc, r_high, r_high_inc = bounds
                if kind is AnswerKind.PERCENT and (
                    (r_low is not None and r_low < 0) or (r_high is not None and r_high > 100)
                ):
                    self.error(where, "range", "a percentage stays within 0 to 100")
                if r_low is not None:
                    low, low_inc = r_low, r_low_inc
                if r_high is not None:
                    high, high_inc = r_high, r_high_inc
        integer_only = kind is AnswerKind.INTEGER
        if "integer_only" in data:
            integer_only = self.boolean(data, "integer_only", where)
            if kind is AnswerKind.INTEGER and not integer_only:
                self.error(where, "integer_only", "an integer item is always whole numbers")
        unit = self.text(data, "unit", where, required=False)
        divided_by = self.string(data, "divided_by", where, required=False)
        bands: list[Band] = []
        if self.sequence(data.get("bands"), where, "bands") is not None:
            for position, entry in enumerate(data["bands"], 1):
                if not isinstance(entry, Mapping):
                    self.error(where, "bands", f"band {position} must be a mapping")
                    continue
                bounds = self.bounds(entry, where, f"bands[{position}]", allow_points=True)
                points = None
                if "points" not in entry:
                    self.error(where, "bands", f"band {position} has no points")
                else:
                    points = self.integer(entry["points"], where, f"bands[{position}].points")
                if bounds is not None and points is not None:
                    bands.append(Band(points, *bounds))
            if len(bands) == len(data["bands"]):
                if divided_by is None:
                    domain = (low, low_inc, high, high_inc)
                    domain_integer = integer_only
                else:
                    # The ratio of a positive value to a positive divisor: anything above 0.
                    domain = (Fraction(0), False, None, True)
                    domain_integer = False
                for message in check_bands(bands, domain, domain_integer):
                    self.error(where, "bands", message)
        return {
            "bands": tuple(bands),
            "min_value": low,
            "min_inclusive": low_inc,
            "max_value": high,
            "max_inclusive": high_inc,
            "integer_only": integer_only,
            "unit": unit,
            "divided_by": divided_by,
        }

    def bounds(
        self, data: Mapping, where: str, field: str, allow_points: bool
    ) -> tuple[Fraction | None, bool, Fraction | None, bool] | None:
        allowed = set(_BOUND_KEYS) | ({"points"} if allow_points else set())
        self.unknown_fields(data, allowed, f"{where}, field {field}")
        values = {key: self.number(data[key], where, f"{field}.{key}")
                  for key in _BOUND_KEYS if key in data}
        if any(v is None for v in values.values()):
            return None
        if "equals" in values:
            if len(values) > 1:
                self.error(where, field, "equals cannot be combined with other limits")
                return None
            return values["equals"], True, values["equals"], True
        if "at_least" in values and "above" in values:
            self.error(where, field, "give at_least or above, not both")
            return None
        if "at_most" in values and "below" in values:
            self.error(where, field, "give at_most or below, not both")
            return None
        low = values.get("at_least", values.get("above"))
        high = values.get("at_most", values.get("below"))
        low_inc, high_inc = "above" not in values, "below" not in values
        if low is not None and high is not None and (
            low > high or (low == high and not (low_inc and high_inc))
        ):
            self.error(where, field, "the lower limit is above the upper limit")
            return None
        return low, low_inc, high, high_inc

    def check_divisors(self, items: list[Item], declared: set[str]) -> None:
        by_id = {item.id: item for item in items}
        for item in items:
            if item.divided_by is None:
                continue
            where = f"item {item.id}"
            divisor = by_id.get(item.divided_by)
            if divisor is None and item.divided_by in declared:
                pass  # the divisor has problems of its own, reported already
            elif divisor is None:
                self.error(where, "divided_by", f"unknown item {item.divided_by!r}")
            elif divisor.id == item.id or divisor.divided_by is not None:
                self.error(where, "divided_by", "must name a plain numeric item")
            elif not divisor.kind.is_numeric:
                self.error(where, "divided_by", f"{divisor.id} is not numeric")
            elif divisor.applies_if is not None:
                self.error(where, "divided_by", f"{divisor.id} must apply to every enterprise")
            elif divisor.min_value is None or divisor.min_value < 0 or (
                divisor.min_value == 0 and divisor.min_inclusive
            ):
                self.error(where, "divided_by", f"{divisor.id} must only allow values above 0")
            if item.min_value is None or item.min_value < 0:
                self.error(where, "range", "a divided value must not be negative")

    def grading(self, data: Any) -> dict[str, Any] | None:
        if self.mapping(data, None, "grading") is None:
            return None
        allowed = {
            "fail_threshold", "bands", "rules", "decisions", "remediation_due_days",
            "critical_priority", "next_assessment",
        }
        self.unknown_fields(data, allowed, "grading")
        fail_threshold = self.integer(data.get("fail_threshold"), "grading", "fail_threshold", 1)
        grade_bands = self.grade_bands(data.get("bands"))
        rules = self.rules(data.get("rules"))
        decisions: dict[Grade, Text] = {}
        if self.mapping(data.get("decisions"), "grading", "decisions") is not None:
            for key in data["decisions"]:
                grade = self.enum(Grade, key, "grading", "decisions")
                if grade is not None:
                    text = self.text(data["decisions"], key, "grading", required=True)
                    if text is not None:
                        decisions[grade] = text
            for grade in Grade:
                if grade.value not in data["decisions"]:
                    self.error("grading", "decisions", f"missing the decision for {grade.value}")
        due_days: dict[Priority, int] = {}
        if self.mapping(data.get("remediation_due_days"), "grading", "remediation_due_days"):
            raw = data["remediation_due_days"]
            for key in raw:
                if self.enum(Priority, key, "grading", "remediation_due_days") is None:
                    continue
                days = self.integer(raw[key], "grading", f"remediation_due_days.{key}")
                if days is not None:
                    due_days[Priority(key)] = days
            for priority in Priority:
                if priority.value not in raw:
                    self.error("grading", "remediation_due_days", f"missing {priority.value}")
        critical_priority = self.enum(
            Priority, data.get("critical_priority"), "grading", "critical_priority"
        )
        next_days, cap_days, cap_grade = self.next_assessment(data.get("next_assessment"))
        if fail_threshold is None or critical_priority is None:
            return None
        for rule in rules:
            if rule.kind is RuleKind.ITEM_POINTS and rule.min_points and (
                rule.min_points < fail_threshold
            ):
                # Otherwise an item could escalate the grade without being on the remediation list.
                self.error(f"rule {rule.id}", "min_points", f"must be at least the fail "
                           f"threshold {fail_threshold}")
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

    def grade_bands(self, data: Any) -> list[GradeBand]:
        bands: list[GradeBand] = []
        if self.sequence(data, "grading", "bands") is None:
            return bands
        grades = list(Grade)
        previous: Fraction | None = None
        for position, entry in enumerate(data, 1):
            field = f"bands[{position}]"
            if not isinstance(entry, Mapping):
                self.error("grading", field, "must be a mapping with grade and at_most")
                continue
            self.unknown_fields(entry, {"grade", "at_most"}, f"grading, field {field}")
            grade = self.enum(Grade, entry.get("grade"), "grading", f"{field}.grade")
            expected = grades[position - 1] if position <= len(grades) else None
            if grade is not None and grade is not expected:
                wanted = expected.value if expected else "nothing more"
                self.error("grading", field, f"grades go lowest to highest: expected {wanted}")
            last = position == len(grades)
            upper = None
            if "at_most" in entry:
                upper = self.number(entry["at_most"], "grading", f"{field}.at_most")
                if last:
                    self.error("grading", field, "the highest grade has no upper limit")
                elif upper is not None and not 0 < upper < 100:
                    self.error("grading", field, "the limit must be between 0 and 100")
                elif upper is not None and previous is not None and upper <= previous:
                    self.error("grading", field, f"the limit must be above {previous}")
                previous = upper if upper is not None else previous
            elif not last:
                self.error("grading", field, "missing at_most (the band's upper limit, in %)")
            if grade is not None:
                bands.append(GradeBand(grade, upper))
        if len(data) != len(grades):
            self.error("grading", "bands", f"needs exactly {len(grades)} bands, one per grade")
        return bands

    def rules(self, data: Any) -> list[Rule]:
        rules: list[Rule] = []
        if data is None:
            return rules
        if not isinstance(data, list):
            self.error("grading", "rules", "must be a list")
            return rules
        seen: set[str] = set()
        for position, entry in enumerate(data, 1):
            if not isinstance(entry, Mapping):
                self.error("grading", f"rules[{position}]", "must be a mapping")
                continue
            rule_id = self.string(entry, "id", f"rule {position}")
            where = f"rule {rule_id or position}"
            if rule_id in seen:
                self.error(where, "id", f"duplicate rule id {rule_id}")
                continue
            if rule_id:
                seen.add(rule_id)
            kind = None
            if "kind" not in entry:
                self.error(where, "kind", "missing")
            else:
                try:
                    kind = RuleKind(entry["kind"])
                except ValueError:
                    known = ", ".join(k.value for k in RuleKind)
                    self.error(where, "kind", f"unknown rule {entry['kind']!r} (known: {known})")
            allowed = {"id", "kind", "reason", "cause"} | (_RULE_FIELDS[kind] if kind else set())
            if kind is not None:
                self.unknown_fields(entry, allowed, where)
            reason = self.rule_text(entry, "reason", where)
            cause = self.rule_text(entry, "cause", where)
            if kind is None or rule_id is None:
                continue
            fields: dict[str, Any] = {}
            errors_before = len(self.problems)
            for field in sorted(_RULE_FIELDS[kind]):
                if field not in entry:
                    self.error(where, field, "missing")
            if "raise_to" in entry:
                fields["raise_to"] = self.enum(Grade, entry["raise_to"], where, "raise_to")
            if "min_points" in entry:
                fields["min_points"] = self.integer(entry["min_points"], where, "min_points", 1)
            if "min_count" in entry:
                fields["min_count"] = self.integer(entry["min_count"], where, "min_count", 1)
            if "when_grades" in entry:
                grades = entry["when_grades"]
                if self.sequence(grades, where, "when_grades") is not None:
                    fields["when_grades"] = tuple(
                        self.enum(Grade, g, where, "when_grades") for g in grades
                    )
            if "context_key" in entry:
                key = entry["context_key"]
                if key not in BOOL_CONTEXT_KEYS:
                    self.error(where, "context_key", f"unknown context key {key!r} (yes/no keys: "
                               f"{', '.join(BOOL_CONTEXT_KEYS)})")
                fields["context_key"] = key
            if "levels" in entry:
                fields["levels"] = self.area_steps(entry["levels"], where)
            when, raise_to = fields.get("when_grades"), fields.get("raise_to")
            if when and raise_to and None not in when:
                # A rule raising a grade must not skip one between: else a better answer could
                # drop the grade below the rule and so end higher (the grade must be monotone).
                between = [g for g in Grade if min(when) < g < raise_to and g not in when]
                if between:
                    self.error(where, "when_grades", "must also list "
                               f"{', '.join(g.value for g in between)}: a grade between must "
                               f"not end lower than one below it")
            if len(self.problems) > errors_before or reason is None or cause is None:
                continue
            rules.append(Rule(id=rule_id, kind=kind, reason=reason, cause=cause, **fields))
        return rules

    def rule_text(self, entry: Mapping, field: str, where: str) -> Text | None:
        text = self.text(entry, field, where)
        if text is None:
            return None
        for lang in ("vi", "en"):
            try:
                names = {name for _, name, _, _ in string.Formatter().parse(getattr(text, lang))
                         if name is not None}
            except ValueError as exc:
                self.error(where, field, f"{lang}: {exc}")
                return None
            for name in sorted(names - RULE_PLACEHOLDERS):
                self.error(where, field, f"{lang}: unknown placeholder {{{name}}} (known: "
                           f"{', '.join(sorted(RULE_PLACEHOLDERS))})")
        return text

    def area_steps(self, data: Any, where: str) -> tuple[AreaStep, ...]:
        steps: list[AreaStep] = []
        if self.sequence(data, where, "levels") is None:
            return ()
        seen: set[int] = set()
        for position, entry in enumerate(data, 1):
            field = f"levels[{position}]"
            if not isinstance(entry, Mapping):
                self.error(where, field, "must be a mapping with level, from_grade and steps")
                continue
            self.unknown_fields(entry, {"level", "from_grade", "steps"}, f"{where}, field {field}")
            level = self.integer(entry.get("level"), where, f"{field}.level", 1)
            if level is not None and level > 4:
                self.error(where, f"{field}.level", "epidemic levels are 1 to 4")
                level = None
            if level in seen:
                self.error(where, f"{field}.level", f"level {level} given twice")
            from_grade = self.enum(Grade, entry.get("from_grade"), where, f"{field}.from_grade")
            count = self.integer(entry.get("steps"), where, f"{field}.steps", 1)
            if level is not None and from_grade is not None and count is not None:
                seen.add(level)
                steps.append(AreaStep(level, from_grade, count))
        # A higher epidemic level must never raise a grade less than a lower one does.
        by_level = {s.level: (s.from_grade.rank, s.steps) for s in steps}
        effects = [by_level.get(level, (len(Grade), 0)) for level in (1, 2, 3, 4)]
        for level in (2, 3, 4):
            (low_from, low_steps), (high_from, high_steps) = effects[level - 2], effects[level - 1]
            if high_from > low_from or high_steps < low_steps:
                self.error(where, "levels", f"level {level} would raise a grade less than level "
                           f"{level - 1}: the area level must never lower a grade")
                break
        return tuple(steps)

    def next_assessment(self, data: Any) -> tuple[dict[int, int], int | None, Grade | None]:
        days: dict[int, int] = {}
        if self.mapping(data, "grading", "next_assessment") is None:
            return days, None, None
        where = "grading"
        self.unknown_fields(data, {"days_by_area_level", "at_most_days", "when_grade_at_least"},
                            "grading, field next_assessment")
        field = "next_assessment.days_by_area_level"
        by_level = data.get("days_by_area_level")
        if isinstance(by_level, Mapping):
            # JSON keys are texts: "1" is level 1.
            by_level = {int(k) if isinstance(k, str) and k.isdigit() else k: v
                        for k, v in by_level.items()}
        if self.mapping(by_level, where, field) is not None:
            for level in (1, 2, 3, 4):
                if level not in by_level:
                    self.error(where, field, f"missing level {level}")
                else:
                    value = self.integer(by_level[level], where, f"{field}.{level}", 1)
                    if value is not None:
                        days[level] = value
            for level in by_level:
                if level not in (1, 2, 3, 4):
                    self.error(where, field, f"unknown area level {level!r} (levels are 1 to 4)")
        cap_days = cap_grade = None
        if ("at_most_days" in data) != ("when_grade_at_least" in data):
            self.error(where, "next_assessment", "give both at_most_days and when_grade_at_least")
        elif "at_most_days" in data:
            cap_days = self.integer(data["at_most_days"], where, "next_assessment.at_most_days", 1)
            cap_grade = self.enum(Grade, data["when_grade_at_least"], where,
                                  "next_assessment.when_grade_at_least")
        return days, cap_days, cap_grade


def check_bands(
    bands: list[Band],
    domain: tuple[Fraction | None, bool, Fraction | None, bool],
    integer: bool,
) -> list[str]:
    """Problems with how the bands cover the allowed values: gaps, overlaps, unreachable bands."""
    problems: list[str] = []
    d_low, d_low_inc, d_high, d_high_inc = domain
    if integer:
        return _check_integer_bands(bands, d_low, d_low_inc, d_high, d_high_inc)
    intervals = []
    for band in bands:
        low, low_inc = band.lower, band.lower_inclusive
        high, high_inc = band.upper, band.upper_inclusive
        # Clip to the allowed values.
        if d_low is not None and (low is None or low < d_low or (low == d_low and not d_low_inc)):
            low, low_inc = d_low, d_low_inc
        if d_high is not None and (
            high is None or high > d_high or (high == d_high and not d_high_inc)
        ):
            high, high_inc = d_high, d_high_inc
        if low is not None and high is not None and (
            low > high or (low == high and not (low_inc and high_inc))
        ):
            problems.append(f"band {band.describe()} lies outside the allowed values")
            continue
        intervals.append((low, low_inc, high, high_inc))
    intervals.sort(key=lambda i: (i[0] is not None, i[0] or 0, not i[1]))
    if not intervals:
        return problems
    first_low, first_low_inc = intervals[0][0], intervals[0][1]
    if d_low is None and first_low is not None:
        problems.append(f"no band covers values below {format_number(first_low)}")
    elif d_low is not None and (first_low != d_low or (d_low_inc and not first_low_inc)):
        problems.append(f"no band covers {format_number(d_low)}")
    for (_, _, high, high_inc), (low, low_inc, _, _) in zip(intervals, intervals[1:], strict=False):
        if high is None or low < high:
            problems.append(f"bands overlap at {format_number(low)}")
        elif low > high:
            problems.append(
                f"bands leave a gap between {format_number(high)} and {format_number(low)}"
            )
        elif high_inc and low_inc:
            problems.append(f"bands overlap at {format_number(low)}")
        elif not high_inc and not low_inc:
            problems.append(f"bands leave a gap at {format_number(low)}")
    last_high = max(
        intervals, key=lambda i: (i[2] is None, i[2] or 0, i[3])
    )  # the band reaching furthest up
    top, top_inc = last_high[2], last_high[3]
    if d_high is None and top is not None:
        problems.append(f"no band covers values above {format_number(top)}")
    elif d_high is not None and top is not None and (top < d_high or (d_high_inc and not top_inc)):
        problems.append(f"no band covers {format_number(d_high)}")
    return problems


def _check_integer_bands(bands, d_low, d_low_inc, d_high, d_high_inc) -> list[str]:
    def first_whole(value, inclusive):
        if value is None:
            return None
        return math.ceil(value) if inclusive else math.floor(value) + 1

    def last_whole(value, inclusive):
        if value is None:
            return None
        return math.floor(value) if inclusive else math.ceil(value) - 1

    problems: list[str] = []
    lo_dom, hi_dom = first_whole(d_low, d_low_inc), last_whole(d_high, d_high_inc)
    ranges = []
    for band in bands:
        lo = first_whole(band.lower, band.lower_inclusive)
        hi = last_whole(band.upper, band.upper_inclusive)
        if lo_dom is not None and (lo is None or lo < lo_dom):
            lo = lo_dom
        if hi_dom is not None and (hi is None or hi > hi_dom):
            hi = hi_dom
        if lo is not None and hi is not None and lo > hi:
            problems.append(f"band {band.describe()} holds no allowed whole number")
            continue
        ranges.append((lo, hi))
    ranges.sort(key=lambda r: (r[0] is not None, r[0] or 0))
    if not ranges:
        return problems
    first = ranges[0][0]
    if first is not None and lo_dom is None:
        problems.append(f"no band covers values below {first}")
    elif first is not None and first > lo_dom:
        gap = f"{lo_dom}" if first == lo_dom + 1 else f"{lo_dom} to {first - 1}"
        problems.append(f"no band covers {gap}")
    for (_, hi), (lo, _) in zip(ranges, ranges[1:], strict=False):
        if hi is None or lo <= hi:
            problems.append(f"bands overlap at {lo}")
        elif lo > hi + 1:
            gap = f"{hi + 1}" if lo == hi + 2 else f"{hi + 1} to {lo - 1}"
            problems.append(f"bands leave a gap: no band covers {gap}")
    top = max(ranges, key=lambda r: (r[1] is None, r[1] or 0))[1]
    if top is not None and (hi_dom is None or top < hi_dom):
        problems.append(
            f"no band covers values above {top}" if hi_dom is None
            else f"no band covers {top + 1} to {hi_dom}"
        )
    return problems


# ── back to the file format ──────────────────────────────────────────────────────────────────


def _option_dict(option: Option) -> dict[str, Any]:
    data: dict[str, Any] = {"id": option.id, "label": option.label.to_dict()}
    if option.points is None:
        data["counted"] = False
    else:
        data["points"] = option.points
    return data


def _range_dict(item: Item) -> dict[str, Any]:
    band = Band(0, item.min_value, item.min_inclusive, item.max_value, item.max_inclusive)
    data = band.to_dict()
    del data["points"]
    return data


def checklist_to_dict(checklist: Checklist) -> dict[str, Any]:
    """A Checklist in the definition format, fully expanded (every option listed)."""
    items = []
    for item in checklist.items:
        data: dict[str, Any] = {
            "id": item.id,
            "section": item.section,
            "kind": item.kind.value,
            "question": item.question.to_dict(),
            "help": item.help.to_dict(),
            "max_points": item.max_points,
            "critical": item.critical,
            "priority": item.priority.value,
            "remediation": item.remediation.to_dict(),
        }
        if item.applies_if is not None:
            data["applies_if"] = item.applies_if
        if item.na_allowed_if is not None:
            data["na_allowed_if"] = item.na_allowed_if
        if item.kind.is_numeric:
            data["range"] = _range_dict(item)
            data["integer_only"] = item.integer_only
            if item.unit is not None:
                data["unit"] = item.unit.to_dict()
            if item.divided_by is not None:
                data["divided_by"] = item.divided_by
            data["bands"] = [band.to_dict() for band in item.bands]
        else:
            data["options"] = [_option_dict(option) for option in item.options]
        items.append(data)
    grading: dict[str, Any] = {
        "fail_threshold": checklist.fail_threshold,
        "bands": [
            {"grade": b.grade.value}
            if b.upper is None
            else {"grade": b.grade.value, "at_most": json_number(b.upper)}
            for b in checklist.grade_bands
        ],
        "rules": [_rule_dict(rule) for rule in checklist.rules],
        "decisions": {g.value: t.to_dict() for g, t in checklist.decisions.items()},
        "remediation_due_days": {p.value: d for p, d in checklist.remediation_due_days.items()},
        "critical_priority": checklist.critical_priority.value,
        "next_assessment": {"days_by_area_level": dict(checklist.next_assessment_days)},
    }
    if checklist.next_assessment_cap_days is not None:
        assert checklist.next_assessment_cap_grade is not None  # nosec B101 # invariant of Checklist
        grading["next_assessment"]["at_most_days"] = checklist.next_assessment_cap_days
        grading["next_assessment"]["when_grade_at_least"] = (
            checklist.next_assessment_cap_grade.value
        )
    return {
        "id": checklist.id,
        "version": checklist.version,
        "effective_from": checklist.effective_from.isoformat(),
        "title": checklist.title.to_dict(),
        "description": checklist.description.to_dict(),
        "answer_kinds": {
            kind.value: [_option_dict(o) for o in options]
            for kind, options in checklist.answer_kinds.items()
        },
        "grading": grading,
        "sections": [{"id": s.id, "title": s.title.to_dict()} for s in checklist.sections],
        "items": items,
    }


def _rule_dict(rule: Rule) -> dict[str, Any]:
    data: dict[str, Any] = {"id": rule.id, "kind": rule.kind.value}
    if rule.when_grades:
        data["when_grades"] = [g.value for g in rule.when_grades]
    if rule.min_points is not None:
        data["min_points"] = rule.min_points
    if rule.min_count is not None:
        data["min_count"] = rule.min_count
    if rule.context_key is not None:
        data["context_key"] = rule.context_key
    if rule.levels:
        data["levels"] = [
            {"level": s.level, "from_grade": s.from_grade.value, "steps": s.steps}
            for s in rule.levels
        ]
    if rule.raise_to is not None:
        data["raise_to"] = rule.raise_to.value
    data["reason"] = rule.reason.to_dict()
    data["cause"] = rule.cause.to_dict()
    return data
