"""Independent pandas computations of the province figures, straight from history tables
(assessment, enterprise, finding, remediation_action, area) — never from the roll-ups."""

from __future__ import annotations

from datetime import date, timedelta

import pandas as pd
from sqlalchemy import text

from riskapp.db import db

GRADE_RANK = {"very_low": 0, "low": 1, "medium": 2, "high": 3, "very_high": 4}
BANDS = {"lt100": (1, 99), "100-499": (100, 499), "500-999": (500, 999),
         "1000-4999": (1000, 4999), "5000+": (5000, 10**9)}


def _read(sql: str, **params) -> pd.DataFrame:
    return pd.read_sql(text(sql), db.session.connection(), params=params)


def _date(series: pd.Series) -> pd.Series:
    return pd.to_datetime(series).dt.date


def subtree(area_id: int, areas: pd.DataFrame) -> set[int]:
    found, frontier = {area_id}, {area_id}
    while frontier:
        frontier = set(areas[areas.parent_id.isin(frontier)].id) - found
        found |= frontier
    return found


def enterprises(province_id: int, today: date) -> pd.DataFrame:
    """One row per enterprise with its current assessment's figures, from history."""
    ent = _read("SELECT id, area_id, industry, headcount FROM enterprise WHERE province_id=:p",
                p=province_id)
    assessments = _read(
        "SELECT id, enterprise_id, status, assessed_on, grade, effective_grade, next_due_on, "
        "effective_next_due_on, failed_critical, superseded_by_id FROM assessment "
        "WHERE province_id=:p AND status IN ('submitted', 'superseded')", p=province_id)
    assessments["assessed_on"] = _date(assessments.assessed_on)
    submitted = assessments[assessments.status == "submitted"].sort_values(
        ["assessed_on", "id"], ascending=False)
    current = submitted.drop_duplicates("enterprise_id").copy()
    current["final"] = current.effective_grade.fillna(current.grade)
    current["due"] = _date(current.effective_next_due_on.fillna(current.next_due_on))
    previous = assessments[assessments.superseded_by_id.notna()][["superseded_by_id", "grade"]]
    previous = previous.rename(columns={"superseded_by_id": "id", "grade": "previous"})
    previous["id"] = previous["id"].astype(int)
    current = current.merge(previous, on="id", how="left")
    findings = _read("SELECT assessment_id, grade AS audited, created_at, id AS finding_id "
                     "FROM finding WHERE province_id=:p", p=province_id)
    findings = findings.sort_values(["created_at", "finding_id"], ascending=False)
    findings = findings.drop_duplicates("assessment_id")[["assessment_id", "audited"]]
    current = current.merge(findings, left_on="id", right_on="assessment_id", how="left")
    out = ent.merge(
        current[["enterprise_id", "id", "assessed_on", "grade", "final", "due", "failed_critical",
                 "previous", "audited"]].rename(columns={"id": "current_id", "grade": "declared"}),
        left_on="id", right_on="enterprise_id", how="left")
    out["state"] = "current"
    out.loc[out.current_id.isna(), "state"] = "never"
    out.loc[out.current_id.notna() & (out.due < today), "state"] = "overdue"
    return out


def apply(frame: pd.DataFrame, filters, areas: pd.DataFrame) -> pd.DataFrame:
    if filters.area_id:
        frame = frame[frame.area_id.isin(subtree(filters.area_id, areas))]
    if filters.industry:
        frame = frame[frame.industry == filters.industry]
    if filters.size_band:
        low, high = BANDS[filters.size_band]
        frame = frame[(frame.headcount >= low) & (frame.headcount <= high)]
    if filters.grade == "none":
        frame = frame[frame.final.isna()]
    elif filters.grade:
        frame = frame[frame.final == filters.grade]
    if filters.date_from:
        frame = frame[frame.assessed_on.notna() & (frame.assessed_on >= filters.date_from)]
    if filters.date_to:
        frame = frame[frame.assessed_on.notna() & (frame.assessed_on <= filters.date_to)]
    return frame


def areas_of(province_id: int) -> pd.DataFrame:
    return _read("SELECT id, parent_id, name FROM area WHERE province_id=:p", p=province_id)


def top_area(area_id: int, areas: pd.DataFrame) -> int:
    parents = dict(zip(areas.id, areas.parent_id, strict=True))
    while pd.notna(parents.get(area_id)):
        area_id = int(parents[area_id])
    return area_id


def weekly(province_id: int, first: date, last: date, area_ids: set[int] | None,
           industry=None, grade=None) -> pd.DataFrame:
    frame = _read(
        "SELECT a.assessed_on, a.grade, e.area_id, e.industry FROM assessment a "
        "JOIN enterprise e ON e.id = a.enterprise_id "
        "WHERE a.province_id=:p AND a.status IN ('submitted', 'superseded')", p=province_id)
    frame["assessed_on"] = _date(frame.assessed_on)
    frame["week"] = frame.assessed_on.map(lambda d: d - timedelta(days=d.weekday()))
    frame = frame[(frame.week >= first) & (frame.week <= last)]
    if area_ids is not None:
        frame = frame[frame.area_id.isin(area_ids)]
    if industry:
        frame = frame[frame.industry == industry]
    if grade:
        frame = frame[frame.grade == grade]
    return frame.pivot_table(index="week", columns="grade", values="area_id", aggfunc="count",
                             fill_value=0)


def failing_items(current_ids: set[int]) -> pd.Series:
    actions = _read("SELECT assessment_id, item_id FROM remediation_action")
    actions = actions[actions.assessment_id.isin(current_ids)]
    return actions.groupby("item_id").size()
