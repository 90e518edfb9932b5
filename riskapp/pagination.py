"""One pager for every list of the web and the API: a page of rows and how many there are."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import Select, func, select

from riskapp.db import db

DEFAULT_PER_PAGE = 50


@dataclass(frozen=True)
class Page:
    items: list
    total: int
    number: int
    per_page: int = DEFAULT_PER_PAGE

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.per_page))

    @property
    def first_position(self) -> int:
        """The 1-based position of the page's first row in the whole list."""
        return (self.number - 1) * self.per_page + 1


def page_number(number: int | None, total: int, per_page: int) -> int:
    """The asked page, brought within 1 … the last page."""
    last = max(1, math.ceil(total / per_page))
    return max(1, min(number or 1, last))


def count(statement: Select) -> int:
    """How many rows a select returns (its ordering dropped)."""
    counted = select(func.count()).select_from(statement.order_by(None).subquery())
    return db.session.scalar(counted) or 0


def paginate(statement: Select, number: int | None, per_page: int = DEFAULT_PER_PAGE, *,
             total: int | None = None, row: Callable | None = None,
             clamp: bool = True) -> Page:
    """One page of an ordered select.

    `total` saves the count when the caller has a cheaper one; `row` turns each result row into
    an item (default: the row itself); `clamp` brings a page past the end back to the last one
    (the API answers an empty page instead)."""
    total = count(statement) if total is None else total
    number = page_number(number, total, per_page) if clamp else max(1, number or 1)
    rows = db.session.execute(statement.limit(per_page).offset((number - 1) * per_page)).all()
    items = [row(*r) for r in rows] if row is not None else list(rows)
    return Page(items, total, number, per_page)
