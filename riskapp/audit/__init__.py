"""The auditor's workspace: enterprises of their areas, on-site findings, ZIP exports."""

from flask import Blueprint

bp = Blueprint("audit", __name__, url_prefix="/audit")

from riskapp.audit import views  # noqa: E402,F401  (routes register on import)
