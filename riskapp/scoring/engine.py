"""The engine's entry points: validate(), score(), regrade(), replay() and replay_grade()."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from operator import itemgetter
from typing import Any

from riskapp.scoring.answers import Evaluation, context_problems, evaluate
from riskapp.scoring.caches import bounded_put
from riskapp.scoring.compiled import (
    CompiledChecklist,
    CompiledItem,
    compile_checklist,
    round_half_up_tenths,
)
from riskapp.scoring.escalations import Fired
from riskapp.scoring.improvement import improvement_plan
from riskapp.scoring.model import Checklist, InvalidAnswers, Problem
from riskapp.scoring.result import RemediationEntry, Result, SectionResult
from riskapp.scoring.values import GRADES, Context, Grade, Text

ENGINE_VERSION = "1.0.0"
# Answers sort by item id alone: ids are unique, so comparing the answers too only costs time.
_ITEM_ID = itemgetter(0)


def validate(
    checklist: Checklist,
    context: Context | Mapping[str, Any],
    answers: Mapping[str, Any],
    *,
    partial: bool = False,
) -> tuple[Problem, ...]:
    """Every problem with the context and answers; `partial` skips missing answers (drafts)."""
    ctx, problems = context_problems(context)
    evaluation = evaluate(compile_checklist(checklist), ctx, answers, partial)
    return tuple(problems + evaluation.problems)


def score(
    checklist: Checklist,
    context: Context | Mapping[str, Any],
    answers: Mapping[str, Any],
    assessed_on: date,
) -> Result:
    """Score an assessment; raises InvalidAnswers listing every problem."""
    return _score(checklist, context, answers, assessed_on, keep_na=False)


def regrade(
    checklist: Checklist,
    result: Result,
    *,
    area_level: int | None = None,
    assessed_on: date | None = None,
) -> Result:
    """Re-grade a stored result (e.g. after its area's epidemic level changed).

    Keeps what was submitted: an `na` that the new level would no longer allow stays not counted.
    """
    if (result.checklist_id, result.checklist_version) != (checklist.id, checklist.version):
        raise ValueError(
            f"result was made on {result.checklist_id} v{result.checklist_version}, "
            f"not {checklist.id} v{checklist.version}"
        )
    context = result.context
    if area_level is not None:
        context = context.replace(area_level=area_level)
    return _score(checklist, context, result.answers_dict(), assessed_on or result.assessed_on,
                  keep_na=True)


def replay(
    checklist: Checklist,
    context: Context | Mapping[str, Any],
    answers: Mapping[str, Any],
    assessed_on: date,
) -> Result:
    """Grade stored answers on a checklist they may not have been made on (an impact preview).

    Answers to items the checklist lacks are dropped; its items left unanswered are not counted
    (as a draft's are), and an `na` answered stays not counted, as in regrade().
    """
    compiled = compile_checklist(checklist)
    known = {item_id: value for item_id, value in answers.items() if item_id in compiled.ids}
    return _score(checklist, context, known, assessed_on, keep_na=True, partial=True)


@dataclass(frozen=True, slots=True)
class Graded:
    """The grade of a replay and what follows from it, without the full Result."""

    grade: Grade
    decision: Text
    next_assessment_due_on: date


def replay_grade(
    checklist: Checklist,
    context: Context | Mapping[str, Any],
    answers: Mapping[str, Any],
    assessed_on: date,
) -> Graded:
    """replay()'s grade, decision and next due date alone: an impact preview grades 100,000
    assessments and needs neither the remediation list nor the improvement plan (half the time)."""
    compiled = compile_checklist(checklist)
    known = {item_id: value for item_id, value in answers.items() if item_id in compiled.ids}
    ctx, evaluation = _checked(compiled, context, known, keep_na=True, partial=True)
    rules = compiled.rules
    base_state = rules.state(evaluation.total, evaluation.failing, evaluation.points)
    band_rank = compiled.band(evaluation.total, evaluation.maximum)
    grade_rank = rules.apply(band_rank, base_state, ctx, [])
    days = _next_assessment_days(compiled, grade_rank, ctx.area_level)
    return Graded(GRADES[grade_rank], compiled.decisions[grade_rank],
                  assessed_on + timedelta(days=days))


def _score(
    checklist: Checklist,
    context: Context | Mapping[str, Any],
    answers: Mapping[str, Any],
    assessed_on: date,
    keep_na: bool,
    partial: bool = False,
) -> Result:
    compiled = compile_checklist(checklist)
    ctx, evaluation = _checked(compiled, context, answers, keep_na, partial)
    if not isinstance(assessed_on, date):
        raise TypeError("assessed_on must be a date")
    rules, points = compiled.rules, evaluation.points
    total, maximum, failing = evaluation.total, evaluation.maximum, evaluation.failing
    base_state = rules.state(total, failing, points)
    band_rank = compiled.band(total, maximum)
    fired: list[Fired] = []
    grade_rank = rules.apply(band_rank, base_state, ctx, fired)
    escalations = tuple(rules.escalation(failing, points, ctx, f) for f in fired) if fired else ()
    failing.sort(key=lambda ci: (ci.priority_rank, -points[ci.index], ci.index))  # type: ignore[operator]
    remediation = tuple(_remediation(compiled, ci, points[ci.index], assessed_on) for ci in failing)  # type: ignore[arg-type]
    next_days = _next_assessment_days(compiled, grade_rank, ctx.area_level)
    plan = improvement_plan(compiled, evaluation, ctx, failing, maximum, base_state, grade_rank)
    return Result(
        checklist_id=checklist.id,
        checklist_version=checklist.version,
        engine_version=ENGINE_VERSION,
        assessed_on=assessed_on,
        context=ctx,
        answers=tuple(sorted(evaluation.answers, key=_ITEM_ID)),
        score=round_half_up_tenths(total, maximum)[1],
        score_points=total,
        score_max=maximum,
        band=GRADES[band_rank],
        grade=GRADES[grade_rank],
        decision=compiled.decisions[grade_rank],
        escalations=escalations,
        items=tuple(evaluation.results),
        sections=_sections(compiled, points),
        remediation=remediation,
        next_assessment_due_in_days=next_days,
        next_assessment_due_on=assessed_on + timedelta(days=next_days),
        improvement_plan=plan,
        checklist_fingerprint=checklist.fingerprint,
    )


def _checked(
    compiled: CompiledChecklist,
    context: Context | Mapping[str, Any],
    answers: Mapping[str, Any],
    keep_na: bool,
    partial: bool = False,
) -> tuple[Context, Evaluation]:
    """The context and the evaluated answers; raises InvalidAnswers listing every problem."""
    level = getattr(context, "area_level", None)
    if type(context) is Context and type(level) is int and 1 <= level <= 4:
        ctx, problems = context, []
    else:
        ctx, problems = context_problems(context)
    evaluation = evaluate(compiled, ctx, answers, partial=partial, keep_na=keep_na)
    if problems or evaluation.problems:
        raise InvalidAnswers(tuple(problems + evaluation.problems))
    return ctx, evaluation


def _next_assessment_days(compiled: CompiledChecklist, grade_rank: int, area_level: int) -> int:
    days = compiled.next_days[area_level]
    if compiled.cap_rank is not None and grade_rank >= compiled.cap_rank:
        days = min(days, compiled.cap_days)  # type: ignore[type-var]
    return days


def _sections(compiled: CompiledChecklist, points: list[int | None]) -> tuple[SectionResult, ...]:
    """Per-section sums of the counted items; a section is the same object whenever they are."""
    sections = []
    cache, fail = compiled.section_cache, compiled.fail
    for n, members in enumerate(compiled.section_members):
        total = maximum = failed = 0
        for index, max_points in members:
            item_points = points[index]
            if item_points is not None:
                total += item_points
                maximum += max_points
                failed += item_points >= fail
        key = (n, total, maximum, failed)
        found = cache.get(key)
        if found is None:
            section = compiled.sections[n]
            result = SectionResult(section.id, section.title, total, maximum, failed)
            found = bounded_put(cache, key, result)
        sections.append(found)
    return tuple(sections)


def _remediation(
    compiled: CompiledChecklist, ci: CompiledItem, points: int, assessed_on: date
) -> RemediationEntry:
    key = (ci.index, points, assessed_on)
    found = compiled.remediation_cache.get(key)
    if found is None:
        entry = RemediationEntry(ci.id, ci.priority, ci.item.remediation, points, ci.critical,
                                 compiled.due_days[ci.priority],
                                 assessed_on + compiled.due_deltas[ci.priority])
        found = bounded_put(compiled.remediation_cache, key, entry)
    return found
