"""One filter language for every list and figure of enterprises: the criteria (`Filters`), their
URL form (`args` / `from_args`), the form that reads them from a request, and their SQL over the
`enterprise_status` roll-up, within the user's reach.

The province's figures, its drill-down lists and exports, the auditor's list and ZIP export, and
the API's enterprise list all use it, so a list's total is the number that linked to it.
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from datetime import date

from flask import request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, and_, case, func, or_, select
from wtforms import DateField, SearchField, SelectField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Length, Optional, ValidationError

from riskapp import clock, formatting, search, territory
from riskapp.fields import TranslatedForm, optional_int
from riskapp.i18n import current_lang
from riskapp.models import Assessment, Enterprise, EnterpriseStatus, Grade, RemediationAction
from riskapp.templating import VSIC_SECTIONS, grade_label
from riskapp.tenancy import Scope, area_subtree_ids, current_scope, get_area_or_404, scoped

NO_GRADE = "none"  # the grade filter's value for "never assessed"
GRADE_FILTERS = (*(grade.value for grade in Grade), NO_GRADE)
AUDITED_FILTERS = (*(grade.value for grade in Grade), "any")
VSIC_LETTERS = tuple("ABCDEFGHIJKLMNOPQRSTU")
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
MAX_ITEM_LENGTH = 40
# Which areas history is counted under: the enterprise's area today (None, the default), or the
# area each assessment was made in ("then": as it was, closed areas included).
TODAY_BOUNDARIES, THEN_BOUNDARIES = "today", "then"
BOUNDARY_LABELS = {
    TODAY_BOUNDARIES: _l("Today's areas (history mapped onto them)"),
    THEN_BOUNDARIES: _l("Areas as they were (where each assessment was made)"),
}


@dataclass(frozen=True)
class Filters:
    """List filters plus the drill-down criteria a figure adds to them."""

    q: str | None = None  # a name or tax code (riskapp.search)
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
    boundaries: str | None = None  # None: today's areas; "then": as it was

    @property
    def as_it_was(self) -> bool:
        return self.boundaries == THEN_BOUNDARIES

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

    def but(self, **changes) -> Filters:
        """These filters with some criteria changed."""
        return replace(self, **changes)

    @classmethod
    def from_args(cls, args) -> Filters:
        """Filters from URL arguments (or stored ones); values that do not parse are left out."""
        def pick(key, allowed):
            value = args.get(key) or None
            return value if value in allowed else None

        return cls(
            q=search.clean_query(args.get("q")),
            area_id=_whole_number(args.get("area_id")),
            area_exact=args.get("area_exact") == "1",
            industry=pick("industry", VSIC_LETTERS),
            size_band=pick("size_band", SIZE_BANDS),
            grade=pick("grade", GRADE_FILTERS),
            date_from=_day(args.get("date_from")),
            date_to=_day(args.get("date_to")),
            state=pick("state", STATES),
            item=(args.get("item") or "").strip()[:MAX_ITEM_LENGTH] or None,
            declared=pick("declared", GRADE_FILTERS[:-1]),
            audited=pick("audited", AUDITED_FILTERS),
            worsening=args.get("worsening") == "1",
            boundaries=THEN_BOUNDARIES if args.get("boundaries") == THEN_BOUNDARIES else None,
        )

    @property
    def dashboard_only(self) -> Filters:
        """The filters without drill-down criteria."""
        return replace(self, state=None, item=None, declared=None, audited=None,
                       worsening=False, area_exact=False)

    @property
    def is_empty(self) -> bool:
        return not self.args()


FILTER_FIELDS = tuple(f.name for f in fields(Filters))


def _whole_number(value) -> int | None:
    text = str(value or "")
    return int(text) if text.isdigit() and len(text) < 10 else None


def _day(value) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except (TypeError, ValueError):
        return None


# ----------------------------------------------------------------------------- SQL


def grade_rank(column):
    """A grade column as its rank (very low 0 … very high 4; none -1), for ordering in SQL."""
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


def area_ids(filters: Filters) -> frozenset[int] | None:
    """The areas the filters cover (the area and its subtree, or the area alone), or None."""
    if filters.area_id is None:
        return None
    if filters.area_exact:
        return frozenset({filters.area_id})
    return area_subtree_ids({filters.area_id})


def area_column(filters: Filters, assessments: bool = False):
    """The area a row counts under: the enterprise's today, or (as it was) its assessment's."""
    # The one rule for both choices. `assessments`: the rows are assessments joined to their
    # enterprise's roll-up, else roll-up rows (their current assessment); an enterprise never
    # assessed has no history, so it stays in its area today.
    if not filters.as_it_was:
        return EnterpriseStatus.area_id
    if assessments:
        return func.coalesce(Assessment.area_id, EnterpriseStatus.area_id)
    made_in = (select(Assessment.area_id)
               .where(Assessment.id == EnterpriseStatus.current_assessment_id)
               .correlate(EnterpriseStatus).scalar_subquery())
    return func.coalesce(made_in, EnterpriseStatus.area_id)


def _search_condition(text: str):
    """The roll-up row's enterprise matches the search (correlated: read per row in reach)."""
    matched = search.name_or_tax_code(Enterprise.name, Enterprise.tax_code, text)
    return (select(Enterprise.id)
            .where(Enterprise.id == EnterpriseStatus.enterprise_id, matched)
            .correlate(EnterpriseStatus).exists())


