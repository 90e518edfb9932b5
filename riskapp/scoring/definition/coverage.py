"""How a numeric item's bands cover its allowed values: no gap, no overlap, none unreachable."""

from __future__ import annotations

from riskapp.scoring.model import Band, Limits
from riskapp.scoring.values import first_whole, format_number, last_whole

# (first, last) whole number of a band; None is unbounded.
_Whole = tuple[int | None, int | None]


def check_bands(bands: list[Band], domain: Limits, whole: bool) -> list[str]:
    """Problems with how the bands cover the `domain` (its whole numbers only if `whole`)."""
    if whole:
        return _check_whole_bands(bands, domain)
    problems: list[str] = []
    intervals = []
    for band in bands:
        low, low_inc, high, high_inc = band.clipped(domain)
        if low is not None and high is not None and (
            low > high or (low == high and not (low_inc and high_inc))
        ):
            problems.append(f"band {band.describe()} lies outside the allowed values")
            continue
        intervals.append((low, low_inc, high, high_inc))
    if not intervals:
        return problems
    intervals.sort(key=lambda i: (i[0] is not None, i[0] or 0, not i[1]))
    d_low, d_low_inc, d_high, d_high_inc = domain
    first_low, first_low_inc = intervals[0][0], intervals[0][1]
    if d_low is None and first_low is not None:
        problems.append(f"no band covers values below {format_number(first_low)}")
    elif d_low is not None and (first_low != d_low or (d_low_inc and not first_low_inc)):
        problems.append(f"no band covers {format_number(d_low)}")
    problems += _gaps_and_overlaps(intervals)
    # The band reaching furthest up.
    _, _, top, top_inc = max(intervals, key=lambda i: (i[2] is None, i[2] or 0, i[3]))
    if d_high is None and top is not None:
        problems.append(f"no band covers values above {format_number(top)}")
    elif d_high is not None and top is not None and (top < d_high or (d_high_inc and not top_inc)):
        problems.append(f"no band covers {format_number(d_high)}")
    return problems


def _gaps_and_overlaps(intervals: list[Limits]) -> list[str]:
    """Where a band (in order of lower limits) does not meet the next one exactly."""
    problems = []
    for (_, _, high, high_inc), (low, low_inc, _, _) in zip(intervals, intervals[1:], strict=False):
        if high is None or low < high:
            problems.append(f"bands overlap at {format_number(low)}")
        elif low > high:
            problems.append(
                f"bands leave a gap between {format_number(high)} and {format_number(low)}"
            )
        elif high_inc and low_inc:
            problems.append(f"bands overlap at {format_number(low)}")
        elif not high_inc and not low_inc:
            problems.append(f"bands leave a gap at {format_number(low)}")
    return problems


def _check_whole_bands(bands: list[Band], domain: Limits) -> list[str]:
    """check_bands for an item that takes whole numbers only."""
    d_low, d_low_inc, d_high, d_high_inc = domain
    lo_dom, hi_dom = first_whole(d_low, d_low_inc), last_whole(d_high, d_high_inc)
    problems: list[str] = []
    ranges: list[_Whole] = []
    for band in bands:
        lo = first_whole(band.lower, band.lower_inclusive)
        hi = last_whole(band.upper, band.upper_inclusive)
        if lo_dom is not None and (lo is None or lo < lo_dom):
            lo = lo_dom
        if hi_dom is not None and (hi is None or hi > hi_dom):
            hi = hi_dom
        if lo is not None and hi is not None and lo > hi:
            problems.append(f"band {band.describe()} holds no allowed whole number")
            continue
        ranges.append((lo, hi))
    if not ranges:
        return problems
    ranges.sort(key=lambda r: (r[0] is not None, r[0] or 0))
    first = ranges[0][0]
    if first is not None and lo_dom is None:
        problems.append(f"no band covers values below {first}")
    elif first is not None and first > lo_dom:
        gap = f"{lo_dom}" if first == lo_dom + 1 else f"{lo_dom} to {first - 1}"
        problems.append(f"no band covers {gap}")
    problems += _whole_gaps_and_overlaps(ranges)
    top = max(ranges, key=lambda r: (r[1] is None, r[1] or 0))[1]
    if top is not None and (hi_dom is None or top < hi_dom):
        problems.append(
            f"no band covers values above {top}" if hi_dom is None
            else f"no band covers {top + 1} to {hi_dom}"
        )
    return problems


def _whole_gaps_and_overlaps(ranges: list[_Whole]) -> list[str]:
    problems = []
    for (_, hi), (lo, _) in zip(ranges, ranges[1:], strict=False):
        if hi is None or lo <= hi:
            problems.append(f"bands overlap at {lo}")
        elif lo > hi + 1:
            gap = f"{hi + 1}" if lo == hi + 2 else f"{hi + 1} to {lo - 1}"
            problems.append(f"bands leave a gap: no band covers {gap}")
    return problems
