"""Portable backups: a ZIP of one JSON Lines file per table, restorable on SQLite or PostgreSQL.

The archive holds `manifest.json` (format, Alembic revision, tables in dependency order, row counts)
and `tables/<name>.jsonl`. Values are JSON: datetimes, dates, times as ISO 8601 (microseconds kept,
zone-aware ones with their offset), binary columns as base64, enums as their stored value, Numeric
as a string. `null` is SQL NULL in every column: a JSON column's document is written as its JSON
text (a string), so a document that is itself JSON null is `"null"`. Format version 1 wrote the
documents inline, both nulls as `null`: it is still read, `null` in a nullable JSON column as SQL
NULL. A restore refuses an archive of another revision and a database that is not empty, so it
never mixes two histories. Files under STORAGE_DIR (evidence photos) are not in the database: copy
that folder alongside.
"""

from __future__ import annotations

import base64
import enum
import json
import zipfile
from collections.abc import Iterator
from datetime import UTC, date, datetime, time
from decimal import Decimal

import click
from flask.cli import with_appcontext
from sqlalchemy import (
    JSON,
    Column,
    Connection,
    Engine,
    Table,
    Text,
    cast,
    func,
    insert,
    null,
    select,
    text,
    update,
)
from sqlalchemy.types import Date, DateTime, LargeBinary, Numeric, Time

import riskapp.models  # noqa: F401 - registers every table on the metadata
from riskapp.db import Base, db

FORMAT = "riskapp-backup"
FORMAT_VERSION = 2
# Version 1 cannot tell SQL NULL from JSON null in a JSON column; it is read as SQL NULL there.
READABLE_VERSIONS = (1, FORMAT_VERSION)
BATCH = 1000


class BackupError(Exception):
    """The archive cannot be restored here; the message says why."""


def _tables() -> list[Table]:
    return list(Base.metadata.sorted_tables)


def database_revision(connection: Connection) -> str | None:
    try:
        return connection.execute(text("SELECT version_num FROM alembic_version")).scalar()
    except Exception:  # noqa: BLE001 - no alembic_version table: not migrated
        return None


def _encode(value):
    if isinstance(value, bytes | bytearray | memoryview):
        return base64.b64encode(bytes(value)).decode("ascii")
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def _utc_encode(value):
    """A zone-aware column's value with its offset: SQLite hands back naive UTC datetimes."""
    if isinstance(value, datetime) and value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return _encode(value)


def _json_text(value: str | None) -> str | None:
    """A JSON column's text as the archive keeps it: SQL NULL stays None, Vietnamese unescaped."""
    return None if value is None else json.dumps(json.loads(value), ensure_ascii=False)


def _encoder(column: Column):
    if isinstance(column.type, JSON):
        return _json_text
    if isinstance(column.type, DateTime) and column.type.timezone:
        return _utc_encode
    return _encode


def _read_columns(table: Table) -> list:
    """The table's columns, a JSON column as its text: SQL NULL reads None, a JSON null "null"."""
    return [cast(c, Text).label(c.name) if isinstance(c.type, JSON) else c for c in table.columns]


def _json_decoder(column: Column, version: int):
    """SQL NULL as `null()`, a JSON null as `JSON.NULL` (a bare None is stored as JSON null)."""
    if version == 1:
        empty = null() if column.nullable else JSON.NULL
        return lambda v: empty if v is None else v

    def to_document(v):
        if v is None:
            return null()
        document = json.loads(v)
        return JSON.NULL if document is None else document

    return to_document


def _datetime_decoder(kind: DateTime):
    def to_datetime(v):
        if v is None:
            return None
        parsed = datetime.fromisoformat(v)
        # SQLite hands back naive datetimes; they were stored as UTC.
        if kind.timezone and parsed.tzinfo is None:
            parsed = parsed.replace(tzinfo=UTC)
        return parsed

    return to_datetime


