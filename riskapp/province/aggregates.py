"""Province aggregates: every figure is one SQL aggregate over the `enterprise_status` roll-up (or
the weekly roll-up), restricted by the user's scope and the filters (riskapp.filters)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date, timedelta

from flask_babel import gettext as _
from sqlalchemy import and_, case, func, select

from riskapp import clock, territory
from riskapp.db import db
from riskapp.filters import NO_GRADE, Filters, apply_filters, area_column, area_ids, area_label
from riskapp.i18n import current_lang
from riskapp.models import (
    GRADED_STATUSES,
    Assessment,
    EnterpriseStatus,
    Grade,
    RemediationAction,
    WeeklyGradeCount,
)
from riskapp.province.rollups import data_version, week_start
from riskapp.templating import VSIC_SECTIONS
from riskapp.tenancy import Scope, current_scope, scoped

DEFAULT_TREND_WEEKS = 12
# Below this many assessments in a typical week, one assessment swings a grade's weekly share by
# 10 points or more (1–3 a week swing 0 ↔ 100 %): the trend then folds weeks into windows.
MIN_TREND_POINT_N = 10
ELSEWHERE = (None, False)  # the by-area row of assessments made outside the reach's areas
TREND_WINDOW_WEEKS = 4


# ----------------------------------------------------------------------------- aggregates

@dataclass
class Tally:
    """Enterprises of one group: by final grade and by reporting state."""

    key: object = None
    label: str = ""
    total: int = 0
    overdue: int = 0
    never: int = 0
    by_grade: dict[str, int] = field(default_factory=lambda: {g.value: 0 for g in Grade})

    @property
    def current(self) -> int:
        return self.total - self.overdue - self.never

    @property
    def assessed(self) -> int:
        return self.total - self.never

    @property
    def reporting_rate(self) -> float | None:
        return self.assessed / self.total if self.total else None

    @property
    def on_time_rate(self) -> float | None:
        return self.current / self.total if self.total else None

    def add(self, grade, count: int, overdue: int, never: int) -> None:
        self.total += count
        self.overdue += overdue or 0
        self.never += never or 0
        if grade is not None:
            self.by_grade[Grade(grade).value] += count


def _tally_columns(today: date):
    assessed = EnterpriseStatus.current_assessment_id.is_not(None)
    return (
        func.count().label("n"),
        func.sum(case((and_(assessed, EnterpriseStatus.next_due_on < today), 1), else_=0))
        .label("overdue"),
        func.sum(case((EnterpriseStatus.current_assessment_id.is_(None), 1), else_=0))
        .label("never"),
    )


def headline(filters: Filters, scope: Scope | None = None, today: date | None = None) -> Tally:
    """Registered, current, overdue, never assessed and counts by final grade."""
    today = today or clock.today()
    statement = apply_filters(
        select(EnterpriseStatus.effective_grade, *_tally_columns(today))
        .group_by(EnterpriseStatus.effective_grade),
        filters, scope, today,
    )
    tally = Tally()
    for grade, count, overdue, never in db.session.execute(statement):
        tally.add(grade, count, overdue, never)
    return tally


def fold(tallies: list[Tally]) -> Tally:
    """The sum of some tallies (the by-area rows add up to the headline: saves a scan)."""
    total = Tally()
    for tally in tallies:
        total.total += tally.total
        total.overdue += tally.overdue
        total.never += tally.never
        for grade, count in tally.by_grade.items():
            total.by_grade[grade] += count
    return total


def declared_counts(filters: Filters, scope: Scope | None = None,
                    today: date | None = None) -> dict[str, int]:
    """Counts by the grade as submitted (before any re-grading), next to the final grades."""
    statement = apply_filters(
        select(EnterpriseStatus.declared_grade, func.count())
        .where(EnterpriseStatus.declared_grade.is_not(None))
        .group_by(EnterpriseStatus.declared_grade),
        filters, scope, today,
    )
    counts = {grade.value: 0 for grade in Grade}
    for grade, count in db.session.execute(statement):
        counts[Grade(grade).value] = count
    return counts


def display_areas(filters: Filters, scope: Scope) -> list[int]:
    """The rows of the by-area table: the filtered area's children, else the top areas."""
    tree = territory.area_tree(scope.province_id)
    if filters.area_id is not None and not filters.area_exact:
        children = tree.children.get(filters.area_id, [])
        return [*children, filters.area_id] if children else [filters.area_id]
    if filters.area_id is not None:
        return [filters.area_id]
    return territory.visible_roots(tree, scope.area_ids)


