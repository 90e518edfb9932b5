"""Province aggregates: every figure is one SQL aggregate over the `enterprise_status` roll-up (or
the weekly roll-up), restricted by the user's scope and the dashboard filters.

Figures and the drill-down lists share one `Filters` → WHERE translation, so a list's total is the
number that linked to it.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field, fields, replace
from datetime import date, timedelta

from flask import g
from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, String, and_, case, cast, func, or_, select

from riskapp.db import db
from riskapp.models import (
    ActionStatus,
    Area,
    AreaLevel,
    Enterprise,
    EnterpriseStatus,
    Grade,
    Priority,
    RemediationAction,
    WeeklyGradeCount,
)
from riskapp.province.rollups import GRADED_STATUSES, week_start
from riskapp.tenancy import Scope, area_subtree_ids, current_scope, scoped

GRADES = tuple(Grade)  # lowest first
GRADES_DESC = tuple(reversed(GRADES))
# Head-count bands follow the checklist's CTX-1 bands, so the filter speaks the grading's language.
SIZE_BANDS: dict[str, tuple[int, int | None]] = {
    "lt100": (1, 99),
    "100-499": (100, 499),
    "500-999": (500, 999),
    "1000-4999": (1000, 4999),
    "5000+": (5000, None),
}
SIZE_BAND_LABELS = {
    "lt100": _l("fewer than 100 workers"),
    "100-499": _l("100–499 workers"),
    "500-999": _l("500–999 workers"),
    "1000-4999": _l("1,000–4,999 workers"),
    "5000+": _l("5,000 workers or more"),
}
STATES = ("current", "overdue", "never", "unreported", "assessed")
STATE_LABELS = {
    "current": _l("current assessment"),
    "overdue": _l("overdue"),
    "never": _l("never assessed"),
    "unreported": _l("overdue or never assessed"),
    "assessed": _l("assessed at least once"),
}
NO_GRADE = "none"
DEFAULT_TREND_WEEKS = 12
PAGE_SIZE = 50


@dataclass(frozen=True)
class Filters:
    """Dashboard filters plus the drill-down criteria a figure adds to them."""

    area_id: int | None = None
    area_exact: bool = False  # the area itself, not its subtree
    industry: str | None = None
    size_band: str | None = None
    grade: str | None = None  # a Grade value, or "none" (never assessed)
    date_from: date | None = None
    date_to: date | None = None
    # Drill-down criteria (set by the links behind the figures).
    state: str | None = None
    item: str | None = None
    declared: str | None = None
    audited: str | None = None  # a Grade value or "any"
    worsening: bool = False

    def args(self, **changes) -> dict[str, str]:
        """URL query arguments for these filters (with changes), empty values left out."""
        out = {}
        for key in FILTER_FIELDS:
            value = changes[key] if key in changes else getattr(self, key)
            if value is None or value is False or value == "":
                continue
            out[key] = "1" if value is True else (value.isoformat() if isinstance(value, date)
                                                   else str(value))
        return out

    def drill(self, **changes) -> dict[str, str]:
        return self.args(**changes)

    @property
    def dashboard_only(self) -> Filters:
        """The filters without drill-down criteria."""
        return replace(self, state=None, item=None, declared=None, audited=None,
                       worsening=False, area_exact=False)

    @property
    def is_empty(self) -> bool:
        return not self.args()


FILTER_FIELDS = tuple(f.name for f in fields(Filters))


@dataclass
class Page:
    items: list
    total: int
    number: int
    per_page: int = PAGE_SIZE

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.per_page))


# ----------------------------------------------------------------------------- the area tree

@dataclass
class AreaTree:
    names: dict[int, str]
    parents: dict[int, int | None]
    children: dict[int | None, list[int]] = field(default_factory=dict)

    def path(self, area_id: int, separator: str = " › ") -> str:
        chain = []
        node: int | None = area_id
        while node is not None and node in self.names:
            chain.append(self.names[node])
            node = self.parents.get(node)
        return separator.join(reversed(chain))

    def ancestors(self, area_id: int) -> list[int]:
        chain, node = [], area_id
        while node is not None and node in self.names:
            chain.append(node)
            node = self.parents.get(node)
        return chain

    def depth_first(self, roots: list[int]) -> list[tuple[int, int]]:
        """(area id, depth) in tree order below the given roots."""
        out: list[tuple[int, int]] = []

        def walk(node: int, depth: int) -> None:
            out.append((node, depth))
            for child in self.children.get(node, []):
                walk(child, depth + 1)

        for root in roots:
            walk(root, 0)
        return out


def area_tree(province_id: int) -> AreaTree:
    """The province's areas (a few hundred rows), loaded once per request."""
    cache = g.setdefault("province_area_trees", {})
    if province_id not in cache:
        rows = db.session.execute(
            select(Area.id, Area.parent_id, Area.name)
            .where(Area.province_id == province_id)
            .order_by(Area.name)
        ).all()
        tree = AreaTree({r.id: r.name for r in rows}, {r.id: r.parent_id for r in rows})
        for row in rows:
            tree.children.setdefault(row.parent_id, []).append(row.id)
        cache[province_id] = tree
    return cache[province_id]


