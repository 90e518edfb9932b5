"""What a preview's page shows: its stored figures with names (areas, enterprises, auditors)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select

from riskapp import territory
from riskapp.audit.visits import covered_areas
from riskapp.db import db
from riskapp.impact.tally import SIZE, moved
from riskapp.models import ChecklistVersion, Enterprise, Role, User
from riskapp.scoring.values import GRADES
from riskapp.templating import VSIC_SECTIONS


@dataclass(frozen=True)
class GroupRow:
    """One area, grouping or industry: how many were replayed and which way they moved."""

    name: str
    replayed: int
    higher: int
    same: int
    lower: int
    very_high_before: int
    very_high_after: int


@dataclass(frozen=True)
class DueMove:
    name: str
    before: date | None
    after: date


def _rows(matrices: dict, name_of) -> list[GroupRow]:
    rows = []
    for key, matrix in matrices.items():
        higher, same, lower = moved(matrix)
        rows.append(GroupRow(name_of(key), sum(map(sum, matrix)), higher, same, lower,
                             sum(matrix[SIZE - 1]), sum(row[SIZE - 1] for row in matrix)))
    # The most moved first: what the province reads before anything else.
    return sorted(rows, key=lambda r: (-(r.higher + r.lower), r.name))


def _names(ids: list[int]) -> dict[int, str]:
    if not ids:
        return {}
    return dict(db.session.execute(
        select(Enterprise.id, Enterprise.name).where(Enterprise.id.in_(ids))).all())


def _auditors(province_id: int, newly_first_by_area: dict[str, int]) -> list[tuple[str, int]]:
    """Per auditor of the province: the enterprises newly graded high or very high in the
    areas they cover (an enterprise counts for every auditor who covers it)."""
    by_area = {int(k): v for k, v in newly_first_by_area.items()}
    out = []
    for auditor in db.session.scalars(
            select(User).where(User.role == Role.AUDITOR, User.province_id == province_id,
                               User.is_active_account.is_(True)).order_by(User.name, User.id)):
        covered = covered_areas(auditor)
        out.append((auditor.name or auditor.email,
                    sum(n for area_id, n in by_area.items() if area_id in covered)))
    return sorted(out, key=lambda pair: -pair[1])


def page_figures(preview) -> dict | None:
    """The page's figures, or None before the preview has finished."""
    result = preview.result
    if not result:
        return None
    tree = territory.area_tree(preview.province_id)

    def area_name(key: str) -> str:
        return tree.path(int(key)) if int(key) in tree.names else "—"

    suspensions = result["suspensions"]
    due = result["due"]
    names = _names(suspensions["new_ids"] + suspensions["lifted_ids"]
                   + [move[0] for move in due["moves"]])
    workload = result["workload"]
    return {
        "replayed": result["replayed"],
        "grades": [grade.value for grade in GRADES],
        "matrix": result["matrix"],
        "areas": _rows(result["by_area"], area_name),
        "groups": _rows(result["by_group"], area_name),
        "industries": _rows(result["by_industry"],
                            lambda key: f"{key} — {VSIC_SECTIONS.get(key, '')}"),
        "suspended": [names.get(i, "—") for i in suspensions["new_ids"]],
        "suspended_count": suspensions["new"],
        "lifted": [names.get(i, "—") for i in suspensions["lifted_ids"]],
        "lifted_count": suspensions["lifted"],
        "earlier": due["earlier"], "later": due["later"],
        "moves": [DueMove(names.get(eid, "—"), date.fromisoformat(before) if before else None,
                          date.fromisoformat(after)) for eid, before, after in due["moves"]],
        "horizon": date.fromisoformat(workload["horizon"]),
        "due_soon_before": workload["due_soon_before"],
        "due_soon_after": workload["due_soon_after"],
        "newly_first": sum(workload["newly_first_by_area"].values()),
        "auditors": _auditors(preview.province_id, workload["newly_first_by_area"]),
    }


def describe(preview) -> dict:
    """The proposed change in words' parts: area path, level, dates, checklist."""
    out = {"area": None, "version": None}
    if preview.area_id is not None:
        tree = territory.area_tree(preview.province_id, holding=preview.area_id)
        out["area"] = tree.path(preview.area_id)
    if preview.checklist_version_id is not None:
        out["version"] = db.session.get(ChecklistVersion, preview.checklist_version_id)
    return out
