"""Too fast: a web form submitted quicker than its items can be read (pure: no Flask).

The draft's start (created_at) is when the officer opened a new assessment on the site, so the
time to submit is at least the time spent; a draft typed offline is only ever slower. Only web
submissions are judged: the API and imports create and submit in one go.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

MIN_SECONDS_PER_ITEM = 2.0
MIN_SECONDS_TOTAL = 60.0


@dataclass(frozen=True)
class Timing:
    started: datetime
    submitted: datetime
    answered: int


def _aware(moment: datetime) -> datetime:
    # Stored times are UTC; SQLite hands some back without their zone.
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def too_fast(timing: Timing) -> dict | None:
    """The seconds taken and the floor they fell under, or None when plausible."""
    seconds = (_aware(timing.submitted) - _aware(timing.started)).total_seconds()
    floor = max(MIN_SECONDS_TOTAL, MIN_SECONDS_PER_ITEM * timing.answered)
    if seconds >= floor:
        return None
    return {"seconds": round(seconds, 1), "min_seconds": floor, "answered": timing.answered,
            "per_item": MIN_SECONDS_PER_ITEM, "min_total": MIN_SECONDS_TOTAL}
