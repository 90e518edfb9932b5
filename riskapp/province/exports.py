"""CSV and XLSX exports of the filtered enterprise list and of every aggregated table.

pandas builds the frames (from one SQL query for the list); headers are in the page's language,
Vietnamese by default, written as UTF-8 (with a BOM so Excel opens CSV correctly) or XLSX.
"""

from __future__ import annotations

from datetime import date

import pandas as pd
from flask_babel import gettext as _
from sqlalchemy import String, cast, func, select

from riskapp import clock
from riskapp.db import db
from riskapp.filters import THEN_BOUNDARIES, Filters, apply_filters, area_column, area_paths
from riskapp.models import (
    GRADED_STATUSES,
    Assessment,
    Enterprise,
    EnterpriseStatus,
    Grade,
    ReviewStatus,
)
from riskapp.province import aggregates, lists, xlsx
from riskapp.spreadsheets import neutralise_frame
from riskapp.templating import REVIEW_STATUS_LABELS, grade_label
from riskapp.tenancy import Scope, current_scope
from riskapp.territory import area_tree

CSV_MIME = "text/csv; charset=utf-8"
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# The ranking export stops here: a plan of visits never reaches further down.
INSPECTION_EXPORT_ROWS = 5000


ACCEPTED_VALUES = [status.value for status in ReviewStatus if status.is_accepted]


def _grade_words(value) -> str:
    return grade_label(value) if value else ""


def _review_words() -> dict[str, str]:
    return {status.value: str(REVIEW_STATUS_LABELS[status]) for status in ReviewStatus}


def _enterprise_rows(filters: Filters, scope: Scope | None, today: date) -> pd.DataFrame:
    """The filtered enterprises with their roll-up, one query, grades and dates as text."""
    statement = apply_filters(
        select(
            Enterprise.tax_code, Enterprise.name, EnterpriseStatus.area_id,
            area_column(Filters(boundaries=THEN_BOUNDARIES)).label("made_in"),
            Enterprise.industry, Enterprise.headcount, Enterprise.address,
            cast(EnterpriseStatus.assessed_on, String).label("assessed_on"),
            EnterpriseStatus.score,
            cast(EnterpriseStatus.declared_grade, String).label("declared_grade"),
            cast(EnterpriseStatus.effective_grade, String).label("effective_grade"),
            cast(EnterpriseStatus.audited_grade, String).label("audited_grade"),
            EnterpriseStatus.failed_critical,
            cast(EnterpriseStatus.next_due_on, String).label("next_due_on"),
            EnterpriseStatus.current_assessment_id,
            cast(Assessment.review_status, String).label("review_status"),
        )
        .join(Enterprise, Enterprise.id == EnterpriseStatus.enterprise_id)
        .outerjoin(Assessment, Assessment.id == EnterpriseStatus.current_assessment_id)
        .order_by(EnterpriseStatus.enterprise_id),
        filters, scope, today,
    )
    result = db.session.connection().execute(statement)
    return pd.DataFrame.from_records(list(result), columns=list(result.keys()))


def _day(column: pd.Series) -> pd.Series:
    return pd.to_datetime(column, format="%Y-%m-%d", errors="coerce").dt.date


def enterprise_frame(filters: Filters, scope: Scope | None = None,
                     today: date | None = None) -> pd.DataFrame:
    """The filtered enterprise list with current grades, one query.

    Grades and dates are read as text and converted by column (pandas), not value by value."""
    today = today or clock.today()
    scope = scope or current_scope()
    frame = _enterprise_rows(filters, scope, today)
    tree = area_tree(scope.province_id)
    paths = area_paths(tree, {*frame["area_id"].unique(), *frame["made_in"].unique()})
    labels = {g.value: _grade_words(g) for g in Grade}
    next_due = pd.to_datetime(frame["next_due_on"], format="%Y-%m-%d", errors="coerce")
    never = frame["current_assessment_id"].isna()
    overdue = ~never & (next_due < pd.Timestamp(today))
    state = pd.Series(_("current"), index=frame.index, dtype=object)
    state[overdue] = _("overdue")
    state[never] = _("never assessed")
    return pd.DataFrame({
        _("Tax code"): frame["tax_code"],
        _("Enterprise"): frame["name"],
        # Both, whichever boundaries the figures used: history stays where it was made.
        _("Area at the time"): frame["made_in"].where(~never).map(paths),
        _("Area today"): frame["area_id"].map(paths),
        _("Industry"): frame["industry"],
        _("Head-count"): frame["headcount"],
        _("Address"): frame["address"],
        _("Assessed on"): _day(frame["assessed_on"]),
        _("Score"): frame["score"],
        _("Declared grade"): frame["declared_grade"].map(labels),
        _("Final grade"): frame["effective_grade"].map(labels),
        _("Review"): frame["review_status"].map(_review_words()),
        _("Accepted grade"): frame["declared_grade"].where(
            frame["review_status"].isin(ACCEPTED_VALUES)).map(labels),
        _("Audited grade"): frame["audited_grade"].map(labels),
        _("Failed critical items"): frame["failed_critical"],
        _("Next assessment due"): next_due.dt.date,
        _("Reporting"): state,
    })


