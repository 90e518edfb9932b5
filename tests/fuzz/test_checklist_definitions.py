"""Checklist definitions from users: any text or structure gives a Checklist or a ChecklistError."""

from __future__ import annotations

import json

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from riskapp.scoring import Checklist, ChecklistError, checklist_from_text
from riskapp.scoring.loader import CHECKLIST_DIR

DEFAULT_TEXT = next(CHECKLIST_DIR.glob("*.yaml")).read_text(encoding="utf-8")
DEFAULT = yaml.safe_load(DEFAULT_TEXT)
FUZZ = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])

scalars = st.one_of(
    st.none(), st.booleans(), st.integers(-10**12, 10**12),
    st.floats(allow_nan=True, allow_infinity=True), st.text(max_size=40),
    st.sampled_from(["yes", "no", "na", "P1", "P9", "area_level <= 2", "area_level >>", "đ",
                     "Không áp dụng", "1e309", "-0", "", " "]),
)
values = st.recursive(scalars, lambda inner: st.one_of(
    st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=12), inner, max_size=4)),
    max_leaves=12)


def _assert_result_or_clear_error(text: str) -> None:
    try:
        parsed = checklist_from_text(text, source="fuzz")
    except ChecklistError as error:
        assert error.args and all(isinstance(p, str) and p for p in error.args[0])
    else:
        assert isinstance(parsed, Checklist)


def _paths(node, prefix=()):
    yield prefix
    if isinstance(node, dict):
        for key, child in node.items():
            yield from _paths(child, (*prefix, key))
    elif isinstance(node, list):
        for index, child in enumerate(node):
            yield from _paths(child, (*prefix, index))


PATHS = [p for p in _paths(DEFAULT) if p]


def _replace(node, path, value):
    if len(path) == 1:
        copy = dict(node) if isinstance(node, dict) else list(node)
        copy[path[0]] = value
        return copy
    copy = dict(node) if isinstance(node, dict) else list(node)
    copy[path[0]] = _replace(node[path[0]], path[1:], value)
    return copy


def _delete(node, path):
    copy = dict(node) if isinstance(node, dict) else list(node)
    if len(path) == 1:
        del copy[path[0]]
    else:
        copy[path[0]] = _delete(node[path[0]], path[1:])
    return copy


def test_the_shipped_definition_loads():
    assert isinstance(checklist_from_text(DEFAULT_TEXT), Checklist)


@FUZZ
@given(st.text(max_size=400))
def test_any_text_gives_a_checklist_or_a_clear_error(text):
    _assert_result_or_clear_error(text)


@FUZZ
@given(st.lists(st.tuples(st.sampled_from(PATHS), values), min_size=1, max_size=3),
       st.booleans())
def test_a_mutated_definition_gives_a_checklist_or_a_clear_error(changes, as_json):
    data = DEFAULT
    for path, value in changes:
        try:
            data = _replace(data, path, value)
        except (KeyError, IndexError, TypeError):
            continue  # an earlier change removed this path
    text = json.dumps(data, ensure_ascii=False, default=str) if as_json else yaml.safe_dump(
        data, allow_unicode=True)
    _assert_result_or_clear_error(text)


@FUZZ
@given(st.lists(st.sampled_from(PATHS), min_size=1, max_size=3))
def test_a_definition_missing_parts_gives_a_clear_error(paths):
    data = DEFAULT
    for path in paths:
        try:
            data = _delete(data, path)
        except (KeyError, IndexError, TypeError):
            continue
    _assert_result_or_clear_error(yaml.safe_dump(data, allow_unicode=True))


def test_yaml_tags_that_build_objects_are_refused():
    _assert_result_or_clear_error("!!python/object/apply:os.system ['true']\n")


def test_an_alias_bomb_is_refused_quickly():
    bomb = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [*{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, "
        f"*{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}]\n"
        for i in range(8))
    _assert_result_or_clear_error(bomb)
