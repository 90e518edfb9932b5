"""Inspection targeting in the app: the audited-vs-declared history and the current candidates
read through tenancy's scoped queries, fed to the pure model (riskapp.targeting.model), cached per
reach keyed by the latest finding and the roll-up's last change. Services flush, never commit."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import and_, exists, func, or_, select

from riskapp import clock
from riskapp.auditlog import record
from riskapp.db import db
from riskapp.filters import Filters, apply_filters
from riskapp.forensics import services as forensics
from riskapp.models import (
    Assessment,
    Enterprise,
    EnterpriseStatus,
    Finding,
    Grade,
    InspectionVisit,
    Province,
    RemediationAction,
)
from riskapp.province import cache
from riskapp.targeting import model
from riskapp.tenancy import Scope, current_scope, scoped

MAX_BUDGET = 1000
DEFAULT_BUDGET = 50
# The greedy pick reads the items of the best-placed enterprises only (industry, area and
# signals already ranked everyone): the item evidence can move the odds at most ×4 either way.
ITEM_SHORTLIST = 4


@dataclass(frozen=True)
class Targeting:
    """What the page shows: the model's verdict, the chosen visits, the areas' unbiased rates."""

    model: model.Model
    visits: tuple[model.Visit, ...]
    area_rates: tuple[model.AreaRate, ...]
    candidates: int
    enterprises: dict[int, EnterpriseLine]


@dataclass(frozen=True)
class EnterpriseLine:
    """What a proposed visit's row names."""

    name: str
    tax_code: str
    address: str | None
    declared_grade: Grade | None


def _signals(province_id: int) -> dict[int, tuple[str, ...]]:
    """Open forensic flags per enterprise (kinds): each multiplies the odds of a worse truth."""
    return forensics.open_flag_kinds(province_id)


def _rank(grade) -> int:
    return Grade(grade).rank if grade is not None else 0


def _passing(result: dict | None) -> tuple[str, ...]:
    items = (result or {}).get("items") or []
    return tuple(i["item_id"] for i in items if i.get("counted") and not i.get("failed"))


def _failing(result: dict | None) -> frozenset[str]:
    return frozenset(i["item_id"] for i in (result or {}).get("items") or [] if i.get("failed"))


def _random_pick():
    """Whether a finding closed a visit drawn at random (same enterprise and auditor)."""
    return exists().where(and_(InspectionVisit.enterprise_id == Finding.enterprise_id,
                               InspectionVisit.auditor_id == Finding.auditor_id,
                               InspectionVisit.at_random.is_(True)))


def history(scope: Scope) -> tuple[model.Audit, ...]:
    """Every graded finding in reach against the assessment it audited (its latest finding)."""
    latest = (select(func.max(Finding.id)).where(Finding.grade.is_not(None))
              .group_by(Finding.assessment_id))
    rows = db.session.execute(
        scoped(select(EnterpriseStatus.industry, Assessment.area_id, EnterpriseStatus.area_id,
                      Assessment.grade, Finding.grade, Assessment.result, Finding.result,
                      _random_pick()), Finding, scope)
        .join(Assessment, Assessment.id == Finding.assessment_id)
        .join(EnterpriseStatus, EnterpriseStatus.enterprise_id == Finding.enterprise_id)
        .where(Finding.id.in_(latest), Assessment.grade.is_not(None))
        .order_by(Finding.id))
    audits = []
    for industry, area, area_now, declared, audited, declared_result, found, at_random in rows:
        passing = _passing(declared_result)
        failed = _failing(found)
        audits.append(model.Audit(industry, area or area_now, _rank(declared), _rank(audited),
                                  passing, tuple(i for i in passing if i in failed),
                                  bool(at_random)))
    return tuple(audits)


_ROW = (EnterpriseStatus.enterprise_id, EnterpriseStatus.industry, EnterpriseStatus.area_id,
        EnterpriseStatus.declared_grade, EnterpriseStatus.headcount,
        EnterpriseStatus.current_assessment_id, EnterpriseStatus.effective_grade,
        EnterpriseStatus.failed_critical)


def _assessed(statement, filters: Filters, scope: Scope, today: date):
    return apply_filters(statement.where(EnterpriseStatus.current_assessment_id.is_not(None)),
                         filters, scope, today)


