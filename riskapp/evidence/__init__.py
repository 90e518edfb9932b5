"""Evidence: photos and PDFs attached to answers, served only within the viewer's reach."""

from flask import Blueprint

bp = Blueprint("evidence", __name__, url_prefix="/evidence")

from riskapp.evidence import views  # noqa: E402,F401  (routes register on import)
