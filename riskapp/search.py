"""Search by name or tax code, the same in every list and picker: words folded by
`territory.reading_order` ("Hoằng Hóa" → "hoang hoa") are looked for in names folded the same
way — in Python for areas (the tree is in memory), in SQL for enterprises (no stored column)."""

from __future__ import annotations

import re
from functools import lru_cache

from sqlalchemy import String, func, literal, or_
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement

from riskapp.territory import reading_order

MAX_QUERY_LENGTH = 80
SQLITE_FOLD = "riskapp_fold"
TAX_CODE_PREFIX = re.compile(r"^[0-9][0-9-]*$")


def clean_query(text) -> str | None:
    """A search text as typed, spaces collapsed and cut to length; None when empty."""
    return " ".join(str(text or "").split())[:MAX_QUERY_LENGTH] or None


def phrase(text) -> str:
    """A search text folded; a matching name holds it from the start of one of its words."""
    return reading_order(clean_query(text) or "")


def matches(name: str, text) -> bool:
    """Does a name match a search text ("hoang hoa" matches "Xã Hoằng Hóa", not "Hoằng Long")?"""
    return bool(phrase(text)) and " " + phrase(text) in " " + reading_order(name)


# ----------------------------------------------------------------------------- SQL


def _translate_table() -> tuple[str, str]:
    """reading_order as a character map for SQL translate(): (from, to); the combining marks
    at the end of `from` have no counterpart, so translate() drops them (decomposed text)."""
    source, target = [], []
    for code in [*range(0x41, 0x5B), *range(0xC0, 0x250), *range(0x1E00, 0x1F00)]:
        char = chr(code)
        folded = reading_order(char)
        if len(folded) == 1 and folded != char:
            source.append(char)
            target.append(folded)
    marks = "".join(chr(code) for code in range(0x300, 0x370))
    return "".join(source) + marks, "".join(target)


TRANSLATE_FROM, TRANSLATE_TO = _translate_table()


class folded(FunctionElement):  # noqa: N801 - used like a SQL function
    """A text column folded like reading_order, in SQL."""

    type = String()
    name = "folded"
    inherit_cache = True


@compiles(folded)
def _folded_default(element, compiler, **kw):
    # PostgreSQL and others: one translate() (no unaccent extension needed); upper case is in the
    # map, so the database's locale does not matter.
    column = list(element.clauses)[0]
    return compiler.process(
        func.translate(column, literal(TRANSLATE_FROM), literal(TRANSLATE_TO)), **kw)


@compiles(folded, "sqlite")
def _folded_sqlite(element, compiler, **kw):
    return f"{SQLITE_FOLD}({compiler.process(element.clauses, **kw)})"


# SQLite calls back into Python once per row; a province's names repeat from query to query
# (a list's count, then its page), so the folds are kept (a few MB at most).
_fold_cached = lru_cache(maxsize=1 << 16)(reading_order)


def register_sqlite_fold(dbapi_connection) -> None:
    """Give a SQLite connection the fold as a function (reading_order itself)."""
    dbapi_connection.create_function(
        SQLITE_FOLD, 1, lambda text: None if text is None else _fold_cached(text),
        deterministic=True)


def name_condition(column, text):
    """The folded column holds the folded text from a word's start; None for an empty text."""
    wanted = phrase(text)
    if not wanted:
        return None
    return folded(literal(" ", String) + column).contains(" " + wanted, autoescape=True)


def name_or_tax_code(name_column, tax_code_column, text):
    """A name match, or a tax code starting with the text (digits and -); None when empty."""
    by_name = name_condition(name_column, text)
    prefix = (clean_query(text) or "").replace(" ", "")
    if by_name is None or not TAX_CODE_PREFIX.match(prefix):
        return by_name
    return or_(tax_code_column.startswith(prefix, autoescape=True), by_name)


# ----------------------------------------------------------------------------- areas


def area_matches(tree, roots: list[int], text) -> tuple[list[int], list[int]]:
    """Areas below the roots (a territory.AreaTree) whose name matches, in tree order, and the
    areas above them within the roots (shown too, so one sees where a match sits)."""
    below = dict(tree.depth_first(roots))
    found = [area_id for area_id in below if matches(tree.names[area_id], text)]
    above = {parent for area_id in found for parent in tree.ancestors(area_id)[1:]
             if parent in below}
    return found, sorted(above - set(found))
