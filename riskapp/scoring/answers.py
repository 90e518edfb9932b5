"""Context and answers checked and scored item by item; problems are collected, not raised."""

from __future__ import annotations

import math
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from typing import Any

from riskapp.scoring import messages
from riskapp.scoring.compiled import CompiledChecklist, CompiledItem
from riskapp.scoring.conditions import describe
from riskapp.scoring.model import Problem
from riskapp.scoring.result import ItemResult
from riskapp.scoring.values import BOOL_CONTEXT_KEYS, CONTEXT_KEYS, NA, Context

_MISSING = object()


def context_problems(context: Context | Mapping[str, Any] | Any) -> tuple[Context, list[Problem]]:
    """A usable context (best effort when invalid) and the problems with it."""
    problems: list[Problem] = []
    if isinstance(context, Context):
        data = context.to_dict()
    elif isinstance(context, Mapping):
        data = dict(context)
    else:
        problems.append(Problem(None, "context", messages.context_not_mapping(context)))
        data = {}
    for key in data:
        if key not in CONTEXT_KEYS:
            problems.append(Problem(None, "unknown_context", messages.unknown_context_key(key)))
    level = data.get("area_level", _MISSING)
    if level is _MISSING or level is None:
        problems.append(Problem(None, "area_level", messages.area_level_missing()))
        level = None
    elif isinstance(level, bool) or not isinstance(level, int) or not 1 <= level <= 4:
        problems.append(Problem(None, "area_level", messages.area_level_invalid(level)))
        level = None
    flags = {}
    for key in BOOL_CONTEXT_KEYS:
        value = data.get(key, False)
        if not isinstance(value, bool):
            message = messages.context_not_boolean(key, value)
            problems.append(Problem(None, "context_value", message))
            value = False
        flags[key] = value
    # area_level None only while reporting problems: conditions on it then cannot be judged.
    return Context(area_level=level, **flags), problems  # type: ignore[arg-type]


class Evaluation:
    """Per-item outcome plus the sums scoring needs (collected in the same pass)."""

    __slots__ = (
        "results", "points", "exact", "normal", "answers", "problems", "total", "maximum",
        "failing",
    )

    def __init__(self, size: int):
        self.total = self.maximum = 0
        self.failing: list[CompiledItem] = []  # checklist order
        self.results: list[ItemResult] = [None] * size  # type: ignore[list-item]
        self.points: list[int | None] = [None] * size
        self.exact: list[int | Fraction | None] = [None] * size
        self.normal: list[int | float | None] = [None] * size
        self.answers: list[tuple[str, Any]] = []
        self.problems: list[Problem] = []


def evaluate(
    compiled: CompiledChecklist,
    context: Context,
    answers: Mapping[str, Any],
    partial: bool,
    keep_na: bool = False,
) -> Evaluation:
    """Check and score every item; `partial` skips missing answers, `keep_na` any na answered."""
    evaluation = Evaluation(len(compiled.items))
    if type(answers) is not dict or not compiled.ids.issuperset(answers):
        answers = _known_answers(compiled, answers, evaluation.problems)
    _evaluate_items(compiled, context, answers, partial, keep_na, evaluation)
    _score_ratio_items(compiled, evaluation)
    return evaluation


def _evaluate_items(
    compiled: CompiledChecklist,
    context: Context,
    answers: Mapping[str, Any],
    partial: bool,
    keep_na: bool,
    evaluation: Evaluation,
) -> None:
    """The pass over the items, hot in score(): a call per item only for numbers and problems."""
    problems, results, points = evaluation.problems, evaluation.results, evaluation.points
    failing, answered = evaluation.failing, evaluation.answers
    fail = compiled.fail
    get = answers.get
    total = maximum = 0
    for ci, index, item_id, applies, option_results, max_points in compiled.rows:
        if applies is not None and not applies(context):
            results[index] = ci.not_applicable
            continue
        value = get(item_id)
        if value is None:  # no answer, or an empty one
            if not partial:
                problems.append(Problem(item_id, "missing", messages.missing(ci.item)))
            continue
        if option_results is None:
            p = _numeric_answer(ci, value, evaluation, fail)
        else:
            result = option_results.get(value) if type(value) is str else None
            if result is None:
                problems.append(_option_problem(ci, value))
                continue
            p = result.points
            if p is None and not keep_na and not _na_allowed(ci, context):
                problems.append(_na_problem(ci))
                continue
            results[index] = result
            answered.append((item_id, value))
        if p is not None:
            points[index] = p
            total += p
            maximum += max_points
            if p >= fail:
                failing.append(ci)
    evaluation.total, evaluation.maximum = total, maximum


