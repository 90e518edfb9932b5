"""Rows the database itself refuses to change: the registry of protected tables, the triggers
that enforce it on PostgreSQL and SQLite, and the one maintenance bypass.

The ORM events on AuditLog stop the application's own mistakes; these triggers stop everything
else that connects as the application's role (a psql session, a script with its credentials, a
bug that writes SQL by hand). Migration 0021 installs them; adding a table is one line in
PROTECTED (`Rule("table", "table is append-only")`) and a migration calling `install(op, rule)`.

The bypass (`maintenance()`) needs rights the application's role must not have in production:
PostgreSQL's `session_replication_role` is for superusers, SQLite's triggers are dropped and made
again (DDL). An operator with those rights can still rewrite history — which is why the audit log
is also hash-chained (riskapp.auditchain) and checked by `flask audit-verify`.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from sqlalchemy import Connection, text


@dataclass(frozen=True)
class Rule:
    """A protected table. `only_if`: the SQL condition (on the table's columns, `{row}.` before
    each) under which a row is protected; None protects every row."""

    table: str
    message: str
    only_if: str | None = None

    def condition(self, row: str) -> str | None:
        return None if self.only_if is None else self.only_if.format(row=row)


PROTECTED: tuple[Rule, ...] = (
    Rule("audit_log", "audit_log is append-only"),
    # A pending or failed report is still rendered, retried and finished; an issued one is final.
    Rule("report", "an issued report (status ready) cannot be changed or deleted",
         only_if="{row}.status = 'ready'"),
    # The transparency log (riskapp/transparency): leaves, subtree hashes and signed heads only
    # grow; its size row (transparency_state) is the lock appends queue on and stays writable.
    Rule("transparency_leaf", "the transparency log is append-only"),
    Rule("transparency_node", "the transparency log is append-only"),
    Rule("transparency_tree_head", "signed tree heads are append-only"),
)


def rules(*tables: str) -> tuple[Rule, ...]:
    """The rules of `tables`, for a migration: it installs the rules of its own tables as they are
    named here, not whatever the registry holds by the time it runs."""
    chosen = tuple(rule for rule in PROTECTED if rule.table in tables)
    if len(chosen) != len(tables):
        raise KeyError(f"no rule for some of {tables}")
    return chosen


def _name(rule: Rule, what: str) -> str:
    return f"immutable_{rule.table}_{what}"


def _quoted(message: str) -> str:
    return "'" + message.replace("'", "''") + "'"


def _postgresql_ddl(rule: Rule) -> list[str]:
    function = _name(rule, "refuse")
    # A TRUNCATE has no OLD row: it is refused when any row it would remove is protected.
    # Table and condition are the registry's constants, never input.
    protected_rows = f"SELECT 1 FROM {rule.table} AS old_row WHERE {rule.condition('old_row')}"  # nosec B608
    truncate_check = ("" if rule.only_if is None else
                      f"IF TG_OP = 'TRUNCATE' AND NOT EXISTS ({protected_rows}) THEN RETURN NULL; "
                      "END IF; ")
    when = "" if rule.only_if is None else f" WHEN ({rule.condition('OLD')})"
    return [
        f"CREATE OR REPLACE FUNCTION {function}() RETURNS trigger LANGUAGE plpgsql AS $$ "
        f"BEGIN {truncate_check}RAISE EXCEPTION {_quoted(rule.message)} "
        "USING ERRCODE = 'insufficient_privilege'; END $$",
        f"CREATE TRIGGER {_name(rule, 'row')} BEFORE UPDATE OR DELETE ON {rule.table} "
        f"FOR EACH ROW{when} EXECUTE FUNCTION {function}()",
        f"CREATE TRIGGER {_name(rule, 'truncate')} BEFORE TRUNCATE ON {rule.table} "
        f"FOR EACH STATEMENT EXECUTE FUNCTION {function}()",
    ]


def _sqlite_ddl(rule: Rule) -> list[str]:
    # SQLite has no TRUNCATE: a DELETE without WHERE runs the row triggers like any other.
    when = "" if rule.only_if is None else f" WHEN {rule.condition('OLD')}"
    return [
        f"CREATE TRIGGER {_name(rule, event.lower())} BEFORE {event} ON {rule.table}{when} "
        f"BEGIN SELECT RAISE(ABORT, {_quoted(rule.message)}); END"
        for event in ("UPDATE", "DELETE")
    ]


def create_ddl(rule: Rule, dialect: str) -> list[str]:
    return _postgresql_ddl(rule) if dialect == "postgresql" else _sqlite_ddl(rule)


def drop_ddl(rule: Rule, dialect: str) -> list[str]:
    if dialect == "postgresql":
        return [f"DROP TRIGGER IF EXISTS {_name(rule, 'row')} ON {rule.table}",
                f"DROP TRIGGER IF EXISTS {_name(rule, 'truncate')} ON {rule.table}",
                f"DROP FUNCTION IF EXISTS {_name(rule, 'refuse')}()"]
    return [f"DROP TRIGGER IF EXISTS {_name(rule, event)}" for event in ("update", "delete")]


def install(connection: Connection, rules: tuple[Rule, ...] = PROTECTED) -> None:
    """Create the triggers of `rules` (a migration passes `op.get_bind()`)."""
    for rule in rules:
        for statement in create_ddl(rule, connection.dialect.name):
            connection.execute(text(statement))


def uninstall(connection: Connection, rules: tuple[Rule, ...] = PROTECTED) -> None:
    for rule in rules:
        for statement in drop_ddl(rule, connection.dialect.name):
            connection.execute(text(statement))


@contextmanager
def maintenance(connection: Connection) -> Iterator[Connection]:
    """Inside the caller's transaction on `connection`, lift the protection for what it does
    next (test cleanup, an operator's repair). Operators with DDL or superuser rights only: the
    application's role cannot do either (docs/DEPLOYMENT.md), so the triggers bind it."""
    if connection.dialect.name == "postgresql":
        # Until the transaction ends; ordinary (origin) triggers do not fire for a replica.
        connection.execute(text("SET LOCAL session_replication_role = replica"))
        yield connection
        return
    # pysqlite opens its transaction only at the first INSERT/UPDATE/DELETE; a DDL statement
    # before it would run on its own. This no-op DELETE opens it, so the triggers come back
    # with the transaction or not at all.
    connection.execute(text("DELETE FROM audit_chain_head WHERE 0 = 1"))
    uninstall(connection)
    yield connection
    install(connection)
