"""Schema changes go through Alembic only; these run it for the app's database."""

from __future__ import annotations

import os

from alembic import command
from alembic.config import Config
from flask import Flask

from riskapp.db import db

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def alembic_config(app: Flask) -> Config:
    config = Config(os.path.join(ROOT, "alembic.ini"))
    config.set_main_option("script_location", os.path.join(ROOT, "migrations"))
    config.set_main_option(
        "sqlalchemy.url", app.config["SQLALCHEMY_DATABASE_URI"].replace("%", "%%")
    )
    return config


def _run(app: Flask, alembic_command, revision: str) -> None:
    """Run an Alembic command in one transaction. On SQLite, batch mode alters a table by
    copying it and dropping the old one, which enforced foreign keys refuse while rows refer to
    it: they are off during the migration (a PRAGMA only takes effect outside a transaction),
    checked once at its end, and on again after."""
    with app.app_context(), db.engine.connect() as connection:
        sqlite = connection.dialect.name == "sqlite"
        if sqlite:
            connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
            connection.commit()
        try:
            with connection.begin():
                config = alembic_config(app)
                config.attributes["connection"] = connection
                alembic_command(config, revision)
                if sqlite:
                    broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                    if broken:
                        raise RuntimeError(f"the migration broke foreign keys: {broken[:5]}")
        finally:
            if sqlite:
                connection.exec_driver_sql("PRAGMA foreign_keys=ON")
                connection.commit()


def upgrade(app: Flask, revision: str = "head") -> None:
    """Bring the app's database to a revision (the newest by default)."""
    _run(app, command.upgrade, revision)


def downgrade(app: Flask, revision: str) -> None:
    _run(app, command.downgrade, revision)