def _profile_conditions(filters: Filters, assessments: bool = False) -> list:
    conditions = [_search_condition(filters.q)] if search.phrase(filters.q) else []
    covered = area_ids(filters)
    if covered is not None:
        conditions.append(area_column(filters, assessments).in_(covered))
    if filters.industry:
        conditions.append(EnterpriseStatus.industry == filters.industry)
    if filters.size_band in SIZE_BANDS:
        low, high = SIZE_BANDS[filters.size_band]
        conditions.append(EnterpriseStatus.headcount >= low)
        if high is not None:
            conditions.append(EnterpriseStatus.headcount <= high)
    return conditions


def _grade_conditions(filters: Filters) -> list:
    conditions = []
    if filters.grade == NO_GRADE:
        conditions.append(EnterpriseStatus.effective_grade.is_(None))
    elif filters.grade:
        conditions.append(EnterpriseStatus.effective_grade == Grade(filters.grade))
    if filters.declared:
        conditions.append(EnterpriseStatus.declared_grade == Grade(filters.declared))
    if filters.audited == "any":
        conditions.append(EnterpriseStatus.audited_grade.is_not(None))
    elif filters.audited:
        conditions.append(EnterpriseStatus.audited_grade == Grade(filters.audited))
    if filters.worsening:
        conditions += [EnterpriseStatus.previous_grade.is_not(None),
                       grade_rank(EnterpriseStatus.effective_grade)
                       > grade_rank(EnterpriseStatus.previous_grade)]
    return conditions


def _reporting_conditions(filters: Filters, today: date) -> list:
    conditions = []
    if filters.date_from:
        conditions.append(EnterpriseStatus.assessed_on >= filters.date_from)
    if filters.date_to:
        conditions.append(EnterpriseStatus.assessed_on <= filters.date_to)
    if filters.state in STATES:
        conditions.append(_state_condition(filters.state, today))
    if filters.item:
        # IN (not a correlated EXISTS): the failing assessments come from one index range.
        conditions.append(EnterpriseStatus.current_assessment_id.in_(
            select(RemediationAction.assessment_id)
            .where(RemediationAction.item_id == filters.item)
        ))
    return conditions


def apply_filters(statement: Select, filters: Filters, scope: Scope | None = None,
                  today: date | None = None, assessments: bool = False) -> Select:
    """Restrict a select over enterprise_status (or `assessments` joined to it) to the filters."""
    today = today or clock.today()
    statement = scoped(statement, EnterpriseStatus, scope or current_scope())
    conditions = (_profile_conditions(filters, assessments) + _grade_conditions(filters)
                  + _reporting_conditions(filters, today))
    return statement.where(*conditions) if conditions else statement


def enterprises(filters: Filters, scope: Scope | None = None, today: date | None = None,
                *columns) -> Select:
    """Enterprises within the scope and the filters, with their roll-up row (or `columns`)."""
    selected = columns or (Enterprise, EnterpriseStatus)
    statement = select(*selected).join(
        EnterpriseStatus, EnterpriseStatus.enterprise_id == Enterprise.id)
    return apply_filters(statement, filters, scope, today)


# ----------------------------------------------------------------------------- the form


