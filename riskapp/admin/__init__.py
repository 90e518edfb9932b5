"""Administration: provinces (platform admin) and a province's users (province admin)."""

from flask import Blueprint

bp = Blueprint("admin", __name__, url_prefix="/admin")

from riskapp.admin import views  # noqa: E402,F401  (routes register on import)