def _cells(filters: Filters, scope: Scope, today: date) -> list[tuple]:
    """(industry, area, declared grade, enterprises) of the assessed in reach: one GROUP BY,
    read from an index; the model ranks these cells, not 100,000 rows."""
    key = (EnterpriseStatus.industry, EnterpriseStatus.area_id, EnterpriseStatus.declared_grade)
    rows = db.session.connection().execute(
        _assessed(select(*key, func.count()).group_by(*key), filters, scope, today)).all()
    # Worse declared grades first: a tie keeps today's order.
    return sorted(rows, key=lambda r: (-_rank(r[2]), r[0], r[1]))


def _today_order(row) -> tuple:
    """Today's declared-grade ranking: final grade, failed critical items, head-count."""
    return (-_rank(row[6]), -(row[7] or 0), -(row[4] or 0), row[0])


def _rows(filters: Filters, scope: Scope, today: date, cells: list[tuple],
          ids: set[int]) -> list[tuple]:
    """The enterprises of the chosen cells, and those named by id, in today's order."""
    # One condition per (industry, declared grade) with its areas: a few dozen, not thousands.
    areas: dict[tuple, list[int]] = {}
    for industry, area, grade, _n in cells:
        areas.setdefault((industry, grade), []).append(area)
    matches = [and_(EnterpriseStatus.industry == industry, EnterpriseStatus.area_id.in_(ids_),
                    EnterpriseStatus.declared_grade.is_(None) if grade is None
                    else EnterpriseStatus.declared_grade == grade)
               for (industry, grade), ids_ in areas.items()]
    if ids:
        matches.append(EnterpriseStatus.enterprise_id.in_(ids))
    if not matches:
        return []
    rows = db.session.connection().execute(
        _assessed(select(*_ROW).where(or_(*matches)), filters, scope, today)).all()
    return sorted(rows, key=_today_order)


def _failed_items(assessment_ids: list[int]) -> dict[int, set[str]]:
    """The items each assessment failed (a failed item always makes a remediation action)."""
    failed: dict[int, set[str]] = {}
    for assessment_id, item_id in db.session.execute(
            select(RemediationAction.assessment_id, RemediationAction.item_id)
            .where(RemediationAction.assessment_id.in_(assessment_ids))):
        failed.setdefault(assessment_id, set()).add(item_id)
    return failed


def _candidates(fitted: model.Model, rows: list[tuple],
                signals: dict[int, tuple[str, ...]]) -> tuple[model.Candidate, ...]:
    """Candidates with their items declared passing (known items without an action)."""
    failed = _failed_items([row[5] for row in rows])
    known = sorted(fitted.items)
    return tuple(model.Candidate(
        row[0], row[1], row[2], _rank(row[3]), row[4] or 1,
        tuple(i for i in known if i not in failed.get(row[5], ())), signals.get(row[0], ()),
        order) for order, row in enumerate(rows))


def _shortlist(ranked_cells: tuple[model.Scored, ...], cells: list[tuple],
               size: int) -> list[tuple]:
    """The best-ranked cells holding at least `size` enterprises."""
    chosen, held = [], 0
    for scored in ranked_cells:
        if held >= size:
            break
        cell = cells[scored.candidate.order]
        chosen.append(cell)
        held += cell[3]
    return chosen


def _drawn_ids(filters: Filters, scope: Scope, today: date, cells: list[tuple], draws: int,
               seed: int) -> list[int]:
    """The stratified random draw over every candidate in reach (areas' sizes from the cells;
    only the drawn areas' ids are read)."""
    sizes: dict[int, int] = {}
    for _industry, area, _grade, count in cells:
        sizes[area] = sizes.get(area, 0) + count
    positions = model.random_positions(sizes, draws, seed)
    if not positions:
        return []
    by_area: dict[int, list[int]] = {}
    for enterprise_id, area in db.session.connection().execute(_assessed(
            select(EnterpriseStatus.enterprise_id, EnterpriseStatus.area_id)
            .where(EnterpriseStatus.area_id.in_(list(positions)))
            .order_by(EnterpriseStatus.enterprise_id), filters, scope, today)):
        by_area.setdefault(area, []).append(enterprise_id)
    return [by_area[area][i] for area, places in positions.items() for i in places]


