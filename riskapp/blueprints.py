"""The blueprints, one per area."""

from __future__ import annotations

import importlib

from flask import Flask

AREAS = ("main", "auth", "assessments", "reports", "province", "audit", "admin", "api", "evidence")


def register_blueprints(app: Flask) -> None:
    for area in AREAS:
        app.register_blueprint(importlib.import_module(f"riskapp.{area}").bp)
