"""Each implausibility rule, the too-fast floor and the answer fingerprint, as pure functions."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from riskapp.forensics import answers, rules, timing

BASE = {"CTX-1": 100, "CTX-2": 1500, "TRN-1": 20, "TRN-2": 2}


def _rules(answers_=None, context=None, headcount=100) -> set[str]:
    facts = rules.Facts({**BASE, **(answers_ or {})}, context or {}, headcount)
    return {breach.rule for breach in rules.breaches(facts)}


def test_plausible_answers_break_no_rule():
    assert _rules() == set()


@pytest.mark.parametrize(("changed", "rule"), [
    ({"CTX-2": 49}, "floor_per_worker_low"),           # 0.49 m² per worker
    ({"CTX-2": 100_001}, "floor_per_worker_high"),     # 1,000.01 m² per worker
    ({"CTX-1": 151}, "workers_above_headcount"),       # > 1.5 × 100
    ({"CTX-1": 9, "CTX-2": 100}, "workers_below_headcount"),  # < 10 % of 100
])
def test_each_rule_fires_just_past_its_limit(changed, rule):
    assert rule in _rules(changed)


@pytest.mark.parametrize("changed", [{"CTX-2": 50}, {"CTX-2": 100_000}, {"CTX-1": 150},
                                     {"CTX-1": 10, "CTX-2": 100}])
def test_no_rule_fires_at_its_limit(changed):
    assert _rules(changed) == set()


def test_a_shuttle_nobody_rides_with_pick_up_areas_is_a_contradiction():
    assert "shuttle_without_riders" in _rules({"TRN-1": 0, "TRN-2": 3}, {"has_shuttle": True})
    assert _rules({"TRN-1": 0, "TRN-2": 1}, {"has_shuttle": True}) == set()
    assert _rules({"TRN-1": 0, "TRN-2": 3}, {"has_shuttle": False}) == set()


def test_no_registered_headcount_skips_the_headcount_rules():
    assert _rules({"CTX-1": 5000, "CTX-2": 50_000}, headcount=None) == set()


def test_too_fast_uses_two_seconds_per_item_or_one_minute():
    start = datetime(2026, 12, 7, 8, tzinfo=UTC)
    at = lambda seconds, items: timing.too_fast(  # noqa: E731
        timing.Timing(start, start + timedelta(seconds=seconds), items))
    assert at(59, 10)["min_seconds"] == 60
    assert at(60, 10) is None
    assert at(63, 32)["min_seconds"] == 64
    assert at(64, 32) is None


def test_the_answer_fingerprint_ignores_order_and_number_spelling():
    assert answers.answers_hash({"A": 2.0, "B": "Yes "}) == answers.answers_hash({"B": "yes",
                                                                                  "A": 2})
    assert answers.answers_hash({"A": 2}) != answers.answers_hash({"A": 3})
    assert answers.is_distinctive({"CTX-1": 240, "CTX-2": 3100, "VAC-1": 77})
    assert not answers.is_distinctive({"CTX-1": 240, "CTX-2": 3100, "VAC-1": 100, "X": "yes"})