def _known_answers(
    compiled: CompiledChecklist, answers: Mapping[str, Any] | Any, problems: list[Problem]
) -> Mapping[str, Any]:
    """The answers as a mapping; a problem for anything else and for each unknown item."""
    if type(answers) is not dict and not isinstance(answers, Mapping):
        problems.append(Problem(None, "answers", messages.answers_not_mapping(answers)))
        return {}
    if not compiled.ids.issuperset(answers):
        for key in answers:
            if key not in compiled.ids:
                item_id = key if isinstance(key, str) else None
                problems.append(Problem(item_id, "unknown_item", messages.unknown_item(key)))
    return answers


def _option_problem(ci: CompiledItem, value: Any) -> Problem:
    if value == NA:  # an item without na
        return Problem(ci.id, "na_not_allowed", messages.na_not_allowed(ci.item, None))
    if isinstance(value, str):
        return Problem(ci.id, "unknown_option", messages.unknown_option(ci.item, value))
    return Problem(ci.id, "wrong_kind", messages.wrong_kind_option(ci.item, value))


def _na_problem(ci: CompiledItem) -> Problem:
    condition = describe(ci.item.na_allowed_if) if ci.item.na_allowed_if else None
    return Problem(ci.id, "na_not_allowed", messages.na_not_allowed(ci.item, condition))


def _na_allowed(ci: CompiledItem, context: Context) -> bool:
    if ci.na_always:
        return True
    if ci.na_condition is None:
        return False
    try:
        return ci.na_condition(context)
    except TypeError:  # area level unknown: already reported, do not add a second problem
        return True


def _numeric_answer(ci: CompiledItem, value: Any, evaluation: Evaluation, fail: int) -> int | None:
    """Record a numeric answer; its points, or None for a problem or a ratio (scored later)."""
    if type(value) is int:  # most answers: no need for _exact
        normal = exact = value
        code = None
    else:
        normal, exact, code = _exact(value, ci.float_safe)
    if code is None and ci.integer_only and type(exact) is not int:
        code = "wrong_kind"
    if code is None and not ci.in_range(exact):  # type: ignore[arg-type]
        code = "out_of_range"
    if code is not None:
        evaluation.problems.append(_numeric_problem(ci, value, code))
        return None
    index = ci.index
    evaluation.exact[index] = exact
    evaluation.normal[index] = normal
    evaluation.answers.append((ci.id, normal))
    if ci.divisor is not None:
        return None
    points = ci.band_points(exact)  # type: ignore[arg-type]
    evaluation.results[index] = ci.numeric_result(normal, points, fail)  # type: ignore[arg-type]
    return points


def _numeric_problem(ci: CompiledItem, value: Any, code: str) -> Problem:
    if value == NA:
        return Problem(ci.id, "na_not_allowed", messages.na_not_allowed(ci.item, None))
    if code == "wrong_kind":
        return Problem(ci.id, code, messages.wrong_kind_number(ci.item, value, ci.integer_only))
    return Problem(ci.id, code, messages.out_of_range(ci.item, value))


def _score_ratio_items(compiled: CompiledChecklist, evaluation: Evaluation) -> None:
    """Score each ratio item (value ÷ its divisor's value) once both values are known."""
    exact_values, fail, failing = evaluation.exact, compiled.fail, evaluation.failing
    reorder = False
    for ci in compiled.ratio_items:
        exact = exact_values[ci.index]
        divisor = exact_values[ci.divisor]  # type: ignore[index]
        if exact is None or divisor is None:
            continue  # its own or its divisor's problem is reported already
        p = ci.ratio_points(exact, divisor)
        evaluation.points[ci.index] = p
        evaluation.results[ci.index] = ci.numeric_result(evaluation.normal[ci.index], p, fail)  # type: ignore[arg-type]
        evaluation.total += p
        evaluation.maximum += ci.max_points
        if p >= fail:
            failing.append(ci)
            reorder = True
    if reorder:
        failing.sort(key=lambda ci: ci.index)


def _exact(
    value: Any, float_safe: bool = False
) -> tuple[int | float | None, int | float | Fraction | None, str | None]:
    """(normalised answer, exact value, problem code) for a numeric answer.

    With `float_safe` (every limit of the item is a binary float exactly, like 2.5 or 16) a
    float is compared as it is: rounding to the nearest float never crosses such a limit.
    Otherwise the decimal the user wrote (15.3) is used, not the binary float just above it.
    """
    kind = type(value)
    if kind is int:
        return value, value, None
    if kind is float:
        if value != value:
            return None, None, "wrong_kind"
        if value in (math.inf, -math.inf):
            return None, None, "out_of_range"
        if value.is_integer():
            whole = int(value)
            return whole, whole, None
        return value, value if float_safe else Fraction(repr(value)), None
    if kind is bool or not isinstance(value, (int, float, Decimal, Fraction)):
        return None, None, "wrong_kind"
    try:
        exact = Fraction(value)
    except (ValueError, OverflowError, InvalidOperation):
        return None, None, "wrong_kind" if value != value else "out_of_range"
    if exact.denominator == 1:
        return exact.numerator, exact.numerator, None
    return float(exact), exact, None