def visible_roots(scope: Scope) -> list[int]:
    """Top areas a user sees: the province's roots, or an auditor's assigned subtrees' tops."""
    tree = area_tree(scope.province_id)
    if scope.area_ids is None:
        return list(tree.children.get(None, []))
    return sorted(
        (a for a in scope.area_ids
         if tree.parents.get(a) not in scope.area_ids and a in tree.names),
        key=lambda a: tree.names[a],
    )


# ----------------------------------------------------------------------------- WHERE translation

def _grade_rank(column):
    return case({grade.value: grade.rank for grade in Grade}, value=column, else_=-1)


def _state_condition(state: str, today: date):
    assessed = EnterpriseStatus.current_assessment_id.is_not(None)
    overdue = and_(assessed, EnterpriseStatus.next_due_on < today)
    return {
        "current": and_(assessed, EnterpriseStatus.next_due_on >= today),
        "overdue": overdue,
        "never": EnterpriseStatus.current_assessment_id.is_(None),
        "unreported": or_(overdue, EnterpriseStatus.current_assessment_id.is_(None)),
        "assessed": assessed,
    }[state]


def _area_ids(filters: Filters) -> frozenset[int] | None:
    if filters.area_id is None:
        return None
    if filters.area_exact:
        return frozenset({filters.area_id})
    return area_subtree_ids({filters.area_id})


def apply_filters(statement: Select, filters: Filters, scope: Scope | None = None,
                  today: date | None = None) -> Select:
    """Restrict a select over enterprise_status to the scope and every filter."""
    scope = scope or current_scope()
    today = today or date.today()
    statement = scoped(statement, EnterpriseStatus, scope)
    area_ids = _area_ids(filters)
    if area_ids is not None:
        statement = statement.where(EnterpriseStatus.area_id.in_(area_ids))
    if filters.industry:
        statement = statement.where(EnterpriseStatus.industry == filters.industry)
    if filters.size_band in SIZE_BANDS:
        low, high = SIZE_BANDS[filters.size_band]
        statement = statement.where(EnterpriseStatus.headcount >= low)
        if high is not None:
            statement = statement.where(EnterpriseStatus.headcount <= high)
    if filters.grade == NO_GRADE:
        statement = statement.where(EnterpriseStatus.effective_grade.is_(None))
    elif filters.grade:
        statement = statement.where(EnterpriseStatus.effective_grade == Grade(filters.grade))
    if filters.date_from:
        statement = statement.where(EnterpriseStatus.assessed_on >= filters.date_from)
    if filters.date_to:
        statement = statement.where(EnterpriseStatus.assessed_on <= filters.date_to)
    if filters.state in STATES:
        statement = statement.where(_state_condition(filters.state, today))
    if filters.item:
        # IN (not a correlated EXISTS): the failing assessments come from one index range.
        statement = statement.where(
            EnterpriseStatus.current_assessment_id.in_(
                select(RemediationAction.assessment_id)
                .where(RemediationAction.item_id == filters.item)
            )
        )
    if filters.declared:
        statement = statement.where(EnterpriseStatus.declared_grade == Grade(filters.declared))
    if filters.audited == "any":
        statement = statement.where(EnterpriseStatus.audited_grade.is_not(None))
    elif filters.audited:
        statement = statement.where(EnterpriseStatus.audited_grade == Grade(filters.audited))
    if filters.worsening:
        statement = statement.where(
            EnterpriseStatus.previous_grade.is_not(None),
            _grade_rank(EnterpriseStatus.effective_grade)
            > _grade_rank(EnterpriseStatus.previous_grade),
        )
    return statement


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
    today = today or date.today()
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
    tree = area_tree(scope.province_id)
    if filters.area_id is not None and not filters.area_exact:
        children = tree.children.get(filters.area_id, [])
        return [*children, filters.area_id] if children else [filters.area_id]
    if filters.area_id is not None:
        return [filters.area_id]
    return visible_roots(scope)


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
    today = today or date.today()
    tree = area_tree(scope.province_id)
    shown = display_areas(filters, scope)
    children_shown = set(shown)
    parent_row = filters.area_id if (filters.area_id in children_shown and len(shown) > 1) else None
    tallies: dict[tuple[int, bool], Tally] = {}
    for area_id in shown:
        exact = area_id == parent_row
        tallies[(area_id, exact)] = Tally(key=(area_id, exact), label=tree.names[area_id])
    statement = apply_filters(
        select(EnterpriseStatus.area_id, EnterpriseStatus.effective_grade,
               EnterpriseStatus.declared_grade, *_tally_columns(today))
        .group_by(EnterpriseStatus.area_id, EnterpriseStatus.effective_grade,
                  EnterpriseStatus.declared_grade),
        filters, scope, today,
    )
    declared = {grade.value: 0 for grade in Grade}
    for area_id, grade, declared_grade, count, overdue, never in db.session.execute(statement):
        if declared_grade is not None:
            declared[Grade(declared_grade).value] += count
        target = None
        for ancestor in tree.ancestors(area_id):
            if ancestor in children_shown:
                target = (ancestor, ancestor == parent_row)
                break
        if target is None:
            continue
        tallies[target].add(grade, count, overdue, never)
    rows = list(tallies.values())
    return [row for row in rows if row.total or row.key[0] != parent_row], declared