def by_area(filters: Filters, scope: Scope | None = None,
            today: date | None = None) -> list[Tally]:
    """Grades and reporting per area row; leaf counts are folded into their display area.

    A row's key is (area id, exact): exact rows count only the enterprises attached to that area
    itself (when the filtered area has both children and enterprises of its own)."""
    return by_area_and_declared(filters, scope, today)[0]


def by_area_and_declared(filters: Filters, scope: Scope | None = None,
                         today: date | None = None) -> tuple[list[Tally], dict[str, int]]:
    """`by_area` and `declared_counts` from one scan (the dashboard needs both)."""
    scope = scope or current_scope()
    today = today or clock.today()
    tree = territory.area_tree(scope.province_id)
    shown = display_areas(filters, scope)
    children_shown = set(shown)
    parent_row = filters.area_id if (filters.area_id in children_shown and len(shown) > 1) else None
    tallies: dict[tuple[int, bool], Tally] = {}
    for area_id in shown:
        exact = area_id == parent_row
        tallies[(area_id, exact)] = Tally(key=(area_id, exact), label=area_label(tree, area_id))
    area = area_column(filters).label("area")
    statement = apply_filters(
        select(area, EnterpriseStatus.effective_grade,
               EnterpriseStatus.declared_grade, *_tally_columns(today))
        .group_by(area, EnterpriseStatus.effective_grade, EnterpriseStatus.declared_grade),
        filters, scope, today,
    )
    declared = {grade.value: 0 for grade in Grade}
    for area_id, grade, declared_grade, count, overdue, never in db.session.execute(statement):
        if declared_grade is not None:
            declared[Grade(declared_grade).value] += count
        target = _row_key(tree, area_id, children_shown, parent_row)
        if target is None and filters.as_it_was:
            # Made in an area outside the reach's tops (an auditor's, before a move): still
            # counted, so the rows add up to the headline.
            target = ELSEWHERE
            tallies.setdefault(ELSEWHERE, Tally(key=ELSEWHERE, label=_("Elsewhere at the time")))
        if target is None:
            continue
        tallies[target].add(grade, count, overdue, never)
    # A closed area keeps a row while something counts under it (as it was), else it goes.
    rows = [row for row in tallies.values()
            if row.total or (row.key[0] != parent_row and row.key[0] not in tree.closed_on)]
    return rows, declared


def _row_key(tree, area_id: int, shown: set[int], parent_row: int | None):
    """The by-area row an area's counts fold into: its nearest shown ancestor, else None."""
    for ancestor in tree.ancestors(area_id):
        if ancestor in shown:
            return (ancestor, ancestor == parent_row)
    return None


def by_industry(filters: Filters, scope: Scope | None = None,
                today: date | None = None) -> list[Tally]:
    today = today or clock.today()
    statement = apply_filters(
        select(EnterpriseStatus.industry, EnterpriseStatus.effective_grade, *_tally_columns(today))
        .group_by(EnterpriseStatus.industry, EnterpriseStatus.effective_grade),
        filters, scope, today,
    )
    tallies: dict[str, Tally] = {}
    for industry, grade, count, overdue, never in db.session.execute(statement):
        label = f"{industry} · {VSIC_SECTIONS.get(industry, industry)}"
        tallies.setdefault(industry, Tally(key=industry, label=label)).add(
            grade, count, overdue, never)
    return sorted(tallies.values(), key=lambda t: t.key)


