"""Answers typed into an HTML form, read as numbers and option ids."""

from __future__ import annotations

import re
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from riskapp.scoring.compiled import compile_checklist
from riskapp.scoring.model import Checklist

_SPACES = re.compile(r"[\s\u00a0\u202f\u2009']+")
_GROUPED = re.compile(r"^[+-]?\d{1,3}([.,])\d{3}(?:\1\d{3})*$")
_NUMBER = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)")


def parse_number(text: str, integer_only: bool = False) -> int | float | None:
    """A number typed in a form: "12", "12.5", "12,5", "1 200", "1.234,5"; None if unreadable."""
    cleaned = _SPACES.sub("", text.strip()).replace("\u2212", "-")
    if not cleaned:
        return None
    if integer_only and _GROUPED.match(cleaned):
        # "1.200" or "1,200" in a head-count is a thousands separator.
        cleaned = cleaned.replace(".", "").replace(",", "")
    elif "," in cleaned and "." in cleaned:
        decimal_mark = "," if cleaned.rfind(",") > cleaned.rfind(".") else "."
        group_mark = "." if decimal_mark == "," else ","
        cleaned = cleaned.replace(group_mark, "").replace(decimal_mark, ".")
    elif cleaned.count(",") == 1:
        cleaned = cleaned.replace(",", ".")
    elif cleaned.count(",") > 1 or cleaned.count(".") > 1:
        mark = "," if "," in cleaned else "."
        if not re.fullmatch(rf"[+-]?\d{{1,3}}(?:\{mark}\d{{3}})+", cleaned):
            return None
        cleaned = cleaned.replace(mark, "")
    if not _NUMBER.fullmatch(cleaned):
        return None
    try:
        number = Decimal(cleaned)
    except InvalidOperation:
        return None
    if number == number.to_integral_value():
        return int(number)
    return float(number)


def coerce_answers(checklist: Checklist, raw: Mapping[str, Any]) -> dict[str, Any]:
    """HTML form strings to typed answers: blanks dropped, numbers parsed, the rest stripped.

    An unreadable number is kept as typed, so validate() reports it as wrong_kind.
    """
    compiled = compile_checklist(checklist)
    typed: dict[str, Any] = {}
    for key, value in raw.items():
        if not isinstance(value, str):
            typed[key] = value
            continue
        stripped = value.strip()
        if not stripped:
            continue
        ci = compiled.by_id.get(key)
        if ci is not None and ci.numeric:
            number = parse_number(stripped, ci.integer_only)
            typed[key] = value if number is None else number
        else:
            typed[key] = stripped
    return typed
