"""The weekly trend stays readable at area level: weeks with a handful of assessments (whose
shares swing between 0 and 100 %) fold into four-week windows, and every point says its n."""

from __future__ import annotations

from datetime import date, timedelta

from riskapp.models import Grade
from riskapp.province.aggregates import Trend

FIRST = date(2026, 9, 7)


def _trend(weekly: list[int]) -> Trend:
    weeks = [FIRST + timedelta(weeks=i) for i in range(len(weekly))]
    counts = {g.value: [0] * len(weekly) for g in Grade}
    for index, n in enumerate(weekly):
        counts["low"][index] = n - n // 2
        counts["high"][index] = n // 2
    return Trend(weeks, counts, "weekly roll-up")


def test_busy_weeks_stay_weekly():
    trend = _trend([30, 25, 40, 35, 28, 31, 33, 29])
    assert trend.readable() is trend
    assert trend.span_weeks == 1


def test_sparse_weeks_fold_into_four_week_windows_ending_on_the_last_week():
    trend = _trend([1, 0, 3, 2, 1, 1, 0, 2, 3, 1, 2, 1])
    folded = trend.readable()
    assert folded.span_weeks == 4
    assert folded.weeks == [FIRST, FIRST + timedelta(weeks=4), FIRST + timedelta(weeks=8)]
    assert folded.totals == [6, 4, 7]
    assert sum(folded.totals) == sum(trend.totals)
    assert [folded.counts["low"][i] + folded.counts["high"][i] for i in range(3)] == [6, 4, 7]


def test_a_partial_first_window_keeps_its_own_weeks():
    folded = _trend([2, 1, 0, 1, 3, 2]).readable()
    assert folded.weeks == [FIRST, FIRST + timedelta(weeks=2)]
    assert folded.totals == [3, 6]


def test_no_assessments_at_all_stays_as_it_is():
    trend = _trend([0, 0, 0])
    assert trend.readable() is trend
