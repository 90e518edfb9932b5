"""Scoring per the spec: bands, rules R1–R5, item bands, na and applies_if, remediation."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest

from riskapp.scoring import (
    ENGINE_VERSION,
    Context,
    Grade,
    InvalidAnswers,
    Priority,
    Result,
    checklist_from_text,
    regrade,
    validate,
)
from riskapp.scoring.compiled import compile_checklist, round_half_up_tenths
from riskapp.scoring.definition.rules import RULE_PLACEHOLDERS

from .conftest import (
    ASSESSED_ON,
    EVERYTHING,
    PLAIN,
    answers_for,
    best_answers,
    codes,
    run,
    tiny_text,
    worst_answers,
    yes_no_item,
)

# ── score and base band ────────────────────────────────────────────────────────────────────────

# 300 points at most when everything applies.
BAND_LIMITS = [
    (4, 1.3, Grade.VERY_LOW),  # the fewest points possible (HYG-1, MSK-1, CTX-1, CTX-2 score 1)
    (45, 15.0, Grade.VERY_LOW),
    (46, 15.3, Grade.LOW),
    (90, 30.0, Grade.LOW),
    (91, 30.3, Grade.MEDIUM),
    (150, 50.0, Grade.MEDIUM),
    (151, 50.3, Grade.HIGH),
    (240, 80.0, Grade.HIGH),
    (241, 80.3, Grade.VERY_HIGH),
    (300, 100.0, Grade.VERY_HIGH),
]


@pytest.mark.parametrize(("points", "shown", "band"), BAND_LIMITS)
def test_band_limits_are_inclusive(default, points, shown, band):
    answers = answers_for(default, EVERYTHING, points, critical_may_fail=True)
    result = run(default, EVERYTHING, answers)
    assert (result.score_points, result.score_max) == (points, 300)
    assert result.score == shown
    assert result.band is band


def test_score_rounds_half_up_on_the_exact_fraction():
    # 1 of 8 = 12.5 %, 1 of 16 = 6.25 %: half up gives 12.5 and 6.3 (not banker's 6.2).
    items = "".join(yes_no_item(f"Q-{n}", extra="") for n in range(1, 3))
    text = tiny_text(items.replace("max_points: 10", "max_points: 10"))
    checklist = checklist_from_text(text)
    result = run(checklist, PLAIN, {"Q-1": "no", "Q-2": "yes"})
    assert result.score == 50.0
    assert round_half_up_tenths(1, 16) == (63, 6.3)
    assert round_half_up_tenths(1, 8) == (125, 12.5)
    assert round_half_up_tenths(2, 3) == (667, 66.7)
    assert round_half_up_tenths(1, 3) == (333, 33.3)


def test_band_compares_the_exact_fraction_not_the_rounded_score():
    # 20 of 133 = 15.04 %: shown as 15.0, but above the 15 % limit, so low.
    item = """  - id: Q-1
    section: s
    kind: choice
    max_points: 133
    priority: P2
    question: {vi: "Câu hỏi", en: "Question"}
    remediation: {vi: "Khắc phục", en: "Fix"}
    options:
      - {id: a, label: {vi: "A", en: "A"}, points: 0}
      - {id: b, label: {vi: "B", en: "B"}, points: 20}
      - {id: c, label: {vi: "C", en: "C"}, points: 133}
