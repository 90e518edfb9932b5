"""Conditions on the context used by `applies_if` and `na_allowed_if`.

Grammar: `KEY` or `not KEY` for a yes/no context key, `area_level OP N` with OP one of
<, <=, >, >=, ==, != for the area level.
"""

from __future__ import annotations

import operator
import re
from collections.abc import Callable
from functools import lru_cache

from riskapp.scoring.values import BOOL_CONTEXT_KEYS, CONTEXT_KEY_LABELS, Context, Text

_OPS: dict[str, Callable[[int, int], bool]] = {
    "<=": operator.le,
    "<": operator.lt,
    ">=": operator.ge,
    ">": operator.gt,
    "==": operator.eq,
    "!=": operator.ne,
}
_COMPARISON = re.compile(r"^\s*([a-z_0-9]+)\s*(<=|>=|==|!=|<|>)\s*(-?\d+)\s*$")
_FLAG = re.compile(r"^\s*(not\s+)?([a-z_0-9]+)\s*$")


class ConditionError(ValueError):
    pass


@lru_cache(maxsize=256)
def compile_condition(text: str) -> Callable[[Context], bool]:
    """Parse a condition into a function of the context; raises ConditionError."""
    match = _COMPARISON.match(text)
    if match:
        key, op, number = match.group(1), match.group(2), int(match.group(3))
        if key != "area_level":
            if key in BOOL_CONTEXT_KEYS:
                raise ConditionError(f"{key} is yes/no: write '{key}' or 'not {key}'")
            raise ConditionError(f"unknown context key {key!r}")
        compare = _OPS[op]
        return lambda context: compare(context.area_level, number)
    match = _FLAG.match(text)
    if match:
        negate, key = bool(match.group(1)), match.group(2)
        if key == "area_level":
            raise ConditionError("area_level needs a comparison, e.g. 'area_level <= 2'")
        if key not in BOOL_CONTEXT_KEYS:
            raise ConditionError(f"unknown context key {key!r}")
        if negate:
            return lambda context: not getattr(context, key)
        return lambda context: bool(getattr(context, key))
    raise ConditionError(
        f"cannot read condition {text!r}: write KEY, 'not KEY' or 'area_level <= N'"
    )


def evaluate(text: str, context: Context) -> bool:
    return compile_condition(text)(context)


def describe(text: str) -> Text:
    """The condition in words, e.g. "the area's epidemic level is 2 or lower"."""
    match = _COMPARISON.match(text)
    if match:
        label = CONTEXT_KEY_LABELS["area_level"]
        op, number = match.group(2), match.group(3)
        vi_op = {
            "<=": f"từ {number} trở xuống",
            "<": f"dưới {number}",
            ">=": f"từ {number} trở lên",
            ">": f"trên {number}",
            "==": f"bằng {number}",
            "!=": f"khác {number}",
        }[op]
        en_op = {
            "<=": f"is {number} or lower",
            "<": f"is below {number}",
            ">=": f"is {number} or higher",
            ">": f"is above {number}",
            "==": f"is {number}",
            "!=": f"is not {number}",
        }[op]
        return Text(f"{label.vi} {vi_op}", f"{label.en} {en_op}")
    match = _FLAG.match(text)
    assert match is not None  # nosec B101 # the caller matched _FLAG already
    label = CONTEXT_KEY_LABELS[match.group(2)]
    if match.group(1):
        return Text(f"không phải trường hợp {label.vi}", f"not: {label.en}")
    return label
