"""`flask backup` / `flask restore` round-trip a whole database, on SQLite and on PostgreSQL."""

from __future__ import annotations

import json
import os
import zipfile

import psycopg
import pytest
from sqlalchemy import select, text

from riskapp import migrate
from riskapp.backup import _encode, _tables
from riskapp.db import db
from riskapp.models import Province, Report
from tests import factories

# One database per test process: two suites may run at once on one server.
TARGET_PG_DB = f"test_backup_target_{os.getpid()}"


def _admin_url(url: str) -> str:
    return url.replace("postgresql+psycopg://", "postgresql://").rsplit("/", 1)[0] + "/postgres"


@pytest.fixture(autouse=True, scope="module")
def _drop_target_database():
    yield
    url = os.environ.get("TEST_DATABASE_URL", "")
    if url.startswith("postgresql"):
        with psycopg.connect(_admin_url(url), autocommit=True) as connection:
            connection.execute(f"DROP DATABASE IF EXISTS {TARGET_PG_DB} WITH (FORCE)")


def _target_url(app, tmp_path) -> str:
    """A second, empty database on the same backend as the test database."""
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    if not url.startswith("postgresql"):
        return "sqlite:///" + str(tmp_path / "restored.sqlite3")
    with psycopg.connect(_admin_url(url), autocommit=True) as connection:
        connection.execute(f"DROP DATABASE IF EXISTS {TARGET_PG_DB} WITH (FORCE)")
        connection.execute(f"CREATE DATABASE {TARGET_PG_DB}")
    return url.rsplit("/", 1)[0] + "/" + TARGET_PG_DB


def _snapshot(some_app) -> dict[str, list[dict]]:
    """Every row of every table, encoded as the backup encodes it."""
    with some_app.app_context():
        with db.engine.connect() as connection:
            return {
                table.name: [
                    {k: _encode(v) for k, v in row.items()}
                    for row in connection.execute(
                        select(table).order_by(*table.primary_key.columns)
                    ).mappings()
                ]
                for table in _tables()
            }


@pytest.fixture
def filled(app, world):
    """The world plus submitted assessments (superseding each other) and a rendered PDF."""
    with app.app_context():
        enterprise = db.session.merge(world.a.enterprise)
        officer = db.session.merge(world.a.officer)
        factories.submit_assessment(enterprise, officer)
        db.session.commit()
        factories.submit_assessment(enterprise, officer)
        db.session.commit()
        reports = db.session.scalars(select(Report)).all()
        assert reports and any(r.pdf for r in reports), "a rendered PDF exercises binary columns"
    return world


def test_backup_and_restore_round_trip_every_row(app, filled, dedicated_app, tmp_path):
    path = tmp_path / "riskapp-backup.zip"
    result = app.test_cli_runner().invoke(args=["backup", str(path)])
    assert result.exit_code == 0, result.output
    before = _snapshot(app)

    target = dedicated_app(SQLALCHEMY_DATABASE_URI=_target_url(app, tmp_path))
    migrate.upgrade(target)
    restored = target.test_cli_runner().invoke(args=["restore", str(path)])
    assert restored.exit_code == 0, restored.output

    after = _snapshot(target)
    assert after == before
    assert sum(len(rows) for rows in after.values()) > 20
    assert any(row["superseded_by_id"] for row in after["assessment"])
    # New rows get fresh ids after a restore (the sequences moved past the restored ids).
    with target.app_context():
        db.session.add(Province(code="ZZ", name="Tỉnh mới"))
        db.session.commit()
        assert db.session.scalar(select(Province.id).where(Province.code == "ZZ")) > max(
            row["id"] for row in after["province"]
        )


def test_archive_is_json_lines_in_dependency_order_with_the_revision(app, filled, tmp_path):
    path = tmp_path / "b.zip"
    assert app.test_cli_runner().invoke(args=["backup", str(path)]).exit_code == 0
    with zipfile.ZipFile(path) as archive:
        manifest = json.loads(archive.read("manifest.json"))
        names = [t["name"] for t in manifest["tables"]]
        assert names.index("province") < names.index("enterprise") < names.index("assessment")
        with app.app_context(), db.engine.connect() as connection:
            head = connection.execute(text("SELECT version_num FROM alembic_version")).scalar()
        assert manifest["alembic_revision"] == head
        lines = archive.read("tables/enterprise.jsonl").decode().splitlines()
        assert len(lines) == next(t["rows"] for t in manifest["tables"]
                                  if t["name"] == "enterprise")
        # Written as UTF-8, not \u escapes: Vietnamese stays readable in the archive.
        assert all("\\u" not in line for line in lines)


def test_restore_refuses_a_database_that_is_not_empty(app, filled, tmp_path):
    path = tmp_path / "b.zip"
    assert app.test_cli_runner().invoke(args=["backup", str(path)]).exit_code == 0
    before = _snapshot(app)
    result = app.test_cli_runner().invoke(args=["restore", str(path)])
    assert result.exit_code != 0
    assert "not empty" in result.output
    assert _snapshot(app) == before


def test_restore_refuses_a_backup_of_another_revision(app, filled, dedicated_app, tmp_path):
    path = tmp_path / "b.zip"
    assert app.test_cli_runner().invoke(args=["backup", str(path)]).exit_code == 0
    other = tmp_path / "other.zip"
    with zipfile.ZipFile(path) as source, zipfile.ZipFile(other, "w") as copy:
        for item in source.infolist():
            data = source.read(item)
            if item.filename == "manifest.json":
                manifest = json.loads(data)
                manifest["alembic_revision"] = "0000_elsewhere"
                data = json.dumps(manifest).encode()
            copy.writestr(item, data)
    target = dedicated_app(SQLALCHEMY_DATABASE_URI=_target_url(app, tmp_path))
    migrate.upgrade(target)
    result = target.test_cli_runner().invoke(args=["restore", str(other)])
    assert result.exit_code != 0
    assert "revision 0000_elsewhere" in result.output
    assert not any(_snapshot(target).values())