"""
    checklist = checklist_from_text(tiny_text(item))
    result = run(checklist, PLAIN, {"Q-1": "b"})
    assert result.score == 15.0
    assert result.band is Grade.LOW


# ── escalation rules ───────────────────────────────────────────────────────────────────────────


def escalations(result):
    return [(e.rule, e.from_grade, e.to_grade) for e in result.escalations]


def test_r1_medium_with_an_item_of_7_or_more_becomes_high(default):
    answers = answers_for(default, EVERYTHING, 95, cap=6)
    quiet = run(default, EVERYTHING, answers)
    assert (quiet.band, quiet.grade, quiet.escalations) == (Grade.MEDIUM, Grade.MEDIUM, ())
    assert quiet.max_item_points <= 6
    loud = run(default, EVERYTHING, answers_for(default, EVERYTHING, 95, cap=6,
                                                fixed={"ORG-2": "no"}))
    assert loud.band is Grade.MEDIUM
    assert escalations(loud) == [("R1-1203", Grade.MEDIUM, Grade.HIGH)]
    assert "ORG-2" in loud.escalations[0].reason.en and "7" in loud.escalations[0].reason.vi


def test_r1_applies_only_to_medium(default):
    low = run(default, EVERYTHING, answers_for(default, EVERYTHING, 60, fixed={"ORG-2": "no"}))
    assert (low.band, low.grade) == (Grade.LOW, Grade.LOW)
    assert low.max_item_points >= 7


def test_r1_threshold_is_seven(default):
    # CTX-3 "public" scores 6: failing but below 7.
    answers = answers_for(default, EVERYTHING, 95, cap=6, fixed={"CTX-3": "public"})
    assert run(default, EVERYTHING, answers).grade is Grade.MEDIUM
    answers = answers_for(default, EVERYTHING, 95, cap=6, fixed={"CTX-1": 1000})  # 7 points
    assert escalations(run(default, EVERYTHING, answers)) == [
        ("R1-1203", Grade.MEDIUM, Grade.HIGH)
    ]


def test_r2_a_failing_critical_item_makes_it_at_least_high(default):
    for critical in ("ORG-1", "SCR-1", "SCR-4", "HYG-1", "MSK-1", "TRN-3", "DRM-2"):
        worst = "no" if default.item(critical).kind.value == "yes_no" else "none"
        answers = answers_for(default, EVERYTHING, 40, fixed={critical: worst})
        result = run(default, EVERYTHING, answers)
        assert escalations(result) == [("R2-critical", Grade.VERY_LOW, Grade.HIGH)], critical
        assert result.failed_critical == (critical,)
    partial = answers_for(default, EVERYTHING, 40, fixed={"SCR-1": "partial"})  # 5 points: fails
    assert run(default, EVERYTHING, partial).grade is Grade.HIGH


def test_r2_never_lowers_a_very_high_grade(default):
    answers = worst_answers(default, EVERYTHING)
    result = run(default, EVERYTHING, answers)
    assert result.band is Grade.VERY_HIGH and result.escalations == ()


def test_r3_three_failing_critical_items_make_it_very_high(default):
    two = answers_for(default, EVERYTHING, 60, fixed={"ORG-1": "no", "SCR-4": "no"})
    assert escalations(run(default, EVERYTHING, two)) == [("R2-critical", Grade.LOW, Grade.HIGH)]
    three = answers_for(default, EVERYTHING, 60,
                        fixed={"ORG-1": "no", "SCR-4": "no", "MSK-1": "no"})
    result = run(default, EVERYTHING, three)
    assert escalations(result) == [
        ("R2-critical", Grade.LOW, Grade.HIGH),
        ("R3-critical-3", Grade.HIGH, Grade.VERY_HIGH),
    ]
    assert "3" in result.escalations[1].reason.en


def test_r4_a_confirmed_case_makes_it_very_high(default):
    context = EVERYTHING.replace(confirmed_case_14d=True)
    result = run(default, context, best_answers(default, context))
    assert result.band is Grade.VERY_LOW
    assert escalations(result) == [("R4-case", Grade.VERY_LOW, Grade.VERY_HIGH)]
    assert result.decision == default.decision(Grade.VERY_HIGH)


@pytest.mark.parametrize(
    ("level", "points", "band", "grade"),
    [
        (3, 95, Grade.MEDIUM, Grade.HIGH),
        (3, 60, Grade.LOW, Grade.LOW),
        (3, 160, Grade.HIGH, Grade.VERY_HIGH),
        (4, 60, Grade.LOW, Grade.MEDIUM),
        (4, 20, Grade.VERY_LOW, Grade.VERY_LOW),
        (4, 95, Grade.MEDIUM, Grade.HIGH),
        (4, 260, Grade.VERY_HIGH, Grade.VERY_HIGH),
        (2, 95, Grade.MEDIUM, Grade.MEDIUM),
        (1, 160, Grade.HIGH, Grade.HIGH),
    ],
)
def test_r5_area_level_raises_by_one(default, level, points, band, grade):
    context = EVERYTHING.replace(area_level=level)
    cap = 6 if band is Grade.MEDIUM else 10  # no R1
    answers = answers_for(default, context, points, cap=cap, critical_may_fail=points > 232)
    result = run(default, context, answers)
    assert (result.band, result.grade) == (band, grade)
    expected = [("R5-area", band, grade)] if grade != band else []
    assert [e for e in escalations(result) if e[0] == "R5-area"] == expected
    assert result.next_assessment_due_in_days == (7 if level >= 3 or grade >= Grade.HIGH else
                                                  {1: 30, 2: 14}[level])


def test_the_engine_fills_every_placeholder_a_rule_may_use(default):
    rules = compile_checklist(default).rules
    for position in range(len(default.rules)):
        assert set(rules.placeholders(position, ("ORG-1",), EVERYTHING, 1, 2)) == RULE_PLACEHOLDERS


def test_rules_combine_in_order(default):
    # R1 then R5: medium → high → very high.
    context = EVERYTHING.replace(area_level=3)
    answers = answers_for(default, context, 95, cap=6, fixed={"ORG-2": "no"})
    assert escalations(run(default, context, answers)) == [
        ("R1-1203", Grade.MEDIUM, Grade.HIGH),
        ("R5-area", Grade.HIGH, Grade.VERY_HIGH),
    ]
    # R2 then R5 at level 4: low → high → very high.
    context = EVERYTHING.replace(area_level=4)
    answers = answers_for(default, context, 60, fixed={"SCR-1": "none"})
    assert escalations(run(default, context, answers)) == [
        ("R2-critical", Grade.LOW, Grade.HIGH),
        ("R5-area", Grade.HIGH, Grade.VERY_HIGH),
    ]
    # R4 with R5: the case makes it very high, the area cannot go above.
    context = EVERYTHING.replace(area_level=4, confirmed_case_14d=True)
    answers = answers_for(default, context, 60, fixed={"SCR-1": "none"})
    assert escalations(run(default, context, answers)) == [
        ("R2-critical", Grade.LOW, Grade.HIGH),
        ("R4-case", Grade.HIGH, Grade.VERY_HIGH),
    ]


# ── item bands at their edges ──────────────────────────────────────────────────────────────────

EDGES = [
    ("CTX-1", [(1, 1), (99, 1), (100, 2), (499, 2), (500, 5), (999, 5), (1000, 7), (4999, 7),
               (5000, 10), (100000, 10)]),
    ("HYG-2", [(100, 0), (99.9, 1), (90, 1), (89.9, 2), (80, 2), (79.9, 3), (70, 3), (60, 4),
               (50, 5), (40, 6), (30, 7), (20, 8), (19.9, 9), (10, 9), (9.9, 10), (0, 10)]),
    ("TRN-1", [(0, 0), (0.1, 3), (25, 3), (25.1, 6), (50, 6), (50.1, 10), (100, 10)]),
    ("TRN-2", [(0, 0), (1, 0), (2, 5), (3, 5), (4, 10), (40, 10)]),
    ("DRM-1", [(1, 0), (4, 0), (5, 5), (8, 5), (9, 10), (30, 10)]),
    ("VAC-1", [(100, 0), (80, 0), (79.9, 5), (50, 5), (49.9, 10), (0, 10)]),
]


@pytest.mark.parametrize(("item_id", "value", "points"),
                         [(i, v, p) for i, edges in EDGES for v, p in edges])
def test_numeric_band_edges(default, item_id, value, points):
    answers = best_answers(default, EVERYTHING)
    answers[item_id] = value
    if item_id == "CTX-1":
        answers["CTX-2"] = 20 * value  # keep 20 m² per worker
    assert run(default, EVERYTHING, answers).item(item_id).points == points


@pytest.mark.parametrize(
    ("area", "points"),
    [(1600, 1), (1599.9, 2), (900, 2), (899.9, 6), (400, 6), (399.9, 8), (250, 8), (249.9, 10),
     (0.5, 10)],
)
def test_floor_area_is_scored_per_worker(default, area, points):
    answers = best_answers(default, EVERYTHING) | {"CTX-1": 100, "CTX-2": area}
    assert run(default, EVERYTHING, answers).item("CTX-2").points == points


def test_option_points_follow_the_item(default):
    answers = best_answers(default, EVERYTHING)
    for item in default.items:
        for option in item.options:
            if option.points is None:
                continue
            result = run(default, EVERYTHING.replace(area_level=2), answers | {item.id: option.id})
            assert result.item(item.id).points == option.points


# ── na and applies_if ──────────────────────────────────────────────────────────────────────────


def test_na_removes_the_item_from_both_sides(default):
    answers = best_answers(default, EVERYTHING)
    answers |= {"ORG-4": "no"}
    counted = run(default, EVERYTHING, answers)
    removed = run(default, EVERYTHING, answers | {"ORG-4": "na", "MSK-5": "na"})
    assert (counted.score_points, counted.score_max) == (9, 300)  # 4 + ORG-4's 5
    assert (removed.score_points, removed.score_max) == (4, 290)
    item = removed.item("ORG-4")
    assert (item.answer, item.points, item.counted, item.not_counted_reason) == (
        "na", None, False, "na"
    )


def test_scr5_na_only_at_area_level_1_or_2(default):
    for level in (1, 2):
        context = EVERYTHING.replace(area_level=level)
        answers = best_answers(default, context) | {"SCR-5": "na"}
        assert run(default, context, answers).item("SCR-5").not_counted_reason == "na"
    for level in (3, 4):
        context = EVERYTHING.replace(area_level=level)
        problems = validate(default, context, best_answers(default, context) | {"SCR-5": "na"})
        assert [(p.item_id, p.code) for p in problems] == [("SCR-5", "na_not_allowed")]
        assert "1 or 2" not in problems[0].message.en  # says the condition in words
        assert "2 or lower" in problems[0].message.en


def test_items_that_do_not_apply_are_not_counted_and_their_answers_ignored(default):
    answers = best_answers(default, PLAIN) | {"CAN-1": "bogus", "TRN-2": -5}
    result = run(default, PLAIN, answers)
    assert result.score_max == 230
    can = result.item("CAN-1")
    assert (can.counted, can.points, can.answer, can.not_counted_reason) == (
        False, None, None, "not_applicable"
    )
    assert "CAN-1" not in result.answers_dict()
    problems = validate(default, PLAIN.replace(has_canteen=True), answers)
    assert {(p.item_id, p.code) for p in problems} == {
        ("CAN-1", "unknown_option"), ("CAN-2", "missing")
    }


@pytest.mark.parametrize(
    ("flag", "items", "maximum"),
    [("has_canteen", ("CAN-1", "CAN-2"), 250), ("has_shuttle", ("TRN-1", "TRN-2", "TRN-3"), 260),
     ("has_dormitory", ("DRM-1", "DRM-2"), 250)],
)
def test_applies_if_each_context_flag(default, flag, items, maximum):
    context = PLAIN.replace(**{flag: True})
    result = run(default, context, best_answers(default, context))
    assert result.score_max == maximum
    assert all(result.item(i).counted for i in items)


# ── remediation and due dates ──────────────────────────────────────────────────────────────────


def test_remediation_order_priority_then_points_then_checklist_order(default):
    answers = best_answers(default, EVERYTHING) | {
        "CTX-4": "yes",  # P3, 5
        "COM-1": "no",  # P3, 5
        "ORG-2": "no",  # P2, 10
        "SCR-2": "partial",  # P2, 5
        "CTX-1": 1000, "CTX-2": 20000,  # P2, 7
        "SCR-5": "no",  # P1, 10
        "HYG-1": "no",  # critical P1, 10
        "SCR-1": "partial",  # critical P1, 5
        "MSK-5": "no",  # P3, 5
        "CTX-3": "coworkers",  # 3 points: not failing
    }
    result = run(default, EVERYTHING, answers)
    assert [(r.item_id, r.priority.value, r.points) for r in result.remediation] == [
        ("SCR-5", "P1", 10), ("HYG-1", "P1", 10), ("SCR-1", "P1", 5),
        ("ORG-2", "P2", 10), ("CTX-1", "P2", 7), ("SCR-2", "P2", 5),
        ("CTX-4", "P3", 5), ("MSK-5", "P3", 5), ("COM-1", "P3", 5),
    ]
    due = {r.item_id: (r.due_in_days, r.due_on) for r in result.remediation}
    assert due["SCR-5"] == (1, date(2021, 11, 2))
    assert due["ORG-2"] == (7, date(2021, 11, 8))
    assert due["COM-1"] == (30, date(2021, 12, 1))
    assert result.remediation[0].action == default.item("SCR-5").remediation


def test_a_failing_critical_item_is_always_given_the_critical_priority(mini):
    context = Context(area_level=1)
    answers = {"A-1": "no", "A-2": "low", "A-3": "yes", "B-1": 5, "B-2": 20, "B-3": 0}
    result = run(mini, context, answers)
    entry = result.remediation[0]
    assert (entry.item_id, entry.priority, entry.due_in_days) == ("A-1", Priority.P2, 10)
    assert mini.item("A-1").priority is Priority.P3


@pytest.mark.parametrize(
    ("level", "points", "days"),
    [(1, 0, 30), (2, 0, 14), (3, 0, 7), (4, 0, 7), (1, 160, 7), (2, 260, 7), (1, 95, 30)],
)
def test_next_assessment_due(default, level, points, days):
    context = EVERYTHING.replace(area_level=level)
    answers = answers_for(default, context, max(points, 4), cap=6 if points == 95 else 10,
                          critical_may_fail=points > 232)
    result = run(default, context, answers)
    assert result.next_assessment_due_in_days == days
    assert result.next_assessment_due_on == ASSESSED_ON + timedelta(days=days)


# ── the result ─────────────────────────────────────────────────────────────────────────────────


def test_result_records_what_re_derives_it(default):
    answers = answers_for(default, EVERYTHING, 60, fixed={"SCR-1": "none"})
    result = run(default, EVERYTHING, answers)
    assert (result.checklist_id, result.checklist_version, result.engine_version) == (
        "vn-workplace-2021", 1, ENGINE_VERSION
    )
    assert result.checklist_fingerprint == default.fingerprint
    again = run(default, result.context, result.answers_dict(), result.assessed_on)
    assert again == result
    restored = Result.from_dict(json.loads(json.dumps(result.to_dict())))
    assert restored == result
    assert restored.to_dict() == result.to_dict()


def test_sections_add_up(default):
    result = run(default, EVERYTHING, worst_answers(default, EVERYTHING))
    assert sum(s.points for s in result.sections) == result.score_points
    assert sum(s.max_points for s in result.sections) == result.score_max
    assert sum(s.failed for s in result.sections) == len(result.remediation)


def test_cli_dict_has_the_documented_keys(default):
    answers = answers_for(default, EVERYTHING, 60, fixed={"SCR-1": "none"})
    data = run(default, EVERYTHING, answers).to_cli_dict("en")
    for key in ("checklist", "score", "band", "grade", "decision", "escalations", "items",
                "remediation", "improvement_plan", "next_assessment_due_in_days"):
        assert key in data
    assert data["escalations"][0] == {
        "rule": "R2-critical", "from": "low", "to": "high",
        "reason": "A critical item fails (SCR-1), so the grade is at least high (was low).",
    }
    assert data["remediation"][0]["item"] == "SCR-1"
    assert data["remediation"][0]["priority"] == "P1" and data["remediation"][0]["due_in_days"] == 1
    assert data["decision"] == default.decision(Grade.HIGH).en


# ── the test checklist: nothing is hard-wired to the default ───────────────────────────────────


def test_test_checklist_grades_with_its_own_parameters(mini):
    context = Context(area_level=1)
    answers = {"A-1": "yes", "A-2": "mid", "A-3": "yes", "B-1": 12, "B-2": 30, "B-3": 15.3}
    result = run(mini, context, answers)
    # A-2 3 + B-1 3 + B-2 (30/12 = 2.5 → 3) + B-3 (15.3 → 0) = 9 of 30 = 30 % (its low ≤ 25.5)
    assert (result.score_points, result.score_max, result.score) == (9, 30, 30.0)
    assert result.band is Grade.MEDIUM
    assert [r.item_id for r in result.remediation] == ["A-2", "B-1", "B-2"]  # fail at 3
    assert result.next_assessment_due_in_days == 60
    assert result.decision.en == "Decision C"
    # 15.3 is the limit of B-3's first band, compared exactly.
    assert run(mini, context, answers | {"B-3": 15.31}).item("B-3").points == 3


def test_test_checklist_rules(mini):
    answers = {"A-1": "yes", "A-2": "top", "A-3": "yes", "B-1": 5, "B-2": 20, "B-3": 0}
    result = run(mini, Context(area_level=1), answers)  # 6 of 30 = 20 %: low; A-2 scores 6 ≥ 4
    assert [(e.rule, e.from_grade, e.to_grade) for e in result.escalations] == [
        ("T1-points", Grade.LOW, Grade.HIGH)
    ]
    level2 = run(mini, Context(area_level=2), answers | {"A-2": "low"})  # 1 of 30: very low
    assert level2.escalations == ()
    # 6 of 30 = 20 %, low, no item at 4: only the area rule, two steps.
    level2 = run(mini, Context(area_level=2), answers | {"A-2": "mid", "B-1": 12, "B-2": 100})
    assert [(e.rule, e.from_grade, e.to_grade) for e in level2.escalations] == [
        ("T4-area", Grade.LOW, Grade.HIGH)
    ]
    na = run(mini, Context(area_level=2), answers | {"A-3": "na"})
    assert na.item("A-3").not_counted_reason == "na"
    assert codes(validate(mini, Context(area_level=1), answers | {"A-3": "na"})) == [
        ("A-3", "na_not_allowed")
    ]
    shuttle = run(mini, Context(area_level=1, has_shuttle=True), answers)
    assert shuttle.item("B-3").not_counted_reason == "not_applicable"


# ── re-grading ─────────────────────────────────────────────────────────────────────────────────


def test_regrade_after_the_area_level_changes(default):
    context = EVERYTHING.replace(area_level=2)
    answers = answers_for(default, context, 60) | {"SCR-5": "na"}
    result = run(default, context, answers)
    assert result.grade is Grade.LOW and result.next_assessment_due_in_days == 14
    raised = regrade(default, result, area_level=4)
    assert raised.grade is Grade.MEDIUM and raised.next_assessment_due_in_days == 7
    assert raised.item("SCR-5").not_counted_reason == "na"  # what was submitted is kept
    assert raised.assessed_on == result.assessed_on
    assert regrade(default, raised, area_level=2) == result
    with pytest.raises(InvalidAnswers):
        run(default, context.replace(area_level=4), answers)


def test_regrade_refuses_another_checklist(default, mini):
    result = run(default, EVERYTHING, best_answers(default, EVERYTHING))
    with pytest.raises(ValueError, match="vn-workplace-2021"):
        regrade(mini, result, area_level=2)
