"""A round's progress within a reach: per area and grouping (leaf counts folded up the tree)
expected, received, on time, accepted and their rates; the targets not yet reported."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Select, and_, case, func, select

from riskapp import territory
from riskapp.db import db
from riskapp.models import Enterprise, ReportingRound, Role, RoundTarget, User
from riskapp.pagination import Page, paginate
from riskapp.rounds.receipts import accepted_count
from riskapp.tenancy import Scope, scoped

FIGURES = ("expected", "received", "on_time", "accepted")


@dataclass
class Tally:
    expected: int = 0
    received: int = 0
    on_time: int = 0
    accepted: int = 0

    def add(self, other: Tally) -> None:
        for name in FIGURES:
            setattr(self, name, getattr(self, name) + getattr(other, name))

    @property
    def reporting_rate(self) -> float | None:
        return self.received / self.expected if self.expected else None

    @property
    def on_time_rate(self) -> float | None:
        return self.on_time / self.expected if self.expected else None

    def to_json(self) -> dict:
        return {name: getattr(self, name) for name in FIGURES}


@dataclass
class AreaRow:
    area_id: int
    parent_id: int | None
    label: str
    depth: int
    tally: Tally


def leaf_tallies(round_: ReportingRound, scope: Scope) -> dict[int, Tally]:
    """Counts per target area (the area at opening), one GROUP BY over the progress index."""
    on_time = func.coalesce(func.sum(case((RoundTarget.on_time.is_(True), 1), else_=0)), 0)
    statement = scoped(
        select(RoundTarget.area_id, func.count(), func.count(RoundTarget.received_on), on_time,
               accepted_count())
        .where(RoundTarget.round_id == round_.id)
        .group_by(RoundTarget.area_id), RoundTarget, scope)
    return {area_id: Tally(*figures) for area_id, *figures in db.session.execute(statement)}


def area_rows(round_: ReportingRound, scope: Scope) -> tuple[list[AreaRow], Tally]:
    """Every area of the reach holding targets (directly or below it), in tree order, and the
    total; an area's figures include its subtree's."""
    leaves = leaf_tallies(round_, scope)
    tree = territory.area_tree(round_.province_id)
    folded: dict[int, Tally] = {}
    total = Tally()
    for area_id, tally in leaves.items():
        total.add(tally)
        for node in tree.ancestors(area_id):
            if scope.area_ids is None or node in scope.area_ids:
                folded.setdefault(node, Tally()).add(tally)
    rows = [AreaRow(area_id, tree.parents.get(area_id), tree.names[area_id], depth,
                    folded[area_id])
            for area_id, depth in tree.depth_first(territory.visible_roots(tree, scope.area_ids))
            if area_id in folded]
    return rows, total


@dataclass
class Level:
    """The rows one table shows: the tops of the reach, or the areas right below one area."""

    rows: list[AreaRow]
    parent: AreaRow | None
    with_children: frozenset[int]


def one_level(rows: list[AreaRow], under: int | None) -> Level:
    """The rows under `under` (the reach's tops for None, or for an area not in `rows`), and which
    of them have rows below (a whole province's communes are hundreds: they open per area)."""
    by_id = {row.area_id: row for row in rows}
    parent = by_id.get(under)
    if parent is None:
        shown = [row for row in rows if row.parent_id not in by_id]
    else:
        shown = [row for row in rows if row.parent_id == parent.area_id]
    with_children = frozenset(row.parent_id for row in rows if row.parent_id in by_id)
    return Level(shown, parent, with_children)


def from_frozen(frozen_rows: list[dict]) -> list[AreaRow]:
    """Frozen rows (a closed round's JSON) as rows of the same table."""
    return [AreaRow(row["area_id"], row["parent_id"], row["label"], row["depth"],
                    Tally(**{name: row[name] for name in FIGURES})) for row in frozen_rows]


def _officers_of(enterprise_ids) -> dict[int, list[tuple[str, str]]]:
    """(name, e-mail) of each enterprise's active officers: whom to call."""
    contacts: dict[int, list[tuple[str, str]]] = {}
    for enterprise_id, name, email in db.session.execute(
            select(User.enterprise_id, User.name, User.email)
            .where(User.enterprise_id.in_(enterprise_ids), User.role == Role.OFFICER,
                   User.is_active_account.is_(True))
            .order_by(User.enterprise_id, User.id)):
        contacts.setdefault(enterprise_id, []).append((name, email))
    return contacts


@dataclass
class Missing:
    enterprise_id: int
    tax_code: str
    name: str
    area_id: int
    address: str | None
    officers: list[tuple[str, str]]


def _missing_statement(round_: ReportingRound, scope: Scope) -> Select:
    return scoped(
        select(Enterprise.id, Enterprise.tax_code, Enterprise.name, RoundTarget.area_id,
               Enterprise.address)
        .join(Enterprise, Enterprise.id == RoundTarget.enterprise_id)
        .where(and_(RoundTarget.round_id == round_.id, RoundTarget.received_on.is_(None)))
        # Area by area (the index's order: no sort of a whole province's list).
        .order_by(RoundTarget.area_id, RoundTarget.enterprise_id), RoundTarget, scope)


def missing_page(round_: ReportingRound, scope: Scope, number: int,
                 total: Tally | None = None) -> Page:
    """One page of the targets not yet reported, with their officers' contacts; `total` (the
    reach's figures, when the caller has them) saves counting the list."""
    how_many = total.expected - total.received if total is not None else None
    page = paginate(_missing_statement(round_, scope), number, total=how_many)
    contacts = _officers_of([row[0] for row in page.items])
    items = [Missing(*row, officers=contacts.get(row[0], [])) for row in page.items]
    return Page(items, page.total, page.number, page.per_page)


def all_missing(round_: ReportingRound, scope: Scope) -> list[Missing]:
    """Every target not yet reported (exports and the closing snapshot)."""
    rows = db.session.execute(_missing_statement(round_, scope)).all()
    # A subquery, not the ids: a whole province's list would exceed SQLite's bound parameters.
    contacts = _officers_of(select(RoundTarget.enterprise_id).where(
        RoundTarget.round_id == round_.id, RoundTarget.received_on.is_(None)))
    return [Missing(*row, officers=contacts.get(row[0], [])) for row in rows]
