"""Definition files (YAML or JSON) read into checklists, and the checklists shipped here."""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from riskapp.scoring.definition import checklist_from_data
from riskapp.scoring.model import Checklist, ChecklistError

CHECKLIST_DIR = Path(__file__).with_name("checklists")
DEFAULT_CHECKLIST_ID = "vn-workplace-2021"
_FILE_NAME = re.compile(r"^(?P<id>.+)\.v(?P<version>\d+)\.(?:ya?ml|json)$")

# libyaml's parser when PyYAML has it: the shipped checklist parses ~5x faster.
_SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _YamlLoader(_SAFE_LOADER):
    """Safe YAML where only true/false are booleans and a key repeated in a mapping is an error."""

    # Else `yes`/`no` would be booleans, not answer ids, and a repeated key would silently win.

    def construct_mapping(self, node, deep=False):  # type: ignore[override]
        seen: set[Any] = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)
            if not isinstance(key, (str, int)):
                continue  # a list or mapping as a key is reported by the base class
            if key in seen:
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
    return checklist_from_data(data, text, source)


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
