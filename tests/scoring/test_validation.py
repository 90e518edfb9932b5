"""Validation: every problem with the context and the answers, named; form input typed."""

from __future__ import annotations

import pytest

from riskapp.scoring import InvalidAnswers, coerce_answers, validate

from .conftest import EVERYTHING, PLAIN, best_answers, codes, run


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"NOPE-1": "yes"}, [("NOPE-1", "unknown_item")]),
        ({"ORG-1": None}, [("ORG-1", "missing")]),
        ({"ORG-1": 1}, [("ORG-1", "wrong_kind")]),
        ({"ORG-1": True}, [("ORG-1", "wrong_kind")]),
        ({"ORG-1": "maybe"}, [("ORG-1", "unknown_option")]),
        ({"ORG-1": "Yes"}, [("ORG-1", "unknown_option")]),
        ({"ORG-1": "na"}, [("ORG-1", "na_not_allowed")]),
        ({"CTX-1": "many"}, [("CTX-1", "wrong_kind")]),
        ({"CTX-1": 12.5}, [("CTX-1", "wrong_kind")]),
        ({"CTX-1": 0}, [("CTX-1", "out_of_range")]),
        ({"CTX-1": -4}, [("CTX-1", "out_of_range")]),
        ({"CTX-1": "na"}, [("CTX-1", "na_not_allowed")]),
        ({"CTX-2": 0}, [("CTX-2", "out_of_range")]),
        ({"CTX-2": -1.5}, [("CTX-2", "out_of_range")]),
        ({"CTX-2": float("nan")}, [("CTX-2", "wrong_kind")]),
        ({"CTX-2": float("inf")}, [("CTX-2", "out_of_range")]),
        ({"HYG-2": 100.1}, [("HYG-2", "out_of_range")]),
        ({"HYG-2": -1}, [("HYG-2", "out_of_range")]),
        ({"TRN-2": -1}, [("TRN-2", "out_of_range")]),
        ({"DRM-1": 0}, [("DRM-1", "out_of_range")]),
        ({"CTX-3": "everyone"}, [("CTX-3", "unknown_option")]),
        ({"CTX-3": ["none"]}, [("CTX-3", "wrong_kind")]),
    ],
)
def test_each_validation_error(default, change, expected):
    answers = best_answers(default, EVERYTHING)
    for key, value in change.items():
        if value is None:
            answers.pop(key)
        else:
            answers[key] = value
    problems = validate(default, EVERYTHING, answers)
    assert codes(problems) == sorted(expected)
    for problem in problems:
        assert problem.message.vi and problem.message.en
        assert problem.message.vi != problem.message.en
        assert problem.item_id in problem.message.en and problem.item_id in problem.message.vi
    with pytest.raises(InvalidAnswers) as caught:
        run(default, EVERYTHING, answers)
    assert caught.value.problems == problems


@pytest.mark.parametrize(
    ("context", "code"),
    [
        ({}, "area_level"),
        ({"area_level": 0}, "area_level"),
        ({"area_level": 5}, "area_level"),
        ({"area_level": "3"}, "area_level"),
        ({"area_level": True}, "area_level"),
        ({"area_level": 2, "has_pool": True}, "unknown_context"),
        ({"area_level": 2, "has_canteen": "yes"}, "context_value"),
    ],
)
def test_context_problems(default, context, code):
    answers = best_answers(default, PLAIN)
    problems = validate(default, context, answers)
    assert [p.code for p in problems] == [code]
    assert problems[0].item_id is None
    with pytest.raises(InvalidAnswers):
        run(default, context, answers)


def test_every_problem_is_reported_at_once(default):
    answers = {"ORG-1": "maybe", "CTX-1": -1, "SCR-5": "na", "XYZ": 1}
    problems = validate(default, {"area_level": 3, "has_canteen": 1}, answers)
    found = codes(problems)
    assert (None, "context_value") in found and ("XYZ", "unknown_item") in found
    assert ("ORG-1", "unknown_option") in found and ("CTX-1", "out_of_range") in found
    assert ("SCR-5", "na_not_allowed") in found
    # CTX-2 cannot be scored without a valid CTX-1, but is only reported as missing.
    assert [c for c in found if c[0] == "CTX-2"] == [("CTX-2", "missing")]
    # 25 items apply (the invalid has_canteen reads as false), 3 of them answered.
    assert sum(1 for c in found if c[1] == "missing") == 25 - 3


def test_partial_skips_missing_answers_only(default):
    answers = {"ORG-1": "yes", "CTX-1": 0}
    assert codes(validate(default, PLAIN, answers, partial=True)) == [("CTX-1", "out_of_range")]
    assert validate(default, PLAIN, {}, partial=True) == ()


def test_a_context_object_or_dict_gives_the_same_result(default):
    answers = best_answers(default, EVERYTHING)
    assert run(default, EVERYTHING, answers) == run(default, EVERYTHING.to_dict(), answers)


# ── form input ─────────────────────────────────────────────────────────────────────────────────


def test_coerce_answers_from_form_strings(default):
    raw = {
        "CTX-1": "1 200", "CTX-2": "12,5", "HYG-2": " 85.5 ", "VAC-1": "", "TRN-2": "abc",
        "DRM-1": "1.200", "ORG-1": "  yes ", "ZZZ": " x ", "TRN-1": "1.234,5",
    }
    typed = coerce_answers(default, raw)
    assert typed == {
        "CTX-1": 1200, "CTX-2": 12.5, "HYG-2": 85.5, "TRN-2": "abc", "DRM-1": 1200,
        "ORG-1": "yes", "ZZZ": "x", "TRN-1": 1234.5,
    }
    problems = validate(default, EVERYTHING, typed, partial=True)
    assert ("TRN-2", "wrong_kind") in codes(problems)
