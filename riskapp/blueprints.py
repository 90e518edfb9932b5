"""The blueprints, one per area."""

from __future__ import annotations

import importlib

from flask import Flask

AREAS = ("main", "auth", "assessments", "reports", "province", "audit", "admin", "api", "evidence")


def register_blueprints(app: Flask) -> None:
    for area in AREAS:
        try:
            module = importlib.import_module(f"riskapp.{area}")
        except ModuleNotFoundError as error:
            # Areas land one by one; a missing area is skipped, a broken one is not.
            if error.name != f"riskapp.{area}":
                raise
            continue
        if hasattr(module, "bp"):
            app.register_blueprint(module.bp)
