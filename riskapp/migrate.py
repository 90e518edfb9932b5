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


def upgrade(app: Flask, revision: str = "head") -> None:
    """Bring the app's database to a revision (the newest by default)."""
    with app.app_context():
        with db.engine.begin() as connection:
            config = alembic_config(app)
            config.attributes["connection"] = connection
            command.upgrade(config, revision)


def downgrade(app: Flask, revision: str) -> None:
    with app.app_context():
        with db.engine.begin() as connection:
            config = alembic_config(app)
            config.attributes["connection"] = connection
            command.downgrade(config, revision)
