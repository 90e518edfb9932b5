"""The figures of an impact preview, summed one replayed assessment at a time (plain Python).

Grades are counted in a 5×5 matrix: row = grade before (what the dashboards show now), column =
grade after the proposed change, both in rank order very_low … very_high.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from riskapp.scoring.values import GRADES, Grade

SIZE = len(GRADES)
RANK = {grade.value: rank for rank, grade in enumerate(GRADES)}
# The spec's decision for very_high is to suspend the lines or the site (default-checklist.md).
SUSPEND_RANK = RANK[Grade.VERY_HIGH.value]
# high and very_high: the grades the inspection ranking puts first.
INSPECT_FIRST_RANK = RANK[Grade.HIGH.value]
# How many enterprises the stored lists keep (the counts are always complete).
LIST_CAP = 200


def empty_matrix() -> list[list[int]]:
    return [[0] * SIZE for _ in range(SIZE)]


@dataclass(frozen=True)
class Replayed:
    """One enterprise's current assessment before and after the proposed change."""

    enterprise_id: int
    area_id: int
    group_id: int | None
    industry: str
    grade_before: str
    grade_after: str
    due_before: date | None
    due_after: date


@dataclass
class Tally:
    """Running sums of a preview; `as_dict()` is what the preview stores."""

    due_horizon: date
    replayed: int = 0
    matrix: list[list[int]] = field(default_factory=empty_matrix)
    by_area: dict[int, list[list[int]]] = field(default_factory=dict)
    by_group: dict[int, list[list[int]]] = field(default_factory=dict)
    by_industry: dict[str, list[list[int]]] = field(default_factory=dict)
    suspended: list[int] = field(default_factory=list)
    suspended_count: int = 0
    lifted: list[int] = field(default_factory=list)
    lifted_count: int = 0
    earlier: int = 0
    later: int = 0
    moves: list[tuple[int, str | None, str]] = field(default_factory=list)
    newly_first_by_area: dict[int, int] = field(default_factory=dict)
    due_soon_before: int = 0
    due_soon_after: int = 0

    def add(self, row: Replayed) -> None:
        """Count one replayed assessment in every figure."""
        before, after = RANK[row.grade_before], RANK[row.grade_after]
        self.replayed += 1
        self.matrix[before][after] += 1
        _cell(self.by_area, row.area_id, before, after)
        if row.group_id is not None:
            _cell(self.by_group, row.group_id, before, after)
        _cell(self.by_industry, row.industry, before, after)
        self._decisions(row.enterprise_id, before, after)
        self._due(row)
        if before < INSPECT_FIRST_RANK <= after:
            self.newly_first_by_area[row.area_id] = self.newly_first_by_area.get(row.area_id, 0) + 1

    def _decisions(self, enterprise_id: int, before: int, after: int) -> None:
        if before < SUSPEND_RANK <= after:
            self.suspended_count += 1
            if len(self.suspended) < LIST_CAP:
                self.suspended.append(enterprise_id)
        elif after < SUSPEND_RANK <= before:
            self.lifted_count += 1
            if len(self.lifted) < LIST_CAP:
                self.lifted.append(enterprise_id)

    def _due(self, row: Replayed) -> None:
        if row.due_before is not None and row.due_before <= self.due_horizon:
            self.due_soon_before += 1
        if row.due_after <= self.due_horizon:
            self.due_soon_after += 1
        if row.due_before is None or row.due_before == row.due_after:
            return
        if row.due_after < row.due_before:
            self.earlier += 1
        else:
            self.later += 1
        if len(self.moves) < LIST_CAP:
            self.moves.append((row.enterprise_id, row.due_before.isoformat(),
                               row.due_after.isoformat()))

    def as_dict(self) -> dict:
        """The stored result (JSON: keys are strings)."""
        return {
            "replayed": self.replayed,
            "matrix": self.matrix,
            "by_area": {str(k): v for k, v in self.by_area.items()},
            "by_group": {str(k): v for k, v in self.by_group.items()},
            "by_industry": dict(self.by_industry),
            "suspensions": {"new": self.suspended_count, "lifted": self.lifted_count,
                            "new_ids": self.suspended, "lifted_ids": self.lifted},
            "due": {"earlier": self.earlier, "later": self.later, "moves": self.moves},
            "workload": {"horizon": self.due_horizon.isoformat(),
                         "due_soon_before": self.due_soon_before,
                         "due_soon_after": self.due_soon_after,
                         "newly_first_by_area": {str(k): v for k, v in
                                                 self.newly_first_by_area.items()}},
        }


def _cell(matrices: dict, key, before: int, after: int) -> None:
    matrix = matrices.get(key)
    if matrix is None:
        matrix = matrices[key] = empty_matrix()
    matrix[before][after] += 1


def moved(matrix: list[list[int]]) -> tuple[int, int, int]:
    """(graded higher, unchanged, graded lower) of a before/after matrix."""
    up = sum(matrix[b][a] for b in range(SIZE) for a in range(SIZE) if a > b)
    same = sum(matrix[r][r] for r in range(SIZE))
    down = sum(matrix[b][a] for b in range(SIZE) for a in range(SIZE) if a < b)
    return up, same, down
