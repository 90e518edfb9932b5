"""The auditor's workspace: enterprises of their areas, on-site findings, ZIP exports."""

from flask import Blueprint

bp = Blueprint("audit", __name__, url_prefix="/audit")
