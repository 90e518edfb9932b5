"""The improvement plan: the fewest fixes that lower the grade, or what blocks it."""

from __future__ import annotations

from riskapp.scoring import Context, Grade, checklist_from_text, fixed_answers

from .conftest import (
    EVERYTHING,
    PLAIN,
    answers_for,
    best_answers,
    run,
    tiny_text,
    worst_answers,
    yes_no_item,
)


def test_plan_one_fix(default):
    answers = answers_for(default, EVERYTHING, 60, fixed={"SCR-1": "none"})
    result = run(default, EVERYTHING, answers)
    plan = result.improvement_plan
    assert (plan.method, plan.item_ids, plan.grade_after) == ("exhaustive", ("SCR-1",), Grade.LOW)
    assert plan.score_after == 16.7
    assert plan.message.en == "Fixing SCR-1 lowers the grade to low."
    assert plan.message.vi == "Khắc phục SCR-1 sẽ hạ mức nguy cơ xuống thấp."


def test_plan_needs_two_fixes_when_one_is_not_enough(default):
    # 3 failing critical items: fixing one still leaves R2 (high); the base band is medium.
    answers = answers_for(default, EVERYTHING, 95, cap=6,
                          fixed={"ORG-1": "no", "SCR-4": "no", "MSK-1": "no"})
    result = run(default, EVERYTHING, answers)
    assert result.grade is Grade.VERY_HIGH
    plan = result.improvement_plan
    assert plan.grade_after < Grade.VERY_HIGH
    rescored = run(default, EVERYTHING, fixed_answers(default, EVERYTHING, answers, plan.item_ids))
    assert rescored.grade == plan.grade_after and rescored.score == plan.score_after


def test_plan_blocked_by_a_confirmed_case(default):
    context = EVERYTHING.replace(confirmed_case_14d=True)
    result = run(default, context, answers_for(default, context, 60, fixed={"SCR-1": "none"}))
    plan = result.improvement_plan
    assert (plan.method, plan.item_ids, plan.grade_after, plan.blocked_by) == (
        "none", (), None, ("R4-case",)
    )
    assert plan.message.en == (
        "No fix can lower the grade: a confirmed case in the last 14 days keeps it very high."
    )
    assert "ca bệnh" in plan.message.vi and "rất cao" in plan.message.vi


def test_plan_blocked_by_the_area_level():
    items = """  - id: Q-1
    section: s
    kind: choice
    max_points: 4
    priority: P2
    question: {vi: "Câu hỏi", en: "Question"}
    remediation: {vi: "Khắc phục", en: "Fix"}
    options:
      - {id: a, label: {vi: "A", en: "A"}, points: 0}
      - {id: b, label: {vi: "B", en: "B"}, points: 4}
""" + yes_no_item("Q-2", 5, '    points: {"yes": 0, "no": 5}\n') + yes_no_item("Q-3")
    checklist = checklist_from_text(tiny_text(items))
    context = Context(area_level=4)
    # Q-1 scores 4 (not failing, cannot be fixed): 4 of 19 is low either way; level 4 → medium.
    result = run(checklist, context, {"Q-1": "b", "Q-2": "no", "Q-3": "yes"})
    assert (result.band, result.grade) == (Grade.LOW, Grade.MEDIUM)
    plan = result.improvement_plan
    assert (plan.method, plan.blocked_by) == ("none", ("R5-area",))
    assert plan.message.en == (
        "No fix can lower the grade: the area's epidemic level 4 keeps it medium."
    )


def test_plan_when_already_lowest(default):
    result = run(default, EVERYTHING, best_answers(default, EVERYTHING))
    plan = result.improvement_plan
    assert (plan.method, plan.item_ids, plan.grade_after) == ("none", (), None)
    assert "already the lowest" in plan.message.en


def test_plan_is_greedy_beyond_12_failing_items(default):
    answers = worst_answers(default, EVERYTHING)
    result = run(default, EVERYTHING, answers)
    assert len(result.remediation) > 12
    plan = result.improvement_plan
    assert plan.method == "greedy"
    rescored = run(default, EVERYTHING, fixed_answers(default, EVERYTHING, answers, plan.item_ids))
    assert rescored.grade == plan.grade_after < result.grade


def test_fixing_the_divisor_moves_the_ratio_item(default):
    # 600 workers on 600 m²: CTX-1 fails (5), CTX-2 fails (10 at 1 m² each).
    answers = best_answers(default, PLAIN) | {"CTX-1": 600, "CTX-2": 600, "SCR-1": "none"}
    fixed = fixed_answers(default, PLAIN, answers, ["CTX-1"])
    assert fixed["CTX-1"] == 99 and fixed["CTX-2"] == 600
    assert run(default, PLAIN, fixed).item("CTX-2").points == 6  # 6.06 m² per worker
    both = fixed_answers(default, PLAIN, answers, ["CTX-1", "CTX-2"])
    assert run(default, PLAIN, both).item("CTX-2").points == 1
