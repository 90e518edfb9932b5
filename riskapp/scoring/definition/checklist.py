"""The top of a definition: id, version, dates, titles, answer kinds and sections."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from riskapp.scoring.definition.fields import ID_PATTERN, FieldReader
from riskapp.scoring.definition.grading import read_grading
from riskapp.scoring.definition.items import read_items, read_options
from riskapp.scoring.model import Checklist, ChecklistError, Option, Section
from riskapp.scoring.values import STANDARD_OPTION_IDS, AnswerKind, Text

_TOP_FIELDS = {
    "id", "version", "effective_from", "title", "description",
    "answer_kinds", "grading", "sections", "items",
}


def checklist_from_data(data: Any, text: str, source: str) -> Checklist:
    """The Checklist that loaded YAML or JSON defines; raises ChecklistError listing problems."""
    reader = FieldReader(source)
    checklist = _read_checklist(reader, data, text)
    if reader.problems or checklist is None:
        raise ChecklistError(reader.problems)
    return checklist


def _read_checklist(reader: FieldReader, data: Any, text: str) -> Checklist | None:
    if not isinstance(data, Mapping):
        reader.error(None, None, "the definition must be a mapping with id, version, items…")
        return None
    reader.unknown_fields(data, _TOP_FIELDS, None)
    checklist_id = reader.string(data, "id", None)
    if checklist_id and not ID_PATTERN.match(checklist_id):
        reader.error(None, "id", f"{checklist_id!r} may use only letters, digits, - _ and .")
    version = reader.integer(data.get("version"), None, "version", minimum=1)
    effective_from = _read_date(reader, data.get("effective_from"))
    title = reader.text(data, "title", None)
    description = reader.text(data, "description", None, required=False) or Text("", "")
    answer_kinds = _read_answer_kinds(reader, data.get("answer_kinds"))
    sections = _read_sections(reader, data.get("sections"))
    items = read_items(reader, data.get("items"), answer_kinds, {s.id for s in sections})
    grading = read_grading(reader, data.get("grading"))
    if reader.problems:
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
        source_name=reader.source,
        **grading,
    )


def _read_date(reader: FieldReader, value: Any) -> date | None:
    if isinstance(value, str):
        try:
            value = date.fromisoformat(value)
        except ValueError:
            pass
    if not isinstance(value, date):
        reader.error(None, "effective_from", f"must be a date YYYY-MM-DD, not {value!r}")
        return None
    return value


def _read_answer_kinds(reader: FieldReader, data: Any) -> dict[AnswerKind, tuple[Option, ...]]:
    """The shared options of the standard answer kinds (yes_no, yes_no_na, all_partial_none)."""
    result: dict[AnswerKind, tuple[Option, ...]] = {}
    if reader.mapping(data, None, "answer_kinds") is None:
        return result
    attempted: set[Any] = set()
    for key, options in data.items():
        attempted.add(key)
        kind = reader.enum(AnswerKind, key, None, "answer_kinds")
        if kind is None:
            continue
        if kind.standard_option_ids is None:
            reader.error(None, f"answer_kinds.{key}",
                         "only yes_no, yes_no_na and all_partial_none have standard options")
            continue
        parsed = read_options(reader, options, kind, f"answer kind {key}", "options")
        if parsed is not None:
            result[kind] = parsed
    for kind in STANDARD_OPTION_IDS:
        if kind.value not in attempted:
            reader.error(None, "answer_kinds", f"missing the options of {kind.value}")
    return result


def _read_sections(reader: FieldReader, data: Any) -> list[Section]:
    sections: list[Section] = []
    if reader.sequence(data, None, "sections") is None:
        return sections
    seen: set[str] = set()
    for position, entry in enumerate(data, 1):
        where = f"section {position}"
        if not isinstance(entry, Mapping):
            reader.error(where, None, "must be a mapping with id and title")
            continue
        section_id = reader.string(entry, "id", where)
        if section_id:
            where = f"section {section_id}"
        reader.unknown_fields(entry, {"id", "title"}, where)
        title = reader.text(entry, "title", where)
        if section_id in seen:
            reader.error(where, "id", f"duplicate id {section_id}")
            continue
        if section_id and title:
            seen.add(section_id)
            sections.append(Section(section_id, title))
    return sections
