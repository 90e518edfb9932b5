"""The fingerprint of an answer set, and whether a coincidence is unlikely (pure: no Flask).

Two enterprises giving exactly the same answers to every item suggests a copied form. Yes/no and
choice answers coincide honestly between small, well-run shops; numbers (head-count, floor area,
people per room) and percentages rarely do. A match is flagged only when the set holds at least
MIN_DISTINCTIVE numeric or percent answers that are not round defaults (0 or 100).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping

MIN_DISTINCTIVE = 3
# Values many honest sites give: nobody by shuttle, everyone washing hands.
COMMON_VALUES = frozenset({0, 100})


def _normal(value):
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, int | float):
        return int(value) if float(value).is_integer() else round(float(value), 6)
    return str(value).strip().lower()


def normalised(answers: Mapping[str, object]) -> dict[str, object]:
    """Answers with keys sorted, numbers as numbers (2.0 is 2), text trimmed and lower-case."""
    return {key: _normal(answers[key]) for key in sorted(answers)}


def answers_hash(answers: Mapping[str, object]) -> str:
    """SHA-256 of the normalised answers (hex)."""
    text = json.dumps(normalised(answers), sort_keys=True, ensure_ascii=True,
                      separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


def distinctive_numbers(answers: Mapping[str, object]) -> tuple[str, ...]:
    """The items whose numeric answer is unlikely to coincide by chance."""
    return tuple(key for key, value in sorted(normalised(answers).items())
                 if isinstance(value, int | float) and not isinstance(value, bool)
                 and value not in COMMON_VALUES)


def is_distinctive(answers: Mapping[str, object]) -> bool:
    """Enough uncommon numbers that two honest sites would hardly share the whole set."""
    return len(distinctive_numbers(answers)) >= MIN_DISTINCTIVE
