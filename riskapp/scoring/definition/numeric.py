"""Numeric items of a definition: their range, whole-number rule, unit, divisor and bands."""

from __future__ import annotations

from collections.abc import Mapping
from fractions import Fraction
from typing import Any

from riskapp.scoring.definition.coverage import check_bands
from riskapp.scoring.definition.fields import FieldReader
from riskapp.scoring.model import RATIO_DOMAIN, Band, Limits
from riskapp.scoring.values import AnswerKind

_BOUND_KEYS = ("equals", "at_least", "above", "at_most", "below")


def read_numeric(
    reader: FieldReader, data: Mapping, kind: AnswerKind, where: str
) -> dict[str, Any]:
    """The numeric fields of an Item, bands included."""
    low, low_inc, high, high_inc = _read_range(reader, data, kind, where)
    integer_only = kind is AnswerKind.INTEGER
    if "integer_only" in data:
        integer_only = reader.boolean(data, "integer_only", where)
        if kind is AnswerKind.INTEGER and not integer_only:
            reader.error(where, "integer_only", "an integer item is always whole numbers")
    unit = reader.text(data, "unit", where, required=False)
    divided_by = reader.string(data, "divided_by", where, required=False)
    if divided_by is None:
        domain, whole = (low, low_inc, high, high_inc), integer_only
    else:
        domain, whole = RATIO_DOMAIN, False
    return {
        "bands": _read_bands(reader, data.get("bands"), where, domain, whole),
        "min_value": low,
        "min_inclusive": low_inc,
        "max_value": high,
        "max_inclusive": high_inc,
        "integer_only": integer_only,
        "unit": unit,
        "divided_by": divided_by,
    }


def _read_range(reader: FieldReader, data: Mapping, kind: AnswerKind, where: str) -> Limits:
    """The allowed values: `range` if given; a percentage is 0 to 100 unless narrowed."""
    low, low_inc, high, high_inc = None, True, None, True
    if kind is AnswerKind.PERCENT:
        low, high = Fraction(0), Fraction(100)
    if "range" not in data or reader.mapping(data["range"], where, "range") is None:
        return low, low_inc, high, high_inc
    bounds = _read_bounds(reader, data["range"], where, "range", allow_points=False)
    if bounds is None:
        return low, low_inc, high, high_inc
    r_low, r_low_inc, r_high, r_high_inc = bounds
    if kind is AnswerKind.PERCENT and (
        (r_low is not None and r_low < 0) or (r_high is not None and r_high > 100)
    ):
        reader.error(where, "range", "a percentage stays within 0 to 100")
    if r_low is not None:
        low, low_inc = r_low, r_low_inc
    if r_high is not None:
        high, high_inc = r_high, r_high_inc
    return low, low_inc, high, high_inc


def _read_bands(
    reader: FieldReader, data: Any, where: str, domain: Limits, whole: bool
) -> tuple[Band, ...]:
    """The bands, checked to cover `domain` (whole numbers only if `whole`) once each."""
    if reader.sequence(data, where, "bands") is None:
        return ()
    bands: list[Band] = []
    for position, entry in enumerate(data, 1):
        if not isinstance(entry, Mapping):
            reader.error(where, "bands", f"band {position} must be a mapping")
            continue
        bounds = _read_bounds(reader, entry, where, f"bands[{position}]", allow_points=True)
        points = None
        if "points" not in entry:
            reader.error(where, "bands", f"band {position} has no points")
        else:
            points = reader.integer(entry["points"], where, f"bands[{position}].points")
        if bounds is not None and points is not None:
            bands.append(Band(points, *bounds))
    if len(bands) == len(data):
        for message in check_bands(bands, domain, whole):
            reader.error(where, "bands", message)
    return tuple(bands)


def _read_bounds(
    reader: FieldReader, data: Mapping, where: str, field: str, allow_points: bool
) -> Limits | None:
    """Limits from equals, or at_least/above and at_most/below."""
    allowed = set(_BOUND_KEYS) | ({"points"} if allow_points else set())
    reader.unknown_fields(data, allowed, f"{where}, field {field}")
    values = {
        key: reader.number(data[key], where, f"{field}.{key}") for key in _BOUND_KEYS if key in data
    }
    if any(v is None for v in values.values()):
        return None
    if "equals" in values:
        if len(values) > 1:
            reader.error(where, field, "equals cannot be combined with other limits")
            return None
        return values["equals"], True, values["equals"], True
    if "at_least" in values and "above" in values:
        reader.error(where, field, "give at_least or above, not both")
        return None
    if "at_most" in values and "below" in values:
        reader.error(where, field, "give at_most or below, not both")
        return None
    low = values.get("at_least", values.get("above"))
    high = values.get("at_most", values.get("below"))
    low_inc, high_inc = "above" not in values, "below" not in values
    if low is not None and high is not None and (
        low > high or (low == high and not (low_inc and high_inc))
    ):
        reader.error(where, field, "the lower limit is above the upper limit")
        return None
    return low, low_inc, high, high_inc