def targeting(filters: Filters, budget: int, random_share: float,
              scope: Scope | None = None, today: date | None = None) -> Targeting:
    """Fit on the history in reach, rank the candidates, choose `budget` visits (the random
    share drawn the same all day: the seed is the province and the day)."""
    scope = scope or current_scope()
    today = today or clock.today()
    audits = history(scope)
    fitted = model.fit(audits)
    cells = _cells(filters, scope, today)
    total = sum(cell[3] for cell in cells)
    if not fitted.enough:
        return Targeting(fitted, (), model.area_rates(audits), total, {})
    budget = min(budget, total)
    draws = model.random_draws(budget, random_share)
    seed = (scope.province_id or 0) * 100_003 + today.toordinal()
    drawn = _drawn_ids(filters, scope, today, cells, draws, seed)
    signals = _signals(scope.province_id) if scope.province_id else {}
    ranked_cells = model.score(fitted, tuple(
        model.Candidate(0, industry, area, _rank(grade), order=order)
        for order, (industry, area, grade, _n) in enumerate(cells)))
    shortlist = _shortlist(ranked_cells, cells, max(ITEM_SHORTLIST * budget, 400) + draws)
    rows = _rows(filters, scope, today, shortlist, set(drawn) | set(signals))
    scored = model.score(fitted, _candidates(fitted, rows, signals))
    by_id = {s.candidate.enterprise_id: s for s in scored}
    visits = model.targeted_after(tuple(by_id[i] for i in drawn if i in by_id), scored, budget)
    return Targeting(fitted, visits, model.area_rates(audits), total,
                     _lines([v.scored.candidate.enterprise_id for v in visits], scope))


def _lines(ids: list[int], scope: Scope) -> dict[int, EnterpriseLine]:
    """Name, tax code, address and declared grade of the proposed enterprises."""
    if not ids:
        return {}
    rows = db.session.execute(
        scoped(select(Enterprise.id, Enterprise.name, Enterprise.tax_code, Enterprise.address,
                      EnterpriseStatus.declared_grade), Enterprise, scope)
        .join(EnterpriseStatus, EnterpriseStatus.enterprise_id == Enterprise.id)
        .where(Enterprise.id.in_(ids)))
    return {row.id: EnterpriseLine(row.name, row.tax_code, row.address, row.declared_grade)
            for row in rows}


def version(scope: Scope) -> tuple:
    """The data's version: the latest finding in the province, the roll-up's last change and
    the forensic flags' last change."""
    latest = db.session.scalar(select(func.max(Finding.id))
                               .where(Finding.province_id == scope.province_id))
    changed = db.session.scalar(select(func.max(EnterpriseStatus.updated_at))
                                .where(EnterpriseStatus.province_id == scope.province_id))
    return latest, str(changed), str(forensics.signals_version(scope.province_id))


def cached_targeting(filters: Filters, budget: int, random_share: float,
                     scope: Scope | None = None) -> Targeting:
    """`targeting()`, reused while no finding and no roll-up changed (per reach and filters)."""
    scope = scope or current_scope()
    today = clock.today()
    key = ("targeting", scope.reach_key(), tuple(sorted(filters.args().items())), budget,
           random_share, today.isoformat())
    # Like the dashboard's figures: a stale entry serves for the stale window while one
    # process rebuilds (a busy province submits all day; each submission changes the version).
    return cache.figures(key, version(scope),
                         lambda: targeting(filters, budget, random_share, scope, today),
                         stale_seconds=current_app.config["FIGURES_STALE_SECONDS"],
                         not_before=0).value


_RANDOM_SALT = "riskapp.targeting.random-picks"


def sign_random_picks(enterprise_ids, province_id: int) -> str:
    """The enterprises drawn at random, signed for the planning form."""
    serializer = URLSafeSerializer(current_app.secret_key, salt=_RANDOM_SALT)
    return serializer.dumps([province_id, sorted(enterprise_ids)])


def random_token(found: Targeting, province_id: int) -> str:
    """The page's random picks, signed: a planner cannot mark a targeted pick as random (that
    would bias the areas' unbiased rates)."""
    return sign_random_picks((v.scored.candidate.enterprise_id for v in found.visits
                              if v.at_random), province_id)


def random_picks(token: str, province_id: int) -> frozenset[int]:
    """The enterprises a signed token says were drawn at random; none for a forged token or
    another province's."""
    try:
        province, ids = URLSafeSerializer(current_app.secret_key, salt=_RANDOM_SALT).loads(token)
        picks = frozenset(int(i) for i in ids)
    except (BadSignature, TypeError, ValueError):
        return frozenset()
    return picks if province == province_id else frozenset()


def set_random_share(province: Province, share: float, user) -> bool:
    """The province's random share of visits (0–1); audit-logged when it changes."""
    share = round(min(max(share, 0.0), 1.0), 4)
    if abs(share - (province.random_share or 0.0)) < 1e-9:
        return False
    before = province.random_share
    province.random_share = share
    db.session.flush()
    record("random_share_set", province, details={"before": before, "after": share}, user=user)
    return True
