"""A round's progress within a reach: per area and grouping (leaf counts folded up the tree)
expected, received, on time, accepted and their rates; the targets not yet reported."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Select, and_, case, func, select, tuple_

from riskapp import territory
from riskapp.db import db
from riskapp.models import Enterprise, ReportingRound, Role, RoundTarget, User
from riskapp.pagination import DEFAULT_PER_PAGE, Page, count, page_number
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


Key = tuple[int, int]  # (area id, enterprise id): a target's place in the list


def parse_key(text: str | None) -> Key | None:
    """A page link's key ("area-enterprise"); None for anything else."""
    parts = (text or "").split("-")
    if len(parts) != 2 or not all(part.isdigit() for part in parts):
        return None
    return int(parts[0]), int(parts[1])


@dataclass(frozen=True)
class KeysetPage(Page):
    """A page of the not-reported list whose links carry the key of the row to continue
    after (or before): a deep page reads its 50 entries of ix_round_target_missing, not every
    entry before them, and rows reported meanwhile neither skip nor repeat any."""

    has_previous: bool = False
    has_next: bool = False
    first_key: str | None = None
    last_key: str | None = None


def _key_text(key: Key) -> str:
    return f"{key[0]}-{key[1]}"


def _missing_keys(round_: ReportingRound, scope: Scope, number: int, after: Key | None,
                  before: Key | None) -> tuple[list[Key], bool]:
    """The keys of one page, read from the index alone, and whether more lie beyond it."""
    key = tuple_(RoundTarget.area_id, RoundTarget.enterprise_id)
    statement = scoped(
        select(RoundTarget.area_id, RoundTarget.enterprise_id)
        .where(RoundTarget.round_id == round_.id, RoundTarget.received_on.is_(None)),
        RoundTarget, scope).limit(DEFAULT_PER_PAGE + 1)
    if before is not None:
        statement = statement.where(key < tuple_(*before)).order_by(
            RoundTarget.area_id.desc(), RoundTarget.enterprise_id.desc())
    else:
        statement = statement.order_by(RoundTarget.area_id, RoundTarget.enterprise_id)
        if after is not None:
            statement = statement.where(key > tuple_(*after))
        else:  # a page asked by its number: skip entries of the index, not joined rows
            statement = statement.offset((number - 1) * DEFAULT_PER_PAGE)
    keys = [tuple(row) for row in db.session.execute(statement)]
    more = len(keys) > DEFAULT_PER_PAGE
    keys = keys[:DEFAULT_PER_PAGE]
    return (keys[::-1] if before is not None else keys), more


def _enterprises(keys: list[Key]) -> list[tuple]:
    """(id, tax code, name, area id, address) of the keys' enterprises, in the keys' order."""
    found = {row[0]: row for row in db.session.execute(
        select(Enterprise.id, Enterprise.tax_code, Enterprise.name, Enterprise.address)
        .where(Enterprise.id.in_([enterprise_id for _area, enterprise_id in keys])))}
    # An enterprise deleted since (its targets go with it) is left out, not an error.
    return [(enterprise_id, found[enterprise_id][1], found[enterprise_id][2], area_id,
             found[enterprise_id][3]) for area_id, enterprise_id in keys if enterprise_id in found]


def missing_page(round_: ReportingRound, scope: Scope, number: int,
                 total: Tally | None = None, after: Key | None = None,
                 before: Key | None = None) -> KeysetPage:
    """One page of the targets not yet reported, with their officers' contacts: the page after
    (or before) a key when a link gave one, else page `number`. `total` (the reach's figures,
    when the caller has them) saves counting the list."""
    how_many = (total.expected - total.received if total is not None
                else count(_missing_statement(round_, scope)))
    number = page_number(number, how_many, DEFAULT_PER_PAGE)
    keys, more = _missing_keys(round_, scope, number, after, before)
    if not keys and (after or before):  # everything past the key reported since: by number
        return missing_page(round_, scope, number, total)
    rows = _enterprises(keys)
    contacts = _officers_of([row[0] for row in rows])
    items = [Missing(*row, officers=contacts.get(row[0], [])) for row in rows]
    has_previous = more if before is not None else (after is not None or number > 1)
    if not has_previous:
        number = 1
    return KeysetPage(
        items, how_many, number, DEFAULT_PER_PAGE, has_previous=has_previous,
        has_next=True if before is not None else more,
        first_key=_key_text(keys[0]) if keys else None,
        last_key=_key_text(keys[-1]) if keys else None)


def all_missing(round_: ReportingRound, scope: Scope) -> list[Missing]:
    """Every target not yet reported (exports and the closing snapshot)."""
    rows = db.session.execute(_missing_statement(round_, scope)).all()
    # A subquery, not the ids: a whole province's list would exceed SQLite's bound parameters.
    contacts = _officers_of(select(RoundTarget.enterprise_id).where(
        RoundTarget.round_id == round_.id, RoundTarget.received_on.is_(None)))
    return [Missing(*row, officers=contacts.get(row[0], [])) for row in rows]