@dataclass
class Trend:
    weeks: list[date]
    counts: dict[str, list[int]]  # grade → count per week (per window when span_weeks > 1)
    source: str  # "weekly roll-up" or "assessment history"
    span_weeks: int = 1  # weeks per point; `weeks` holds each point's first week

    @property
    def totals(self) -> list[int]:
        return [sum(self.counts[g.value][i] for g in Grade) for i in range(len(self.weeks))]

    def shares(self) -> dict[str, list[float | None]]:
        totals = self.totals
        return {
            grade: [(c / t * 100 if t else None) for c, t in zip(counts, totals, strict=True)]
            for grade, counts in self.counts.items()
        }

    def readable(self) -> Trend:
        """Itself when a typical week (the median of weeks with any) has enough assessments for
        its shares to mean something; otherwise the same counts in four-week windows."""
        busy = sorted(total for total in self.totals if total)
        if not busy or busy[len(busy) // 2] >= MIN_TREND_POINT_N:
            return self
        return self.in_windows(TREND_WINDOW_WEEKS)

    def in_windows(self, span: int) -> Trend:
        """Points of ``span`` weeks each, the last window ending on the last week (the newest
        figures are whole); a shorter first window keeps the weeks left over."""
        if not self.weeks:
            return self
        first_size = len(self.weeks) % span or span
        starts = [0, *range(first_size, len(self.weeks), span)]
        bounds = list(zip(starts, [*starts[1:], len(self.weeks)], strict=True))
        counts = {grade: [sum(values[a:b]) for a, b in bounds]
                  for grade, values in self.counts.items()}
        return Trend([self.weeks[a] for a, _ in bounds], counts, self.source, span)


def trend_window(filters: Filters, today: date | None = None) -> tuple[date, date]:
    today = today or clock.today()
    last = week_start(filters.date_to or today)
    first = week_start(filters.date_from) if filters.date_from else (
        last - timedelta(weeks=DEFAULT_TREND_WEEKS - 1))
    return first, last


def trend(filters: Filters, scope: Scope | None = None, today: date | None = None) -> Trend:
    """Assessments submitted per week by submitted grade (history is never re-graded).

    Area and grade filters read the weekly roll-up; industry or size filters need the enterprise's
    attributes, so they group the assessment history (by day in SQL, folded into weeks here)."""
    scope = scope or current_scope()
    first, last = trend_window(filters, today)
    weeks = [first + timedelta(weeks=i) for i in range((last - first).days // 7 + 1)]
    counts = {grade.value: [0] * len(weeks) for grade in Grade}
    if filters.grade == NO_GRADE:
        return Trend(weeks, counts, "weekly roll-up")
    grade = Grade(filters.grade) if filters.grade else None
    if filters.industry or filters.size_band or (filters.as_it_was and filters.area_id is not None):
        # The weekly roll-up counts under today's areas; as it was, history is read by area.
        source = "assessment history"
        statement = _history_by_day(filters, grade, scope, first, last)
    else:
        source = "weekly roll-up"
        statement = _weekly_counts(filters, grade, scope, first, last)
    index = {week: i for i, week in enumerate(weeks)}
    for day, row_grade, count in db.session.execute(statement):
        day = date.fromisoformat(day) if isinstance(day, str) else day
        position = index.get(week_start(day))
        if position is not None and row_grade is not None:
            counts[Grade(row_grade).value][position] += int(count or 0)
    return Trend(weeks, counts, source)


def _weekly_counts(filters: Filters, grade: Grade | None, scope: Scope, first: date, last: date):
    statement = scoped(
        select(WeeklyGradeCount.week_start, WeeklyGradeCount.grade,
               func.sum(WeeklyGradeCount.assessments))
        .where(WeeklyGradeCount.week_start.between(first, last))
        .group_by(WeeklyGradeCount.week_start, WeeklyGradeCount.grade),
        WeeklyGradeCount, scope,
    )
    covered = area_ids(filters)
    if covered is not None:
        statement = statement.where(WeeklyGradeCount.area_id.in_(covered))
    if grade is not None:
        statement = statement.where(WeeklyGradeCount.grade == grade)
    return statement


def _history_by_day(filters: Filters, grade: Grade | None, scope: Scope, first: date,
                    last: date):
    # The enterprise's attributes filter the history; its grades are as submitted.
    profile = Filters(industry=filters.industry, size_band=filters.size_band,
                      area_id=filters.area_id, area_exact=filters.area_exact,
                      boundaries=filters.boundaries)
    statement = apply_filters(
        scoped(
            select(Assessment.assessed_on, Assessment.grade, func.count())
            .join(EnterpriseStatus, EnterpriseStatus.enterprise_id == Assessment.enterprise_id)
            .where(Assessment.status.in_(GRADED_STATUSES),
                   Assessment.assessed_on.between(first, last + timedelta(days=6)))
            .group_by(Assessment.assessed_on, Assessment.grade),
            Assessment, scope,
        ),
        profile, scope, assessments=True,
    )
    if grade is not None:
        statement = statement.where(Assessment.grade == grade)
    return statement


@dataclass
class Gap:
    item_id: str
    label: str
    section: str
    critical: bool
    failing: int
    assessed: int

    @property
    def share(self) -> float:
        return self.failing / self.assessed if self.assessed else 0.0


def gaps(filters: Filters, scope: Scope | None = None, today: date | None = None,
         checklist=None) -> tuple[list[Gap], int]:
    """For each checklist item, how many enterprises' current assessments fail it, most first."""
    assessed = db.session.scalar(
        apply_filters(
            select(func.count()).select_from(EnterpriseStatus)
            .where(EnterpriseStatus.current_assessment_id.is_not(None)),
            filters, scope, today,
        )
    ) or 0
    statement = apply_filters(
        select(RemediationAction.item_id, func.count())
        .select_from(EnterpriseStatus)
        .join(RemediationAction,
              RemediationAction.assessment_id == EnterpriseStatus.current_assessment_id)
        .group_by(RemediationAction.item_id),
        filters, scope, today,
    )
    failing = dict(db.session.execute(statement).all())
    lang = current_lang()
    out = []
    known = set()
    if checklist is not None:
        sections = {s.id: s.title.get(lang) for s in checklist.sections}
        for item in checklist.items:
            known.add(item.id)
            out.append(Gap(item.id, item.question.get(lang), sections.get(item.section, ""),
                           item.critical, failing.get(item.id, 0), assessed))
    for item_id, count in failing.items():
        if item_id not in known:
            out.append(Gap(item_id, item_id, "", False, count, assessed))
    out.sort(key=lambda gap: (-gap.failing, gap.item_id))
    return out, assessed


def declared_vs_audited(filters: Filters, scope: Scope | None = None,
                        today: date | None = None) -> dict:
    """Declared (final) grade against the auditor's grade, where a finding exists."""
    statement = apply_filters(
        select(EnterpriseStatus.declared_grade, EnterpriseStatus.audited_grade, func.count())
        .where(EnterpriseStatus.audited_grade.is_not(None),
               EnterpriseStatus.declared_grade.is_not(None))
        .group_by(EnterpriseStatus.declared_grade, EnterpriseStatus.audited_grade),
        filters, scope, today,
    )
    matrix = {d.value: {a.value: 0 for a in Grade} for d in Grade}
    same = higher = lower = 0
    for declared, audited, count in db.session.execute(statement):
        declared, audited = Grade(declared), Grade(audited)
        matrix[declared.value][audited.value] += count
        if audited.rank > declared.rank:
            higher += count
        elif audited.rank < declared.rank:
            lower += count
        else:
            same += count
    return {"matrix": matrix, "same": same, "higher": higher, "lower": lower,
            "total": same + higher + lower}



def figures_key(filters: Filters, lang: str, scope: Scope | None = None,
                today: date | None = None) -> tuple:
    """What figures depend on besides the data: reach, filters (boundaries too), language, day."""
    scope = scope or current_scope()
    return (scope.reach_key(), tuple(sorted(filters.args().items())), lang,
            (today or clock.today()).isoformat())


def figures_version(scope: Scope | None = None) -> tuple:
    """The data version, and a digest of the area names and closing days (the tables' labels)."""
    # A digest, not hash(): that differs between processes, which share the figures cache.
    scope = scope or current_scope()
    tree = territory.area_tree(scope.province_id)
    names = repr((sorted(tree.names.items()), sorted(tree.closed_on.items()))).encode()
    return data_version(scope.province_id), hashlib.sha1(names, usedforsecurity=False).hexdigest()
