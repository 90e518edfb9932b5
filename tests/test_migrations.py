"""The schema comes from Alembic alone: the migrations build exactly what the models declare."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from riskapp import create_app, migrate
from riskapp.db import Base, db


def _differences(app) -> list:
    with app.app_context(), db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return compare_metadata(context, Base.metadata)


def test_migrated_database_matches_the_models(app):
    assert _differences(app) == []


def test_migrations_go_down_to_nothing_and_up_again(tmp_path):
    fresh = create_app(
        {"SQLALCHEMY_DATABASE_URI": "sqlite:///" + str(tmp_path / "m.sqlite3"), "TESTING": True}
    )
    migrate.upgrade(fresh)
    migrate.downgrade(fresh, "base")
    with fresh.app_context(), db.engine.connect() as connection:
        tables = set(connection.dialect.get_table_names(connection)) - {"alembic_version"}
    assert tables == set()
    migrate.upgrade(fresh)
    assert _differences(fresh) == []