def _history_rows(filters: Filters, scope: Scope, today: date) -> pd.DataFrame:
    """Every graded assessment of the filtered enterprises made in the chosen dates, one query."""
    in_dates = [Assessment.assessed_on >= filters.date_from] if filters.date_from else []
    in_dates += [Assessment.assessed_on <= filters.date_to] if filters.date_to else []
    statement = apply_filters(
        select(
            Enterprise.tax_code, Enterprise.name,
            cast(Assessment.assessed_on, String).label("assessed_on"), Assessment.score,
            cast(Assessment.grade, String).label("grade"),
            cast(Assessment.review_status, String).label("review_status"),
            cast(func.coalesce(Assessment.effective_grade, Assessment.grade), String)
            .label("final_grade"),
            area_column(filters.but(boundaries=THEN_BOUNDARIES), assessments=True)
            .label("made_in"),
            EnterpriseStatus.area_id,
        )
        .select_from(Assessment)
        .join(EnterpriseStatus, EnterpriseStatus.enterprise_id == Assessment.enterprise_id)
        .join(Enterprise, Enterprise.id == Assessment.enterprise_id)
        .where(Assessment.status.in_(GRADED_STATUSES), *in_dates)
        .order_by(Assessment.enterprise_id, Assessment.assessed_on, Assessment.id),
        # The dates choose the assessments here, not the enterprises' current ones.
        filters.but(date_from=None, date_to=None), scope, today, assessments=True,
    )
    result = db.session.connection().execute(statement)
    return pd.DataFrame.from_records(list(result), columns=list(result.keys()))


def assessment_frame(filters: Filters, scope: Scope | None = None,
                     today: date | None = None) -> pd.DataFrame:
    """The assessment history of the filtered enterprises, with the area at the time and today."""
    scope = scope or current_scope()
    frame = _history_rows(filters, scope, today or clock.today())
    tree = area_tree(scope.province_id)
    paths = area_paths(tree, {*frame["made_in"].unique(), *frame["area_id"].unique()})
    labels = {g.value: _grade_words(g) for g in Grade}
    return pd.DataFrame({
        _("Tax code"): frame["tax_code"],
        _("Enterprise"): frame["name"],
        _("Assessed on"): _day(frame["assessed_on"]),
        _("Score"): frame["score"],
        _("Declared grade"): frame["grade"].map(labels),
        _("Final grade"): frame["final_grade"].map(labels),
        _("Review"): frame["review_status"].map(_review_words()),
        _("Accepted grade"): frame["grade"].where(
            frame["review_status"].isin(ACCEPTED_VALUES)).map(labels),
        _("Area at the time"): frame["made_in"].map(paths),
        _("Area today"): frame["area_id"].map(paths),
    })


def _rate(value) -> float | None:
    return None if value is None else round(value * 100, 1)


def _grade_headers() -> list[str]:
    return [_grade_words(g) for g in Grade]


def _tally_frame(tallies, first: str) -> pd.DataFrame:
    return pd.DataFrame(
        [
            [t.label, t.total, t.current, t.overdue, t.never, _rate(t.reporting_rate),
             _rate(t.on_time_rate), *[t.by_grade[g.value] for g in Grade]]
            for t in tallies
        ],
        columns=[first, _("Registered"), _("Current"), _("Overdue"), _("Never assessed"),
                 _("Reporting rate %"), _("On-time rate %"), *_grade_headers()],
    )


def _headline_frame(filters: Filters, scope: Scope | None, today: date) -> pd.DataFrame:
    head = aggregates.headline(filters, scope, today)
    declared = aggregates.declared_counts(filters, scope, today)
    return pd.DataFrame(
        [[_("Registered"), head.total], [_("Current"), head.current],
         [_("Overdue"), head.overdue], [_("Never assessed"), head.never]]
        + [[_("Final grade") + ": " + _grade_words(g), head.by_grade[g.value]] for g in Grade]
        + [[_("Declared grade") + ": " + _grade_words(g), declared[g.value]] for g in Grade],
        columns=[_("Figure"), _("Enterprises")],
    )


def _trend_frame(filters: Filters, scope: Scope | None, today: date) -> pd.DataFrame:
    trend = aggregates.trend(filters, scope, today)
    return pd.DataFrame(
        [[week, total, *[trend.counts[g.value][i] for g in Grade]]
         for i, (week, total) in enumerate(zip(trend.weeks, trend.totals, strict=True))],
        columns=[_("Week from"), _("Assessments"), *_grade_headers()],
    )


