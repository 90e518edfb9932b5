"""The blueprints, one per area: each area's package holds its blueprint, its modules add to it."""

from __future__ import annotations

import importlib

from flask import Flask

AREAS = ("main", "auth", "assessments", "reports", "province", "audit", "admin", "api", "evidence",
         "rounds", "reviews", "webhooks", "notifications", "impact", "forensics",
         "transparency", "privacy")
# The modules that add routes, commands or model listeners to an area when imported.
MODULES = {
    "province": ("views", "commands", "rollups", "reform_views", "area_views",
                 "proposal_views", "followup_views", "visit_views", "action_views",
                 "auditlog_views", "targeting_views"),
    "api": ("views", "account", "changes"),
    "audit": ("views", "visit_views"),
    "main": ("views", "offline"),
}


def register_blueprints(app: Flask) -> None:
    for area in AREAS:
        for module in MODULES.get(area, ("views",)):
            importlib.import_module(f"riskapp.{area}.{module}")
        app.register_blueprint(importlib.import_module(f"riskapp.{area}").bp)
    # The API token pages are web pages (session + CSRF) under /account; they come with the API.
    app.register_blueprint(importlib.import_module("riskapp.api.account").account_bp)