def by_industry(filters: Filters, scope: Scope | None = None,
                today: date | None = None) -> list[Tally]:
    today = today or date.today()
    from riskapp.templating import VSIC_SECTIONS

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
    counts: dict[str, list[int]]  # grade → count per week
    source: str  # "weekly roll-up" or "assessment history"

    @property
    def totals(self) -> list[int]:
        return [sum(self.counts[g.value][i] for g in Grade) for i in range(len(self.weeks))]

    def shares(self) -> dict[str, list[float | None]]:
        totals = self.totals
        return {
            grade: [(c / t * 100 if t else None) for c, t in zip(counts, totals, strict=True)]
            for grade, counts in self.counts.items()
        }


def trend_window(filters: Filters, today: date | None = None) -> tuple[date, date]:
    today = today or date.today()
    last = week_start(filters.date_to or today)
    first = week_start(filters.date_from) if filters.date_from else (
        last - timedelta(weeks=DEFAULT_TREND_WEEKS - 1))
    return first, last


def trend(filters: Filters, scope: Scope | None = None, today: date | None = None) -> Trend:
    """Assessments submitted per week by submitted grade (history is never re-graded).

    Area and grade filters read the weekly roll-up; industry or size filters need the enterprise's
    attributes, so they group the assessment history (by day in SQL, folded into weeks here)."""
    from riskapp.models import Assessment

    scope = scope or current_scope()
    first, last = trend_window(filters, today)
    weeks = [first + timedelta(weeks=i) for i in range((last - first).days // 7 + 1)]
    counts = {grade.value: [0] * len(weeks) for grade in Grade}
    index = {week: i for i, week in enumerate(weeks)}
    area_ids = _area_ids(filters)
    if scope.area_ids is not None:
        area_ids = scope.area_ids if area_ids is None else area_ids & scope.area_ids
    grade = Grade(filters.grade) if filters.grade and filters.grade != NO_GRADE else None
    if filters.grade == NO_GRADE:
        return Trend(weeks, counts, "weekly roll-up")
    if not filters.industry and not filters.size_band:
        statement = (
            select(WeeklyGradeCount.week_start, WeeklyGradeCount.grade,
                   func.sum(WeeklyGradeCount.assessments))
            .where(WeeklyGradeCount.province_id == scope.province_id,
                   WeeklyGradeCount.week_start.between(first, last))
            .group_by(WeeklyGradeCount.week_start, WeeklyGradeCount.grade)
        )
        if area_ids is not None:
            statement = statement.where(WeeklyGradeCount.area_id.in_(area_ids))
        if grade is not None:
            statement = statement.where(WeeklyGradeCount.grade == grade)
        source = "weekly roll-up"
    else:
        history = replace(Filters(), industry=filters.industry, size_band=filters.size_band,
                          area_id=filters.area_id, area_exact=filters.area_exact)
        statement = apply_filters(
            select(Assessment.assessed_on, Assessment.grade, func.count())
            .join(EnterpriseStatus, EnterpriseStatus.enterprise_id == Assessment.enterprise_id)
            .where(Assessment.province_id == scope.province_id,
                   Assessment.status.in_(GRADED_STATUSES),
                   Assessment.assessed_on.between(first, last + timedelta(days=6)))
            .group_by(Assessment.assessed_on, Assessment.grade),
            history, scope, today,
        )
        if grade is not None:
            statement = statement.where(Assessment.grade == grade)
        source = "assessment history"
    for day, row_grade, count in db.session.execute(statement):
        day = date.fromisoformat(day) if isinstance(day, str) else day
        position = index.get(week_start(day))
        if position is not None and row_grade is not None:
            counts[Grade(row_grade).value][position] += int(count or 0)
    return Trend(weeks, counts, source)


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
    from riskapp.i18n import current_lang

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


# ----------------------------------------------------------------------------- lists

def _overdue_p1(today: date):
    """Overdue open P1 actions of the enterprise of the row (correlated: read per ranked row)."""
    return (
        select(func.count())
        .where(RemediationAction.enterprise_id == EnterpriseStatus.enterprise_id,
               RemediationAction.status.in_((ActionStatus.OPEN, ActionStatus.IN_PROGRESS)),
               RemediationAction.due_on < today,
               RemediationAction.priority == Priority.P1)
        .correlate(EnterpriseStatus)
        .scalar_subquery()
    )


def enterprise_page(filters: Filters, page: int = 1, scope: Scope | None = None,
                    today: date | None = None, per_page: int = PAGE_SIZE) -> Page:
    """The enterprises behind a figure, in registration order."""
    total = db.session.scalar(
        apply_filters(select(func.count()).select_from(EnterpriseStatus), filters, scope, today)
    ) or 0
    page = max(1, min(page, max(1, math.ceil(total / per_page))))
    statement = apply_filters(
        select(EnterpriseStatus, Enterprise.name, Enterprise.tax_code)
        .join(Enterprise, Enterprise.id == EnterpriseStatus.enterprise_id)
        .order_by(EnterpriseStatus.enterprise_id)
        .limit(per_page).offset((page - 1) * per_page),
        filters, scope, today,
    )
    items = [
        {"status": status, "name": name, "tax_code": tax_code}
        for status, name, tax_code in db.session.execute(statement)
    ]
    return Page(items, total, page, per_page)


@dataclass
class Ranked:
    position: int
    status: EnterpriseStatus
    name: str
    tax_code: str
    overdue_p1: int
    worsening: bool
    critical_items: list[str]


def _ranking_groups(filters: Filters, scope: Scope, today: date) -> list[tuple]:
    """(grade, failed critical, enterprises) of the assessed, in ranking order."""
    statement = apply_filters(
        select(EnterpriseStatus.effective_grade, EnterpriseStatus.failed_critical, func.count())
        .where(EnterpriseStatus.current_assessment_id.is_not(None))
        .group_by(EnterpriseStatus.effective_grade, EnterpriseStatus.failed_critical),
        filters, scope, today,
    )
    groups = [(grade, failed or 0, count) for grade, failed, count in db.session.execute(statement)]
    groups.sort(key=lambda g: (-(Grade(g[0]).rank if g[0] is not None else -1), -g[1]))
    return groups


def inspection_ranking(filters: Filters, page: int = 1, scope: Scope | None = None,
                       today: date | None = None, per_page: int = PAGE_SIZE) -> Page:
    """Assessed enterprises ranked for inspection: final grade, failed critical items, overdue P1
    actions, worsening trend, head-count — each entry carries what put it there.

    Grade and failed critical items lead the order, so the group sizes (one index scan) tell
    which groups hold the page; only those rows get their overdue actions counted and sorted."""
    scope = scope or current_scope()
    today = today or date.today()
    groups = _ranking_groups(filters, scope, today)
    total = sum(count for _grade, _failed, count in groups)
    page = max(1, min(page, max(1, math.ceil(total / per_page))))
    start = (page - 1) * per_page
    end = start + per_page
    overdue_count = _overdue_p1(today)
    rank = _grade_rank(EnterpriseStatus.effective_grade)
    worsening = case(
        (and_(EnterpriseStatus.previous_grade.is_not(None),
              rank > _grade_rank(EnterpriseStatus.previous_grade)), 1),
        else_=0,
    )
    rows = []
    group_start = 0
    for grade, failed, count in groups:
        group_end = group_start + count
        if group_end > start and group_start < end:
            first = max(start, group_start)
            statement = apply_filters(
                select(EnterpriseStatus, Enterprise.name, Enterprise.tax_code,
                       overdue_count.label("overdue_p1"), worsening)
                .join(Enterprise, Enterprise.id == EnterpriseStatus.enterprise_id)
                .where(EnterpriseStatus.current_assessment_id.is_not(None),
                       EnterpriseStatus.failed_critical == failed,
                       EnterpriseStatus.effective_grade.is_(None) if grade is None
                       else EnterpriseStatus.effective_grade == grade)
                .order_by(overdue_count.desc(), worsening.desc(),
                          EnterpriseStatus.headcount.desc(), EnterpriseStatus.enterprise_id)
                .limit(min(end, group_end) - first).offset(first - group_start),
                filters, scope, today,
            )
            rows.extend(db.session.execute(statement).all())
        group_start = group_end
        if group_start >= end:
            break
    assessment_ids = [row[0].current_assessment_id for row in rows]
    critical: dict[int, list[str]] = defaultdict(list)
    if assessment_ids:
        for assessment_id, item_id in db.session.execute(
            select(RemediationAction.assessment_id, RemediationAction.item_id)
            .where(RemediationAction.assessment_id.in_(assessment_ids),
                   RemediationAction.critical.is_(True))
            .order_by(RemediationAction.position)
        ):
            critical[assessment_id].append(item_id)
    items = [
        Ranked(start + i + 1, status, name, tax_code, int(overdue_p1 or 0), bool(worse),
               critical.get(status.current_assessment_id, []))
        for i, (status, name, tax_code, overdue_p1, worse) in enumerate(rows)
    ]
    return Page(items, total, page, per_page)


# ----------------------------------------------------------------------------- area levels view

def current_levels(province_id: int,
                   on: date | None = None) -> dict[int, tuple[int, AreaLevel | None]]:
    """Every area's level in force on a date (own or inherited), in one query."""
    from riskapp.territory import DEFAULT_AREA_LEVEL

    on = on or date.today()
    tree = area_tree(province_id)
    own: dict[int, AreaLevel] = {}
    for row in db.session.scalars(
        select(AreaLevel)
        .join(Area, Area.id == AreaLevel.area_id)
        .where(Area.province_id == province_id, AreaLevel.effective_from <= on)
        .order_by(AreaLevel.effective_from.desc(), AreaLevel.id.desc())
    ):
        own.setdefault(row.area_id, row)
    levels = {}
    for area_id in tree.names:
        for ancestor in tree.ancestors(area_id):
            if ancestor in own:
                levels[area_id] = (own[ancestor].level, own[ancestor])
                break
        else:
            levels[area_id] = (DEFAULT_AREA_LEVEL, None)
    return levels


def recent_level_changes(province_id: int, limit: int = 20) -> list[AreaLevel]:
    return list(db.session.scalars(
        select(AreaLevel)
        .join(Area, Area.id == AreaLevel.area_id)
        .where(Area.province_id == province_id)
        .order_by(AreaLevel.created_at.desc(), AreaLevel.id.desc())
        .limit(limit)
    ))


def last_regrade(province_id: int, scope: Scope | None = None):
    """When re-grading last ran for the province, and how many level changes still wait."""
    ran = db.session.scalar(
        select(func.max(AreaLevel.regraded_at))
        .join(Area, Area.id == AreaLevel.area_id)
        .where(Area.province_id == province_id)
    )
    pending = db.session.scalar(
        select(func.count()).select_from(AreaLevel)
        .join(Area, Area.id == AreaLevel.area_id)
        .where(Area.province_id == province_id, AreaLevel.regraded_at.is_(None),
               AreaLevel.effective_from <= date.today(),
               AreaLevel.created_at.is_not(None),
               AreaLevel.set_by_id.is_not(None))
    ) or 0
    regraded = db.session.scalar(
        apply_filters(select(func.count()).select_from(EnterpriseStatus)
                      .where(EnterpriseStatus.regraded_at.is_not(None)), Filters(), scope)
    ) or 0
    return {"ran_at": ran, "pending": pending, "regraded": regraded}


def replace_filters(filters: Filters, **changes) -> Filters:
    return replace(filters, **changes)


MAP_GRADE_CODES = {grade: index for index, grade in enumerate(Grade)}  # 5 = not assessed


def map_markers(filters: Filters, scope: Scope | None = None, today: date | None = None) -> dict:
    """One compact document: [id, lat, lon, grade code] per enterprise with coordinates.

    Grade codes come from SQL (0 very low … 4 very high, 5 not assessed) and rows are read
    through Core, so 100,000 markers never pass through ORM or enum conversion."""
    code = case({grade.value: index for grade, index in MAP_GRADE_CODES.items()},
                value=cast(EnterpriseStatus.effective_grade, String), else_=len(Grade))
    statement = apply_filters(
        select(EnterpriseStatus.enterprise_id, Enterprise.latitude, Enterprise.longitude, code)
        .join(Enterprise, Enterprise.id == EnterpriseStatus.enterprise_id)
        .where(Enterprise.latitude.is_not(None), Enterprise.longitude.is_not(None)),
        filters, scope, today,
    )
    rows = db.session.connection().execute(statement).all()  # one fetch, not one per row
    markers = [[enterprise_id, round(lat, 5), round(lon, 5), grade]
               for enterprise_id, lat, lon, grade in rows]
    return {"fields": ["id", "lat", "lon", "grade"], "markers": markers}


def map_markers_json(filters: Filters, scope: Scope | None = None,
                     today: date | None = None) -> str:
    """`map_markers` serialised compactly (no spaces): 100,000 markers in under 3 MB."""
    import json

    return json.dumps(map_markers(filters, scope, today), separators=(",", ":"))


def data_version(province_id: int) -> str:
    """The roll-up's last change: it moves whenever a figure of the province may move.

    Every write to enterprise_status (submit, re-grade, profile or coordinate edits) moves
    `updated_at`; rows are only deleted by a recount, which inserts them again with a new time.
    One look-up at the end of the (province_id, updated_at) index: a count(*) beside it scanned
    100,000 index entries (14 ms on SQLite) on every dashboard and map request."""
    changed = db.session.scalar(
        select(func.max(EnterpriseStatus.updated_at))
        .where(EnterpriseStatus.province_id == province_id)
    )
    return str(changed)


def _reach(scope: Scope) -> tuple:
    return scope.province_id, tuple(sorted(scope.area_ids)) if scope.area_ids is not None else None


def map_version(filters: Filters, scope: Scope | None = None, today: date | None = None) -> str:
    """An ETag for the map document: the roll-up's version, the filters, the reach."""
    import hashlib

    scope = scope or current_scope()
    today = today or date.today()
    key = repr((_reach(scope), sorted(filters.args().items()), today.isoformat(),
                data_version(scope.province_id)))
    return hashlib.sha1(key.encode(), usedforsecurity=False).hexdigest()


def figures_key(filters: Filters, lang: str, scope: Scope | None = None,
                today: date | None = None) -> tuple:
    """What dashboard figures depend on besides the data: reach, filters, language, day."""
    scope = scope or current_scope()
    return (_reach(scope), tuple(sorted(filters.args().items())), lang,
            (today or date.today()).isoformat())


def figures_version(scope: Scope | None = None) -> tuple:
    """The data version, and the area tree's names (a rename changes the tables' labels).

    A digest, not hash(): that differs between processes, which share the figures cache."""
    import hashlib

    scope = scope or current_scope()
    tree = area_tree(scope.province_id)
    names = repr(sorted(tree.names.items())).encode()
    return data_version(scope.province_id), hashlib.sha1(names, usedforsecurity=False).hexdigest()