def _ranking_frame(filters: Filters, scope: Scope | None, today: date,
                   limit: int = 500) -> pd.DataFrame:
    scope = scope or current_scope()
    ranking = lists.inspection_ranking(filters, 1, scope, today, per_page=limit)
    tree = area_tree(scope.province_id)
    return pd.DataFrame(
        [[r.position, r.tax_code, r.name, tree.path(r.status.area_id), r.address or "",
          _grade_words(r.status.effective_grade),
          r.status.failed_critical, ", ".join(r.critical_items), r.overdue_p1,
          _("yes") if r.worsening else "", r.status.headcount] for r in ranking.items],
        columns=[_("Rank"), _("Tax code"), _("Enterprise"), _("Area"), _("Address"),
                 _("Final grade"), _("Failed critical items"), _("Critical items"),
                 _("Overdue P1 actions"), _("Worsening"), _("Head-count")],
    )


def inspection_frame(filters: Filters, scope: Scope | None = None,
                     today: date | None = None) -> pd.DataFrame:
    """Where to inspect first, as far down the ranking as a visit plan reaches."""
    return _ranking_frame(filters, scope, today or clock.today(), limit=INSPECTION_EXPORT_ROWS)


def _gaps_frame(filters: Filters, scope: Scope | None, today: date, checklist) -> pd.DataFrame:
    gaps, assessed = aggregates.gaps(filters, scope, today, checklist)
    return pd.DataFrame(
        [[gap.item_id, gap.section, gap.label, gap.failing, assessed,
          round(gap.share * 100, 1)] for gap in gaps],
        columns=[_("Item"), _("Section"), _("Question"), _("Enterprises failing"),
                 _("Enterprises assessed"), _("Share failing %")],
    )


def _audit_frame(filters: Filters, scope: Scope | None, today: date) -> pd.DataFrame:
    audit = aggregates.declared_vs_audited(filters, scope, today)
    return pd.DataFrame(
        [[_grade_words(d), *[audit["matrix"][d.value][a.value] for a in Grade]] for d in Grade],
        columns=[_("Declared grade") + " \\ " + _("Audited grade"), *_grade_headers()],
    )


def _review_frame(filters: Filters, scope: Scope | None, today: date) -> pd.DataFrame:
    """The enterprises' current submissions by review status (accepted grade = declared)."""
    statement = apply_filters(
        select(Assessment.review_status, func.count())
        .select_from(EnterpriseStatus)
        .join(Assessment, Assessment.id == EnterpriseStatus.current_assessment_id)
        .group_by(Assessment.review_status),
        filters, scope, today,
    )
    counts = {status: count for status, count in db.session.execute(statement)}
    return pd.DataFrame(
        [[str(REVIEW_STATUS_LABELS[status]), counts.get(status, 0)] for status in ReviewStatus],
        columns=[_("Review"), _("Enterprises")],
    )


def table_frames(filters: Filters, scope: Scope | None = None,
                 today: date | None = None, checklist=None) -> dict[str, pd.DataFrame]:
    """Every aggregated table of the dashboard, as frames named for their sheet."""
    today = today or clock.today()
    return {
        _("Headline"): _headline_frame(filters, scope, today),
        _("By area"): _tally_frame(aggregates.by_area(filters, scope, today), _("Area")),
        _("By industry"): _tally_frame(aggregates.by_industry(filters, scope, today),
                                       _("Industry")),
        _("Weekly trend"): _trend_frame(filters, scope, today),
        _("Inspect first"): _ranking_frame(filters, scope, today),
        _("Missing most"): _gaps_frame(filters, scope, today, checklist),
        _("Declared vs audited"): _audit_frame(filters, scope, today),
        _("Reviews"): _review_frame(filters, scope, today),
    }


def to_csv(frame: pd.DataFrame) -> bytes:
    return neutralise_frame(frame).to_csv(index=False).encode("utf-8-sig")


def to_xlsx(frames: dict[str, pd.DataFrame]) -> bytes:
    """Sheets streamed as XML by `riskapp.province.xlsx` (100,000 rows in a few seconds)."""
    sheets = []
    for title, frame in frames.items():
        frame = neutralise_frame(frame)
        # Missing values become empty cells; numpy scalars become Python ones, column by column.
        plain = frame.astype(object).where(frame.notna(), None)
        sheets.append((_sheet_title(title), [str(c) for c in frame.columns],
                       plain.itertuples(index=False, name=None)))
    return xlsx.write_workbook(sheets)


def _sheet_title(title: str) -> str:
    for char in "[]:*?/\\":
        title = title.replace(char, " ")
    return title[:31]