class FilterForm(TranslatedForm):
    """The filters of a list; read from the query string, so no CSRF token."""

    class Meta:
        csrf = False

    q = SearchField(_l("Name or tax code"),
                    validators=[Optional(), Length(max=search.MAX_QUERY_LENGTH)])
    area_id = SelectField(_l("Area"), coerce=optional_int, validators=[Optional()],
                          validate_choice=True)
    industry = SelectField(_l("Industry"), validators=[Optional()])
    size_band = SelectField(_l("Size"), validators=[Optional()])
    grade = SelectField(_l("Final grade"), validators=[Optional()])
    date_from = DateField(_l("Assessed from"), validators=[Optional()])
    date_to = DateField(_l("Assessed until"), validators=[Optional()])
    boundaries = SelectField(_l("Boundaries"), validators=[Optional()],
                             choices=[SelectChoice(key, label)
                                      for key, label in BOUNDARY_LABELS.items()])

    def setup(self, area_choices, grade_label, industries) -> FilterForm:
        self.area_id.choices = [(None, _l("All areas"))] + area_choices
        self.industry.choices = [("", _l("All industries"))] + [
            (key, f"{key} · {label}") for key, label in industries.items()]
        self.size_band.choices = [("", _l("All sizes"))] + list(SIZE_BAND_LABELS.items())
        self.grade.choices = [("", _l("All grades"))] + [
            (g.value, grade_label(g)) for g in reversed(Grade)] + [(NO_GRADE, _l("not assessed"))]
        return self

    def validate_date_to(self, field) -> None:
        if field.data and self.date_from.data and field.data < self.date_from.data:
            raise ValidationError(_l("The end date is before the start date."))

    def valid(self, name: str):
        """A field's value, or None when it did not validate (the form says why)."""
        field = getattr(self, name)
        return None if field.errors else (field.data or None)


def area_label(tree: territory.AreaTree, area_id: int) -> str:
    """An area's name, marked "(closed on …)" once it is closed."""
    closed = tree.closed_on.get(area_id)
    if closed is None:
        return tree.names[area_id]
    day = formatting.format_date(closed, current_lang())
    return f"{tree.names[area_id]} ({_('closed on %(day)s', day=day)})"


def area_paths(tree: territory.AreaTree, area_ids) -> dict[int, str]:
    """Each area's full name, a closed one marked with the day it closed (None and NaN skipped)."""
    paths = {}
    for area_id in area_ids:
        if area_id is None or area_id != area_id:  # NaN: no assessment
            continue
        area_id = int(area_id)
        parents = tree.path(tree.parents[area_id]) if tree.parents.get(area_id) else ""
        name = area_label(tree, area_id)
        paths[area_id] = f"{parents}{territory.PATH_SEPARATOR}{name}" if parents else name
    return paths


def area_choices(scope: Scope | None = None, as_it_was: bool = False) -> list[tuple[int, str]]:
    """The open areas of a reach (as it was, the closed ones too, marked), indented by depth."""
    scope = scope or current_scope()
    tree = territory.area_tree(scope.province_id)
    if as_it_was:
        rows = tree.depth_first(territory.visible_roots(tree, scope.area_ids))
        return [(area_id, "\u2003" * depth + area_label(tree, area_id)) for area_id, depth in rows]
    return [(area_id, "\u2003" * depth + tree.names[area_id])
            for area_id, depth in territory.picker_rows(scope.province_id, scope.area_ids)]


def has_history(scope: Scope | None = None) -> bool:
    """Whether any area of the province was closed (only then do the two boundaries differ)."""
    scope = scope or current_scope()
    return bool(territory.area_tree(scope.province_id).closed_on)


def read_filters(args=None) -> tuple[FilterForm, Filters]:
    """The filters of this request (query string, or `args`); a value that does not validate is
    left out and the form says why; an area outside the user's reach answers 404."""
    args = request.args if args is None else args
    drill = Filters.from_args(args)
    form = FilterForm(args).setup(area_choices(as_it_was=drill.as_it_was), grade_label,
                                  VSIC_SECTIONS)
    form.validate()
    # The choice only changes anything once an area has closed (or when it was asked for).
    form.show_boundaries = drill.as_it_was or has_history()
    if form.area_id.errors and _whole_number(args.get("area_id")) is not None:
        get_area_or_404(_whole_number(args.get("area_id")))
    filters = drill.but(area_id=form.valid("area_id"), industry=form.valid("industry"),
                        size_band=form.valid("size_band"), grade=form.valid("grade"),
                        date_from=form.valid("date_from"), date_to=form.valid("date_to"))
    return form, filters
