"""Properties over random assessments (hypothesis), on the default and the test checklist."""

from __future__ import annotations

import json
from datetime import date
from itertools import combinations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from riskapp.scoring import (
    AnswerKind,
    Context,
    Grade,
    Result,
    checklist_from_text,
    fixed_answers,
    get_checklist,
    load_checklist,
    regrade,
    score,
)

from .conftest import DATA, choices

DEFAULT = get_checklist()
MINI = load_checklist(DATA / "test-mini.v1.yaml")
# As if read back from the database: same definition, other objects.
REBUILT = {c.id: checklist_from_text(c.source_text) for c in (DEFAULT, MINI)}
SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _number(item):
    low = float(item.min_value) if item.min_value is not None else 0.0
    high = float(item.max_value) if item.max_value is not None else 20000.0
    if item.kind is AnswerKind.INTEGER:
        return st.integers(int(low) + (0 if item.min_inclusive else 1), int(high))
    floats = st.floats(low, high, allow_nan=False, exclude_min=not item.min_inclusive)
    decimals = floats.map(lambda x: round(x, 1)).filter(
        lambda x: x > low or (x == low and item.min_inclusive)
    )
    return st.one_of(st.integers(int(low) + 1, int(high)), decimals)


@st.composite
def assessments(draw, checklist):
    context = Context(
        area_level=draw(st.integers(1, 4)),
        has_canteen=draw(st.booleans()),
        has_shuttle=draw(st.booleans()),
        has_dormitory=draw(st.booleans()),
        confirmed_case_14d=draw(st.booleans()),
    )
    answers = {}
    for item in checklist.items:
        if not checklist.applies(item, context):
            continue
        if item.kind.is_numeric:
            answers[item.id] = draw(_number(item))
        else:
            ids = [o.id for o in item.options
                   if o.points is not None or checklist.na_allowed(item, context)]
            # Mostly good answers, like real sites, so every grade shows up.
            best = [o.id for o in item.options if o.points == item.best_points]
            answers[item.id] = draw(st.one_of(st.sampled_from(best), st.sampled_from(ids)))
    return context, answers


ON = date(2022, 3, 1)
BOTH = st.sampled_from([DEFAULT, MINI])


@SETTINGS
@given(st.data())
def test_score_is_within_0_and_100(data):
    checklist = data.draw(BOTH)
    context, answers = data.draw(assessments(checklist))
    result = score(checklist, context, answers, ON)
    assert 0 <= result.score <= 100
    assert 0 <= result.score_points <= result.score_max
    assert result.grade >= result.band


@SETTINGS
@given(st.data())
def test_a_worse_answer_never_lowers_the_grade(data):
    checklist = data.draw(BOTH)
    context, answers = data.draw(assessments(checklist))
    result = score(checklist, context, answers, ON)
    counted = [i for i in result.items if i.counted]
    target = data.draw(st.sampled_from(counted))
    item = checklist.item(target.item_id)
    worse = [(p, a) for p, a in choices(checklist, item) if p >= target.points]
    if any(other.divided_by == item.id for other in checklist.items):
        # More workers is worse even in the same band: the floor area per worker shrinks.
        worse = [(p, a) for p, a in worse if a >= answers[item.id]]
    if not worse:
        return
    points, answer = data.draw(st.sampled_from(worse))
    if item.divided_by is not None:  # the answer is a ratio: turn it into an area
        answer = float(answer * answers[item.divided_by])
    changed = score(checklist, context, answers | {item.id: answer}, ON)
    assert changed.item(item.id).points == points
    assert changed.grade >= result.grade
    assert changed.score >= result.score


@SETTINGS
@given(st.data())
def test_the_area_level_never_lowers_the_grade(data):
    checklist = data.draw(BOTH)
    context, answers = data.draw(assessments(checklist))
    result = score(checklist, context, answers, ON)
    grades = [regrade(checklist, result, area_level=level).grade for level in (1, 2, 3, 4)]
    assert grades == sorted(grades)
    assert regrade(checklist, result, area_level=context.area_level) == result


@SETTINGS
@given(st.data())
def test_same_input_same_output_and_json_round_trip(data):
    checklist = data.draw(BOTH)
    context, answers = data.draw(assessments(checklist))
    result = score(checklist, context, answers, ON)
    rebuilt = REBUILT[checklist.id]
    assert score(rebuilt, context.to_dict(), dict(answers), ON) == result
    text = json.dumps(result.to_dict(), ensure_ascii=False, sort_keys=True)
    restored = Result.from_dict(json.loads(text))
    assert restored == result
    assert json.dumps(restored.to_dict(), ensure_ascii=False, sort_keys=True) == text
    again = score(rebuilt, restored.context, restored.answers_dict(), restored.assessed_on)
    assert again == result


@SETTINGS
@given(st.data())
def test_the_improvement_plan_really_lowers_the_grade(data):
    checklist = data.draw(BOTH)
    context, answers = data.draw(assessments(checklist))
    result = score(checklist, context, answers, ON)
    plan = result.improvement_plan
    failing = [r.item_id for r in result.remediation]
    if plan.item_ids:
        assert plan.method == ("exhaustive" if len(failing) <= 12 else "greedy")
        assert set(plan.item_ids) <= set(failing)
        fixed = score(checklist, context, fixed_answers(checklist, context, answers,
                                                         plan.item_ids), ON)
        assert fixed.grade == plan.grade_after < result.grade
        assert fixed.score == plan.score_after
        if plan.method == "exhaustive" and len(failing) <= 6:
            for size in range(1, len(plan.item_ids)):
                for subset in combinations(failing, size):
                    smaller = fixed_answers(checklist, context, answers, subset)
                    assert score(checklist, context, smaller, ON).grade >= result.grade
    else:
        assert plan.method == "none" and plan.grade_after is None
        everything = fixed_answers(checklist, context, answers, failing)
        assert score(checklist, context, everything, ON).grade == result.grade
        if context.confirmed_case_14d and result.grade is Grade.VERY_HIGH and checklist is DEFAULT:
            assert "R4-case" in plan.blocked_by


@pytest.mark.parametrize("checklist", [DEFAULT, MINI], ids=lambda c: c.id)
def test_strategy_reaches_every_grade(checklist):
    # Guards the properties above against a strategy that only ever draws one grade.
    seen = set()

    @settings(max_examples=300, deadline=None, database=None)
    @given(assessments(checklist))
    def collect(drawn):
        seen.add(score(checklist, drawn[0], drawn[1], ON).grade)

    collect()
    assert len(seen) >= 4
