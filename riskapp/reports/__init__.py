"""Reports: background rendering and delivery of signed PDFs, and their public verification."""

from flask import Blueprint

bp = Blueprint("reports", __name__)

from riskapp.reports import views  # noqa: E402,F401  (routes register on import)