def _decoder(column: Column, version: int):
    kind = column.type
    if isinstance(kind, JSON):
        return _json_decoder(column, version)
    if isinstance(kind, LargeBinary):
        return lambda v: None if v is None else base64.b64decode(v)
    if isinstance(kind, DateTime):
        return _datetime_decoder(kind)
    for plain, parse in ((Date, date.fromisoformat), (Time, time.fromisoformat)):
        if isinstance(kind, plain):  # a day, or a wall-clock time (quiet hours) without a zone
            return lambda v, parse=parse: None if v is None else parse(v)
    if isinstance(kind, Numeric) and getattr(kind, "asdecimal", False):
        return lambda v: None if v is None else Decimal(v)
    enum_class = getattr(kind, "enum_class", None)
    if enum_class is not None:
        return lambda v: None if v is None else enum_class(v)
    return lambda v: v


def backup(engine: Engine, path: str) -> dict:
    """Write every table of the database to a ZIP at ``path``; returns the manifest."""
    tables = _tables()
    manifest = {"format": FORMAT, "format_version": FORMAT_VERSION,
                "created_at": datetime.now(UTC).isoformat(), "dialect": engine.dialect.name,
                "tables": []}
    with engine.connect() as connection, zipfile.ZipFile(
        path, "w", compression=zipfile.ZIP_DEFLATED
    ) as archive:
        # One transaction for every table: on PostgreSQL a repeatable-read snapshot.
        if engine.dialect.name == "postgresql":
            connection = connection.execution_options(isolation_level="REPEATABLE READ")
        with connection.begin():
            manifest["alembic_revision"] = database_revision(connection)
            if manifest["alembic_revision"] is None:
                raise BackupError("the database is not migrated (no alembic_version)")
            for table in tables:
                name = f"tables/{table.name}.jsonl"
                rows = 0
                order = list(table.primary_key.columns) or list(table.columns)
                result = connection.execution_options(yield_per=BATCH).execute(
                    select(*_read_columns(table)).order_by(*order)
                )
                encoders = {c.name: _encoder(c) for c in table.columns}
                with archive.open(name, "w") as handle:
                    for row in result.mappings():
                        record = {key: encoders[key](value) for key, value in row.items()}
                        handle.write(json.dumps(record, ensure_ascii=False).encode() + b"\n")
                        rows += 1
                manifest["tables"].append({"name": table.name, "file": name, "rows": rows})
        archive.writestr("manifest.json", json.dumps(manifest, indent=2))
    return manifest


def read_manifest(archive: zipfile.ZipFile) -> dict:
    try:
        manifest = json.loads(archive.read("manifest.json"))
    except (KeyError, ValueError) as error:
        raise BackupError("not a riskapp backup: no readable manifest.json") from error
    if manifest.get("format") != FORMAT:
        raise BackupError("not a riskapp backup: the manifest names another format")
    if manifest.get("format_version") not in READABLE_VERSIONS:
        raise BackupError(
            f"the backup is of format version {manifest.get('format_version')}; this version "
            f"of riskapp reads versions {', '.join(map(str, READABLE_VERSIONS))}: restore it "
            "with the riskapp release that wrote it"
        )
    return manifest


def _lines(archive: zipfile.ZipFile, name: str) -> Iterator[dict]:
    with archive.open(name) as handle:
        for line in handle:
            if line.strip():
                yield json.loads(line)


def _deferred_columns(table: Table, position: dict[str, int]) -> list[str]:
    """Foreign keys to the same table or a later one: inserted empty, set once all rows exist."""
    names = []
    for fk in table.foreign_keys:
        target = fk.column.table.name
        if target == table.name or position.get(target, -1) > position[table.name]:
            names.append(fk.parent.name)
    return names


def _reset_sequences(connection: Connection, tables: list[Table]) -> None:
    """Move PostgreSQL id sequences past the restored ids, so new rows do not collide."""
    for table in tables:
        for column in table.primary_key.columns:
            sequence = connection.execute(
                text("SELECT pg_get_serial_sequence(:t, :c)"), {"t": table.name, "c": column.name}
            ).scalar()
            if sequence is None:
                continue
            highest = connection.execute(select(func.max(column))).scalar()
            connection.execute(
                text("SELECT setval(:s, :v, :called)"),
                {"s": sequence, "v": highest or 1, "called": highest is not None},
            )


def _check_target(connection: Connection, manifest: dict, tables: dict[str, Table]) -> None:
    """Refuse a database of another revision or with rows, and an archive with unknown tables."""
    revision = database_revision(connection)
    if revision is None:
        raise BackupError("the target database is not migrated: run `flask db-upgrade`")
    if revision != manifest.get("alembic_revision"):
        raise BackupError(
            f"the backup is of schema revision {manifest.get('alembic_revision')}, the "
            f"database is at {revision}: restore into a database migrated to the backup's "
            "revision"
        )
    unknown = [t["name"] for t in manifest["tables"] if t["name"] not in tables]
    if unknown:
        raise BackupError(f"the backup has tables this version does not know: {unknown}")
    for table in tables.values():
        if connection.execute(select(func.count()).select_from(table)).scalar():
            raise BackupError(
                f"the target database is not empty (table {table.name} has rows): "
                "restore only into a fresh, migrated database"
            )


def _insert_rows(connection: Connection, table: Table, records: Iterator[dict],
                 position: dict[str, int], version: int) -> list[dict]:
    """Insert a table's rows in batches with their deferred foreign keys empty; returns, per row
    that had any, its primary key and the values to set once every table is loaded."""
    decoders = {c.name: _decoder(c, version) for c in table.columns}
    deferred = _deferred_columns(table, position)
    # The later UPDATE must not let `onupdate` defaults (updated_at) move.
    kept = [c.name for c in table.columns if c.onupdate is not None]
    later: list[dict] = []
    batch: list[dict] = []
    for record in records:
        row = {k: decoders[k](v) for k, v in record.items() if k in decoders}
        if deferred and any(row.get(c) is not None for c in deferred):
            later.append({**{c.name: row[c.name] for c in table.primary_key},
                          **{c: row[c] for c in deferred + kept}})
            row.update({c: None for c in deferred})
        batch.append(row)
        if len(batch) >= BATCH:
            connection.execute(insert(table), batch)
            batch = []
    if batch:
        connection.execute(insert(table), batch)
    return later


def _set_deferred(connection: Connection, pending: list[tuple[Table, list[dict]]]) -> None:
    """Set the foreign keys `_insert_rows` left empty, now that the rows they point to exist."""
    for table, rows in pending:
        keys = {c.name for c in table.primary_key}
        for row in rows:
            key = [c == row[c.name] for c in table.primary_key]
            values = {k: v for k, v in row.items() if k not in keys}
            connection.execute(update(table).where(*key).values(values))


def restore(engine: Engine, path: str) -> dict:
    """Load a backup into an empty database migrated to the backup's revision."""
    tables = {table.name: table for table in _tables()}
    with zipfile.ZipFile(path) as archive:
        manifest = read_manifest(archive)
        with engine.begin() as connection:
            _check_target(connection, manifest, tables)
            position = {entry["name"]: index for index, entry in enumerate(manifest["tables"])}
            pending: list[tuple[Table, list[dict]]] = []
            for entry in manifest["tables"]:
                table = tables[entry["name"]]
                later = _insert_rows(connection, table, _lines(archive, entry["file"]), position,
                                     manifest["format_version"])
                if later:
                    pending.append((table, later))
            _set_deferred(connection, pending)
            if connection.dialect.name == "postgresql":
                _reset_sequences(connection, list(tables.values()))
    return manifest


@click.command("backup")
@click.argument("path", type=click.Path(dir_okay=False, writable=True))
@with_appcontext
def backup_command(path: str) -> None:
    """Write the whole database to a portable ZIP (JSON Lines per table)."""
    manifest = backup(db.engine, path)
    rows = sum(t["rows"] for t in manifest["tables"])
    click.echo(f"{path}: {len(manifest['tables'])} tables, {rows} rows, "
               f"revision {manifest['alembic_revision']}")


@click.command("restore")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@with_appcontext
def restore_command(path: str) -> None:
    """Load a backup into an empty database migrated to the backup's revision."""
    try:
        manifest = restore(db.engine, path)
    except BackupError as error:
        raise click.ClickException(str(error)) from error
    rows = sum(t["rows"] for t in manifest["tables"])
    click.echo(f"restored {rows} rows of {len(manifest['tables'])} tables from {path}")


COMMANDS = (backup_command, restore_command)
